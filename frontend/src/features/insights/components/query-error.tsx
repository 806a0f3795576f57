/** A failed request: what failed, the problem the API described, and a way to try again. */
import { ApiError } from '@/lib/api';

function describe(error: unknown): string {
  if (error instanceof ApiError) return error.problem?.detail ?? error.problem?.title ?? error.message;
  if (error instanceof TypeError) return 'The server could not be reached. Check your connection.';
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

export interface QueryErrorProps {
  error: unknown;
  /** What could not be done, e.g. "We could not load your top users." */
  what: string;
  onRetry: () => void;
  retrying: boolean;
}

export function QueryError({ error, what, onRetry, retrying }: QueryErrorProps) {
  return (
    <div className="notice insights-error" role="alert">
      <p className="insights-empty-title">{what}</p>
      <p>{describe(error)}</p>
      <p>
        <button type="button" className="button button-small" onClick={onRetry} disabled={retrying}>
          {retrying ? 'Retrying…' : 'Retry'}
        </button>
      </p>
    </div>
  );
}
