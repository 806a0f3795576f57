import { describe, expect, it } from 'vitest';
import { signInHref } from './sign-in';

describe('signInHref', () => {
  it('returns to the loading page by default', () => {
    expect(signInHref()).toBe('/api/auth/instagram?return_to=/loading');
  });

  it('encodes what could break the query', () => {
    expect(signInHref('/crush/a b?x=1&y=2#z')).toBe(
      '/api/auth/instagram?return_to=/crush/a%20b%3Fx%3D1%26y%3D2%23z',
    );
  });
});
