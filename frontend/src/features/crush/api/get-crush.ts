/** `GET /api/crush/{slug}`: a public crush page's data, or `null` when there is no such crush. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap, type components } from '@/lib/api';

export type Crush = components['schemas']['Crush'];
export type CrushAccount = components['schemas']['CrushAccount'];

export function crushQueryOptions(slug: string) {
  return queryOptions({
    queryKey: ['crush', 'public', slug],
    queryFn: async ({ signal }) => {
      const result = await api.GET('/api/crush/{slug}', { params: { path: { slug } }, signal });
      // An unknown slug is an answer (the page says so), not a failure to retry.
      if (result.response.status === 404) return null;
      return unwrap(result);
    },
    // The server lets caches keep it for a minute too.
    staleTime: 60_000,
  });
}

export function useCrush(slug: string) {
  return useQuery(crushQueryOptions(slug));
}
