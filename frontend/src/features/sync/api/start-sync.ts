/**
 * `POST /api/users/me/sync`: asks for a sync now. Its status replaces the monitor's, which
 * then polls it; "asked too recently" (`429`) is an answer with a wait, not a failure.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api';
import { retryAfterSeconds, syncStatusQueryKey, type SyncPoll } from './get-sync-status';

/** How long to wait when a `429` forgets its `Retry-After` (the server allows one a minute). */
const DEFAULT_COOLDOWN_SECONDS = 60;

export type StartSyncOutcome =
  | { kind: 'started'; poll: SyncPoll }
  | { kind: 'too_soon'; retryAfterSeconds: number };

export async function startSync(): Promise<StartSyncOutcome> {
  const result = await api.POST('/api/users/me/sync');
  if (result.response.status === 429) {
    return {
      kind: 'too_soon',
      retryAfterSeconds: Math.ceil(retryAfterSeconds(result.response) ?? DEFAULT_COOLDOWN_SECONDS),
    };
  }
  const sync = unwrap(result);
  return { kind: 'started', poll: { sync, retryAfterSeconds: retryAfterSeconds(result.response) } };
}

export function useStartSync() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: startSync,
    onSuccess: (outcome) => {
      if (outcome.kind === 'started') {
        queryClient.setQueryData(syncStatusQueryKey, outcome.poll);
      }
    },
  });
}
