/** What to tell people for each `/signin?error=<code>` the sign-in callback can send. */

export interface SignInErrorMessage {
  title: string;
  body: string;
}

const messages: Record<string, SignInErrorMessage> = {
  access_denied: {
    title: 'You chose not to connect Instagram',
    body: 'Instacrush needs your permission to read the comments on your posts. Nothing was shared. You can try again whenever you like.',
  },
  invalid_state: {
    title: 'That sign-in link has expired',
    body: 'For your safety, a sign-in works only once, for 10 minutes, in the browser that started it. Please start again.',
  },
  instagram_unavailable: {
    title: 'Instagram is not answering right now',
    body: 'Instagram is busy or unavailable at the moment. Please try again in a few minutes.',
  },
  instagram_refused: {
    title: 'Instagram did not accept the sign-in',
    body: 'Please try again. Instacrush works with Instagram professional accounts (Business or Creator).',
  },
};

const generic: SignInErrorMessage = {
  title: 'We could not sign you in',
  body: 'Something went wrong on our side. Please try again; if it keeps happening, try again later.',
};

/** The message for a code; unknown codes (and `sign_in_failed`) get the generic one. */
export function signInErrorMessage(code: string): SignInErrorMessage {
  return Object.hasOwn(messages, code) ? (messages[code] ?? generic) : generic;
}

/** Whether a code is worth showing as a reference (a plain code, not arbitrary text). */
export function isDisplayableCode(code: string): boolean {
  return /^[a-z_]{1,40}$/.test(code);
}
