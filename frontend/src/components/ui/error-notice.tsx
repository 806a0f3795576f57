/**
 * A request that failed, the same way on every page: what could not be done, why in plain
 * words, "Try again" when the caller can, and a reference with the technical details folded
 * away for anyone who has to report it.
 */
import { errorDetails, errorMessage, errorReference } from '@/lib/api';
import { ErrorDetails } from './error-details';

export interface ErrorNoticeProps {
  error: unknown;
  /** What could not be done, without a full stop, e.g. "We could not load your top users". */
  what: string;
  /** Asks again; without it, there is no button. */
  onRetry?: () => void;
  /** The retry is on its way. */
  retrying?: boolean;
  /** A card with a heading, when the failure is the page's main content; else a notice. */
  card?: boolean;
}

export function ErrorNotice({ error, what, onRetry, retrying = false, card = false }: ErrorNoticeProps) {
  const button = onRetry ? (
    <p className="actions">
      <button type="button" className={card ? 'button' : 'button button-small'} onClick={onRetry} disabled={retrying}>
        {retrying ? 'Trying again…' : 'Try again'}
      </button>
    </p>
  ) : null;
  const details = <ErrorDetails reference={errorReference(error)} details={errorDetails(error)} />;
  if (card) {
    return (
      <div className="card error-card" role="alert">
        <h2>{what}</h2>
        <p>{errorMessage(error)}</p>
        {button}
        {details}
      </div>
    );
  }
  return (
    <div className="notice notice-error" role="alert">
      <p>
        <strong>{what}.</strong> {errorMessage(error)}
      </p>
      {button}
      {details}
    </div>
  );
}
