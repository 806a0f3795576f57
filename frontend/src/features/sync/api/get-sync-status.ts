/**
 * `GET /api/crush/loading`: the status of my sync, polled at the pace the server's
 * `Retry-After` sets until the sync ends, or until asking again stops making sense.
 */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, ApiError, isRetryable, retryAfterSeconds, unwrap, type components } from '@/lib/api';

export type SyncStatus = components['schemas']['SyncStatus'];

/** One answer of the status monitor, with when to ask again. */
export interface SyncPoll {
  sync: SyncStatus;
  /** The `Retry-After` header, in seconds, when the server sent one. */
  retryAfterSeconds: number | null;
}

/**
 * Each visit of the monitor follows its own cache entry, so that an entry an earlier visit left
 * behind can never stand in for the status this visit starts from.
 */
export const syncStatusQueryKey = (visit: number) => ['sync', 'status', visit] as const;

let visits = 0;

/** A new visit's identity, for {@link syncStatusQueryKey}. */
export function nextSyncVisit(): number {
  visits += 1;
  return visits;
}

/** Polling pace bounds: never hammer the server, never leave the user waiting long. */
const DEFAULT_POLL_SECONDS = 2;
const MIN_POLL_SECONDS = 1;
const MAX_POLL_SECONDS = 30;

/** Failed polls in a row after which the monitor stops and says so. */
export const MAX_POLL_FAILURES = 5;

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
 * The monitor's query for one visit. `initial` is the status the page already has (from
 * `GET /api/crush`'s `202`): the first poll then waits its `Retry-After` instead of asking
 * again at once.
 */
export function syncStatusQueryOptions(visit: number, initial?: SyncPoll) {
  return queryOptions({
    queryKey: syncStatusQueryKey(visit),
    queryFn: async ({ signal }): Promise<SyncPoll> => {
      const result = await api.GET('/api/crush/loading', { signal });
      return { sync: unwrap(result), retryAfterSeconds: retryAfterSeconds(result.response) };
    },
    initialData: initial,
    // Only the interval refetches: a focus or remount must not reset the pace.
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    gcTime: 0,
    // A failed poll is asked again at the polling pace, up to MAX_POLL_FAILURES in a row. Only
    // then, or at once when asking again cannot help (signed out, refused), does the query
    // fail: the polling stops and the monitor offers to try again.
    retry: (failures, error) => failures < MAX_POLL_FAILURES - 1 && isRetryable(error),
    retryDelay: (_, error) => pollDelayMs(error instanceof ApiError ? error.retryAfterSeconds : null),
    refetchInterval: (query) => {
      const { data, error } = query.state;
      if (error || !data || !isSyncActive(data.sync)) return false;
      return pollDelayMs(data.retryAfterSeconds);
    },
  });
}

export function useSyncStatus(visit: number, initial?: SyncPoll) {
  return useQuery(syncStatusQueryOptions(visit, initial));
}
