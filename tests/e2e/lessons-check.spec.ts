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

  test('Reset broker clears the results it made stale, from the keyboard, and says so once', async ({ page }) => {
    await page.goto('/lessons/hello-world/');
    const pg = await playground(page, HELLO);
    const checks = pg.getByRole('region', { name: 'Checks' });
    const live = checks.locator('[aria-live="polite"]');
    const results = checks.getByRole('list', { name: 'Check results' });
    await run(pg, 'receive.ts');
    await expect(output(pg, 'receive.ts #1')).toContainText("waiting for messages on 'hello'");
    await checks.getByRole('button', { name: 'Check my work' }).click();
    await expect(results.getByRole('listitem')).toHaveCount(3, { timeout: 10_000 });
    await expect(live).toContainText('Looked at');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await pg.screenshot({ path: `${SCREENSHOTS}/reset-1-checked.png` });

    const reset = pg.getByRole('button', { name: 'Reset broker' });
    await reset.focus();
    await page.keyboard.press('Enter');
    // Back to the panel as it was before the first press: no list, no summary, nothing to read out.
    await expect(results).toBeHidden();
    await expect(live).toHaveText('');
    // One announcement, where the learner pressed: the broker panel's status.
    await expect(pg.locator('.pg-broker-status')).toHaveText(
      'Broker reset: a new, empty broker. Running programs were killed. Check results were cleared: run your programs again, then check.',
    );
    await expect(reset).toBeFocused();
    await pg.screenshot({ path: `${SCREENSHOTS}/reset-2-after-reset.png` });

    // A second reset has nothing left to clear, and says only what it did.
    await page.keyboard.press('Enter');
    await expect(pg.locator('.pg-broker-status')).toHaveText('Broker reset: a new, empty broker. Running programs were killed.');
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
    await expect(checks.getByText('0 of 7 checks pass.')).toBeVisible({ timeout: 10_000 });
    const results = checks.getByRole('list', { name: 'Check results' });
    await expect(results.getByRole('listitem').filter({ hasText: 'Waiting tasks survive a broker restart' })).toContainText('press Restart broker, then run a worker');
    await expect(results.getByRole('listitem').filter({ hasText: "A stopped worker's unfinished task goes to another worker" })).toContainText('press Stop on the worker that is busy with it');
    // Grading ran nothing: no console, no queue, no activity.
    await expect(pg.getByRole('log', { name: /output$/ })).toHaveCount(0);
    await expect(pg.getByRole('log', { name: 'Activity' })).toContainText('Nothing yet');
    await expect(pg.getByRole('table', { name: 'Queues' })).toContainText('No queues yet.');
  });

  test('publish/subscribe: two receivers each get every line; the solution passes every check', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto('/lessons/publish-subscribe/');
    const pg = await playground(page, 'Playground: emit-log.ts, receive-logs.ts');
    const checks = pg.getByRole('region', { name: 'Checks' });
    await expect(pg.getByRole('textbox', { name: 'emit-log.ts, code editor' })).toBeAttached({ timeout: 20_000 });
    await pg.getByRole('button', { name: 'Solution', exact: true }).click();

    // A line sent before anyone listens: the fanout exchange has no queue to put it in.
    await run(pg, 'emit-log.ts');
    await expect(output(pg, 'emit-log.ts (solution) #1')).toContainText('exited with code 0');
    await expect(pg.getByRole('table', { name: 'Queues' })).toContainText('No queues yet.');

    // Two receivers, each with an exclusive queue named by the broker, bound to 'logs'.
    await run(pg, 'receive-logs.ts');
    await expect(output(pg, 'receive-logs.ts (solution) #1')).toContainText("waiting for logs in 'amq.gen-");
    await run(pg, 'receive-logs.ts');
    await expect(output(pg, 'receive-logs.ts (solution) #2')).toContainText("waiting for logs in 'amq.gen-");
    await expect(pg.getByRole('table', { name: 'Queues' }).getByRole('row').filter({ hasText: 'exclusive' })).toHaveCount(2);

    await pg.getByRole('tab', { name: 'emit-log.ts' }).click();
    await pg.getByLabel('Arguments').fill('warning: disk 91% full');
    await run(pg, 'emit-log.ts');
    await expect(output(pg, 'emit-log.ts (solution) #2')).toContainText('exited with code 0');
    for (const receiver of ['receive-logs.ts (solution) #1', 'receive-logs.ts (solution) #2']) {
      await expect(output(pg, receiver)).toContainText('log: warning: disk 91% full');
      await expect(output(pg, receiver)).not.toContainText('info: service started');
    }

    await checks.getByRole('button', { name: 'Check my work' }).click();
    await expect(checks.getByText('All 6 checks pass. Well done!')).toBeVisible({ timeout: 10_000 });
    mkdirSync(SCREENSHOTS, { recursive: true });
    await pg.screenshot({ path: `${SCREENSHOTS}/publish-subscribe-solution.png` });
    expect(errors).toEqual([]);
  });

  test('the demo playground has no checks', async ({ page }) => {
    await page.goto('/playground/');
    const pg = await playground(page, HELLO);
    await expect(pg.getByRole('button', { name: 'Run send.ts' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Check my work' })).toHaveCount(0);
  });
});

test.describe('check my work: topics', () => {
  test('topics: the direct starter treats patterns as plain keys; the solution passes every check', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto('/lessons/topics/');
    const pg = await playground(page, 'Playground: emit-log.ts, receive-logs.ts');
    const checks = pg.getByRole('region', { name: 'Checks' });
    const results = checks.getByRole('list', { name: 'Check results' });
    const send = async (args: string, label: string) => {
      await pg.getByRole('tab', { name: 'emit-log.ts' }).click();
      await pg.getByLabel('Arguments').fill(args);
      await run(pg, 'emit-log.ts');
      await expect(output(pg, label)).toContainText('exited with code 0');
    };

    // The starter declares a direct exchange: '*.critical' is a key like any other.
    await run(pg, 'receive-logs.ts');
    await expect(output(pg, 'receive-logs.ts #1')).toContainText('waiting for *.critical lines');
    await send('kern.critical Out of memory: killed process 4242', 'emit-log.ts #1');
    await send('*.critical Anyone there?', 'emit-log.ts #2');
    await expect(output(pg, 'receive-logs.ts #1')).toContainText('[*.critical] Anyone there?');
    await expect(output(pg, 'receive-logs.ts #1')).not.toContainText('Out of memory');
    await checks.getByRole('button', { name: 'Check my work' }).click();
    await expect(checks.getByText('0 of 5 checks pass.')).toBeVisible({ timeout: 10_000 });
    await expect(results.getByRole('listitem').first()).toContainText("'system-logs' is a direct exchange");

    // The solution, after a reset (the direct exchange would refuse to become a topic one).
    await pg.getByRole('button', { name: 'Reset broker' }).click();
    await expect(pg.getByRole('textbox', { name: 'emit-log.ts, code editor' })).toBeAttached({ timeout: 20_000 });
    await pg.getByRole('button', { name: 'Solution', exact: true }).click();
    const receivers = ['*.critical', 'kern.#', '#'];
    for (const [i, pattern] of receivers.entries()) {
      await pg.getByRole('tab', { name: 'receive-logs.ts' }).click();
      await pg.getByLabel('Arguments').fill(pattern);
      await run(pg, 'receive-logs.ts');
      await expect(output(pg, `receive-logs.ts (solution) #${i + 2}`)).toContainText(`waiting for ${pattern} lines`);
    }
    const lines = [
      'kern.critical Out of memory: killed process 4242',
      'auth.critical Root login from 203.0.113.9',
      'kern.info CPU 3 is now online',
      'cron.info Nightly backup done in 4 min',
      'kern.disk.critical Disk sda: 12 sectors unreadable',
    ];
    for (const [i, line] of lines.entries()) await send(line, `emit-log.ts (solution) #${i + 3}`);
    const critical = output(pg, 'receive-logs.ts (solution) #2');
    const kernel = output(pg, 'receive-logs.ts (solution) #3');
    const everything = output(pg, 'receive-logs.ts (solution) #4');
    await expect(everything).toContainText('[kern.disk.critical] Disk sda');
    await expect(kernel).toContainText('[kern.disk.critical] Disk sda');
    await expect(critical).toContainText('[auth.critical] Root login');
    await expect(critical).not.toContainText('kern.disk.critical');
    await expect(kernel).not.toContainText('auth.critical');

    await checks.getByRole('button', { name: 'Check my work' }).click();
    await expect(checks.getByText('All 5 checks pass. Well done!')).toBeVisible({ timeout: 10_000 });
    mkdirSync(SCREENSHOTS, { recursive: true });
    await pg.screenshot({ path: `${SCREENSHOTS}/topics-solution.png` });
    expect(errors).toEqual([]);
  });
});

