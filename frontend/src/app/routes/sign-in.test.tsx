import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockApi } from '@/testing/mock-api';
import { renderApp } from '@/testing/render';

describe('the sign-in page', () => {
  it.each([
    ['access_denied', 'You chose not to connect Instagram'],
    ['invalid_state', 'That sign-in link has expired'],
    ['instagram_unavailable', 'Instagram is not answering right now'],
    ['instagram_refused', 'Instagram did not accept the sign-in'],
    ['sign_in_failed', 'We could not sign you in'],
    ['made_up', 'We could not sign you in'],
  ])('explains ?error=%s', (code, message) => {
    mockApi();
    renderApp(`/signin?error=${code}`);

    expect(screen.getByRole('heading', { level: 1, name: 'Sign-in did not work' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 2, name: message })).toBeInTheDocument();
    expect(screen.getByText(code, { selector: 'code' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Try again with Instagram' })).toHaveAttribute(
      'href',
      '/api/auth/instagram?return_to=/loading',
    );
  });

  it('does not echo arbitrary text from the address', () => {
    mockApi();
    renderApp('/signin?error=%3Cb%3Ehello%3C%2Fb%3E');

    expect(screen.getByRole('heading', { level: 2, name: 'We could not sign you in' })).toBeInTheDocument();
    expect(screen.queryByText(/hello/)).not.toBeInTheDocument();
  });

  it('offers to sign in when there is no error', () => {
    mockApi();
    renderApp('/signin');

    expect(screen.getByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByRole('main').querySelector('a[href="/api/auth/instagram?return_to=/loading"]')).not.toBeNull();
  });
});
