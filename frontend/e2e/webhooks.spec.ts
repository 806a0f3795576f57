/**
 * A comment arriving by webhook while a crush page is open: the sandbox posts it, signed, to
 * the app, the crush is recomputed without reading Instagram, and the open page shows the new
 * count without a reload. Account: cleo.demo (no other spec uses it).
 */
import { expect, test } from '@playwright/test';
import { sandboxUrl, signIn } from './support';

const crushPage = /\/crush\/[A-Za-z0-9_-]+$/;

interface Accounts {
  accounts: { username: string; subscribed_fields: string[] }[];
}

test('a comment arriving by webhook updates the open crush page', async ({ page, request }) => {
  test.setTimeout(60_000);
  await signIn(page, 'cleo.demo', '/loading');
  await expect(page).toHaveURL(crushPage, { timeout: 25_000 });
  const card = page.getByRole('region', { name: 'The crush' });
  const count = card.locator('.crush-stats dd').first();
  await expect(count).toHaveText(/^\d+$/);
  const before = Number(await count.textContent());
  const crush = ((await card.locator('.crush-username').nth(1).textContent()) ?? '').replace(/^@/, '');
  await expect(card.locator('.crush-updated')).toContainText(/Updated (now|just now|\d+ seconds? ago)/);

  // The sign-in subscribed cleo.demo to comment webhooks; the crush comments once more.
  await expect
    .poll(async () => {
      const accounts = (await (await request.get(`${sandboxUrl()}/_sandbox/accounts`)).json()) as Accounts;
      return accounts.accounts.find((a) => a.username === 'cleo.demo')?.subscribed_fields;
    })
    .toEqual(['comments']);
  await request.delete(`${sandboxUrl()}/_sandbox/calls`);
  const added = await request.post(`${sandboxUrl()}/_sandbox/accounts/cleo.demo/comments`, {
    data: { author: crush, text: 'one more' },
  });
  expect(added.status()).toBe(201);
  const { comments } = (await added.json()) as { comments: { notified: boolean }[] };
  expect(comments[0]?.notified).toBe(true);

  // The open page picks it up by itself (it asks every 15 seconds while visible).
  const url = page.url();
  await expect(count).toHaveText(String(before + 1), { timeout: 30_000 });
  expect(page.url()).toBe(url);
  const calls = (await (await request.get(`${sandboxUrl()}/_sandbox/calls`)).json()) as { total: number };
  expect(calls.total).toBe(0);
  await page.screenshot({ path: 'test-results/crush-updated-by-webhook.png', fullPage: true });
});
