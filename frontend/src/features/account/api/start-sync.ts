/**
 * `POST /api/users/me/sync`: asks for a sync now. `429` (asked too recently) is an answer the
 * page explains, not a failure, so it comes back as an outcome with the time to wait.
 */
import { useMutation } from '@tanstack/react-query';
import { api, unwrap, type components, type Problem } from '@/lib/api';

export type SyncStatus = components['schemas']['SyncStatus'];

export type SyncRequestOutcome =
  | { kind: 'started'; status: SyncStatus }
  | { kind: 'too-soon'; retryAfterSeconds: number | undefined; problem: Problem | undefined };

/** Seconds from a `Retry-After` header (delay-seconds or an HTTP date), if it holds either. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

export async function startSync(): Promise<SyncRequestOutcome> {
  const result = await api.POST('/api/users/me/sync');
  if (result.response.status === 429) {
    return {
      kind: 'too-soon',
      retryAfterSeconds: parseRetryAfter(result.response.headers.get('retry-after')),
      problem: result.error,
    };
  }
  return { kind: 'started', status: unwrap(result) };
}

export function useStartSync({ onStarted }: { onStarted?: (status: SyncStatus) => void } = {}) {
  return useMutation({
    mutationFn: startSync,
    onSuccess: (outcome) => {
      if (outcome.kind === 'started') onStarted?.(outcome.status);
    },
  });
}
