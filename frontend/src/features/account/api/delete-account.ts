/** `DELETE /api/users/me`: deletes the user and all their data, and ends the session. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api';

export function useDeleteAccount({ onSuccess }: { onSuccess?: () => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      unwrap(await api.DELETE('/api/users/me'));
    },
    onSuccess: () => {
      // Nothing cached about the deleted user may survive it.
      queryClient.clear();
      onSuccess?.();
    },
  });
}
