/** `GET /api/users/me/top-interactors`: who comments most on my recent posts, a page at a time. */
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap, type components } from '@/lib/api';
import { PAGE_SIZE } from '../paging';

export type InteractorSummary = components['schemas']['InteractorSummary'];

export const topInteractorsQueryKey = (offset: number) =>
  ['insights', 'top-interactors', { limit: PAGE_SIZE, offset }] as const;

export function topInteractorsQueryOptions(offset: number) {
  return queryOptions({
    queryKey: topInteractorsQueryKey(offset),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/users/me/top-interactors', {
          params: { query: { limit: PAGE_SIZE, offset } },
          signal,
        }),
      ),
    // The old page stays on screen while the next one loads: nothing jumps.
    placeholderData: keepPreviousData,
  });
}

export function useTopInteractors(offset: number) {
  return useQuery(topInteractorsQueryOptions(offset));
}
