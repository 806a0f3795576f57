/** Placeholder rows, the height of real ones, while the first page loads. */
export function SkeletonRows({ variant, rows = 5 }: { variant: string; rows?: number }) {
  return (
    <>
      <p className="insights-range" role="status">
        <span className="visually-hidden">Loading…</span>
      </p>
      <ul className="insights-list" aria-hidden="true">
        {Array.from({ length: rows }, (_, row) => (
          <li key={row} className={`insights-row insights-row-${variant} insights-skeleton`}>
            <span className="insights-bone insights-bone-picture" />
            <span className="insights-bone-lines">
              <span className="insights-bone" />
              <span className="insights-bone insights-bone-short" />
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}
