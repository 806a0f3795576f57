/** `GET /api/auth/api-tokens`: the signed-in user's API tokens, newest first (never their secrets). */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap, type components } from '@/lib/api';

export type ApiToken = components['schemas']['ApiToken'];

export const apiTokensQueryKey = ['account', 'api-tokens'] as const;

export function apiTokensQueryOptions() {
  return queryOptions({
    queryKey: apiTokensQueryKey,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/auth/api-tokens', { signal })),
  });
}

export function useApiTokens() {
  return useQuery(apiTokensQueryOptions());
}
