/**
 * Follows my sync until it ends: progress while it runs, what went wrong if it failed, a way
 * back in if Instagram or our session needs a new sign-in. Sign-in UI comes from the caller
 * (features do not import each other); so does what to show once the sync succeeded.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ErrorNotice } from '@/components/ui/error-notice';
import { ApiError, type components } from '@/lib/api';
import { nextSyncVisit, syncStatusQueryKey, useSyncStatus, type SyncPoll } from '../api/get-sync-status';
import { useStartSync } from '../api/start-sync';
import { NeedsReauth } from './needs-reauth';
import { SyncFailed } from './sync-failed';
import { SyncProgress } from './sync-progress';
import '../sync.css';

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
  const queryClient = useQueryClient();
  const [visit] = useState(nextSyncVisit);
  const status = useSyncStatus(visit, initial);
  const start = useStartSync();

  if (hasStatus(status.error, 401) || hasStatus(start.error, 401)) return signedOut;
  if (hasStatus(start.error, 403)) return <NeedsReauth>{signIn}</NeedsReauth>;

  // The polling gave up (asking again cannot help, or it failed too often in a row): say so,
  // and let the user decide when to ask again.
  if (status.isError && !status.isFetching) {
    return (
      <ErrorNotice
        card
        error={status.error}
        what="We could not check your sync"
        onRetry={() => void status.refetch()}
      />
    );
  }

  const sync = status.data?.sync;
  // A poll failed and is being asked again, or the user asked to try again.
  const stalled = status.failureCount > 0 || status.isError;
  if (!sync) return <SyncProgress sync={undefined} stalled={stalled} />;
  switch (sync.status) {
    case 'succeeded':
      return children(sync.result ?? null);
    case 'needs_reauth':
      return <NeedsReauth detail={sync.error?.detail}>{signIn}</NeedsReauth>;
    case 'failed':
      return (
        <SyncFailed
          sync={sync}
          start={start}
          onStarted={(poll) => {
            queryClient.setQueryData(syncStatusQueryKey(visit), poll);
          }}
        />
      );
    case 'queued':
    case 'running':
      return <SyncProgress sync={sync} stalled={stalled} />;
  }
}
