import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { json, mockApi, problem, signedOut, type RouteKey } from '@/testing/mock-api';
import { renderApp } from '@/testing/render';
import { comment, commentsOf, interactor, me, pageOf, pagingOf, nth } from '../test-fixtures';

const igId = '17841400000000042';
const mila = { ig_id: igId, username: 'mila.rivers' };
// The mock backend is keyed by the real path, which has the id in it.
const COMMENTS = `GET /api/users/me/interactors/${igId}/comments` as RouteKey;

describe("an interactor's comments", () => {
  it('opens from the top users list, named, with each comment, its post and when', async () => {
    const { requests } = mockApi({
      'GET /api/users/me': json(me),
      'GET /api/users/me/top-interactors': json({
        items: [interactor(1, { ig_id: igId, username: 'mila.rivers' })],
        total: 1,
        limit: 20,
        offset: 0,
      }),
      [COMMENTS]: json({
        interactor: { ...mila, profile_picture_url: null },
        items: [
          comment(1, { text: 'So pretty!' }),
          comment(2, {
            kind: 'reply',
            text: 'Agreed',
            commented_at: '2026-02-21T10:00:00Z',
            post: { ig_id: '17002', caption: null, permalink: null, picture_url: null, posted_at: '2026-02-18T08:00:00Z' },
          }),
        ],
        total: 2,
        limit: 20,
        offset: 0,
      }),
    });
    const { router } = renderApp('/top-users');

    await userEvent.click(await screen.findByRole('link', { name: '@mila.rivers' }));

    expect(router.state.location.pathname).toBe(`/top-users/${igId}`);
    expect(screen.getByRole('heading', { level: 1, name: 'Comments by @mila.rivers' })).toBeInTheDocument();
    const rows = within(await screen.findByRole('list')).getAllByRole('listitem');
    expect(rows).toHaveLength(2);

    expect(rows[0]).toHaveTextContent('So pretty!');
    expect(rows[0]).toHaveTextContent('Comment ·');
    expect(rows[0]?.querySelector('time')).toHaveAttribute('datetime', '2026-02-21T18:45:00Z');
    expect(rows[0]).toHaveTextContent('On your post Sunset at the pier');
    expect(rows[0]?.querySelector('q')).toHaveTextContent('Sunset at the pier');
    expect(within(nth(rows, 0)).getByRole('link', { name: /View on Instagram/ })).toHaveAttribute(
      'href',
      'https://www.instagram.test/p/1/',
    );
    expect(within(nth(rows, 0)).getByRole('img', { name: /^Your post of / })).toHaveAttribute(
      'src',
      'https://pics.test/post.1.jpg',
    );

    expect(rows[1]).toHaveTextContent('Reply ·');
    expect(rows[1]).toHaveTextContent('Agreed');
    expect(within(nth(rows, 1)).queryByRole('link')).not.toBeInTheDocument();
    expect(within(nth(rows, 1)).getByRole('img').tagName).toBe('SPAN');

    expect(screen.getByText('1–2 of 2')).toBeInTheDocument();
    const last = requests.at(-1);
    expect(new URL(last?.url ?? '').pathname).toBe(`/api/users/me/interactors/${igId}/comments`);
    expect(pagingOf(last)).toEqual({ limit: '20', offset: '0' });
  });

  it('keeps the name while paging', async () => {
    mockApi({
      'GET /api/users/me': json(me),
      'GET /api/users/me/top-interactors': json(pageOf(1, 0, () => interactor(1, { ig_id: igId, username: 'mila.rivers' }))),
      [COMMENTS]: (request: Request) => json(commentsOf(mila, 30, Number(pagingOf(request).offset))),
    });
    const { router, queryClient } = renderApp('/top-users');
    await userEvent.click(await screen.findByRole('link', { name: '@mila.rivers' }));
    expect(await screen.findByText('1–20 of 30')).toBeInTheDocument();
    // The link's history state and the comments know the name from here on.
    queryClient.removeQueries({ queryKey: ['insights', 'top-interactors'] });

    await userEvent.click(screen.getByRole('button', { name: 'Next' }));

    expect(await screen.findByText('21–30 of 30')).toBeInTheDocument();
    expect(router.state.location.search).toBe('?page=2');
    expect(screen.getByRole('heading', { level: 1, name: 'Comments by @mila.rivers' })).toBeInTheDocument();
  });

  it('pages through the comments from a deep link, named by them', async () => {
    const { requests } = mockApi({
      'GET /api/users/me': json(me),
      [COMMENTS]: (request: Request) => json(commentsOf(mila, 30, Number(pagingOf(request).offset))),
    });
    const { router } = renderApp(`/top-users/${igId}?page=2`);

    expect(screen.getByRole('heading', { level: 1, name: 'Comments on your posts' })).toBeInTheDocument();
    expect(await screen.findByText('21–30 of 30')).toBeInTheDocument();
    // Nothing led here: the comments name their account.
    expect(screen.getByRole('heading', { level: 1, name: 'Comments by @mila.rivers' })).toBeInTheDocument();
    expect(pagingOf(requests.at(-1))).toEqual({ limit: '20', offset: '20' });

    await userEvent.click(screen.getByRole('button', { name: 'Previous' }));

    expect(await screen.findByText('1–20 of 30')).toBeInTheDocument();
    expect(router.state.location.search).toBe('');
    expect(pagingOf(requests.at(-1))).toEqual({ limit: '20', offset: '0' });
  });

  it('says so when the account never commented (404)', async () => {
    mockApi({ 'GET /api/users/me': json(me), [COMMENTS]: problem(404, 'not_found') });
    renderApp(`/top-users/${igId}`);

    expect(await screen.findByText('This account has not commented on your recent posts.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'See who did' })).toHaveAttribute('href', '/top-users');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('asks to sign in when signed out', async () => {
    mockApi({ ...signedOut, [COMMENTS]: problem(401, 'unauthorized') });
    renderApp(`/top-users/${igId}`);

    expect(await screen.findByText('Sign in with Instagram to see their comments.')).toBeInTheDocument();
  });

  it('shows the problem and retries', async () => {
    let calls = 0;
    mockApi({
      'GET /api/users/me': json(me),
      [COMMENTS]: () => (++calls === 1 ? problem(500, 'internal') : json(commentsOf(mila, 1, 0))),
    });
    renderApp(`/top-users/${igId}`);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('We could not load these comments.');
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));

    expect(await screen.findByText('Comment number 1')).toBeInTheDocument();
  });
});
