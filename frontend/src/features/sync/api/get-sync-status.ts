/**
 * `GET /api/crush/loading`: the status of my sync, polled at the pace the server's
 * `Retry-After` sets until the sync ends.
 */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, isRetryable, unwrap, type components } from '@/lib/api';

export type SyncStatus = components['schemas']['SyncStatus'];

/** One answer of the status monitor, with when to ask again. */
export interface SyncPoll {
  sync: SyncStatus;
  /** The `Retry-After` header, in seconds, when the server sent one. */
  retryAfterSeconds: number | null;
}

export const syncStatusQueryKey = ['sync', 'status'] as const;

/** Polling pace bounds: never hammer the server, never leave the user waiting long. */
const DEFAULT_POLL_SECONDS = 2;
const MIN_POLL_SECONDS = 1;
const MAX_POLL_SECONDS = 30;

/** The `Retry-After` header as seconds (the API sends delta-seconds), or `null`. */
export function retryAfterSeconds(response: Response): number | null {
  const value = response.headers.get('Retry-After');
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

/** How long to wait before the next poll, from the server's `Retry-After`. */
export function pollDelayMs(seconds: number | null): number {
  const wanted = seconds ?? DEFAULT_POLL_SECONDS;
  return Math.min(MAX_POLL_SECONDS, Math.max(MIN_POLL_SECONDS, wanted)) * 1000;
}

/** Whether the sync is still going (queued or running), so worth polling. */
export function isSyncActive(sync: SyncStatus): boolean {
  return sync.status === 'queued' || sync.status === 'running';
}

/**
 * The monitor's query. `initial` is the status the page already has (from `GET /api/crush`'s
 * `202`): the first poll then waits its `Retry-After` instead of asking again at once.
 */
export function syncStatusQueryOptions(initial?: SyncPoll) {
  return queryOptions({
    queryKey: syncStatusQueryKey,
    queryFn: async ({ signal }): Promise<SyncPoll> => {
      const result = await api.GET('/api/crush/loading', { signal });
      return { sync: unwrap(result), retryAfterSeconds: retryAfterSeconds(result.response) };
    },
    initialData: initial,
    // Only the interval refetches: a focus or remount must not reset the pace.
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    // A new visit to the page starts from what `GET /api/crush` says, not an old status.
    gcTime: 0,
    refetchInterval: (query) => {
      const { data, error } = query.state;
      if (!data || !isSyncActive(data.sync)) return false;
      // Signed out or refused: asking again will not help.
      if (error && !isRetryable(error)) return false;
      return pollDelayMs(data.retryAfterSeconds);
    },
  });
}

export function useSyncStatus(initial?: SyncPoll) {
  return useQuery(syncStatusQueryOptions(initial));
}
