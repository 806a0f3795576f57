/** `POST /api/auth/logout`: ends the session and forgets everything cached about the user. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api';
import { meQueryKey } from './get-me';

export function useSignOut({ onSuccess }: { onSuccess?: () => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      unwrap(await api.POST('/api/auth/logout'));
    },
    onSuccess: () => {
      queryClient.removeQueries();
      queryClient.setQueryData(meQueryKey, null);
      onSuccess?.();
    },
  });
}
