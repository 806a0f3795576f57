/** `DELETE /api/auth/api-tokens/{id}`: revokes a token; clients using it stop working at once. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api';
import { apiTokensQueryKey } from './list-api-tokens';

export function useRevokeApiToken({ onSuccess }: { onSuccess?: () => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) => {
      unwrap(await api.DELETE('/api/auth/api-tokens/{id}', { params: { path: { id } } }));
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: apiTokensQueryKey });
      onSuccess?.();
    },
  });
}
