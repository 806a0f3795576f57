import { describe, expect, it } from 'vitest';
import { isDisplayableCode, signInErrorMessage } from './sign-in-errors';

describe('signInErrorMessage', () => {
  it.each([
    ['access_denied', /chose not to connect Instagram/],
    ['invalid_state', /sign-in link has expired/],
    ['instagram_unavailable', /Instagram is not answering/],
    ['instagram_refused', /Instagram did not accept/],
    ['sign_in_failed', /could not sign you in/],
    ['something_new', /could not sign you in/],
    ['toString', /could not sign you in/],
    ['', /could not sign you in/],
  ])('%s', (code, title) => {
    expect(signInErrorMessage(code).title).toMatch(title);
  });

  it('gives every known code its own message', () => {
    const titles = ['access_denied', 'invalid_state', 'instagram_unavailable', 'instagram_refused'].map(
      (code) => signInErrorMessage(code).title,
    );
    expect(new Set(titles).size).toBe(titles.length);
    expect(titles).not.toContain(signInErrorMessage('sign_in_failed').title);
  });
});

describe('isDisplayableCode', () => {
  it('accepts plain codes only', () => {
    expect(isDisplayableCode('invalid_state')).toBe(true);
    expect(isDisplayableCode('<script>')).toBe(false);
    expect(isDisplayableCode('x'.repeat(41))).toBe(false);
  });
});
