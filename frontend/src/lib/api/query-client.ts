/** The TanStack Query client and its defaults. */
import { QueryClient } from '@tanstack/react-query';
import { isRetryable } from './errors';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failures, error) => failures < 2 && isRetryable(error),
        staleTime: 30_000,
      },
      mutations: { retry: false },
    },
  });
}
