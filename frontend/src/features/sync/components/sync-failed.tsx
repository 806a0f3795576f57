/** A sync that failed: what happened, and a way to ask again (at most once a minute). */
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { SyncPoll, SyncStatus } from '../api/get-sync-status';
import type { useStartSync } from '../api/start-sync';
import '../sync.css';

/** Seconds left until a deadline set by `start(seconds)`, kept up to date while it runs. */
function useCountdown() {
  const [deadline, setDeadline] = useState<number | null>(null);
  const [now, setNow] = useState(0);
  useEffect(() => {
    if (deadline === null) return;
    const id = setInterval(() => {
      const time = Date.now();
      setNow(time);
      if (time >= deadline) clearInterval(id);
    }, 250);
    return () => {
      clearInterval(id);
    };
  }, [deadline]);
  const left = deadline === null ? 0 : Math.max(0, Math.ceil((deadline - now) / 1000));
  const start = (seconds: number) => {
    const time = Date.now();
    setNow(time);
    setDeadline(time + seconds * 1000);
  };
  return [left, start] as const;
}

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
        <p>{error?.title ?? 'The sync stopped before it finished.'}</p>
        {error?.detail ? <p className="muted sync-detail">{error.detail}</p> : null}
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
            ? `You asked for a sync very recently. Try again in ${waitLeft} s.`
            : 'You can try again now.'
          : start.isError
            ? `Asking again did not work: ${start.error.message}`
            : null}
      </p>
    </div>
  );
}
