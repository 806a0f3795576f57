import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { CSRF_HEADER } from '@/lib/api';
import { json, mockApi, problem, signedOut } from '@/testing/mock-api';
import { renderApp } from '@/testing/render';

describe('routing', () => {
  it('shows a not-found page for unknown paths', () => {
    mockApi();
    renderApp('/no/such/page');

    expect(screen.getByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to the home page' })).toHaveAttribute('href', '/');
  });

  it('moves focus to the main content after navigating', async () => {
    mockApi({ ...signedOut, 'GET /api/users/me/top-interactors': problem(401, 'unauthorized') });
    const { router } = renderApp('/');

    await act(() => router.navigate('/top-users'));

    expect(screen.getByRole('main')).toHaveFocus();
  });
});

describe('the header when signed in', () => {
  it('shows who is signed in, and signs out with the CSRF header', async () => {
    let signedIn = true;
    const { requests } = mockApi({
      'GET /api/users/me': () =>
        signedIn
          ? json({ id: 7, instagram_username: 'ada.demo', sync: { state: 'fresh', last_synced_at: null } })
          : json({}, 401),
      'GET /api/auth/api-tokens': () => json([]),
      'POST /api/auth/logout': () => {
        signedIn = false;
        return new Response(null, { status: 204 });
      },
    });
    const { router } = renderApp('/account');
    const header = screen.getByRole('banner');

    expect(await within(header).findByRole('link', { name: '@ada.demo' })).toHaveAttribute('href', '/account');
    expect(within(header).getByRole('navigation', { name: 'Main' })).toBeInTheDocument();

    await userEvent.click(within(header).getByRole('button', { name: 'Sign out' }));

    expect(await within(header).findByRole('link', { name: 'Sign in' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/');
    const logout = requests.find((r) => r.url.endsWith('/api/auth/logout'));
    expect(logout?.headers.get(CSRF_HEADER)).toBe('1');
  });

  it('switches to signed out on any page when a request finds the session gone', async () => {
    let signedIn = true;
    mockApi({
      'GET /api/users/me': () =>
        signedIn
          ? json({ id: 7, instagram_username: 'ada.demo', sync: { state: 'fresh', last_synced_at: null } })
          : problem(401, 'unauthorized'),
      'POST /api/auth/refresh': problem(401, 'unauthorized'),
      'GET /api/users/me/top-interactors': () => {
        signedIn = false;
        return problem(401, 'unauthorized');
      },
    });
    renderApp('/top-users');
    const header = screen.getByRole('banner');

    expect(await within(header).findByRole('link', { name: 'Sign in' })).toBeInTheDocument();
    expect(within(header).queryByRole('link', { name: '@ada.demo' })).not.toBeInTheDocument();
    expect(within(header).queryByRole('navigation', { name: 'Main' })).not.toBeInTheDocument();
  });
});
