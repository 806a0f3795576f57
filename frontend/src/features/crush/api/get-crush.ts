/**
 * `GET /api/crush/{slug}`: a public crush page's data, or `null` when there is no such crush.
 *
 * A page left open asks again every {@link CRUSH_POLL_MS} ms, revalidating with the server
 * (`If-None-Match`: a bodiless `304` while nothing changed), so a comment that arrives by
 * webhook shows without a reload.
 */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap, type components } from '@/lib/api';

export type Crush = components['schemas']['Crush'];
export type CrushAccount = components['schemas']['CrushAccount'];

/** How often an open crush page asks whether its crush changed. */
export const CRUSH_POLL_MS = 15_000;

export function crushQueryOptions(slug: string) {
  return queryOptions({
    queryKey: ['crush', 'public', slug],
    queryFn: async ({ signal }) => {
      // `no-cache`: the browser may keep the answer, but asks the server whether it still
      // stands (the server lets caches keep it a minute otherwise).
      const result = await api.GET('/api/crush/{slug}', { params: { path: { slug } }, signal, cache: 'no-cache' });
      // An unknown slug is an answer (the page says so), not a failure to retry.
      if (result.response.status === 404) return null;
      return unwrap(result);
    },
    staleTime: CRUSH_POLL_MS,
    // Only while the page is in view: a hidden tab asks nothing, and asks at once when shown.
    refetchInterval: CRUSH_POLL_MS,
    refetchIntervalInBackground: false,
  });
}

export function useCrush(slug: string) {
  return useQuery(crushQueryOptions(slug));
}
