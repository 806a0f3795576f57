import { act, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { json, mockApi } from '@/testing/mock-api';
import { renderApp } from '@/testing/render';

describe('the landing page', () => {
  it('explains Instacrush and links to sign in with Instagram', async () => {
    mockApi();
    renderApp('/');

    expect(screen.getByRole('heading', { level: 1, name: /who is your instagram crush/i })).toBeInTheDocument();
    const main = screen.getByRole('main');
    const signIn = await within(main).findByRole('link', { name: 'Sign in with Instagram' });
    expect(signIn).toHaveAttribute('href', '/api/auth/instagram?return_to=/loading');
    expect(within(main).getByRole('heading', { name: 'How it works' })).toBeInTheDocument();

    // Signed out: the header offers to sign in too, once the session check is done.
    const header = screen.getByRole('banner');
    expect(await within(header).findByRole('link', { name: 'Sign in' })).toHaveAttribute(
      'href',
      '/api/auth/instagram?return_to=/loading',
    );
  });

  it('takes a signed-in user to their crush instead of signing in again', async () => {
    mockApi({ 'GET /api/users/me': json({ id: 7, instagram_username: 'ada.demo', sync: { state: 'fresh' } }) });
    renderApp('/');

    const main = screen.getByRole('main');
    expect(await within(main).findByRole('link', { name: 'See your crush' })).toHaveAttribute('href', '/loading');
    expect(within(main).queryByRole('link', { name: 'Sign in with Instagram' })).not.toBeInTheDocument();
  });

  it('asks nothing of the API when this browser holds no session', async () => {
    document.cookie = 'ic_signed_in=; path=/; max-age=0';
    const { requests } = mockApi({});
    renderApp('/');

    expect(await within(screen.getByRole('banner')).findByRole('link', { name: 'Sign in' })).toBeInTheDocument();
    expect(within(screen.getByRole('main')).getByRole('link', { name: 'Sign in with Instagram' })).toBeInTheDocument();
    expect(requests).toHaveLength(0);
  });

  it('has the landmarks of the app shell', () => {
    mockApi();
    renderApp('/');

    expect(screen.getByRole('banner')).toBeInTheDocument();
    expect(screen.getByRole('main')).toHaveAttribute('id', 'main');
    expect(screen.getByRole('contentinfo')).toHaveTextContent(/not affiliated with Instagram/);
    expect(screen.getByRole('link', { name: 'Skip to content' })).toHaveAttribute('href', '#main');
    expect(screen.getByRole('link', { name: 'Instacrush' })).toHaveAttribute('href', '/');
  });

  it('sets the document title', async () => {
    mockApi();
    renderApp('/');
    await vi.waitFor(() => {
      expect(document.title).toBe('Who is your Instagram crush? · Instacrush');
    });
  });

  it('confirms a deletion when the account page sends the user here', async () => {
    mockApi();
    const { router } = renderApp('/');
    expect(screen.queryByText(/were deleted/)).not.toBeInTheDocument();

    await act(() => router.navigate('/', { state: { accountDeleted: true } }));

    expect(screen.getByRole('status')).toHaveTextContent('Your account and all its data were deleted.');
  });
});
