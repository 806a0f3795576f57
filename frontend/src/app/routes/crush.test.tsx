import { act, fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { crushQueryOptions } from '@/features/crush/api/get-crush';
import type { components } from '@/lib/api';
import { json, mockApi, problem, signedOut, type RouteKey } from '@/testing/mock-api';
import { renderApp } from '@/testing/render';

type Crush = components['schemas']['Crush'];

const slug = 'k7m2xq9rd4tv8wz3hc6p';
const crush: Crush = {
  slug,
  owner: { username: 'ada.demo', profile_picture_url: 'https://pictures.test/ada.svg' },
  crush: { username: 'theo_paints', profile_picture_url: 'https://pictures.test/theo.svg' },
  comments_count: 30,
  posts_count: 19,
  computed_at: '2026-11-29T03:12:45Z',
  is_current: true,
  links: { self: `/api/crush/${slug}`, page: `/crush/${slug}` },
};

/** The public crush endpoint for one slug (the mock matches real paths, not templates). */
const publicCrush = (name: string) => `GET /api/crush/${name}` as RouteKey;

describe('the crush page', () => {
  it('shows both accounts, the counts and when it was computed, signed out', async () => {
    mockApi({ ...signedOut, [publicCrush(slug)]: json(crush) });
    renderApp(`/crush/${slug}`);

    expect(await screen.findByRole('heading', { level: 1, name: '@ada.demo’s crush' })).toBeInTheDocument();
    const card = screen.getByRole('region', { name: 'The crush' });
    expect(within(card).getByRole('img', { name: 'Profile picture of @ada.demo' })).toHaveAttribute(
      'src',
      'https://pictures.test/ada.svg',
    );
    expect(within(card).getByRole('img', { name: 'Profile picture of @theo_paints' })).toBeInTheDocument();
    expect(within(card).getByText('@theo_paints', { selector: '.crush-username' })).toBeInTheDocument();
    expect(within(card).getByText('Comments and replies').nextElementSibling).toHaveTextContent('30');
    expect(within(card).getByText('Posts commented on').nextElementSibling).toHaveTextContent('19');
    expect(card.querySelector('time')).toHaveAttribute('dateTime', '2026-11-29T03:12:45Z');
    expect(document.title).toBe('@ada.demo’s crush · Instacrush');
  });

  it('falls back to the initial when there is no picture, or it does not load', async () => {
    mockApi({
      ...signedOut,
      [publicCrush(slug)]: json({ ...crush, crush: { username: 'theo_paints', profile_picture_url: null } }),
    });
    renderApp(`/crush/${slug}`);

    const owner = await screen.findByRole('img', { name: 'Profile picture of @ada.demo' });
    expect(screen.queryByRole('img', { name: /theo_paints/ })).not.toBeInTheDocument();
    expect(screen.getByText('T', { selector: '.avatar-fallback' })).toBeInTheDocument();

    fireEvent.error(owner);
    expect(screen.queryByRole('img', { name: /ada\.demo/ })).not.toBeInTheDocument();
    expect(screen.getByText('A', { selector: '.avatar-fallback' })).toBeInTheDocument();
  });

  it('copies the link to share and says so', async () => {
    const user = userEvent.setup();
    mockApi({ ...signedOut, [publicCrush(slug)]: json(crush) });
    renderApp(`/crush/${slug}`);

    await user.click(await screen.findByRole('button', { name: 'Share' }));

    expect(await screen.findByRole('status')).toHaveTextContent('Link copied');
    expect(await navigator.clipboard.readText()).toBe(`${window.location.origin}/crush/${slug}`);
  });

  it('shows the link when copying fails', async () => {
    const user = userEvent.setup();
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new DOMException('denied', 'NotAllowedError'));
    mockApi({ ...signedOut, [publicCrush(slug)]: json(crush) });
    renderApp(`/crush/${slug}`);

    await user.click(await screen.findByRole('button', { name: 'Share' }));

    expect(await screen.findByText(/Copying did not work/)).toBeInTheDocument();
    expect(screen.queryByText('Link copied')).not.toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Link to this page' })).toHaveValue(
      `${window.location.origin}/crush/${slug}`,
    );
  });

  it('says when there is no such crush', async () => {
    mockApi({ ...signedOut, [publicCrush('nope')]: problem(404, 'not_found') });
    renderApp('/crush/nope');

    expect(await screen.findByRole('heading', { level: 1, name: 'Crush not found' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to the home page' })).toHaveAttribute('href', '/');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('offers to try again when the server fails', async () => {
    const user = userEvent.setup();
    let calls = 0;
    mockApi({
      ...signedOut,
      [publicCrush(slug)]: () => (++calls === 1 ? problem(503, 'unavailable') : json(crush)),
    });
    renderApp(`/crush/${slug}`);

    await user.click(await screen.findByRole('button', { name: 'Try again' }));

    expect(await screen.findByRole('heading', { level: 1, name: '@ada.demo’s crush' })).toBeInTheDocument();
  });

  it('starts afresh on another crush’s page', async () => {
    const user = userEvent.setup();
    const other = 'p4c9wz2hk7mq3xd8tv6r';
    mockApi({ ...signedOut, [publicCrush(slug)]: json(crush) });
    const { router, queryClient } = renderApp(`/crush/${slug}`);
    // Already known (as after the loading page), so the page does not pass through a skeleton.
    const otherCrush: Crush = {
      ...crush,
      slug: other,
      owner: { username: 'ben.demo', profile_picture_url: 'https://pictures.test/ben.svg' },
      links: { self: `/api/crush/${other}`, page: `/crush/${other}` },
    };
    queryClient.setQueryData(crushQueryOptions(other).queryKey, otherCrush);

    fireEvent.error(await screen.findByRole('img', { name: 'Profile picture of @ada.demo' }));
    await user.click(screen.getByRole('button', { name: 'Share' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Link copied');

    await act(() => router.navigate(`/crush/${other}`));

    expect(await screen.findByRole('heading', { level: 1, name: '@ben.demo’s crush' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('');
    // The owner's picture failed on the other page, not this one.
    expect(screen.getByRole('img', { name: 'Profile picture of @ben.demo' })).toBeInTheDocument();
  });

  it('tells a visitor when the pair is no longer the owner’s crush, without saying who is', async () => {
    mockApi({ ...signedOut, [publicCrush(slug)]: json({ ...crush, is_current: false }) });
    renderApp(`/crush/${slug}`);

    expect(await screen.findByText(/This is no longer @ada\.demo’s crush/)).toHaveAttribute('role', 'status');
    expect(screen.queryByRole('link', { name: 'See your crush now' })).not.toBeInTheDocument();
    // The page stays as it was.
    expect(screen.getByText('@theo_paints', { selector: '.crush-username' })).toBeInTheDocument();
  });

  it('leads the owner of a superseded page to their crush now', async () => {
    mockApi({
      'GET /api/users/me': json({ id: 7, instagram_username: 'ada.demo', sync: { state: 'fresh' } }),
      [publicCrush(slug)]: json({ ...crush, is_current: false }),
    });
    renderApp(`/crush/${slug}`);

    const note = await screen.findByText(/Your crush has changed/);
    expect(within(note).getByRole('link', { name: 'See your crush now' })).toHaveAttribute('href', '/loading');
  });

  it('says nothing of the kind while the pair is the owner’s crush', async () => {
    mockApi({
      'GET /api/users/me': json({ id: 7, instagram_username: 'ada.demo', sync: { state: 'fresh' } }),
      [publicCrush(slug)]: json(crush),
    });
    renderApp(`/crush/${slug}`);

    expect(await screen.findByRole('heading', { level: 1, name: '@ada.demo’s crush' })).toBeInTheDocument();
    expect(screen.queryByText(/has changed|no longer/)).not.toBeInTheDocument();
  });
});
