import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CSRF_HEADER, type components } from '@/lib/api';
import { json, mockApi, problem, signedOut, type RouteKey } from '@/testing/mock-api';
import { renderApp } from '@/testing/render';

type SyncStatus = components['schemas']['SyncStatus'];
type Crush = components['schemas']['Crush'];

const me = { 'GET /api/users/me': json({ id: 7, instagram_username: 'ada.demo', sync: { state: 'syncing' } }) };

const slug = 'k7m2xq9rd4tv8wz3hc6p';
const crush: Crush = {
  slug,
  owner: { username: 'ada.demo', profile_picture_url: null },
  crush: { username: 'theo_paints', profile_picture_url: null },
  comments_count: 30,
  posts_count: 19,
  computed_at: '2026-11-29T03:12:45Z',
  is_current: true,
  links: { self: `/api/crush/${slug}`, page: `/crush/${slug}` },
};

function status(state: SyncStatus['status'], more: Partial<SyncStatus> = {}): SyncStatus {
  return {
    resource: 'sync_status',
    status: state,
    job: {
      id: 42,
      kind: 'sync_feed',
      state: state === 'needs_reauth' ? 'failed' : state,
      attempts: state === 'queued' ? 0 : 1,
      max_attempts: 5,
      created_at: '2026-11-29T03:12:40Z',
      started_at: null,
      finished_at: null,
      progress: null,
      error: null,
    },
    progress: null,
    error: null,
    retry_allowed: state === 'failed',
    result: null,
    resumes_at: null,
    links: { job: '/api/jobs/42', crush: null, sign_in: null },
    ...more,
  };
}

const running = (done: number, total: number) =>
  status('running', { progress: { done, total, phase: 'comments' } });
const succeeded = status('succeeded', {
  result: { resource: 'my_crush', outcome: 'found', crush, synced_at: '2026-11-29T03:12:45Z', unattributed_comments: 0 },
  links: { job: '/api/jobs/42', crush: `/api/crush/${slug}`, sign_in: null },
});
const failed = status('failed', {
  error: {
    code: 'instagram_unavailable',
    title: 'Instagram did not answer',
    detail: 'Instagram answered 500 (gave up after 5 attempts)',
  },
});

/** A `202` with the headers the API sends while a sync runs. */
function accepted(body: SyncStatus, retryAfter = '2') {
  return new Response(JSON.stringify(body), {
    status: 202,
    headers: { 'content-type': 'application/json', 'Retry-After': retryAfter, Location: '/api/jobs/42' },
  });
}

/** Answers with each response in turn, then keeps answering with the last. */
function inTurn(...responses: Response[]) {
  let next = 0;
  return () => (responses[Math.min(next++, responses.length - 1)] as Response).clone();
}

const calls = (requests: Request[], key: string) =>
  requests.filter((r) => `${r.method} ${new URL(r.url).pathname}` === key).length;

