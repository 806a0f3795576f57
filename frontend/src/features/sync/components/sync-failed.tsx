/**
 * A sync that failed: what happened in plain words, and a way to ask again. The technical
 * account (Instagram's own words) stays behind a disclosure, with a reference to quote.
 */
import { Link } from 'react-router';
import { ErrorDetails } from '@/components/ui/error-details';
import { useCountdown } from '@/lib/use-countdown';
import type { SyncPoll, SyncStatus } from '../api/get-sync-status';
import type { useStartSync } from '../api/start-sync';
import { syncErrorDetails, syncErrorMessage, syncReference } from '../sync-errors';
import '../sync.css';

export interface SyncFailedProps {
  sync: SyncStatus;
  /** Asking for a sync (the monitor's, so that it outlives this card). */
  start: ReturnType<typeof useStartSync>;
  /** A new sync started: the monitor follows it from `poll`. */
  onStarted: (poll: SyncPoll) => void;
}

export function SyncFailed({ sync, start, onStarted }: SyncFailedProps) {
  const [waitLeft, startWaiting] = useCountdown();
  const error = sync.error ?? sync.job?.error;
  const tooSoon = start.data?.kind === 'too_soon';

  const retry = () => {
    start.mutate(undefined, {
      onSuccess: (outcome) => {
        if (outcome.kind === 'started') onStarted(outcome.poll);
        else startWaiting(outcome.retryAfterSeconds);
      },
    });
  };

  return (
    <div className="card sync-card">
      <div role="alert">
        <h2 className="sync-heading">We could not read your posts</h2>
        <p>{syncErrorMessage(error)}</p>
      </div>
      {sync.retry_allowed ? (
        <p className="sync-actions">
          <button
            type="button"
            className="button button-primary"
            onClick={retry}
            disabled={start.isPending || waitLeft > 0}
          >
            {start.isPending ? 'Retrying…' : waitLeft > 0 ? `Retry (${waitLeft} s)` : 'Retry'}
          </button>
        </p>
      ) : (
        <p className="sync-actions">
          <Link to="/">Go to the home page</Link>
        </p>
      )}
      <p role="status" className="muted sync-status">
        {tooSoon
          ? waitLeft > 0
            ? `Instagram needs a short pause between syncs. You can retry in ${waitLeft} s.`
            : 'You can retry now.'
          : start.isError
            ? 'Asking again did not work. Please try once more in a moment.'
            : null}
      </p>
      <ErrorDetails reference={syncReference(sync)} details={syncErrorDetails(error)} />
    </div>
  );
}
