/**
 * Lighthouse (the npm package, driving Debian's Chromium) on the landing page and a public crush
 * page, signed out: accessibility, best practices and SEO must score 100; performance is printed
 * (a shared two-core machine makes it a figure to read, not a gate). Account: ada.demo, whose
 * crush page is audited.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { signIn } from './support';

const run = promisify(execFile);
const GATED = ['accessibility', 'best-practices', 'seo'] as const;

interface Report {
  categories: Record<string, { score: number | null; auditRefs: { id: string }[] }>;
  audits: Record<string, { score: number | null; title: string; scoreDisplayMode: string }>;
}

/** Runs the Lighthouse CLI on `url`; returns its report. */
async function lighthouse(url: string, name: string): Promise<Report> {
  const output = `test-results/lighthouse-${name}.json`;
  await run(
    'node_modules/.bin/lighthouse',
    [
      url,
      '--quiet',
      '--no-enable-error-reporting',
      '--output=json',
      `--output-path=${output}`,
      `--only-categories=performance,${GATED.join(',')}`,
      '--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking --disable-component-update --no-first-run',
    ],
    { env: { ...process.env, CHROME_PATH: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' }, timeout: 150_000 },
  );
  return JSON.parse(readFileSync(output, 'utf8')) as Report;
}

/** Each category's score out of 100, and the audits that cost it points. */
function summary(report: Report) {
  const scores = Object.fromEntries(
    Object.entries(report.categories).map(([id, category]) => [id, Math.round((category.score ?? 0) * 100)]),
  );
  const failing = GATED.flatMap((id) =>
    (report.categories[id]?.auditRefs ?? [])
      .map((ref) => ({ id: ref.id, audit: report.audits[ref.id] }))
      .filter(({ audit }) => audit?.scoreDisplayMode === 'binary' && audit.score !== 1)
      .map(({ id: audit, audit: found }) => `${id}: ${audit} (${found?.title ?? ''})`),
  );
  return { scores, failing };
}

test('Lighthouse: the landing and a crush page score 100 for accessibility, best practices and SEO', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(360_000);
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signIn(page, 'ada.demo', '/loading');
  await expect(page).toHaveURL(/\/crush\/[a-z0-9]+$/, { timeout: 25_000 });
  const crush = page.url();
  await context.close();

  for (const [name, url] of [
    ['landing', new URL('/', baseURL).href],
    ['crush', crush],
  ] as const) {
    const { scores, failing } = summary(await lighthouse(url, name));
    console.log(
      `lighthouse ${name.padEnd(8)} performance ${scores.performance} · accessibility ${scores.accessibility} · ` +
        `best practices ${scores['best-practices']} · SEO ${scores.seo}`,
    );
    expect(failing, `${name}: audits below full marks`).toEqual([]);
    for (const category of GATED) expect(scores[category], `${name}: ${category}`).toBe(100);
  }
});
