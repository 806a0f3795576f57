/**
 * Signing in is a full-page navigation, not a fetch: the backend redirects to Instagram's
 * authorize window and back, then to `return_to`.
 */
import type { paths as apiPaths } from '@/lib/api';
import { paths } from '@/config/paths';

type SignInQuery = NonNullable<apiPaths['/api/auth/instagram']['get']['parameters']['query']>;

const START_SIGN_IN = '/api/auth/instagram' satisfies keyof apiPaths;

/** The link that starts "Sign in with Instagram" and comes back to `returnTo`. */
export function signInHref(returnTo: NonNullable<SignInQuery['return_to']> = paths.loading.getHref()): string {
  // Slashes are legal in a query (RFC 3986 §3.4); keeping them makes the link readable.
  const value = encodeURIComponent(returnTo).replaceAll('%2F', '/');
  return `${START_SIGN_IN}?return_to=${value}`;
}
