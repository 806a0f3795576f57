/** `GET /api/users/me`: who is signed in, or `null` for nobody. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api';
import { mightBeSignedIn } from '../session-hint';

export const meQueryKey = ['me'] as const;

export function meQueryOptions() {
  return queryOptions({
    queryKey: meQueryKey,
    queryFn: async ({ signal }) => {
      // No session in this browser: nobody, without asking.
      if (!mightBeSignedIn()) return null;
      const result = await api.GET('/api/users/me', { signal });
      // Not signed in is an answer, not a failure (the client already tried a refresh).
      if (result.response.status === 401) return null;
      return unwrap(result);
    },
    staleTime: 5 * 60_000,
  });
}

export function useMe() {
  return useQuery(meQueryOptions());
}
