/**
 * `GET /api/crush`: my crush when my data is fresh (`200`), else the sync the server started
 * or found running (`202`, a `SyncStatus` to follow, with `Retry-After`).
 */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, retryAfterSeconds, unwrap, type components } from '@/lib/api';

export type MyCrush = components['schemas']['MyCrush'];
type SyncStatus = components['schemas']['SyncStatus'];

export type MyCrushAnswer =
  | { state: 'ready'; myCrush: MyCrush }
  | { state: 'syncing'; sync: SyncStatus; retryAfterSeconds: number | null };

export function myCrushQueryOptions() {
  return queryOptions({
    queryKey: ['crush', 'mine'],
    queryFn: async ({ signal }): Promise<MyCrushAnswer> => {
      const result = await api.GET('/api/crush', { signal });
      const data = unwrap(result);
      // The status code says which body this is (a `MyCrush` may grow a `status` field one day).
      if (result.response.status === 202) {
        return { state: 'syncing', sync: data as SyncStatus, retryAfterSeconds: retryAfterSeconds(result.response) };
      }
      return { state: 'ready', myCrush: data as MyCrush };
    },
    // Asking starts a sync when the data is stale: ask once per visit of the page, never
    // behind the user's back (focus, reconnect), and forget the answer when they leave.
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
}

export function useMyCrush() {
  return useQuery(myCrushQueryOptions());
}
