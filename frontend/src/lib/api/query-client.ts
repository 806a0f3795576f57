/** The TanStack Query client and its defaults. */
import { QueryClient } from '@tanstack/react-query';
import { ApiError, isRetryable } from './errors';

/** The longest a failed query waits before its retry, even when the server asks for longer. */
const MAX_RETRY_DELAY_MS = 30_000;

/** Before a retry: what the server's `Retry-After` says, else TanStack Query's backoff. */
export function retryDelayMs(failures: number, error: unknown): number {
  const wanted =
    error instanceof ApiError && error.retryAfterSeconds !== null
      ? error.retryAfterSeconds * 1000
      : 1000 * 2 ** failures;
  return Math.min(wanted, MAX_RETRY_DELAY_MS);
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failures, error) => failures < 2 && isRetryable(error),
        retryDelay: retryDelayMs,
        staleTime: 30_000,
      },
      mutations: { retry: false },
    },
  });
}
