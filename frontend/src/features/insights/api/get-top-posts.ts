/** `GET /api/users/me/top-posts`: my recent posts, most commented first, a page at a time. */
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap, type components } from '@/lib/api';
import { PAGE_SIZE } from '../paging';

export type TopPost = components['schemas']['TopPost'];

export const topPostsQueryKey = (offset: number) =>
  ['insights', 'top-posts', { limit: PAGE_SIZE, offset }] as const;

export function topPostsQueryOptions(offset: number) {
  return queryOptions({
    queryKey: topPostsQueryKey(offset),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/users/me/top-posts', {
          params: { query: { limit: PAGE_SIZE, offset } },
          signal,
        }),
      ),
    // The old page stays on screen while the next one loads: nothing jumps.
    placeholderData: keepPreviousData,
  });
}

export function useTopPosts(offset: number) {
  return useQuery(topPostsQueryOptions(offset));
}
