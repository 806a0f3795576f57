/**
 * `POST /api/auth/api-tokens`: creates a named token. The answer is the only place its secret
 * ever appears, so it lives in this mutation's state alone and is dropped once unobserved.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type components } from '@/lib/api';
import { apiTokensQueryKey } from './list-api-tokens';

export type CreatedApiToken = components['schemas']['CreatedApiToken'];

export function useCreateApiToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (name: string): Promise<CreatedApiToken> =>
      unwrap(await api.POST('/api/auth/api-tokens', { body: { name } })),
    // Keep the secret in memory no longer than the page shows it.
    gcTime: 0,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiTokensQueryKey }),
  });
}
