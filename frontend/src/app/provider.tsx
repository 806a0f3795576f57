/** Everything the pages rely on besides the router: the query client, and who is signed in. */
import { QueryClientProvider, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, type ReactNode } from 'react';
import { meQueryKey } from '@/features/auth/api/get-me';
import { isSignedOut } from '@/features/auth/signed-out';

/**
 * Any `401` (the client's silent renewal already failed) means the session is gone, whichever
 * page asked: forget who is signed in, so that the header and every page say so at once. (The
 * `me` query itself answers `null` on a `401`, so it is never the error seen here.)
 */
function ForgetSessionOn401() {
  const queryClient = useQueryClient();
  useEffect(() => {
    const forget = (error: unknown) => {
      if (isSignedOut(error) && queryClient.getQueryData(meQueryKey) !== null) {
        queryClient.setQueryData(meQueryKey, null);
      }
    };
    const stopQueries = queryClient.getQueryCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') forget(event.action.error);
    });
    const stopMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') forget(event.action.error);
    });
    return () => {
      stopQueries();
      stopMutations();
    };
  }, [queryClient]);
  return null;
}

export function AppProvider({ queryClient, children }: { queryClient: QueryClient; children: ReactNode }) {
  return (
    <QueryClientProvider client={queryClient}>
      <ForgetSessionOn401 />
      {children}
    </QueryClientProvider>
  );
}
