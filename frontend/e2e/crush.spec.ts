/**
 * Finding a crush end to end, against the real backend and its in-process Instagram sandbox:
 * the loading page's progress, the crush, its public page, and a sync that fails and is retried.
 * Accounts: ada.demo (the main flow) and ben.demo (the failing sync); other specs use others.
 */
import { expect, test, type APIRequestContext } from '@playwright/test';
import { cssColour, expectAccessible, horizontalOverflow, sandboxUrl, signIn } from './support';


/** The sandbox's dataset (seed 42): each demo account's crush by the app's rule. */
const expected = {
  ada: { crush: 'theo_paints', comments: '30', posts: '19' },
  ben: { crush: 'zoe.shoots', comments: '30', posts: '14' },
};

async function setKnobs(request: APIRequestContext, patch: Record<string, number>) {
  const response = await request.put(`${sandboxUrl()}/_sandbox/knobs`, { data: patch });
  expect(response.ok()).toBe(true);
}

test.afterEach(async ({ request }) => {
  await request.delete(`${sandboxUrl()}/_sandbox/knobs`);
});

const crushPage = /\/crush\/[A-Za-z0-9_-]+$/;

test('signing in shows the sync progress, then the crush', async ({ page, request }) => {
  // Slow Instagram down (a second a call), so that the progress is there to see.
  test.setTimeout(60_000);
  await setKnobs(request, { latency_ms: 1000 });
  // Every status the page announces, from its first.
  await page.addInitScript(() => {
    const seen: string[] = [];
    Object.assign(window, { statusesSeen: seen });
    new MutationObserver(() => {
      for (const status of document.querySelectorAll('[role="status"]')) {
        const text = status.textContent.trim();
        if (text && seen.at(-1) !== text) seen.push(text);
      }
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  await page.goto('/');
  await page.getByRole('main').getByRole('link', { name: 'Sign in with Instagram' }).click();
  await page.getByRole('link', { name: /ada\.demo/ }).click();

  // Instagram's empty #_ is gone from the address.
  await expect(page).toHaveURL(/\/loading$/);
  expect(new URL(page.url()).hash).toBe('');
  const progress = page.getByRole('progressbar');
  await expect(progress).toBeVisible();
  await expect(page.getByRole('heading', { level: 2 })).toHaveText('Reading your recent posts');
  // Real progress: ada.demo's 24 posts, counted as their comments are read.
  await expect(progress).toHaveAttribute('aria-valuemax', '24', { timeout: 15_000 });
  await expect(progress).toHaveAttribute('aria-valuenow', /^\d+$/);
  await expect(page.getByText(/^\d+ of 24 posts$/)).toBeVisible();
  await page.screenshot({ path: 'test-results/loading.png', fullPage: true });
  await expectAccessible(page, 'the loading page, with progress');
  // Nothing else was queued: the page never said it was waiting for its turn.
  const statuses = await page.evaluate(() => (window as unknown as { statusesSeen: string[] }).statusesSeen);
  expect(statuses.length).toBeGreaterThan(0);
  expect(statuses.join('\n')).not.toContain('Waiting for our turn');

  // Done: the loading page hands over to the crush's own, shareable page.
  await expect(page).toHaveURL(crushPage, { timeout: 25_000 });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('@ada.demo’s crush');
  const card = page.getByRole('region', { name: 'The crush' });
  await expect(card.locator('.crush-username')).toHaveText(['@ada.demo', `@${expected.ada.crush}`]);
  await expect(card.getByRole('definition')).toHaveText([expected.ada.comments, expected.ada.posts]);
  await expect(card.locator('time')).toHaveAttribute('datetime', /^\d{4}-\d{2}-\d{2}T/);
  await expect(card.getByText(/^Updated (just now|\d+ (seconds?|minutes?) ago)$/)).toBeVisible();
  await page.screenshot({ path: 'test-results/crush.png', fullPage: true });
  await expectAccessible(page, 'my crush');

  // Back on /loading with fresh data: straight to the crush, no new sync.
  await page.goto('/loading');
  await expect(page).toHaveURL(crushPage);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('@ada.demo’s crush');
});

test('a crush page is public and shareable; an unknown one is not found', async ({ page, browser, baseURL }) => {
  // ada.demo finds the address of her crush page...
  const ada = await browser.newContext({ baseURL });
  const adaPage = await ada.newPage();
  await signIn(adaPage, 'ada.demo', '/loading');
  await expect(adaPage).toHaveURL(crushPage, { timeout: 25_000 });
  const address = new URL(adaPage.url()).pathname;
  await ada.close();

  // ...and someone who never signed in opens it.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  const response = await page.goto(address);
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('@ada.demo’s crush');
  await expect(page.getByRole('banner').getByRole('link', { name: 'Sign in' })).toBeVisible();
  const card = page.getByRole('region', { name: 'The crush' });
  await expect(card.locator('.crush-username')).toHaveText(['@ada.demo', `@${expected.ada.crush}`]);
  const ownerPicture = card.getByRole('img', { name: 'Profile picture of @ada.demo' });
  await expect(ownerPicture).toBeVisible();
  expect(await ownerPicture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);

  // Each username leads to that account on Instagram.
  await expect(card.getByRole('link', { name: '@ada.demo' })).toHaveAttribute('href', 'https://www.instagram.com/ada.demo/');
  await expect(card.getByRole('link', { name: `@${expected.ada.crush}` })).toHaveAttribute(
    'href',
    `https://www.instagram.com/${expected.ada.crush}/`,
  );
  await expect(card.getByText(/^Updated (just now|\d+ (seconds?|minutes?|hours?) ago)$/)).toBeVisible();
  // Centred on a wide screen.
  const box = await card.boundingBox();
  const width = page.viewportSize()?.width ?? 0;
  expect(box && Math.abs(box.x + box.width / 2 - width / 2)).toBeLessThanOrEqual(1);
  // A visitor is invited to find their own.
  const invitation = page.getByRole('region', { name: 'Who is your crush?' });
  await expect(invitation.getByRole('link', { name: 'Find your own crush' })).toHaveAttribute(
    'href',
    '/api/auth/instagram?return_to=/loading',
  );
  await expectAccessible(page, 'a public crush page');

  // No share sheet in this browser: Share copies the link, says so legibly, keeps the focus.
  const share = card.getByRole('button', { name: 'Share' });
  await share.click();
  const copied = card.getByRole('status');
  await expect(copied).toHaveText('Link copied');
  await expect(share).toBeFocused();
  expect(await cssColour(copied, 'color')).toBe('rgb(31, 26, 29)');
  expect(await copied.evaluate((element) => getComputedStyle(element).fontWeight)).toBe('600');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(page.url());
  await page.screenshot({ path: 'test-results/crush-public.png', fullPage: true });
  await expectAccessible(page, 'a public crush page, link copied');

  await page.setViewportSize({ width: 360, height: 740 });
  expect(await horizontalOverflow(page)).toBe(0);
  await page.screenshot({ path: 'test-results/crush-public-360.png', fullPage: true });

  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/crush/no-such-crush');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Crush not found');
  await expect(page.getByRole('link', { name: 'Go to the home page' })).toHaveAttribute('href', '/');
  await page.screenshot({ path: 'test-results/crush-not-found.png', fullPage: true });
  await expectAccessible(page, 'a crush that is not there');
});

test('a failed sync says what happened in plain words, and Retry finds the crush at once', async ({ page, request }) => {
  // Instagram failing is transient: the job retries with backoff (5 attempts, 5 s base) before
  // it fails, and the API allows one sync a minute, so this takes a minute or two.
  test.setTimeout(200_000);
  await signIn(page, 'ben.demo', '/');
  await expect(page.getByRole('banner').getByRole('link', { name: '@ben.demo' })).toBeVisible();
  await setKnobs(request, { error_rate: 1 });

  await page.goto('/loading');
  await expect(page.getByRole('progressbar')).toBeVisible();
  await expect(page.getByText(/Instagram did not answer\. Trying again soon \(attempt \d of 5\)/)).toBeVisible({
    timeout: 20_000,
  });

  const alert = page.getByRole('alert');
  await expect(alert).toContainText('We could not read your posts', { timeout: 120_000 });
  // Plain words; Instagram's own (and the attempts) only behind the disclosure, with a reference.
  await expect(alert).toContainText('Instagram did not answer us.');
  const details = page.locator('details').filter({ hasText: 'Technical details' });
  await expect(details).not.toHaveAttribute('open');
  await expect(details.getByText(/gave up after 5 attempts/)).toBeHidden();
  await expect(page.getByText(/^Reference: sync \d+$/)).toBeVisible();
  await details.getByText('Technical details').click();
  await expect(details.getByText(/instagram_unavailable · .*gave up after 5 attempts/)).toBeVisible();
  await page.screenshot({ path: 'test-results/sync-failed.png', fullPage: true });
  await expectAccessible(page, 'a failed sync');

  // The failed sync was the app's own: the user's Retry is taken at once, never "too soon".
  await request.delete(`${sandboxUrl()}/_sandbox/knobs`);
  const retry = page.getByRole('button', { name: 'Retry', exact: true });
  const asked = page.waitForResponse((response) => response.url().endsWith('/api/users/me/sync'));
  await retry.click();
  expect((await asked).status()).toBe(202);
  await expect(page.getByText(/retry in \d+ s/)).toHaveCount(0);

  await expect(page).toHaveURL(crushPage, { timeout: 30_000 });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('@ben.demo’s crush');
  const card = page.getByRole('region', { name: 'The crush' });
  await expect(card.locator('.crush-username')).toHaveText(['@ben.demo', `@${expected.ben.crush}`]);
  await expect(card.getByRole('definition')).toHaveText([expected.ben.comments, expected.ben.posts]);
});
