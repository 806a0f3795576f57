/**
 * Top users, top posts and an interactor's page for dev.demo, against the real backend and its
 * sandbox. dev.demo is the sandbox's "silent" account (posts, not one comment), so the truth to
 * check is its post count and that nobody commented; both come from the sandbox's own listing.
 */
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { expectAccessible, horizontalOverflow, sandboxUrl } from './support';

interface SandboxInteractor {
  username: string;
  user_id: string;
  interactions: number;
}

interface SandboxAccount {
  username: string;
  media_count: number;
  interactions: number;
  expected_crush: SandboxInteractor | null;
  top_interactors: SandboxInteractor[];
}

async function sandboxAccounts(request: APIRequestContext): Promise<SandboxAccount[]> {
  const response = await request.get(`${sandboxUrl()}/_sandbox/accounts`);
  expect(response.ok()).toBe(true);
  return ((await response.json()) as { accounts: SandboxAccount[] }).accounts;
}

/** Signs in as dev.demo through the sandbox and waits for the first sync to finish. */
async function signInAsDevDemo(page: Page) {
  await page.goto('/');
  await page.getByRole('main').getByRole('link', { name: 'Sign in with Instagram' }).click();
  await page.getByRole('link', { name: /dev\.demo/ }).click();
  await expect(page).toHaveURL(/\/loading$/);
  // The first call starts the sync; 202 while it runs, 200 once the crush (or its absence) is known.
  await expect
    .poll(async () => (await page.request.get('/api/crush')).status(), { timeout: 20_000, intervals: [250, 500, 1000] })
    .toBe(200);
}

test('dev.demo sees its top users, top posts and an interactor page', async ({ page, request }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const accounts = await sandboxAccounts(request);
  const dev = accounts.find((account) => account.username === 'dev.demo');
  if (!dev) throw new Error('the sandbox has no dev.demo');
  // The dataset as this test reads it: a few posts, nobody commenting.
  expect(dev.media_count).toBeGreaterThan(0);
  expect(dev.media_count).toBeLessThanOrEqual(20);
  expect(dev.interactions).toBe(0);
  expect(dev.expected_crush).toBeNull();

  await signInAsDevDemo(page);

  await test.step('my crush: nobody commented yet, an answer rather than an error', async () => {
    await page.goto('/loading');
    await expect(page.getByRole('heading', { name: 'Nobody has commented on your recent posts yet' })).toBeVisible();
    await expectAccessible(page, 'nobody commented yet');
  });

  await test.step('top users: nobody commented, so a friendly empty state', async () => {
    await page.goto('/top-users');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Top users');
    await expect(page.getByText('Nobody has commented on your recent posts yet.')).toBeVisible();
    await expect(page.getByRole('main').getByRole('link', { name: 'Find your crush' })).toHaveAttribute(
      'href',
      '/loading',
    );
    await expect(page.getByRole('main').getByRole('list')).toHaveCount(0);
    await page.screenshot({ path: 'test-results/top-users.png', fullPage: true });
    await expectAccessible(page, 'top users, nobody yet');
  });

  await test.step('top posts: every recent post, none commented, newest first', async () => {
    await page.goto('/top-posts');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Top posts');
    const rows = page.getByRole('main').getByRole('list').getByRole('listitem');
    await expect(rows).toHaveCount(dev.media_count);
    await expect(page.getByText(`1–${dev.media_count} of ${dev.media_count}`)).toBeVisible();
    for (const row of await rows.all()) {
      await expect(row.locator('.insights-count')).toHaveText('0 comments');
    }
    // All tied at zero comments, so newer posts come first.
    const postedAt = await rows.locator('time').evaluateAll((times) =>
      times.map((time) => Date.parse(time.getAttribute('datetime') ?? '')),
    );
    expect(postedAt.every((at) => !Number.isNaN(at))).toBe(true);
    expect(postedAt).toEqual([...postedAt].sort((a, b) => b - a));
    // The captions are the ones the API holds for these posts, in the same order.
    const api = (await (await page.request.get('/api/users/me/top-posts')).json()) as {
      items: { caption: string | null; permalink: string | null }[];
    };
    const first = api.items[0];
    if (first?.caption) await expect(rows.first()).toContainText(first.caption.slice(0, 40));
    if (first?.permalink) {
      await expect(rows.first().getByRole('link', { name: /View on Instagram/ })).toHaveAttribute('href', first.permalink);
    }
    // The sandbox's pictures load.
    const picture = rows.first().locator('img');
    await expect(picture).toHaveAttribute('alt', /posted/);
    await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await page.screenshot({ path: 'test-results/top-posts.png', fullPage: true });
    await expectAccessible(page, 'top posts');

    await page.setViewportSize({ width: 360, height: 740 });
    await expect(rows.first()).toBeVisible();
    expect(await horizontalOverflow(page)).toBe(0);
    await page.screenshot({ path: 'test-results/top-posts-360.png', fullPage: true });
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  await test.step("an interactor's page: someone who never commented on dev.demo's posts", async () => {
    const stranger = accounts.flatMap((account) => account.top_interactors).at(0);
    if (!stranger) throw new Error('no sandbox account has interactors');
    await page.goto(`/top-users/${stranger.user_id}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Comments on your posts');
    await expect(page.getByText('This account has not commented on your recent posts.')).toBeVisible();
    await expect(page.getByRole('main').getByRole('link', { name: 'See who did' })).toHaveAttribute('href', '/top-users');
    await page.screenshot({ path: 'test-results/interactor.png', fullPage: true });
    await expectAccessible(page, 'an interactor who never commented');
  });

  expect(errors).toEqual([]);
});

test('the top users page asks to sign in, and comes back to the page', async ({ page }) => {
  await page.goto('/top-users?page=2');
  await expect(page.getByText('Sign in with Instagram to see your top users.')).toBeVisible();
  await expect(page.getByRole('main').getByRole('link', { name: 'Sign in with Instagram' })).toHaveAttribute(
    'href',
    '/api/auth/instagram?return_to=/top-users%3Fpage%3D2',
  );
});
