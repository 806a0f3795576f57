/**
 * The account page end to end, against the real backend and its in-process Instagram sandbox:
 * sync now, an API token created, used by a third-party client and revoked, signing out, and
 * (last) deleting the account. Account: cleo.demo only (other specs use the others).
 */
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { cssColour, expectAccessible, horizontalOverflow, layoutShift, signIn } from './support';

/** The danger colour of src/features/account/account.css (#b00020). */
const DANGER = 'rgb(176, 0, 32)';

const username = 'cleo.demo';

/** Signs in as cleo through the sandbox's authorize window, coming back to `returnTo`. */
function signInAsCleo(page: Page, returnTo = '/account') {
  return signIn(page, username, returnTo);
}

/**
 * Signs in the way people do: the landing page's link, which comes back to /loading (whose
 * page, another feature's, may move on at once: only the header is relied on here).
 */
async function signInFromLanding(page: Page) {
  await page.goto('/');
  await page.getByRole('main').getByRole('link', { name: 'Sign in with Instagram' }).click();
  await page.getByRole('link', { name: /cleo\.demo/ }).click();
  await expect(page.getByRole('banner').getByRole('link', { name: `@${username}` })).toBeVisible();
}

/** Every URL the page shows, client-side navigations included. */
function collectUrls(page: Page) {
  const urls: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) urls.push(new URL(frame.url()).pathname);
  });
  return urls;
}

/** What a third-party client does with an API token: exchange it, then call the API. */
async function callAsClient(client: APIRequestContext, apiToken: string, accessToken?: string) {
  let bearer = accessToken;
  if (!bearer) {
    const exchange = await client.post('/api/auth/token', { data: { api_token: apiToken } });
    if (!exchange.ok()) return { status: exchange.status(), accessToken: undefined };
    bearer = ((await exchange.json()) as { access_token: string }).access_token;
  }
  const me = await client.get('/api/users/me', { headers: { authorization: `Bearer ${bearer}` } });
  return { status: me.status(), body: me.ok() ? ((await me.json()) as unknown) : undefined, accessToken: bearer };
}

