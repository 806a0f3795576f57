/**
 * Follows my sync until it ends: progress while it runs, what went wrong if it failed, a way
 * back in if Instagram or our session needs a new sign-in. Sign-in UI comes from the caller
 * (features do not import each other); so does what to show once the sync succeeded.
 */
import type { ReactNode } from 'react';
import { ApiError, type components } from '@/lib/api';
import { useSyncStatus, type SyncPoll } from '../api/get-sync-status';
import { useStartSync } from '../api/start-sync';
import { NeedsReauth } from './needs-reauth';
import { SyncFailed } from './sync-failed';
import { SyncProgress } from './sync-progress';

type MyCrush = components['schemas']['MyCrush'];

export interface SyncMonitorProps {
  /** The status the page already has (`GET /api/crush`'s `202`), polled from there. */
  initial?: SyncPoll;
  /** The sign-in link for when Instagram wants the user to sign in again. */
  signIn: ReactNode;
  /** What to show when the session is gone (`401`). */
  signedOut: ReactNode;
  /** What to show once the sync succeeded, from its result. */
  children: (result: MyCrush | null) => ReactNode;
}

const hasStatus = (error: unknown, status: number) => error instanceof ApiError && error.status === status;

export function SyncMonitor({ initial, signIn, signedOut, children }: SyncMonitorProps) {
  const status = useSyncStatus(initial);
  const start = useStartSync();

  if (hasStatus(status.error, 401) || hasStatus(start.error, 401)) return signedOut;
  if (hasStatus(start.error, 403)) return <NeedsReauth>{signIn}</NeedsReauth>;

  const sync = status.data?.sync;
  if (!sync) {
    if (status.isError) {
      return (
        <div className="card sync-card" role="alert">
          <h2 className="sync-heading">We could not check your sync</h2>
          <p>{status.error.message}</p>
          <p className="sync-actions">
            <button type="button" className="button" onClick={() => void status.refetch()}>
              Try again
            </button>
          </p>
        </div>
      );
    }
    return <SyncProgress sync={undefined} />;
  }
  switch (sync.status) {
    case 'succeeded':
      return children(sync.result ?? null);
    case 'needs_reauth':
      return <NeedsReauth detail={sync.error?.detail}>{signIn}</NeedsReauth>;
    case 'failed':
      return <SyncFailed sync={sync} start={start} />;
    case 'queued':
    case 'running':
      return <SyncProgress sync={sync} stalled={status.isError} />;
  }
}
