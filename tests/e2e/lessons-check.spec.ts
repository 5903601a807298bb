// "Check my work" on a lesson page: the lesson's checks grade what happened in the page's
// broker since it was last reset (or the page loaded). Each test gets a fresh page, so a
// fresh broker.
import { mkdirSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { measureContrast } from './contrast.ts';

const SCREENSHOTS = 'test-results/screenshots';
const HELLO = 'Playground: send.ts, receive.ts';

/** The lesson's playground, scrolled into view and mounted (its Run button is there). */
async function playground(page: Page, name: string): Promise<Locator> {
  const pg = page.getByRole('region', { name });
  await pg.scrollIntoViewIfNeeded();
  await expect(pg.getByRole('button', { name: /^Run / })).toBeVisible();
  return pg;
}

async function run(pg: Locator, program: string): Promise<void> {
  await pg.getByRole('tab', { name: program }).click();
  await pg.getByRole('button', { name: `Run ${program}` }).click();
}

const output = (pg: Locator, label: string) => pg.getByRole('log', { name: `${label} output` });

test.describe('check my work', () => {
  test('hello world: the starter fails a check; the solution passes them all', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto('/lessons/hello-world/');
    const pg = await playground(page, HELLO);
    const checks = pg.getByRole('region', { name: 'Checks' });
    const button = checks.getByRole('button', { name: 'Check my work' });
    await expect(button).toHaveAccessibleDescription(/since it was last reset/);
    const results = checks.getByRole('list', { name: 'Check results' });

    // The starter: receive.ts waits, send.ts declares the queue but sends nothing.
    await run(pg, 'receive.ts');
    await expect(output(pg, 'receive.ts #1')).toContainText("waiting for messages on 'hello'");
    await run(pg, 'send.ts');
    await expect(output(pg, 'send.ts #1')).toContainText('exited with code 0');
    // From the keyboard.
    await button.focus();
    await page.keyboard.press('Enter');
    await expect(checks.getByText(/^\d of 3 checks pass\.$/)).toBeVisible({ timeout: 10_000 });
    await expect(results.getByRole('listitem')).toHaveCount(3);
    await expect(results.getByRole('listitem').filter({ hasText: 'Not yet:' }).first()).toContainText('Nothing was published yet');
    await expect(results.getByRole('listitem').filter({ hasText: "Passed: The queue 'hello' exists" })).toHaveCount(1);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await checks.screenshot({ path: `${SCREENSHOTS}/check-results.png` });

    // Reset broker forgets what happened: nothing to grade.
    await pg.getByRole('button', { name: 'Reset broker' }).click();
    await button.click();
    await expect(checks.getByText('0 of 3 checks pass.')).toBeVisible();
    await expect(checks).toContainText('Nothing has happened in the broker since it was last reset');

    // The solution, read-only in the editor (once Monaco is there), run in order.
    await expect(pg.getByRole('textbox', { name: 'send.ts, code editor' })).toBeAttached({ timeout: 20_000 });
    const solution = pg.getByRole('button', { name: 'Solution', exact: true });
    await solution.click();
    await expect(solution).toHaveAttribute('aria-pressed', 'true');
    await run(pg, 'receive.ts');
    await expect(output(pg, 'receive.ts (solution) #2')).toContainText("'hello'");
    await run(pg, 'send.ts');
    await expect(output(pg, 'send.ts (solution) #2')).toContainText('exited with code 0');
    await expect(output(pg, 'receive.ts (solution) #2')).toContainText('Hello');
    await button.click();
    await expect(checks.getByText('All 3 checks pass. Well done!')).toBeVisible({ timeout: 10_000 });
    await expect(results.getByRole('listitem').filter({ hasText: 'Passed:' })).toHaveCount(3);
    await expect(results.getByRole('listitem').filter({ hasText: 'Not yet:' })).toHaveCount(0);
    await checks.screenshot({ path: `${SCREENSHOTS}/check-results-all-pass.png` });
    expect(errors).toEqual([]);
  });

  test('the results are announced: they live in an aria-live region', async ({ page }) => {
    await page.goto('/lessons/hello-world/');
    const pg = await playground(page, HELLO);
    const checks = pg.getByRole('region', { name: 'Checks' });
    await checks.getByRole('button', { name: 'Check my work' }).click();
    const list = checks.getByRole('list', { name: 'Check results' });
    await expect(list).toBeVisible({ timeout: 10_000 });
    await expect(checks.locator('[aria-live="polite"]')).toContainText('0 of 3 checks pass.');
    await expect(checks.locator('[aria-live="polite"]').getByRole('list', { name: 'Check results' })).toBeVisible();
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`the results meet WCAG AA contrast in ${scheme} mode`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto('/lessons/hello-world/');
      const pg = await playground(page, HELLO);
      await run(pg, 'receive.ts');
      await expect(output(pg, 'receive.ts #1')).toContainText("waiting for messages on 'hello'");
      await pg.getByRole('button', { name: 'Check my work' }).click();
      await expect(pg.getByRole('list', { name: 'Check results' }).getByText('Passed:')).toBeVisible({ timeout: 10_000 });
      const samples = await measureContrast(page, ['.pg-checks-note', '.pg-checks-summary', ".pg-check[data-pass='true'] .pg-check-status", ".pg-check[data-pass='false'] .pg-check-status", '.pg-check-name', '.pg-check-message', '.pg-checks-detail']);
      expect(samples.length).toBeGreaterThanOrEqual(7);
      for (const s of samples) {
        expect(s.ratio, `${s.selector} "${s.text}" ${s.color} on ${s.background}`).toBeGreaterThanOrEqual(4.5);
      }
    });
  }

  test('work queues: checks that saw nothing say what to do; no scenario runs in the page', async ({ page }) => {
    await page.goto('/lessons/work-queues/');
    const pg = await playground(page, 'Playground: new-task.ts, worker.ts');
    const checks = pg.getByRole('region', { name: 'Checks' });
    await checks.getByRole('button', { name: 'Check my work' }).click();
    await expect(checks.getByText('0 of 6 checks pass.')).toBeVisible({ timeout: 10_000 });
    const results = checks.getByRole('list', { name: 'Check results' });
    await expect(results.getByRole('listitem').filter({ hasText: 'Waiting tasks survive a broker restart' })).toContainText('press Restart broker, then run a worker');
    // Grading ran nothing: no console, no queue.
    await expect(pg.getByRole('log')).toHaveCount(0);
    await expect(pg.getByRole('table', { name: 'Queues' })).toContainText('No queues yet.');
  });

  test('the demo playground has no checks', async ({ page }) => {
    await page.goto('/playground/');
    const pg = await playground(page, HELLO);
    await expect(pg.getByRole('button', { name: 'Run send.ts' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Check my work' })).toHaveCount(0);
  });
});
