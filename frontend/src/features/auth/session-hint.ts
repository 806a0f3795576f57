/**
 * Whether this browser may hold a session. The session's own cookies are httpOnly (unreadable
 * here); the server sets `ic_signed_in=1` beside them and clears it with them. Without it,
 * nothing that needs a session is asked for: a signed-out visitor's pages never meet a `401`
 * (which browsers log as an error) and never try a session renewal that cannot work.
 */
export const SIGNED_IN_COOKIE = 'ic_signed_in';

export function mightBeSignedIn(cookies: string = document.cookie): boolean {
  return cookies.split(';').some((cookie) => cookie.trim() === `${SIGNED_IN_COOKIE}=1`);
}
