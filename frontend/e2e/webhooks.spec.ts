/**
 * A comment arriving by webhook while a crush page is open: the sandbox posts it, signed, to
 * the app, the crush is recomputed without reading Instagram, and the open page shows the new
 * count without a reload. Then enough comments by the runner-up make them the crush: the open
 * page says the crush changed and leads its owner to the new one. Account: cleo.demo (no other
 * spec uses it).
 */
import { expect, test } from '@playwright/test';
import { sandboxUrl, signIn } from './support';

const crushPage = /\/crush\/[A-Za-z0-9_-]+$/;

interface Interactor {
  username: string;
  interactions: number;
}

interface Accounts {
  accounts: {
    username: string;
    subscribed_fields: string[];
    expected_crush: Interactor;
    top_interactors: Interactor[];
  }[];
}

test('comments arriving by webhook update the open crush page', async ({ page, request }) => {
  test.setTimeout(120_000);
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

  // The runner-up overtakes: a new pair, with a page of its own.
  const accounts = (await (await request.get(`${sandboxUrl()}/_sandbox/accounts`)).json()) as Accounts;
  const cleo = accounts.accounts.find((a) => a.username === 'cleo.demo');
  const runnerUp = cleo?.top_interactors[1];
  expect(runnerUp).toBeDefined();
  const gap = (cleo?.expected_crush.interactions ?? 0) - (runnerUp?.interactions ?? 0) + 1;
  const overtaking = Array.from({ length: gap }, (_, i) => ({ author: runnerUp?.username, text: `me too ${i}` }));
  const more = await request.post(`${sandboxUrl()}/_sandbox/accounts/cleo.demo/comments`, { data: overtaking });
  expect(more.status()).toBe(201);

  const note = page.getByRole('status').filter({ hasText: 'Your crush has changed' });
  await expect(note).toBeVisible({ timeout: 30_000 });
  await expect(card.locator('.crush-username').nth(1)).toHaveText(`@${crush}`);
  await page.screenshot({ path: 'test-results/crush-superseded.png', fullPage: true });
  await note.getByRole('link', { name: 'See your crush now' }).click();
  await expect(page).toHaveURL(crushPage, { timeout: 25_000 });
  expect(page.url()).not.toBe(url);
  await expect(card.locator('.crush-username').nth(1)).toHaveText(`@${runnerUp?.username ?? ''}`);
  await expect(page.getByText('Your crush has changed')).toHaveCount(0);
});
