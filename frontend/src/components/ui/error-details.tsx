/**
 * The part of a failure that is for support, not for reading: a reference to quote, and the
 * technical details behind a disclosure, closed until asked for.
 */
export function ErrorDetails({ reference, details }: { reference?: string | null; details?: string | null }) {
  if (!reference && !details) return null;
  return (
    <div className="error-details">
      {reference ? (
        <p className="muted">
          Reference: <code>{reference}</code>
        </p>
      ) : null}
      {details ? (
        <details>
          <summary>Technical details</summary>
          <p className="error-details-text">{details}</p>
        </details>
      ) : null}
    </div>
  );
}
