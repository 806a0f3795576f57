import { act, fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { json, mockApi, problem, signedOut } from '@/testing/mock-api';
import { renderApp } from '@/testing/render';
import { interactor, me, pageOf, pagingOf, nth } from '../test-fixtures';

const TOP = '/api/users/me/top-interactors';

/** Answers the top interactors of a `total`-long list for whatever page is asked. */
function topInteractors(total: number) {
  return mockApi({
    'GET /api/users/me': json(me),
    'GET /api/users/me/top-interactors': (request) =>
      json(pageOf(total, Number(pagingOf(request).offset ?? 0), (n) => interactor(n))),
  });
}

const topRequests = (requests: Request[]) => requests.filter((r) => new URL(r.url).pathname === TOP);

describe('the top users page', () => {
  it('lists who comments most, the crush first, each linking to their comments', async () => {
    const { requests } = mockApi({
      'GET /api/users/me': json(me),
      'GET /api/users/me/top-interactors': json({
        items: [
          interactor(1, { username: 'mila.rivers', ig_id: '17841400000000001', comments_count: 31, posts_count: 12 }),
          interactor(2, { username: 'theo.paints', profile_picture_url: null, comments_count: 1, posts_count: 1 }),
        ],
        total: 2,
        limit: 20,
        offset: 0,
      }),
    });
    renderApp('/top-users');

    expect(screen.getByRole('heading', { level: 1, name: 'Top users' })).toBeInTheDocument();
    const list = await screen.findByRole('list');
    const rows = within(list).getAllByRole('listitem');
    expect(rows).toHaveLength(2);

    const first = within(nth(rows, 0));
    expect(first.getByRole('link', { name: '@mila.rivers' })).toHaveAttribute('href', '/top-users/17841400000000001');
    expect(first.getByText('Your crush')).toBeInTheDocument();
    expect(rows[0]).toHaveTextContent('Rank 1');
    expect(rows[0]).toHaveTextContent('31 comments');
    expect(rows[0]).toHaveTextContent('On 12 posts');
    expect(first.getByRole('img', { name: 'Profile picture of @mila.rivers' })).toHaveAttribute(
      'src',
      'https://pics.test/fan.1.jpg',
    );
    expect(rows[0]?.querySelector('time')).toHaveAttribute('datetime', '2026-03-01T12:00:00Z');

    const second = within(nth(rows, 1));
    expect(second.queryByText('Your crush')).not.toBeInTheDocument();
    expect(rows[1]).toHaveTextContent('1 comment');
    expect(rows[1]).toHaveTextContent('On 1 post ');
    // No picture: a stand-in with the same name, and the initial.
    const fallback = second.getByRole('img', { name: 'Profile picture of @theo.paints' });
    expect(fallback.tagName).toBe('SPAN');
    expect(fallback).toHaveTextContent('T');

    expect(screen.getByText('1–2 of 2')).toBeInTheDocument();
    expect(screen.queryByRole('navigation', { name: 'Pages of accounts' })).not.toBeInTheDocument();
    expect(pagingOf(topRequests(requests)[0])).toEqual({ limit: '20', offset: '0' });
  });

  it('shows a stand-in when a picture fails to load', async () => {
    topInteractors(1);
    renderApp('/top-users');

    const picture = await screen.findByRole('img', { name: 'Profile picture of @fan.1' });
    expect(picture.tagName).toBe('IMG');
    fireEvent.error(picture);

    const fallback = screen.getByRole('img', { name: 'Profile picture of @fan.1' });
    expect(fallback.tagName).toBe('SPAN');
    expect(fallback).toHaveTextContent('F');
  });

  it('pages with Next and Previous, asking for the right offset and keeping the page in the URL', async () => {
    const { requests } = topInteractors(57);
    const { router } = renderApp('/top-users');
    const user = userEvent.setup();

    expect(await screen.findByText('1–20 of 57')).toBeInTheDocument();
    const pager = screen.getByRole('navigation', { name: 'Pages of accounts' });
    expect(within(pager).getByRole('button', { name: 'Previous' })).toBeDisabled();
    expect(pager).toHaveTextContent('Page 1 of 3');

    await user.click(within(pager).getByRole('button', { name: 'Next' }));

    expect(await screen.findByText('21–40 of 57')).toBeInTheDocument();
    expect(router.state.location.search).toBe('?page=2');
    expect(pagingOf(topRequests(requests).at(-1))).toEqual({ limit: '20', offset: '20' });
    expect(screen.getByRole('link', { name: '@fan.21' })).toBeInTheDocument();
    // Focus goes to the list's heading, where reading the new page starts.
    expect(screen.getByRole('heading', { level: 2, name: 'Who comments most' })).toHaveFocus();

    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('41–57 of 57')).toBeInTheDocument();
    expect(router.state.location.search).toBe('?page=3');
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();

    // Back in history is the previous page again.
    await act(() => router.navigate(-1));
    expect(await screen.findByText('21–40 of 57')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Previous' }));
    expect(await screen.findByText('1–20 of 57')).toBeInTheDocument();
    expect(router.state.location.search).toBe('');
  });

  it('opens on the page the URL names', async () => {
    const { requests } = topInteractors(57);
    renderApp('/top-users?page=3');

    expect(await screen.findByText('41–57 of 57')).toBeInTheDocument();
    expect(topRequests(requests).map((r) => pagingOf(r).offset)).toEqual(['40']);
    expect(screen.getByRole('list')).toHaveAttribute('start', '41');
  });

  it('says when a page is past the end, and goes back to the first', async () => {
    topInteractors(5);
    const { router } = renderApp('/top-users?page=4');

    expect(await screen.findByText('There are only 5 accounts, so page 4 is empty.')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Go to the first page' }));

    expect(await screen.findByText('1–5 of 5')).toBeInTheDocument();
    expect(router.state.location.search).toBe('');
  });

  it('shows skeleton rows while the first page loads', async () => {
    let answer: (response: Response) => void = () => undefined;
    mockApi({
      'GET /api/users/me': json(me),
      'GET /api/users/me/top-interactors': () =>
        new Promise<Response>((resolve) => {
          answer = resolve;
        }),
    });
    const { container } = renderApp('/top-users');

    expect(await screen.findByText('Loading…')).toBeInTheDocument();
    expect(container.querySelectorAll('.insights-skeleton')).toHaveLength(5);

    answer(json(pageOf(1, 0, (n) => interactor(n))));
    expect(await screen.findByRole('link', { name: '@fan.1' })).toBeInTheDocument();
    expect(container.querySelectorAll('.insights-skeleton')).toHaveLength(0);
  });

  it('is friendly when nobody commented yet, and points to finding the crush', async () => {
    mockApi({
      'GET /api/users/me': json(me),
      'GET /api/users/me/top-interactors': json({ items: [], total: 0, limit: 20, offset: 0 }),
    });
    renderApp('/top-users');

    expect(await screen.findByText('Nobody has commented on your recent posts yet.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Find your crush' })).toHaveAttribute('href', '/loading');
    expect(screen.queryByRole('list')).not.toBeInTheDocument();
  });

  it('treats "no Instagram account synced yet" (404) as nothing yet', async () => {
    mockApi({
      'GET /api/users/me': json(me),
      'GET /api/users/me/top-interactors': problem(404, 'not_found'),
    });
    renderApp('/top-users');

    expect(await screen.findByText('Nobody has commented on your recent posts yet.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Find your crush' })).toHaveAttribute('href', '/loading');
  });

  it('asks to sign in when signed out, coming back to this page', async () => {
    mockApi({ ...signedOut, 'GET /api/users/me/top-interactors': problem(401, 'unauthorized') });
    renderApp('/top-users?page=2');

    expect(await screen.findByText('Sign in with Instagram to see your top users.')).toBeInTheDocument();
    expect(screen.getByRole('main').querySelector('a[href^="/api/auth/instagram"]')).toHaveAttribute(
      'href',
      '/api/auth/instagram?return_to=/top-users%3Fpage%3D2',
    );
    expect(screen.queryByRole('button', { name: 'Try again' })).not.toBeInTheDocument();
  });

  it('shows what went wrong and retries', async () => {
    let calls = 0;
    mockApi({
      'GET /api/users/me': json(me),
      'GET /api/users/me/top-interactors': () =>
        ++calls === 1
          ? json({ type: 'about:blank', title: 'Internal Server Error', status: 500, code: 'internal', detail: 'The database is napping' }, 500)
          : json(pageOf(1, 0, (n) => interactor(n))),
    });
    renderApp('/top-users');

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('We could not load your top users.');
    expect(alert).toHaveTextContent('The database is napping');

    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));

    expect(await screen.findByRole('link', { name: '@fan.1' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(calls).toBe(2);
  });
});
