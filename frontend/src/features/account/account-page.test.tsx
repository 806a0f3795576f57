import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { CSRF_HEADER, type components } from '@/lib/api';
import { json, mockApi, problem, type RouteKey } from '@/testing/mock-api';
import { renderApp } from '@/testing/render';

type ApiToken = components['schemas']['ApiToken'];

const me = {
  id: 7,
  instagram_username: 'cleo.demo',
  sync: { state: 'fresh', last_synced_at: '2026-11-29T03:12:45Z' },
};

const script: ApiToken = {
  id: 1,
  name: 'my script',
  prefix: 'icat_Zx81Qa',
  created_at: '2026-11-28T10:00:00Z',
  last_used_at: null,
};

/** The fake backend matches concrete paths: a token's own URL, typed as its template. */
const revokeToken = (id: number) => `DELETE /api/auth/api-tokens/${id}` as RouteKey;

const signedIn = { 'GET /api/users/me': () => json(me) } as const;

function requestsTo(requests: Request[], method: string, path: string) {
  return requests.filter((r) => r.method === method && new URL(r.url).pathname === path);
}

describe('the account page', () => {
  it('asks to sign in when there is no session', async () => {
    mockApi();
    renderApp('/account');

    expect(await screen.findByText('Sign in with Instagram to manage your account.')).toBeInTheDocument();
    expect(screen.getByRole('main').querySelector('a')).toHaveAttribute(
      'href',
      '/api/auth/instagram?return_to=/account',
    );
    expect(screen.queryByRole('button', { name: 'Sync now' })).not.toBeInTheDocument();
  });

  it('shows the profile and its sync state', async () => {
    mockApi({ ...signedIn, 'GET /api/auth/api-tokens': json([script]) });
    renderApp('/account');

    const profile = await screen.findByRole('region', { name: 'Profile' });
    expect(within(profile).getByText('@cleo.demo')).toBeInTheDocument();
    expect(within(profile).getByText('Up to date')).toBeInTheDocument();
    expect(profile.querySelector('time')).toHaveAttribute('dateTime', '2026-11-29T03:12:45Z');
    expect(await screen.findByText('my script')).toBeInTheDocument();
    expect(screen.getByText('icat_Zx81Qa…')).toBeInTheDocument();
  });

  it('shows the problem when the account cannot be loaded, and tries again', async () => {
    let calls = 0;
    mockApi({
      'GET /api/users/me': () =>
        ++calls === 1
          ? json({ type: 'about:blank', title: 'Unavailable', status: 503, code: 'unavailable', detail: 'the database is down' }, 503)
          : json(me),
      'GET /api/auth/api-tokens': json([]),
    });
    renderApp('/account');

    const alert = await screen.findByRole('alert');
    // Plain words for people; the server's own only behind the disclosure.
    expect(alert).toHaveTextContent('We could not load your account. Something went wrong on our side.');
    expect(within(alert).getByText('Technical details').closest('details')).toHaveTextContent(
      'HTTP 503 · unavailable · the database is down',
    );
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));

    expect(await screen.findByRole('region', { name: 'Profile' })).toHaveTextContent('@cleo.demo');
  });
});

describe('sync now', () => {
  it('starts a sync and follows it on the loading page', async () => {
    const queued = json({ status: 'queued', retry_allowed: false, links: { job: '/api/jobs/42' } }, 202);
    const { requests } = mockApi({
      ...signedIn,
      'GET /api/auth/api-tokens': json([]),
      'POST /api/users/me/sync': queued,
      'GET /api/crush': queued,
    });
    const { router } = renderApp('/account');

    await userEvent.click(await screen.findByRole('button', { name: 'Sync now' }));

    await waitFor(() => {
      expect(router.state.location.pathname).toBe('/loading');
    });
    expect(await screen.findByRole('progressbar', { name: /getting ready to read your posts/i })).toBeInTheDocument();
    const [sync] = requestsTo(requests, 'POST', '/api/users/me/sync');
    expect(sync?.headers.get(CSRF_HEADER)).toBe('1');
  });

  it('stays on the account page when the user left before the sync started', async () => {
    let answer: (response: Response) => void = () => undefined;
    const { requests } = mockApi({
      ...signedIn,
      'GET /api/auth/api-tokens': json([]),
      'GET /api/users/me/top-posts': json({ items: [], total: 0, limit: 20, offset: 0 }),
      'POST /api/users/me/sync': () =>
        new Promise<Response>((resolve) => {
          answer = resolve;
        }),
    });
    const { router } = renderApp('/account');

    await userEvent.click(await screen.findByRole('button', { name: 'Sync now' }));
    await waitFor(() => {
      expect(requestsTo(requests, 'POST', '/api/users/me/sync')).toHaveLength(1);
    });
    await act(() => router.navigate('/top-posts'));
    answer(json({ status: 'queued', retry_allowed: false, links: { job: '/api/jobs/42' } }, 202));

    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(router.state.location.pathname).toBe('/top-posts');
    expect(requestsTo(requests, 'GET', '/api/crush')).toHaveLength(0);
  });

  it('counts down to the next sync after a 429, disabled until then', async () => {
    const { requests } = mockApi({
      ...signedIn,
      'GET /api/auth/api-tokens': json([]),
      'POST /api/users/me/sync': () => {
        const response = problem(429, 'too_many_requests');
        response.headers.set('retry-after', '2');
        return response;
      },
    });
    const { router } = renderApp('/account');
    const button = await screen.findByRole('button', { name: 'Sync now' });

    await userEvent.click(button);

    const profile = screen.getByRole('region', { name: 'Profile' });
    expect(await within(profile).findByRole('status')).toHaveTextContent('You can sync again in 2 s.');
    expect(router.state.location.pathname).toBe('/account');
    expect(button).toBeDisabled();
    await waitFor(
      () => {
        expect(within(profile).getByRole('status')).toHaveTextContent('You can sync again in 1 s.');
      },
      { timeout: 2_000 },
    );
    await waitFor(
      () => {
        expect(button).toBeEnabled();
      },
      { timeout: 3_000 },
    );
    expect(within(profile).getByRole('status')).toHaveTextContent('');
    await userEvent.click(button);
    await waitFor(() => {
      expect(requestsTo(requests, 'POST', '/api/users/me/sync')).toHaveLength(2);
    });
  });
});

