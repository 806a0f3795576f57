/**
 * `POST /api/users/me/sync`: asks for a sync now. "Asked too recently" (`429`) is an answer
 * with a wait, not a failure. What follows a start (following the sync, opening `/loading`) is
 * the caller's, passed to `mutate`'s `onSuccess`: it then runs only while the caller is still
 * on screen, never after the user has moved on.
 */
import { useMutation } from '@tanstack/react-query';
import { api, retryAfterSeconds, unwrap } from '@/lib/api';
import type { SyncPoll } from './get-sync-status';

/** How long to wait when a `429` forgets its `Retry-After` (the server allows one a minute). */
const DEFAULT_COOLDOWN_SECONDS = 60;

export type StartSyncOutcome =
  | { kind: 'started'; poll: SyncPoll }
  | { kind: 'too_soon'; retryAfterSeconds: number };

export async function startSync(): Promise<StartSyncOutcome> {
  const result = await api.POST('/api/users/me/sync');
  if (result.response.status === 429) {
    const wait = retryAfterSeconds(result.response);
    return { kind: 'too_soon', retryAfterSeconds: wait ?? DEFAULT_COOLDOWN_SECONDS };
  }
  const sync = unwrap(result);
  return { kind: 'started', poll: { sync, retryAfterSeconds: retryAfterSeconds(result.response) } };
}

export function useStartSync() {
  return useMutation({ mutationFn: startSync });
}
