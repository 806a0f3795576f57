/**
 * Sharing a crush: the page's head as a link preview reads it (no JavaScript), the card image
 * it shows, the device's share sheet where there is one, and the reveal, with and without
 * reduced motion. Account: ada.demo (its crush, found by crush.spec.ts or here).
 */
import { writeFileSync } from 'node:fs';
import { expect, test, type Browser } from '@playwright/test';
import { expectAccessible, signIn } from './support';

/** The path of ada.demo's crush page, signing in (and syncing) in a context of its own. */
async function adasCrushPage(browser: Browser, baseURL: string | undefined): Promise<string> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signIn(page, 'ada.demo', '/loading');
  await expect(page).toHaveURL(/\/crush\/[a-z0-9]+$/, { timeout: 25_000 });
  const path = new URL(page.url()).pathname;
  await context.close();
  return path;
}

let crushPath = '';

test.beforeAll(async ({ browser, baseURL }) => {
  crushPath = await adasCrushPage(browser, baseURL);
});

test('a crush page’s head is its link preview, and its card is a 1200×630 PNG', async ({ request, baseURL }) => {
  const page = await request.get(crushPath);
  expect(page.status()).toBe(200);
  const html = await page.text();
  const url = `${new URL(baseURL ?? '').origin}${crushPath}`;
  const meta = (key: string) =>
    new RegExp(`<meta (?:property|name)="${key}" content="([^"]*)"`).exec(html)?.[1];
  expect(/<title>([^<]*)<\/title>/.exec(html)?.[1]).toBe('@ada.demo’s crush · Instacrush');
  expect(meta('description')).toMatch(/^@\S+ comments most on @ada\.demo’s recent Instagram posts: \d+ comments and replies on \d+ posts\./);
  expect(meta('og:title')).toBe('@ada.demo’s crush');
  expect(meta('og:url')).toBe(url);
  expect(meta('og:type')).toBe('website');
  expect(meta('og:site_name')).toBe('Instacrush');
  expect(meta('og:image')).toBe(`${url}/card.png`);
  expect(meta('twitter:card')).toBe('summary_large_image');
  expect(html).toContain(`<link rel="canonical" href="${url}" />`);

  const card = await request.get(`${crushPath}/card.png`);
  expect(card.status()).toBe(200);
  expect(card.headers()['content-type']).toBe('image/png');
  const png = await card.body();
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 630]);
  writeFileSync('test-results/card.png', png);
  const etag = card.headers().etag ?? '';
  expect(etag).not.toBe('');
  const again = await request.get(`${crushPath}/card.png`, { headers: { 'if-none-match': etag } });
  expect(again.status()).toBe(304);
});

test('Share opens the device’s share sheet where there is one, and keeps the focus', async ({ page }) => {
  await page.addInitScript(() => {
    const shared: ShareData[] = [];
    Object.assign(window, { shared });
    Object.defineProperty(navigator, 'share', {
      value: (data: ShareData) => {
        shared.push(data);
        return Promise.resolve();
      },
    });
  });
  await page.goto(crushPath);
  const card = page.getByRole('region', { name: 'The crush' });
  const share = card.getByRole('button', { name: 'Share' });
  await share.click();

  await expect.poll(() => page.evaluate(() => (window as unknown as { shared: ShareData[] }).shared)).toEqual([
    { url: page.url() },
  ]);
  await expect(share).toBeFocused();
  await expect(card.getByRole('status')).toHaveText('');
});

test('the crush is revealed with a moment of motion, and without it for those who ask', async ({ browser, baseURL }) => {
  for (const [reducedMotion, heart, person] of [
    ['no-preference', 'crush-heart-pop', 'crush-from-left'],
    ['reduce', 'none', 'none'],
  ] as const) {
    const context = await browser.newContext({ baseURL, reducedMotion });
    const page = await context.newPage();
    await page.goto(crushPath);
    const card = page.getByRole('region', { name: 'The crush' });
    await expect(card).toBeVisible();
    const animation = (selector: string) =>
      card.locator(selector).first().evaluate((element) => getComputedStyle(element).animationName);
    expect(await animation('.crush-heart'), reducedMotion).toBe(heart);
    expect(await animation('.crush-person'), reducedMotion).toBe(person);
    await expectAccessible(page, `a crush page, ${reducedMotion} motion`);
    await context.close();
  }
});