describe('API tokens', () => {
  it('shows a new token’s secret once, and refreshes the list', async () => {
    const tokens: ApiToken[] = [];
    const user = userEvent.setup();
    const { requests } = mockApi({
      ...signedIn,
      'GET /api/auth/api-tokens': () => json(tokens),
      'POST /api/auth/api-tokens': async (request) => {
        const { name } = (await request.json()) as { name: string };
        const created = { ...script, id: 2, name };
        tokens.unshift(created);
        return json({ ...created, token: 'icat_s3cr3t' }, 201);
      },
    });
    renderApp('/account');

    expect(await screen.findByText('You have no API tokens.')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Token name'), 'my script');
    await user.click(screen.getByRole('button', { name: 'Create token' }));

    const secret = await screen.findByLabelText('Secret');
    expect(secret).toHaveValue('icat_s3cr3t');
    expect(secret).toHaveAttribute('readonly');
    expect(secret).toHaveFocus();
    expect(secret).toHaveAccessibleDescription(/you won’t see it again/);
    const [create] = requestsTo(requests, 'POST', '/api/auth/api-tokens');
    expect(create?.headers.get(CSRF_HEADER)).toBe('1');
    expect(screen.getByLabelText('Token name')).toHaveValue('');

    // The list was fetched again and shows the new token (without its secret).
    const list = await screen.findByRole('list');
    expect(within(list).getByText('my script')).toBeInTheDocument();
    expect(within(list).queryByText(/icat_s3cr3t/)).not.toBeInTheDocument();
    expect(requestsTo(requests, 'GET', '/api/auth/api-tokens').length).toBeGreaterThanOrEqual(2);

    await user.click(screen.getByRole('button', { name: 'Copy' }));
    expect(await screen.findByText('Copied to the clipboard.')).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe('icat_s3cr3t');

    await user.click(screen.getByRole('button', { name: 'Done, I saved it' }));
    expect(screen.queryByDisplayValue('icat_s3cr3t')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Token name')).toHaveFocus();
  });

  it('shows why a name was refused', async () => {
    mockApi({
      ...signedIn,
      'GET /api/auth/api-tokens': json([]),
      'POST /api/auth/api-tokens': json(
        { type: 'about:blank', title: 'Unprocessable', status: 422, code: 'invalid_name', detail: 'the name is too long' },
        422,
      ),
    });
    renderApp('/account');
    const user = userEvent.setup();

    await user.click(await screen.findByRole('button', { name: 'Create token' }));
    expect(screen.getByLabelText('Token name')).toHaveAccessibleDescription(/Give the token a name\./);

    await user.type(screen.getByLabelText('Token name'), 'x');
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    expect(await screen.findByText('the name is too long')).toBeInTheDocument();
    expect(screen.getByLabelText('Token name')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByLabelText('Secret')).not.toBeInTheDocument();
  });

  it('revokes a token only after confirmation, and refreshes the list', async () => {
    let tokens: ApiToken[] = [script, { ...script, id: 3, name: 'backup job' }];
    const user = userEvent.setup();
    const { requests } = mockApi({
      ...signedIn,
      'GET /api/auth/api-tokens': () => json(tokens),
      [revokeToken(1)]: () => {
        tokens = tokens.filter((token) => token.id !== 1);
        return new Response(null, { status: 204 });
      },
    });
    renderApp('/account');

    // Escape backs out of the confirmation, with focus back on the button.
    const revoke = await screen.findByRole('button', { name: 'Revoke my script' });
    await user.click(revoke);
    expect(screen.getByRole('button', { name: 'Cancel' })).toHaveFocus();
    expect(screen.getByRole('group', { name: /Revoke “my script”\?/ })).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('button', { name: 'Yes, revoke my script' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Revoke my script' })).toHaveFocus();
    expect(requestsTo(requests, 'DELETE', '/api/auth/api-tokens/1')).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Revoke my script' }));
    await user.click(screen.getByRole('button', { name: 'Yes, revoke my script' }));

    await waitFor(() => {
      expect(screen.queryByText('my script')).not.toBeInTheDocument();
    });
    expect(screen.getByText('backup job')).toBeInTheDocument();
    expect(screen.getByText('Token “my script” revoked.')).toBeInTheDocument();
    const [deletion] = requestsTo(requests, 'DELETE', '/api/auth/api-tokens/1');
    expect(deletion?.headers.get(CSRF_HEADER)).toBe('1');
    expect(screen.getByRole('heading', { name: 'Your tokens' })).toHaveFocus();
  });

  it('asks to sign in when the session ended meanwhile', async () => {
    let signedInNow = true;
    mockApi({
      'GET /api/users/me': () => (signedInNow ? json(me) : problem(401, 'unauthorized')),
      'POST /api/auth/refresh': problem(401, 'unauthorized'),
      'GET /api/auth/api-tokens': json([script]),
      [revokeToken(1)]: () => {
        signedInNow = false;
        return problem(401, 'unauthorized');
      },
    });
    renderApp('/account');
    const user = userEvent.setup();

    await user.click(await screen.findByRole('button', { name: 'Revoke my script' }));
    await user.click(screen.getByRole('button', { name: 'Yes, revoke my script' }));

    expect(await screen.findByText('Sign in with Instagram to manage your account.')).toBeInTheDocument();
    expect(within(screen.getByRole('banner')).getByRole('link', { name: 'Sign in' })).toBeInTheDocument();
  });
});

describe('sign out and delete', () => {
  it('signs out and goes home', async () => {
    let signedInNow = true;
    const { requests } = mockApi({
      'GET /api/users/me': () => (signedInNow ? json(me) : problem(401, 'unauthorized')),
      'POST /api/auth/refresh': problem(401, 'unauthorized'),
      'GET /api/auth/api-tokens': json([]),
      'POST /api/auth/logout': () => {
        signedInNow = false;
        return new Response(null, { status: 204 });
      },
    });
    const { router } = renderApp('/account');

    await userEvent.click(await screen.findByRole('button', { name: 'Sign out of Instacrush' }));

    await waitFor(() => {
      expect(router.state.location.pathname).toBe('/');
    });
    expect(await within(screen.getByRole('banner')).findByRole('link', { name: 'Sign in' })).toBeInTheDocument();
    expect(requestsTo(requests, 'POST', '/api/auth/logout')).toHaveLength(1);
  });

  it('deletes the account only after the username is typed, then goes home signed out', async () => {
    let exists = true;
    const user = userEvent.setup();
    const { requests } = mockApi({
      'GET /api/users/me': () => (exists ? json(me) : problem(401, 'unauthorized')),
      'POST /api/auth/refresh': problem(401, 'unauthorized'),
      'GET /api/auth/api-tokens': json([script]),
      'DELETE /api/users/me': () => {
        exists = false;
        return new Response(null, { status: 204 });
      },
    });
    const { router, queryClient } = renderApp('/account');

    const open = await screen.findByRole('button', { name: 'Delete my account…' });
    await user.click(open);
    const confirm = screen.getByLabelText('Type cleo.demo to confirm');
    expect(confirm).toHaveFocus();

    // Escape cancels, focus goes back.
    await user.keyboard('{Escape}');
    expect(screen.queryByLabelText('Type cleo.demo to confirm')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Delete my account…' })).toHaveFocus();

    // A wrong name deletes nothing.
    await user.click(screen.getByRole('button', { name: 'Delete my account…' }));
    await user.type(screen.getByLabelText('Type cleo.demo to confirm'), 'cleo');
    await user.click(screen.getByRole('button', { name: 'Delete my account and data' }));
    expect(screen.getByRole('alert')).toHaveTextContent('That is not “cleo.demo”.');
    expect(requestsTo(requests, 'DELETE', '/api/users/me')).toHaveLength(0);

    await user.type(screen.getByLabelText('Type cleo.demo to confirm'), '.demo');
    await user.click(screen.getByRole('button', { name: 'Delete my account and data' }));

    await waitFor(() => {
      expect(router.state.location.pathname).toBe('/');
    });
    expect(router.state.location.state).toEqual({ accountDeleted: true });
    const [deletion] = requestsTo(requests, 'DELETE', '/api/users/me');
    expect(deletion?.headers.get(CSRF_HEADER)).toBe('1');
    expect(await within(screen.getByRole('banner')).findByRole('link', { name: 'Sign in' })).toBeInTheDocument();
    expect(queryClient.getQueryData(['account', 'api-tokens'])).toBeUndefined();
  });
});
