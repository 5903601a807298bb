import { mkdirSync, readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { measureContrast } from './contrast.ts';

// The files themselves are the oracle, not the site's loader.
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const course = JSON.parse(read('content/course.json')) as { lessons: { id: string; title: string; status: string }[] };
const [first, second] = course.lessons;
if (!first || !second) throw new Error('content/course.json should plan at least two lessons');
const written = course.lessons.filter((l) => l.status === 'published');
const starterSend = read('lessons/01-hello-world/starter/send.ts');
const SCREENSHOTS = 'test-results/screenshots';

test.describe('lesson pages', () => {
  test('the home page links the written lessons', async ({ page }) => {
    await page.goto('/');
    const list = page.getByRole('list', { name: 'Lessons' });
    for (const lesson of course.lessons.filter((l) => l.status === 'published')) {
      await expect(list.getByRole('link', { name: lesson.title })).toHaveAttribute('href', `/lessons/${lesson.id}/`);
    }
    await list.getByRole('link', { name: first.title }).click();
    await expect(page).toHaveURL(`/lessons/${first.id}/`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(first.title);
    await expect(page).toHaveTitle(`${first.title} · Warren`);
  });

  test('previous and next lead through the course', async ({ page }) => {
    await page.goto(`/lessons/${first.id}/`);
    const pager = page.getByRole('navigation', { name: 'Lessons before and after' });
    await expect(pager.getByRole('link')).toHaveCount(1);
    // Next leads through every written lesson in order...
    for (const next of written.slice(1)) {
      await pager.getByRole('link', { name: `Next ${next.title}` }).click();
      await expect(page).toHaveURL(`/lessons/${next.id}/`);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(next.title);
    }
    // ...and the last one names the lesson after it, not written yet, without linking it.
    const last = written.at(-1);
    const before = written.at(-2);
    if (last === undefined || before === undefined) throw new Error('content/course.json should publish at least two lessons');
    const upcoming = course.lessons[course.lessons.indexOf(last) + 1];
    if (upcoming !== undefined) await expect(pager).toContainText(`Next, coming soon${upcoming.title}`);
    await expect(pager.getByRole('link')).toHaveCount(1);
    await pager.getByRole('link', { name: `Previous ${before.title}` }).click();
    await expect(page).toHaveURL(`/lessons/${before.id}/`);
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`lesson text meets WCAG AA contrast in ${scheme} mode`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`/lessons/${first.id}/`);
      const samples = await measureContrast(page, ['.lesson .kicker', '.lesson .lead', '.objectives li', '.prose p', '.prose li', '.prose p code', '.pager .dir', '.pager .title']);
      for (const s of samples) {
        expect(s.ratio, `${s.selector} "${s.text}" ${s.color} on ${s.background}`).toBeGreaterThanOrEqual(4.5);
      }
    });
  }
});

test.describe('a lesson without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('is readable: title, objectives, headings in order, prose and the starter code', async ({ page }) => {
    await page.goto(`/lessons/${first.id}/`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(first.title);
    await expect(page.getByRole('heading', { level: 2 })).toHaveText([
      'In this lesson you will',
      'Why put a queue between two programs?',
      'Producer, queue, consumer',
      'The default exchange',
      'Declare the queue on both sides',
      'Your turn',
      'What you learned',
    ]);
    await expect(page.getByRole('main')).toContainText('A message queue removes that coupling.');
    // The playground falls back to a listing of the starter programs.
    const listing = page.locator('pre', { hasText: 'TODO: send `text` to the queue.' });
    await expect(listing).toBeVisible();
    const shown = (await listing.innerText()).trim();
    expect(shown).toBe(starterSend.trim());
    const playground = page.getByRole('region', { name: 'Playground: send.ts, receive.ts' });
    await expect(playground.getByText('receive.ts', { exact: true })).toBeVisible();
  });

  test('nothing scrolls sideways on a phone', async ({ page }) => {
    await page.setViewportSize({ width: 360, height: 800 });
    await page.goto(`/lessons/${second.id}/`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBe(0);
  });
});

test.describe('lesson screenshots', () => {
  const viewports = [
    { name: 'desktop', width: 1280, height: 800 },
    { name: 'phone', width: 390, height: 844 },
  ] as const;
  for (const scheme of ['light', 'dark'] as const) {
    for (const vp of viewports) {
      test(`screenshot: ${scheme}, ${vp.name} ${vp.width}x${vp.height}`, async ({ page }) => {
        await page.setViewportSize({ width: vp.width, height: vp.height });
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(`/lessons/${first.id}/`);
        mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: `${SCREENSHOTS}/lesson-${scheme}-${vp.name}.png` });
        await page.screenshot({ path: `${SCREENSHOTS}/lesson-${scheme}-${vp.name}-full.png`, fullPage: true });
      });
    }
  }
});
