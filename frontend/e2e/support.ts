/** What the e2e specs share: signing in through the sandbox, its URL, and page measurements. */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';

/** The in-process sandbox of the server under test (set by scripts/run-e2e.sh). */
export function sandboxUrl(): string {
  const url = process.env.E2E_SANDBOX_URL;
  if (!url) throw new Error('E2E_SANDBOX_URL is not set (run through scripts/run-e2e.sh)');
  return url;
}

/** Signs in as the sandbox account `username` on its authorize window, coming back to `returnTo`. */
export async function signIn(page: Page, username: string, returnTo: string) {
  await page.goto(`/api/auth/instagram?return_to=${encodeURIComponent(returnTo)}`);
  await page.getByRole('link', { name: new RegExp(username.replaceAll('.', '\\.')) }).click();
}

/** How far the page is wider than the window (0 when nothing scrolls sideways). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** How much the page moved while it loaded (Cumulative Layout Shift, 0 when nothing did). */
export function layoutShift(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        new PerformanceObserver((list) => {
          const shifts = list.getEntries() as unknown as { value: number }[];
          resolve(shifts.reduce((sum, shift) => sum + shift.value, 0));
        }).observe({ type: 'layout-shift', buffered: true });
        // No entry at all means no shift; the observer never fires then.
        setTimeout(() => {
          resolve(0);
        }, 500);
      }),
  );
}

/**
 * Fails when axe-core finds anything on the page as it stands (WCAG 2.2 A and AA, and axe's
 * best practices). Animations that end are let end first: contrast is judged on what is painted.
 */
export async function expectAccessible(page: Page, state: string) {
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((animation) => animation.effect?.getTiming().iterations !== Infinity)
        .map((animation) => animation.finished.catch(() => undefined)),
    ),
  );
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  const violations = results.violations.map(
    (violation) => `${violation.id} (${violation.help}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
  );
  expect(violations, `axe on ${state}`).toEqual([]);
}

/** The origin of the server under test (the sandbox's pages, Instagram's stand-in, are not ours). */
function appOrigin(): string {
  return new URL(process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3000').origin;
}

/** Everything our pages log as an error, and every response answered 401, from now on. */
export function collectProblems(page: Page) {
  const problems = { consoleErrors: [] as string[], unauthorized: [] as string[], pageErrors: [] as string[] };
  page.on('console', (message) => {
    const where = message.location().url;
    if (message.type() === 'error' && (!where || new URL(where).origin === appOrigin())) {
      problems.consoleErrors.push(`${message.text()} (${where})`);
    }
  });
  page.on('response', (response) => {
    if (response.status() === 401) problems.unauthorized.push(new URL(response.url()).pathname);
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  return problems;
}

/** The CSS colour `property` of what `locator` matches, as `rgb(r, g, b)`. */
export function cssColour(locator: Locator, property: 'color' | 'backgroundColor' | 'borderColor') {
  return locator.evaluate((element, name) => getComputedStyle(element)[name], property);
}
