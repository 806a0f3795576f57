import { ApiError } from '@/lib/api';
import '../account.css';

/** What went wrong, in the API's words when it sent a problem, with a way to try again. */
export function ProblemNotice({
  error,
  what,
  onRetry,
}: {
  error: unknown;
  /** What failed, e.g. "We could not load your API tokens". */
  what: string;
  onRetry?: () => void;
}) {
  const detail =
    error instanceof ApiError
      ? (error.problem?.detail ?? error.problem?.title ?? error.message)
      : 'The server could not be reached. Check your connection.';
  return (
    <div className="notice notice-error" role="alert">
      <p>
        <strong>{what}.</strong> {detail}
      </p>
      {onRetry ? (
        <p>
          <button type="button" className="button button-small" onClick={onRetry}>
            Try again
          </button>
        </p>
      ) : null}
    </div>
  );
}
