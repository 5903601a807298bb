import { mkdirSync, readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { measureContrast } from './contrast.ts';

// Read the file directly rather than the site's loader, so the test is an independent oracle.
interface Lesson {
  id: string;
  title: string;
  summary: string;
  status: string;
}
const course = JSON.parse(readFileSync(new URL('../../content/course.json', import.meta.url), 'utf8')) as {
  tagline: string;
  lessons: Lesson[];
};

const SCREENSHOTS = 'test-results/screenshots';

const darkToggle = (page: Page) => page.getByRole('button', { name: 'Dark mode' });
const htmlBackground = (page: Page) =>
  page.evaluate(() => getComputedStyle(document.body).backgroundColor);

test.describe('home page', () => {
  test('has one h1 with the tagline, landmarks, and no console errors', async ({ page }) => {
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));

    await page.goto('/');
    await expect(page).toHaveTitle(`Warren — ${course.tagline}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(course.tagline);
    await expect(page.getByRole('banner')).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await expect(page.getByRole('main')).toBeVisible();
    await expect(page.getByRole('contentinfo')).toBeVisible();
    expect(errors).toEqual([]);
  });

  test('lists the lessons from content/course.json, in order, each linked once published', async ({ page }) => {
    await page.goto('/');
    const list = page.getByRole('list', { name: 'Lessons' });
    const items = list.getByRole('listitem');
    await expect(items).toHaveCount(course.lessons.length);
    await expect(list.getByRole('heading', { level: 3 })).toHaveText(course.lessons.map((l) => l.title));
    for (const [i, lesson] of course.lessons.entries()) {
      const item = items.nth(i);
      await expect(item).toContainText(lesson.summary);
      if (lesson.status === 'coming-soon') {
        await expect(item).toContainText('Coming soon');
        await expect(item.getByRole('link')).toHaveCount(0);
      } else {
        await expect(item.getByRole('link')).toHaveAttribute('href', `/lessons/${lesson.id}/`);
      }
    }
  });

  test('theme toggle switches dark mode and remembers it across reloads', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto('/');
    const toggle = darkToggle(page);
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');
    const light = await htmlBackground(page);

    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    const dark = await htmlBackground(page);
    expect(dark).not.toBe(light);

    await page.reload();
    await expect(darkToggle(page)).toHaveAttribute('aria-pressed', 'true');
    expect(await htmlBackground(page)).toBe(dark);

    await darkToggle(page).click();
    await page.reload();
    await expect(darkToggle(page)).toHaveAttribute('aria-pressed', 'false');
    expect(await htmlBackground(page)).toBe(light);
  });

  test('follows the system theme until the learner picks one', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto('/');
    await expect(darkToggle(page)).toHaveAttribute('aria-pressed', 'true');
    await expect(page.locator('html')).not.toHaveAttribute('data-theme', /.*/);
    await page.emulateMedia({ colorScheme: 'light' });
    await expect(darkToggle(page)).toHaveAttribute('aria-pressed', 'false');
  });

  test('Tab reaches the skip link first, and it moves focus to main', async ({ page }) => {
    await page.goto('/');
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('main')).toBeFocused();
    // The next Tab continues inside main, past the header.
    await page.keyboard.press('Tab');
    await expect(page.getByRole('link', { name: 'See the lessons' })).toBeFocused();
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`text meets WCAG AA contrast in ${scheme} mode`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto('/');
      const samples = await measureContrast(page, [
        'main p',
        '.kicker',
        '.cta',
        '.lesson .body p',
        '.lesson .number',
        '.site-nav a',
        '.brand',
        '.theme-toggle',
        '.site-footer p',
        '.flow span',
      ]);
      for (const s of samples) {
        expect(s.ratio, `${s.selector} "${s.text}" ${s.color} on ${s.background}`).toBeGreaterThanOrEqual(4.5);
      }
    });
  }

  const viewports = [
    { name: 'desktop', width: 1280, height: 800 },
    { name: 'phone', width: 390, height: 844 },
  ] as const;
  for (const scheme of ['light', 'dark'] as const) {
    for (const vp of viewports) {
      test(`screenshot: ${scheme}, ${vp.name} ${vp.width}x${vp.height}`, async ({ page }) => {
        await page.setViewportSize({ width: vp.width, height: vp.height });
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto('/');
        mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: `${SCREENSHOTS}/home-${scheme}-${vp.name}.png`, fullPage: true });
      });
    }
  }

  for (const width of [360, 390]) {
    test(`nothing scrolls sideways at ${width}px`, async ({ page }) => {
      await page.setViewportSize({ width, height: 800 });
      await page.goto('/');
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBe(0);
      await expect(darkToggle(page)).toBeVisible();
    });
  }
});
