import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { json, mockApi, problem, signedOut } from '@/testing/mock-api';
import { renderApp } from '@/testing/render';
import { me, pageOf, pagingOf, post, nth } from '../test-fixtures';

describe('the top posts page', () => {
  it('lists the most commented posts with picture, caption, counts and a link to Instagram', async () => {
    mockApi({
      'GET /api/users/me': json(me),
      'GET /api/users/me/top-posts': json({
        items: [
          post(1, { caption: `Golden hour at the pier ${'and a very long caption '.repeat(10)}`, interactions_count: 12, replies_count: 4 }),
          post(2, {
            media_type: 'VIDEO',
            media_url: 'https://pics.test/video.mp4',
            thumbnail_url: 'https://pics.test/video-still.jpg',
            permalink: null,
            caption: null,
            like_count: null,
            interactions_count: 1,
            comments_count: 1,
            replies_count: 0,
          }),
          post(3, { media_url: null, interactions_count: 0, comments_count: 0, replies_count: 0 }),
        ],
        total: 3,
        limit: 20,
        offset: 0,
      }),
    });
    renderApp('/top-posts');

    expect(screen.getByRole('heading', { level: 1, name: 'Top posts' })).toBeInTheDocument();
    const rows = within(await screen.findByRole('list')).getAllByRole('listitem');
    expect(rows).toHaveLength(3);

    const first = within(nth(rows, 0));
    expect(rows[0]).toHaveTextContent('12 comments');
    expect(rows[0]).toHaveTextContent('incl. 4 replies');
    expect(rows[0]).toHaveTextContent('42 likes');
    expect(first.getByText(/^Golden hour at the pier/).textContent).toMatch(/…$/);
    expect(first.getByRole('link', { name: /View on Instagram/ })).toHaveAttribute('href', 'https://www.instagram.test/p/1/');
    expect(first.getByRole('link', { name: /View on Instagram/ })).toHaveAttribute('target', '_blank');
    expect(first.getByRole('img')).toHaveAttribute('src', 'https://pics.test/post.1.jpg');
    expect(first.getByRole('img')).toHaveAccessibleName(/^Photo posted /);
    expect(rows[0]?.querySelector('time')).toHaveAttribute('datetime', '2026-02-20T09:30:00Z');

    const second = within(nth(rows, 1));
    expect(rows[1]).toHaveTextContent('1 comment');
    expect(rows[1]).not.toHaveTextContent('incl.');
    expect(second.getByText('No caption')).toBeInTheDocument();
    expect(second.queryByRole('link')).not.toBeInTheDocument();
    // A video's picture is its still, never the video file.
    expect(second.getByRole('img')).toHaveAttribute('src', 'https://pics.test/video-still.jpg');

    // No picture at all: a stand-in saying what the post is.
    const third = within(nth(rows, 2)).getByRole('img');
    expect(third.tagName).toBe('SPAN');
    expect(third).toHaveTextContent('Photo');
    expect(rows[2]).toHaveTextContent('0 comments');

    expect(screen.getByText('1–3 of 3')).toBeInTheDocument();
  });

  it('pages through the posts', async () => {
    const { requests } = mockApi({
      'GET /api/users/me': json(me),
      'GET /api/users/me/top-posts': (request) =>
        json(pageOf(25, Number(pagingOf(request).offset), (n) => post(n))),
    });
    const { router } = renderApp('/top-posts');

    expect(await screen.findByText('1–20 of 25')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));

    expect(await screen.findByText('21–25 of 25')).toBeInTheDocument();
    expect(router.state.location.search).toBe('?page=2');
    expect(requests.filter((r) => r.url.includes('/top-posts')).map((r) => pagingOf(r))).toEqual([
      { limit: '20', offset: '0' },
      { limit: '20', offset: '20' },
    ]);
    expect(screen.getByText('Post number 21')).toBeInTheDocument();
  });

  it('is friendly before any post was read', async () => {
    mockApi({
      'GET /api/users/me': json(me),
      'GET /api/users/me/top-posts': json({ items: [], total: 0, limit: 20, offset: 0 }),
    });
    renderApp('/top-posts');

    expect(await screen.findByText('We have not seen any of your posts yet.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Find your crush' })).toHaveAttribute('href', '/loading');
  });

  it('asks to sign in when signed out', async () => {
    mockApi({ ...signedOut, 'GET /api/users/me/top-posts': problem(401, 'unauthorized') });
    renderApp('/top-posts');

    expect(await screen.findByText('Sign in with Instagram to see your top posts.')).toBeInTheDocument();
  });

  it('shows the problem and retries', async () => {
    let calls = 0;
    mockApi({
      'GET /api/users/me': json(me),
      'GET /api/users/me/top-posts': () =>
        ++calls === 1 ? problem(503, 'unavailable') : json(pageOf(1, 0, (n) => post(n))),
    });
    renderApp('/top-posts');

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('We could not load your top posts.');
    expect(alert).toHaveTextContent('unavailable');
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));

    expect(await screen.findByText('Post number 1')).toBeInTheDocument();
  });
});