function collectErrors(page: Page) {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

test('sync now follows the sync on the loading page, and a second one is refused for a while', async ({ page }) => {
  const errors = collectErrors(page);
  // Straight back to the account page: no sync has run for cleo yet.
  await signInAsCleo(page);
  await expect(page).toHaveURL(/\/account$/);
  const profile = page.getByRole('region', { name: 'Profile' });
  await expect(profile.getByText(`@${username}`)).toBeVisible();
  await expect(profile.getByRole('definition').nth(1)).toHaveText('Never');

  const urls = collectUrls(page);
  const started = page.waitForResponse((response) => response.url().endsWith('/api/users/me/sync'));
  await profile.getByRole('button', { name: 'Sync now' }).click();
  expect((await started).status()).toBe(202);
  // Off to the loading page, which follows the sync (and may move on to the crush once done).
  await expect.poll(() => urls).toContain('/loading');

  // Once that sync is over, asking again within the minute is answered with the wait.
  await page.goto('/account');
  await expect(async () => {
    await page.reload();
    await expect(profile.getByText('Up to date')).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 25_000 });
  await expect(profile.locator('time')).toHaveAttribute('datetime', /^\d{4}-\d{2}-\d{2}T/);
  await expectAccessible(page, 'the account page');
  const syncNow = profile.getByRole('button', { name: 'Sync now' });
  await syncNow.click();
  // The wait counts down on screen, and the button waits with it.
  const status = profile.getByRole('status');
  await expect(status).toHaveText(/^You synced a moment ago\. You can sync again in \d+ s\.$/);
  await expect(page).toHaveURL(/\/account$/);
  await expect(syncNow).toBeDisabled();
  const secondsLeft = async () => Number(/in (\d+) s/.exec(await status.innerText())?.[1]);
  const first = await secondsLeft();
  await expect.poll(secondsLeft, { timeout: 5_000 }).toBeLessThan(first);
  await expect(syncNow).toBeDisabled();
  await expectAccessible(page, 'the account page, waiting to sync again');
  expect(errors).toEqual([]);
});

test('an API token works for a client until it is revoked', async ({ page, playwright, baseURL }) => {
  const errors = collectErrors(page);
  await signInFromLanding(page);
  await page.goto('/account');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account');
  await expect(page.getByRole('region', { name: 'Profile' }).getByText(`@${username}`)).toBeVisible();
  // API tokens are for developers, in a section of their own.
  const developers = page.getByRole('region', { name: 'Developers' });
  await expect(developers.getByRole('heading', { level: 2 })).toHaveText('Developers');
  const tokens = developers.getByRole('region', { name: 'API tokens' });
  await expect(tokens.getByText('You have no API tokens.')).toBeVisible();
  expect(await layoutShift(page)).toBeLessThan(0.05);
  await page.screenshot({ path: 'test-results/account.png', fullPage: true });

  await tokens.getByLabel('Token name').fill('e2e script');
  await tokens.getByRole('button', { name: 'Create token' }).click();
  const secretField = tokens.getByLabel('Secret');
  await expect(secretField).toBeFocused();
  await expect(secretField).toHaveAttribute('readonly', '');
  await expect(tokens.getByText('you won’t see it again')).toBeVisible();
  const secret = await secretField.inputValue();
  expect(secret).toMatch(/^icat_/);
  await expect(tokens.getByRole('listitem').filter({ hasText: 'e2e script' })).toBeVisible();
  await page.screenshot({ path: 'test-results/api-token-created.png', fullPage: true });
  await expectAccessible(page, 'a token just created');

  // A client with no cookies at all: only the token speaks for it.
  const client = await playwright.request.newContext({ baseURL });
  try {
    const before = await callAsClient(client, secret);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ instagram_username: username });

    // Gone from the page once dismissed: the secret is shown once.
    await tokens.getByRole('button', { name: 'Done, I saved it' }).click();
    await expect(tokens.getByLabel('Secret')).toHaveCount(0);
    await page.reload();
    const row = tokens.getByRole('listitem').filter({ hasText: 'e2e script' });
    // Created, then last used: by the exchange just now.
    await expect(row.getByRole('definition')).toHaveText([/ago|just now/, /ago|just now/]);
    expect(await page.content()).not.toContain(secret);

    await tokens.getByRole('button', { name: 'Revoke e2e script' }).click();
    // Destructive: in the danger colour, not the brand's.
    const yes = tokens.getByRole('button', { name: 'Yes, revoke e2e script' });
    expect(await cssColour(yes, 'color')).toBe(DANGER);
    expect(await cssColour(yes, 'borderColor')).toBe(DANGER);
    await expectAccessible(page, 'revoking a token');
    await yes.click();
    await expect(tokens.getByText('Token “e2e script” revoked.')).toBeVisible();
    await expect(tokens.getByText('You have no API tokens.')).toBeVisible();

    // Revoked: the access token already handed out stops at once, and no new one is given.
    expect((await callAsClient(client, secret, before.accessToken)).status).toBe(401);
    expect((await callAsClient(client, secret)).status).toBe(401);
  } finally {
    await client.dispose();
  }

  // The page fits a small phone.
  await page.setViewportSize({ width: 360, height: 740 });
  expect(await horizontalOverflow(page)).toBe(0);
  await page.screenshot({ path: 'test-results/account-360.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('revoking a token whose secret is still shown takes the secret away', async ({ page }) => {
  await signInAsCleo(page);
  const tokens = page.getByRole('region', { name: 'API tokens' });
  await tokens.getByLabel('Token name').fill('short-lived');
  await tokens.getByRole('button', { name: 'Create token' }).click();
  const secret = await tokens.getByLabel('Secret').inputValue();
  expect(secret).toMatch(/^icat_/);

  await tokens.getByRole('button', { name: 'Revoke short-lived' }).click();
  await tokens.getByRole('button', { name: 'Yes, revoke short-lived' }).click();

  await expect(tokens.getByText('Token “short-lived” revoked.')).toBeVisible();
  await expect(tokens.getByLabel('Secret')).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
});

test('signing out from the account page', async ({ page }) => {
  await signInAsCleo(page);
  const header = page.getByRole('banner');
  await expect(header.getByRole('link', { name: `@${username}` })).toBeVisible();

  await page.getByRole('main').getByRole('button', { name: 'Sign out of Instacrush' }).click();

  await expect(page).toHaveURL(/\/$/);
  await expect(header.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await page.goto('/account');
  await expect(page.getByText('Sign in with Instagram to manage your account.')).toBeVisible();
  await expect(page.getByRole('main').getByRole('link', { name: 'Sign in with Instagram' })).toHaveAttribute(
    'href',
    '/api/auth/instagram?return_to=/account',
  );
});

// Last: it deletes cleo, whom the tests above use.
test('deleting the account removes its data, and signing in again starts afresh', async ({ page, playwright, baseURL }) => {
  await signInAsCleo(page);
  const tokens = page.getByRole('region', { name: 'API tokens' });
  await tokens.getByLabel('Token name').fill('kept until deletion');
  await tokens.getByRole('button', { name: 'Create token' }).click();
  const secret = await tokens.getByLabel('Secret').inputValue();

  const danger = page.getByRole('region', { name: 'Delete your account' });
  await danger.getByRole('button', { name: 'Delete my account…' }).click();
  const confirm = danger.getByLabel(`Type ${username} to confirm`);
  await expect(confirm).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(confirm).toHaveCount(0);
  await expect(danger.getByRole('button', { name: 'Delete my account…' })).toBeFocused();

  await danger.getByRole('button', { name: 'Delete my account…' }).click();
  await confirm.fill(username);
  const deleteButton = danger.getByRole('button', { name: 'Delete my account and data' });
  expect(await cssColour(deleteButton, 'backgroundColor')).toBe(DANGER);
  expect(await cssColour(deleteButton, 'color')).toBe('rgb(255, 255, 255)');
  expect(await cssColour(danger.getByRole('button', { name: 'Cancel' }), 'color')).toBe('rgb(163, 25, 91)');
  await expectAccessible(page, 'confirming the deletion');
  await deleteButton.click();

  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('banner').getByRole('link', { name: 'Sign in' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('banner').getByRole('link', { name: 'Sign in' })).toBeVisible();

  // Its API tokens went with it.
  const client = await playwright.request.newContext({ baseURL });
  try {
    expect((await callAsClient(client, secret)).status).toBe(401);
  } finally {
    await client.dispose();
  }

  // Signing in again makes a new user: no tokens, never synced.
  await signInAsCleo(page);
  await expect(page.getByRole('banner').getByRole('link', { name: `@${username}` })).toBeVisible();
  await expect(tokens.getByText('You have no API tokens.')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Profile' }).getByRole('definition').nth(1)).toHaveText('Never');
});
