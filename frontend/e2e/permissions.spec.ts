/**
 * A partial grant in Chromium: the person unticks the comments permission on the sandbox's
 * consent page, lands on a page that names what is missing (not back on Instagram: no loop),
 * and grants it from there.
 */
import { expect, test } from '@playwright/test';
import { expectAccessible } from './support';

test('a consent without the comments permission names it and offers to grant it', async ({ page }) => {
  await page.goto('/api/auth/instagram?return_to=%2Ftop-users');
  await page.getByRole('checkbox', { name: /comments on your posts/ }).uncheck();
  await page.getByRole('link', { name: /ada\.demo/ }).click();

  await expect(page).toHaveURL(/\/signin\/permissions\?missing=instagram_business_manage_comments/);
  await expect(page.getByRole('heading', { level: 2, name: 'Instacrush cannot see your comments yet' })).toBeVisible();
  await expect(page.getByText('instagram_business_manage_comments', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
  await expectAccessible(page, 'the missing-permission page');

  // Still here a moment later: the page does not send the browser back to Instagram by itself.
  await page.waitForTimeout(500);
  await expect(page).toHaveURL(/\/signin\/permissions/);

  await page.getByRole('link', { name: 'Allow access to comments' }).click();
  await expect(page.getByRole('checkbox', { name: /comments on your posts/ })).toBeChecked();
  await page.getByRole('link', { name: /ada\.demo/ }).click();
  await expect(page).toHaveURL(/\/top-users$/);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
});