describe('the loading page', () => {
  beforeEach(() => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows real progress, polls as Retry-After says, then opens the crush', async () => {
    const { requests } = mockApi({
      ...me,
      'GET /api/crush': accepted(status('queued')),
      'GET /api/crush/loading': inTurn(accepted(running(7, 24)), accepted(running(20, 24)), json(succeeded)),
      [`GET /api/crush/${slug}` as RouteKey]: json(crush),
    });
    const { router } = renderApp('/loading');

    const bar = await screen.findByRole('progressbar', { name: /getting ready to read your posts/i });
    expect(bar).not.toHaveAttribute('aria-valuenow');
    expect(calls(requests, 'GET /api/crush/loading')).toBe(0);

    await act(() => vi.advanceTimersByTimeAsync(2_000));
    expect(await screen.findByRole('progressbar', { name: /reading the comments/i })).toHaveAttribute(
      'aria-valuenow',
      '7',
    );
    expect(screen.getByRole('progressbar')).toHaveAttribute('aria-valuemax', '24');
    expect(screen.getByText('7 of 24 posts')).toBeInTheDocument();

    await act(() => vi.advanceTimersByTimeAsync(2_000));
    expect(screen.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '20');

    await act(() => vi.advanceTimersByTimeAsync(2_000));
    expect(await screen.findByRole('heading', { level: 1, name: '@ada.demo’s crush' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe(`/crush/${slug}`);
    expect(screen.getByText('@theo_paints', { selector: '.crush-username' })).toBeInTheDocument();

    // Terminal: no more sync polling. The crush page came from the cache, not a request, and
    // then asks whether the crush changed every 15 seconds.
    expect(calls(requests, `GET /api/crush/${slug}`)).toBe(0);
    await act(() => vi.advanceTimersByTimeAsync(60_000));
    expect(calls(requests, 'GET /api/crush/loading')).toBe(3);
    expect(calls(requests, `GET /api/crush/${slug}`)).toBe(4);
  });

  it('says when a sync Instagram slowed down resumes, counting down', async () => {
    const resumesAt = new Date(Date.now() + 125_000).toISOString();
    mockApi({
      ...me,
      'GET /api/crush': accepted(status('queued', { resumes_at: resumesAt })),
      'GET /api/crush/loading': accepted(status('queued', { resumes_at: resumesAt })),
    });
    renderApp('/loading');

    expect(await screen.findByText(/Instagram asked us to slow down — your sync resumes at/)).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: /waiting for instagram/i })).toBeInTheDocument();
    expect(screen.getByText(/Resuming in 2 min 0[45] s/)).toBeInTheDocument();
    await act(() => vi.advanceTimersByTimeAsync(60_000));
    expect(screen.getByText(/Resuming in 1 min 0[45] s/)).toBeInTheDocument();
  });

  it('waits as long as Retry-After says before polling again', async () => {
    const { requests } = mockApi({
      ...me,
      'GET /api/crush': accepted(running(1, 24), '5'),
      'GET /api/crush/loading': accepted(running(2, 24), '5'),
    });
    renderApp('/loading');
    await screen.findByRole('progressbar', { name: /reading the comments/i });

    await act(() => vi.advanceTimersByTimeAsync(4_500));
    expect(calls(requests, 'GET /api/crush/loading')).toBe(0);
    await act(() => vi.advanceTimersByTimeAsync(1_000));
    expect(calls(requests, 'GET /api/crush/loading')).toBe(1);
    await act(() => vi.advanceTimersByTimeAsync(5_000));
    expect(calls(requests, 'GET /api/crush/loading')).toBe(2);
  });

  it('shows why a sync failed, and Retry starts another', async () => {
    const user = userEvent.setup({ advanceTimers: (ms) => vi.advanceTimersByTime(ms) });
    const { requests } = mockApi({
      ...me,
      'GET /api/crush': accepted(running(3, 24)),
      'GET /api/crush/loading': inTurn(json(failed), json(succeeded)),
      'POST /api/users/me/sync': accepted(status('queued'), '1'),
    });
    const { router } = renderApp('/loading');

    await act(() => vi.advanceTimersByTimeAsync(2_000));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('We could not read your posts');
    expect(alert).toHaveTextContent('Instagram did not answer us.');
    // Instagram's own words only behind the disclosure, with the sync's number to quote.
    expect(alert).not.toHaveTextContent('Instagram answered 500');
    const details = screen.getByText('Technical details').closest('details');
    expect(details).not.toHaveAttribute('open');
    expect(details).toHaveTextContent('instagram_unavailable · Instagram did not answer · Instagram answered 500 (gave up after 5 attempts)');
    expect(screen.getByText('sync 42', { selector: 'code' })).toBeInTheDocument();
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();

    // Terminal: the monitor stops asking.
    await act(() => vi.advanceTimersByTimeAsync(30_000));
    expect(calls(requests, 'GET /api/crush/loading')).toBe(1);

    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('progressbar', { name: /getting ready to read your posts/i })).toBeInTheDocument();
    const post = requests.find((r) => r.method === 'POST');
    expect(post && new URL(post.url).pathname).toBe('/api/users/me/sync');
    expect(post?.headers.get(CSRF_HEADER)).toBe('1');

    await act(() => vi.advanceTimersByTimeAsync(1_000));
    expect(await screen.findByRole('heading', { level: 1, name: '@ada.demo’s crush' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe(`/crush/${slug}`);
  });

  it('says the sync failed when GET /api/crush answers with a failed one, and offers Retry', async () => {
    const user = userEvent.setup({ advanceTimers: (ms) => vi.advanceTimersByTime(ms) });
    // Within a minute of a failed sync the API starts no new one: it answers 202 with that one.
    const { requests } = mockApi({
      ...me,
      'GET /api/crush': accepted(failed),
      'POST /api/users/me/sync': accepted(status('queued'), '1'),
      'GET /api/crush/loading': accepted(running(2, 24)),
    });
    renderApp('/loading');

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('We could not read your posts');
    expect(alert).toHaveTextContent('Instagram did not answer');
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    await act(() => vi.advanceTimersByTimeAsync(30_000));
    expect(calls(requests, 'GET /api/crush/loading')).toBe(0);

    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('progressbar', { name: /getting ready to read your posts/i })).toBeInTheDocument();
    await act(() => vi.advanceTimersByTimeAsync(1_000));
    expect(await screen.findByRole('progressbar', { name: /reading the comments/i })).toHaveAttribute(
      'aria-valuenow',
      '2',
    );
  });

  it('says when to try again when a retry comes too soon', async () => {
    const user = userEvent.setup({ advanceTimers: (ms) => vi.advanceTimersByTime(ms) });
    mockApi({
      ...me,
      'GET /api/crush': accepted(running(3, 24)),
      'GET /api/crush/loading': json(failed),
      'POST /api/users/me/sync': () => {
        const response = problem(429, 'too_many_requests');
        response.headers.set('Retry-After', '42');
        return response;
      },
    });
    renderApp('/loading');
    await act(() => vi.advanceTimersByTimeAsync(2_000));

    await user.click(await screen.findByRole('button', { name: 'Retry' }));

    expect(await screen.findByRole('status')).toHaveTextContent('You can retry in 42 s');
    expect(screen.getByRole('button', { name: 'Retry (42 s)' })).toBeDisabled();
    await act(() => vi.advanceTimersByTimeAsync(10_000));
    expect(screen.getByRole('button', { name: 'Retry (32 s)' })).toBeDisabled();
    expect(screen.getByRole('status')).toHaveTextContent('You can retry in 32 s');
    await act(() => vi.advanceTimersByTimeAsync(33_000));
    expect(screen.getByRole('button', { name: 'Retry' })).toBeEnabled();
    expect(screen.getByRole('status')).toHaveTextContent('You can retry now.');
  });

  it('announces the phase, not the count, in a live region', async () => {
    mockApi({
      ...me,
      'GET /api/crush': accepted(status('queued')),
      'GET /api/crush/loading': accepted(running(7, 24)),
    });
    renderApp('/loading');

    await screen.findByRole('progressbar');
    expect(await screen.findByRole('status')).toHaveTextContent('Getting ready to read your posts…');
    await act(() => vi.advanceTimersByTimeAsync(2_000));
    const live = screen.getByRole('status');
    expect(live).toHaveTextContent('Reading the comments on your posts…');
    expect(live).not.toHaveTextContent('7 of 24');
    expect(screen.getByText('7 of 24 posts')).toBeInTheDocument();
  });

  it('keeps polling through a failed poll, saying so', async () => {
    mockApi({
      ...me,
      'GET /api/crush': accepted(running(1, 24)),
      'GET /api/crush/loading': inTurn(problem(503, 'unavailable'), accepted(running(9, 24))),
    });
    renderApp('/loading');
    await screen.findByRole('progressbar');

    await act(() => vi.advanceTimersByTimeAsync(2_000));
    expect(await screen.findByText(/We lost touch with the server for a moment\. Still trying…/)).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();

    await act(() => vi.advanceTimersByTimeAsync(2_000));
    await waitFor(() => {
      expect(screen.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '9');
    });
    expect(screen.queryByText(/Still trying/)).not.toBeInTheDocument();
  });

  it('stops polling after five failures in a row, and offers to try again', async () => {
    const user = userEvent.setup({ advanceTimers: (ms) => vi.advanceTimersByTime(ms) });
    let failing = true;
    const { requests } = mockApi({
      ...me,
      'GET /api/crush': accepted(running(1, 24)),
      'GET /api/crush/loading': () => (failing ? problem(503, 'unavailable') : accepted(running(9, 24))),
    });
    renderApp('/loading');
    await screen.findByRole('progressbar');

    await act(() => vi.advanceTimersByTimeAsync(8_000));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    await act(() => vi.advanceTimersByTimeAsync(2_000));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('We could not check your sync');
    expect(calls(requests, 'GET /api/crush/loading')).toBe(5);
    await act(() => vi.advanceTimersByTimeAsync(60_000));
    expect(calls(requests, 'GET /api/crush/loading')).toBe(5);

    failing = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('progressbar')).toHaveAttribute('aria-valuenow', '9');
    await act(() => vi.advanceTimersByTimeAsync(2_000));
    expect(calls(requests, 'GET /api/crush/loading')).toBe(7);
  });

  it('stops at once and offers to try again when asking again cannot help', async () => {
    const { requests } = mockApi({
      ...me,
      'GET /api/crush': accepted(running(1, 24)),
      'GET /api/crush/loading': problem(404, 'not_found'),
    });
    renderApp('/loading');
    await screen.findByRole('progressbar');

    await act(() => vi.advanceTimersByTimeAsync(2_000));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('We could not check your sync');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeEnabled();
    expect(screen.queryByText(/Still trying/)).not.toBeInTheDocument();
    await act(() => vi.advanceTimersByTimeAsync(30_000));
    expect(calls(requests, 'GET /api/crush/loading')).toBe(1);
  });

  it('starts the next visit from what GET /api/crush says, not from a retry answered after leaving', async () => {
    const user = userEvent.setup({ advanceTimers: (ms) => vi.advanceTimersByTime(ms) });
    let answerRetry: (response: Response) => void = () => undefined;
    mockApi({
      ...me,
      'GET /api/crush': inTurn(accepted(failed), accepted(running(20, 24), '5')),
      'POST /api/users/me/sync': () =>
        new Promise<Response>((resolve) => {
          answerRetry = resolve;
        }),
    });
    const { router } = renderApp('/loading');

    await user.click(await screen.findByRole('button', { name: 'Retry' }));
    await act(() => router.navigate('/'));
    answerRetry(accepted(status('queued')));
    await act(() => vi.advanceTimersByTimeAsync(100));

    await act(() => router.navigate('/loading'));
    expect(await screen.findByRole('progressbar', { name: /reading the comments/i })).toHaveAttribute(
      'aria-valuenow',
      '20',
    );
  });

  it('asks to sign in with Instagram again when GET /api/crush says needs_reauth', async () => {
    mockApi({ ...me, 'GET /api/crush': problem(403, 'needs_reauth') });
    renderApp('/loading');

    expect(await screen.findByRole('heading', { name: 'Instagram wants you to sign in again' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Sign in with Instagram again' })).toHaveAttribute(
      'href',
      '/api/auth/instagram?return_to=/loading',
    );
  });

  it('asks to sign in with Instagram again when the sync ends in needs_reauth', async () => {
    const { requests } = mockApi({
      ...me,
      'GET /api/crush': accepted(status('queued')),
      'GET /api/crush/loading': json(
        status('needs_reauth', {
          error: { code: 'needs_reauth', title: 'Instagram needs you to sign in again', detail: 'token expired' },
          links: { job: '/api/jobs/42', crush: null, sign_in: '/api/auth/instagram?return_to=/loading' },
        }),
      ),
    });
    renderApp('/loading');
    await act(() => vi.advanceTimersByTimeAsync(2_000));

    expect(await screen.findByRole('heading', { name: 'Instagram wants you to sign in again' })).toBeInTheDocument();
    expect(screen.getByText('token expired')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Sign in with Instagram again' })).toHaveAttribute(
      'href',
      '/api/auth/instagram?return_to=/loading',
    );
    await act(() => vi.advanceTimersByTimeAsync(30_000));
    expect(calls(requests, 'GET /api/crush/loading')).toBe(1);
  });

  it('asks to sign in when signed out, and comes back here', async () => {
    mockApi({ ...signedOut, 'GET /api/crush': problem(401, 'unauthorized') });
    renderApp('/loading');

    expect(await screen.findByText('Sign in with Instagram to find your crush.')).toBeInTheDocument();
    expect(screen.getByRole('main').querySelector('a[href="/api/auth/instagram?return_to=/loading"]')).not.toBeNull();
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
  });

  it('answers kindly when nobody commented yet', async () => {
    mockApi({
      ...me,
      'GET /api/crush': json({ outcome: 'nobody_yet', crush: null, synced_at: '2026-11-29T03:12:45Z' }),
    });
    const { router } = renderApp('/loading');

    expect(
      await screen.findByRole('heading', { name: 'Nobody has commented on your recent posts yet' }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/loading');
  });

  it('opens the crush at once when the data is fresh', async () => {
    const { requests } = mockApi({
      ...me,
      'GET /api/crush': json({ outcome: 'found', crush, synced_at: '2026-11-29T03:12:45Z' }),
      [`GET /api/crush/${slug}` as RouteKey]: json(crush),
    });
    const { router } = renderApp('/loading');

    expect(await screen.findByRole('heading', { level: 1, name: '@ada.demo’s crush' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe(`/crush/${slug}`);
    expect(calls(requests, 'GET /api/crush/loading')).toBe(0);
    // The crush page shows what GET /api/crush answered: no second request for it.
    expect(calls(requests, `GET /api/crush/${slug}`)).toBe(0);
    expect(screen.queryByText(/could not be attributed/)).not.toBeInTheDocument();
  });

  it('says how many comments named nobody, beside my crush', async () => {
    mockApi({
      ...me,
      'GET /api/crush': json({ outcome: 'found', crush, synced_at: '2026-11-29T03:12:45Z', unattributed_comments: 3 }),
      [`GET /api/crush/${slug}` as RouteKey]: json(crush),
    });
    renderApp('/loading');

    expect(await screen.findByText(/^3 comments could not be attributed/)).toBeInTheDocument();
  });

  it('says how many comments named nobody when nobody else commented', async () => {
    mockApi({
      ...me,
      'GET /api/crush': json({ outcome: 'nobody_yet', crush: null, synced_at: '2026-11-29T03:12:45Z', unattributed_comments: 1 }),
    });
    renderApp('/loading');

    expect(await screen.findByText(/^1 comment could not be attributed/)).toBeInTheDocument();
  });
});
