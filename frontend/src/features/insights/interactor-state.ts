/**
 * An interactor's username on their page before its comments (which name the account) arrive:
 * the top-users link carries it in the history state (which survives a reload), with the cached
 * top-users pages as a second source for links opened some other way.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useLocation } from 'react-router';
import type { InteractorSummary } from './api/get-top-interactors';
import type { Page } from './paging';

/** The history state a link to an interactor's page carries. */
export function interactorLinkState(username: string) {
  return { username };
}

function usernameIn(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null || !('username' in state)) return undefined;
  return typeof state.username === 'string' ? state.username : undefined;
}

/** The username of the account with Instagram id `igId`, when this browser knows it. */
export function useInteractorUsername(igId: string): string | undefined {
  const state: unknown = useLocation().state;
  const queryClient = useQueryClient();
  const fromLink = usernameIn(state);
  if (fromLink) return fromLink;
  const cached = queryClient.getQueriesData<Page<InteractorSummary>>({
    queryKey: ['insights', 'top-interactors'],
  });
  for (const [, page] of cached) {
    const found = page?.items.find((interactor) => interactor.ig_id === igId);
    if (found) return found.username;
  }
  return undefined;
}
