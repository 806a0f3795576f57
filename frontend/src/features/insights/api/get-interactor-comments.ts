/** `GET /api/users/me/interactors/{ig_id}/comments`: one account's comments on my posts, newest first. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap, type components } from '@/lib/api';
import { PAGE_SIZE } from '../paging';

export type InteractorComment = components['schemas']['InteractorComment'];
export type InteractorComments = components['schemas']['InteractorComments'];

export const interactorCommentsQueryKey = (igId: string, offset: number) =>
  ['insights', 'interactor-comments', igId, { limit: PAGE_SIZE, offset }] as const;

export function interactorCommentsQueryOptions(igId: string, offset: number) {
  return queryOptions({
    queryKey: interactorCommentsQueryKey(igId, offset),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/users/me/interactors/{ig_id}/comments', {
          params: { path: { ig_id: igId }, query: { limit: PAGE_SIZE, offset } },
          signal,
        }),
      ),
    // Keep the previous page of the same account on screen while the next one loads (never
    // another account's comments).
    placeholderData: (previous, previousQuery) =>
      previousQuery?.queryKey[2] === igId ? previous : undefined,
  });
}

/** The comments, asked for only when `enabled` (a signed-out visitor never meets a 401). */
export function useInteractorComments(igId: string, offset: number, enabled = true) {
  return useQuery({ ...interactorCommentsQueryOptions(igId, offset), enabled });
}
