/** What the e2e specs share: signing in through the sandbox, its URL, and page measurements. */
import type { Page } from '@playwright/test';

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