test.describe('check my work: publisher confirms', () => {
  test('publisher confirms: the starter loses orders silently; the solution retries the nacked ones until all are in', async ({ page }) => {
    // The packer takes a second per order, and the solution retries every two seconds.
    test.setTimeout(60_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto('/lessons/publisher-confirms/');
    const pg = await playground(page, 'Playground: send-orders.ts, packer.ts');
    const checks = pg.getByRole('region', { name: 'Checks' });
    const button = checks.getByRole('button', { name: 'Check my work' });
    const results = checks.getByRole('list', { name: 'Check results' });

    // The starter: a plain channel; the full queue refuses order-7 and order-8 and nobody hears of it.
    await run(pg, 'packer.ts');
    await expect(output(pg, 'packer.ts #1')).toContainText('packer ready');
    await run(pg, 'send-orders.ts');
    await expect(output(pg, 'send-orders.ts #1')).toContainText('exited with code 0');
    await expect(output(pg, 'send-orders.ts #1')).toContainText('sent: order-8');
    await button.click();
    await expect(checks.getByText('1 of 5 checks pass.')).toBeVisible({ timeout: 10_000 });
    await expect(results.getByRole('listitem').filter({ hasText: "Every order reaches the queue 'orders'" })).toContainText('never got into');

    // The solution, with the packer stopped first: five fit, three are nacked and retried until the packer makes room.
    await pg.getByRole('button', { name: 'Reset broker' }).click();
    await expect(pg.getByRole('textbox', { name: 'send-orders.ts, code editor' })).toBeAttached({ timeout: 20_000 });
    await pg.getByRole('button', { name: 'Solution', exact: true }).click();
    await run(pg, 'send-orders.ts');
    const sender = output(pg, 'send-orders.ts (solution) #2');
    await expect(sender).toContainText('nacked: order-8');
    await expect(sender).toContainText('3 nacked; trying again in 2 s');
    await run(pg, 'packer.ts');
    await expect(sender).toContainText('exited with code 0', { timeout: 30_000 });
    await button.click();
    await expect(checks.getByText('All 5 checks pass. Well done!')).toBeVisible({ timeout: 10_000 });
    mkdirSync(SCREENSHOTS, { recursive: true });
    await pg.screenshot({ path: `${SCREENSHOTS}/publisher-confirms-solution.png` });
    expect(errors).toEqual([]);
  });
});

test.describe('check my work: RPC', () => {
  test('rpc: a client gives up with no server; two servers answer; the solution passes every check', async ({ page }) => {
    test.setTimeout(60_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto('/lessons/rpc/');
    const pg = await playground(page, 'Playground: rpc-server.ts, rpc-client.ts');
    const checks = pg.getByRole('region', { name: 'Checks' });
    const queues = pg.getByRole('table', { name: 'Queues' });
    await expect(pg.getByRole('textbox', { name: 'rpc-server.ts, code editor' })).toBeAttached({ timeout: 20_000 });
    await pg.getByRole('button', { name: 'Solution', exact: true }).click();

    // No server yet: the request waits in rpc_queue, and the client gives up after 5 s.
    await pg.getByRole('tab', { name: 'rpc-client.ts' }).click();
    await pg.getByLabel('Arguments').fill('7');
    await run(pg, 'rpc-client.ts');
    await expect(queues.getByRole('row').filter({ hasText: 'amq.gen-' })).toHaveCount(1);
    await expect(output(pg, 'rpc-client.ts (solution) #1')).toContainText('fib(7): no answer within 5 s', { timeout: 15_000 });
    await expect(output(pg, 'rpc-client.ts (solution) #1')).toContainText('exited with code 0');
    await expect(queues.getByRole('row').filter({ hasText: 'amq.gen-' })).toHaveCount(0);

    // The first server answers the stale request into a reply queue that is gone; a second one joins.
    await run(pg, 'rpc-server.ts');
    await expect(output(pg, 'rpc-server.ts (solution) #1')).toContainText('fib(7) = 13, sent to amq.gen-');
    await run(pg, 'rpc-server.ts');
    await expect(output(pg, 'rpc-server.ts (solution) #2')).toContainText("waiting for requests on 'rpc_queue'");
    await expect(queues.getByRole('row').filter({ hasText: 'rpc_queue' })).toContainText('2');

    // Three questions at once, shared by the two servers, each answer matched to its question.
    await pg.getByRole('tab', { name: 'rpc-client.ts' }).click();
    await pg.getByLabel('Arguments').fill('30 20 25');
    await run(pg, 'rpc-client.ts');
    const client = output(pg, 'rpc-client.ts (solution) #2');
    await expect(client).toContainText('exited with code 0', { timeout: 15_000 });
    for (const line of ['fib(30) = 832040', 'fib(20) = 6765', 'fib(25) = 75025']) await expect(client).toContainText(line);

    await checks.getByRole('button', { name: 'Check my work' }).click();
    await expect(checks.getByText('All 7 checks pass. Well done!')).toBeVisible({ timeout: 10_000 });
    mkdirSync(SCREENSHOTS, { recursive: true });
    await pg.screenshot({ path: `${SCREENSHOTS}/rpc-solution.png` });
    expect(errors).toEqual([]);
  });
});

test.describe('check my work: dead letters and TTL', () => {
  test('rejected jobs wait in jobs.wait, come back, and are parked after 3 attempts', async ({ page }) => {
    test.setTimeout(60_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto('/lessons/dead-letters-and-ttl/');
    const pg = await playground(page, 'Playground: worker.ts, new-job.ts');
    const checks = pg.getByRole('region', { name: 'Checks' });
    const queues = pg.getByRole('table', { name: 'Queues' });
    await expect(pg.getByRole('textbox', { name: 'worker.ts, code editor' })).toBeAttached({ timeout: 20_000 });
    await pg.getByRole('button', { name: 'Solution', exact: true }).click();

    await run(pg, 'worker.ts');
    await expect(output(pg, 'worker.ts (solution) #1')).toContainText('worker ready');
    await expect(pg.getByRole('table', { name: 'Bindings' })).toContainText('jobs.dlx');

    const send = async (job: string, n: number) => {
      await pg.getByRole('tab', { name: 'new-job.ts' }).click();
      await pg.getByLabel('Arguments').fill(job);
      await run(pg, 'new-job.ts');
      await expect(output(pg, `new-job.ts (solution) #${n}`)).toContainText('exited with code 0');
    };
    await send('resize photo', 1);
    await send('send invoice!', 2);
    await send('sync stock!!!!!', 3);
    const worker = output(pg, 'worker.ts (solution) #1');
    await expect(worker).toContainText('done: "send invoice!" (attempt 2)', { timeout: 10_000 });
    await expect(worker).toContainText("x-death: rejected from 'jobs', 2x", { timeout: 10_000 });
    await expect(worker).toContainText('gave up on "sync stock!!!!!" after 3 attempts', { timeout: 10_000 });
    await expect(queues.getByRole('row').filter({ hasText: 'jobs.parked' })).toContainText('1');

    await checks.getByRole('button', { name: 'Check my work' }).click();
    await expect(checks.getByText('All 5 checks pass. Well done!')).toBeVisible({ timeout: 10_000 });
    mkdirSync(SCREENSHOTS, { recursive: true });
    await pg.screenshot({ path: `${SCREENSHOTS}/dead-letters-and-ttl-solution.png` });
    expect(errors).toEqual([]);
  });
});
