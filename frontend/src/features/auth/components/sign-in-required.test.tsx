import { render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import { ApiError } from '@/lib/api';
import { isSignedOut } from '../signed-out';
import { SignInRequired } from './sign-in-required';

describe('SignInRequired', () => {
  it('signs in and comes back to the page the user was on', () => {
    render(
      <MemoryRouter initialEntries={['/top-users?offset=20']}>
        <SignInRequired what="see your top users" />
      </MemoryRouter>,
    );

    expect(screen.getByText('Sign in with Instagram to see your top users.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Sign in with Instagram' })).toHaveAttribute(
      'href',
      '/api/auth/instagram?return_to=/top-users%3Foffset%3D20',
    );
  });

  it('recognises only a 401 as signed out', () => {
    expect(isSignedOut(new ApiError(401, undefined))).toBe(true);
    expect(isSignedOut(new ApiError(403, undefined))).toBe(false);
    expect(isSignedOut(new Error('network'))).toBe(false);
  });
});
