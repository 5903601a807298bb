// The playground on its demo page (/playground/): programs run in their own workers
// against the broker in the page. Each test gets a fresh page, so a fresh broker.
import { mkdirSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { measureContrast } from './contrast.ts';

const SCREENSHOTS = 'test-results/screenshots';
const HELLO = 'Playground: send.ts, receive.ts';
const WORK = 'Playground: new_task.ts, worker.ts';
const EXERCISE = 'Playground: count.ts';

/** A playground, scrolled into view and mounted (its Run button is there). */
async function playground(page: Page, name: string): Promise<Locator> {
  const pg = page.getByRole('region', { name });
  await pg.scrollIntoViewIfNeeded();
  await expect(pg.getByRole('button', { name: /^Run / })).toBeVisible();
  return pg;
}

async function run(pg: Locator, program: string, args?: string): Promise<void> {
  await pg.getByRole('tab', { name: program }).click();
  if (args !== undefined) await pg.getByRole('textbox', { name: 'Arguments' }).fill(args);
  await pg.getByRole('button', { name: `Run ${program}` }).click();
}

const output = (pg: Locator, label: string) => pg.getByRole('log', { name: `${label} output` });
const console_ = (pg: Locator, label: string) => pg.getByRole('region', { name: label });

/** Replaces a program's code as a learner would paste it (typing would auto-close brackets). */
async function pasteCode(page: Page, pg: Locator, program: string, code: string): Promise<void> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.evaluate((text) => navigator.clipboard.writeText(text), code);
  await pg.getByRole('tab', { name: program }).click();
  await pg.getByRole('textbox', { name: `${program}, code editor` }).focus();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('ControlOrMeta+v');
  await expect(pg.locator('.view-lines')).toContainText(code.split('\n')[0]!);
}

/** How far (px) the first error squiggle is from the editor line showing `lineText`; Infinity until both render. */
async function squiggleOffset(pg: Locator, lineText: string): Promise<number> {
  const line = await pg.locator('.view-line', { hasText: lineText }).first().boundingBox({ timeout: 500 }).catch(() => null);
  const squiggle = await pg.locator('.squiggly-error').first().boundingBox({ timeout: 500 }).catch(() => null);
  if (line === null || squiggle === null) return Infinity;
  return Math.abs(line.y + line.height / 2 - (squiggle.y + squiggle.height / 2));
}

test.describe('playground', () => {
  test('hello world: receive.ts prints what send.ts sent; Ctrl+Enter runs', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto('/playground/');
    const pg = await playground(page, HELLO);

    await pg.getByRole('tab', { name: 'receive.ts' }).click();
    await pg.getByRole('textbox', { name: 'receive.ts, code editor' }).focus();
    await page.keyboard.press('ControlOrMeta+Enter');
    await expect(output(pg, 'receive.ts #1')).toContainText('[*] Waiting for messages in hello');

    await run(pg, 'send.ts');
    await expect(output(pg, 'send.ts #1')).toContainText(" [x] Sent 'Hello World!'");
    await expect(output(pg, 'receive.ts #1')).toContainText(' [x] Received Hello World!');
    await expect(output(pg, 'send.ts #1')).toContainText('exited with code 0');
    await expect(console_(pg, 'receive.ts #1')).toContainText('running');
    await expect(pg.getByRole('table', { name: 'Queues' }).getByRole('row', { name: /^hello/ })).toContainText(/classic\s*no\s*0\s*0\s*1/);
    // The lifecycle diagram follows the newest message: delivered with auto-ack, so consumed.
    const lifecycle = pg.getByRole('region', { name: 'Message lifecycle' });
    await expect(lifecycle).toContainText("Message #1 in queue 'hello' is consumed.");
    await expect(lifecycle.getByRole('img')).toBeVisible();
    expect(errors).toEqual([]);
  });

  test('two workers share ten tasks: each gets some, every task is done once', async ({ page }) => {
    await page.goto('/playground/');
    const pg = await playground(page, WORK);
    await run(pg, 'worker.ts');
    await run(pg, 'worker.ts');
    await expect(output(pg, 'worker.ts #1')).toContainText('Waiting for tasks');
    await expect(output(pg, 'worker.ts #2')).toContainText('Waiting for tasks');
    for (let i = 1; i <= 10; i++) await run(pg, 'new_task.ts', `Task ${i}.`);

    const logs = [output(pg, 'worker.ts #1'), output(pg, 'worker.ts #2')];
    await expect
      .poll(async () => (await Promise.all(logs.map((l) => l.innerText()))).join('').split(' [x] Done').length - 1, { timeout: 15_000 })
      .toBe(10);
    const texts = await Promise.all(logs.map((l) => l.innerText()));
    for (const text of texts) expect(text).toContain(' [x] Received');
    const received = texts.join('\n').match(/Received 'Task \d+\.'/g) ?? [];
    expect(received.toSorted()).toEqual(Array.from({ length: 10 }, (_, i) => `Received 'Task ${i + 1}.'`).toSorted());
  });

  test('killing a worker mid-task gives its task to the other, redelivered', async ({ page }) => {
    await page.goto('/playground/');
    const pg = await playground(page, WORK);
    await run(pg, 'worker.ts');
    await run(pg, 'worker.ts');
    await expect(output(pg, 'worker.ts #2')).toContainText('Waiting for tasks');
    await run(pg, 'new_task.ts', 'Slow task....');

    let busy = 0;
    await expect
      .poll(async () => {
        for (const n of [1, 2]) if ((await output(pg, `worker.ts #${n}`).innerText()).includes("Received 'Slow task....'")) busy = n;
        return busy;
      })
      .toBeGreaterThan(0);
    const other = busy === 1 ? 2 : 1;
    await pg.getByRole('button', { name: `Kill worker.ts #${busy}` }).click();
    await expect(console_(pg, `worker.ts #${busy}`)).toContainText('killed');
    await expect(output(pg, `worker.ts #${other}`)).toContainText("Received 'Slow task....' (redelivered)");
    await expect(pg.getByRole('table', { name: 'Queues' }).getByRole('row', { name: /^task_queue/ })).toContainText(/yes\s*0\s*1\s*1/);
  });

  test('Stop ends an endless loop and the page stays responsive', async ({ page }) => {
    await page.goto('/playground/');
    const pg = await playground(page, HELLO);
    await pasteCode(page, pg, 'send.ts', "console.log('spinning');\nwhile (true) {}\n");
    await pg.getByRole('button', { name: 'Run send.ts' }).click();
    await expect(output(pg, 'send.ts #1')).toContainText('spinning');
    await pg.getByRole('button', { name: 'Stop send.ts #1' }).click();
    await expect(console_(pg, 'send.ts #1')).toContainText('stopped', { timeout: 2_000 });
    // The main thread was never blocked: another program runs and talks to the broker.
    await run(pg, 'receive.ts');
    await expect(output(pg, 'receive.ts #1')).toContainText('Waiting for messages');
  });

  test('errors read like Node\'s and point at their line: syntax, runtime, AMQP', async ({ page }) => {
    await page.goto('/playground/');
    const pg = await playground(page, HELLO);

    await pasteCode(page, pg, 'send.ts', "const a = 1;\nconst b = 2;\nconst c = a +* b;\nconsole.log(c);\n");
    await pg.getByRole('button', { name: 'Run send.ts' }).click();
    await expect(output(pg, 'send.ts #1')).toContainText('SyntaxError: Unexpected token');
    await expect(output(pg, 'send.ts #1')).toContainText(/Syntax error at line 3, column \d+ of send\.ts/);
    await expect(output(pg, 'send.ts #1')).toContainText('exited with code 1');
    await expect.poll(() => squiggleOffset(pg, 'a +* b')).toBeLessThan(4);

    // TypeScript sees nothing wrong here: the squiggle is the run's own marker.
    await pasteCode(page, pg, 'send.ts', "const text = '{';\nconsole.log('parsing');\n\nconst data = JSON.parse(text);\n");
    await expect(pg.locator('.squiggly-error')).toHaveCount(0);
    await pg.getByRole('button', { name: 'Run send.ts' }).click();
    await expect(output(pg, 'send.ts #2')).toContainText('SyntaxError thrown at line 4 of send.ts');
    await expect(output(pg, 'send.ts #2')).toContainText(/at send\.ts:4:\d+/);
    await expect.poll(() => squiggleOffset(pg, 'JSON.parse')).toBeLessThan(4);

    // A channel error nobody listens for crashes the program, as amqplib crashes Node.
    await pasteCode(page, pg, 'send.ts', "import amqp from 'amqplib';\nconst connection = await amqp.connect('amqp://localhost');\nconst channel = await connection.createChannel();\nawait channel.checkQueue('nope');\n");
    await pg.getByRole('button', { name: 'Run send.ts' }).click();
    await expect(output(pg, 'send.ts #3')).toContainText(
      `Error: Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no queue 'nope' in vhost '/'"`,
    );
    await expect(output(pg, 'send.ts #3')).toContainText('code: 404');
    await expect(console_(pg, 'send.ts #3')).toContainText('exited with code 1');
  });

  test('Restart keeps a durable queue\'s persistent messages and drops a transient queue', async ({ page }) => {
    await page.goto('/playground/');
    const hello = await playground(page, HELLO);
    await run(hello, 'send.ts');
    await expect(output(hello, 'send.ts #1')).toContainText('exited with code 0');
    const work = await playground(page, WORK);
    await run(work, 'new_task.ts', 'Keep me.');
    await expect(output(work, 'new_task.ts #1')).toContainText('exited with code 0');

    const queues = work.getByRole('table', { name: 'Queues' });
    await expect(queues.getByRole('row', { name: /^hello/ })).toContainText(/classic\s*no\s*1\s*0\s*0/);
    await expect(queues.getByRole('row', { name: /^task_queue/ })).toContainText(/classic\s*yes\s*1\s*0\s*0/);
    await work.getByRole('button', { name: 'Restart broker' }).click();
    // Announced from the broker's restart event: what came back, exactly.
    await expect(work.locator('.pg-broker-status')).toHaveText(
      'Broker restarted: connections were closed. 1 durable queue came back: task_queue (1 message). Non-durable queues and non-persistent messages are gone.',
    );
    await expect(queues.getByRole('row', { name: /^hello/ })).toHaveCount(0);
    await expect(queues.getByRole('row', { name: /^task_queue/ })).toContainText(/classic\s*yes\s*1\s*0\s*0/);

    // And the message is still there to consume.
    await run(work, 'worker.ts');
    await expect(output(work, 'worker.ts #1')).toContainText("Received 'Keep me.'");
  });

  test('a running program sees Restart close its connection with 320 CONNECTION_FORCED', async ({ page }) => {
    await page.goto('/playground/');
    const pg = await playground(page, HELLO);
    await run(pg, 'receive.ts');
    await expect(output(pg, 'receive.ts #1')).toContainText('Waiting');
    await pg.getByRole('button', { name: 'Restart broker' }).click();
    await expect(output(pg, 'receive.ts #1')).toContainText(
      "The broker closed this program's connection: 320 CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'",
    );
    // amqplib does not treat 320 as an error: the connection just closes and, with
    // nothing left to do, the program ends.
    await expect(console_(pg, 'receive.ts #1')).toContainText('exited with code 0');
  });

  test('code is kept across visits; Solution shows the reference read-only; Reset code restores the starter', async ({ page }) => {
    await page.goto('/playground/');
    let pg = await playground(page, EXERCISE);
    await pasteCode(page, pg, 'count.ts', "console.log('my attempt');\n");
    await page.waitForTimeout(600); // saving is debounced
    await page.reload();
    pg = await playground(page, EXERCISE);
    await expect(pg.locator('.view-lines')).toContainText("console.log('my attempt');");

    const solution = pg.getByRole('button', { name: 'Solution', exact: true });
    await solution.click();
    await expect(solution).toHaveAttribute('aria-pressed', 'true');
    await expect(pg.getByText('The solution of count.ts, read-only.')).toBeVisible();
    await expect(pg.locator('.view-lines')).toContainText('messageCount');
    await pg.getByRole('button', { name: 'Run count.ts' }).click();
    await expect(output(pg, 'count.ts (solution) #1')).toContainText(' [i] 0 message(s) wait in hello');
    await solution.click();
    await expect(pg.locator('.view-lines')).toContainText("console.log('my attempt');");

    page.once('dialog', (dialog) => void dialog.accept());
    await pg.getByRole('button', { name: 'Reset code' }).click();
    await expect(pg.locator('.view-lines')).toContainText('Exercise: print how many messages');
    await page.reload();
    pg = await playground(page, EXERCISE);
    await expect(pg.locator('.view-lines')).toContainText('Exercise: print how many messages');
  });

  test('is usable from the keyboard: tabs with arrow keys, Run, Stop', async ({ page }) => {
    await page.goto('/playground/');
    const pg = await playground(page, HELLO);
    await pg.getByRole('tab', { name: 'send.ts' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(pg.getByRole('tab', { name: 'receive.ts' })).toBeFocused();
    await expect(pg.getByRole('tab', { name: 'receive.ts' })).toHaveAttribute('aria-selected', 'true');
    await pg.getByRole('textbox', { name: 'Arguments' }).focus();
    await page.keyboard.press('Enter');
    await expect(output(pg, 'receive.ts #1')).toContainText('Waiting');
    await page.keyboard.press('Tab'); // to Run receive.ts
    await expect(pg.getByRole('button', { name: 'Run receive.ts' })).toBeFocused();
    await pg.getByRole('button', { name: 'Stop receive.ts #1' }).focus();
    await page.keyboard.press('Enter');
    await expect(console_(pg, 'receive.ts #1')).toContainText('stopped');
  });


  test('the Activity feed follows each message from publish to ack; Pause freezes it', async ({ page }) => {
    await page.goto('/playground/');
    const pg = await playground(page, HELLO);
    const feed = pg.getByRole('log', { name: 'Activity' });
    await expect(feed).toHaveAttribute('aria-live', 'off');
    await expect(feed).toHaveAttribute('tabindex', '0');
    await run(pg, 'receive.ts');
    await expect(output(pg, 'receive.ts #1')).toContainText('Waiting');
    await run(pg, 'send.ts');
    await expect(output(pg, 'receive.ts #1')).toContainText('Received');
    await expect(feed).toContainText("queue 'hello' declared");
    await expect(feed).toContainText(/consumer amq\.ctag-\S+ added on 'hello' \(auto-ack\)/);
    await expect(feed).toContainText("#1 published to the default exchange (routing key 'hello') by connection");
    await expect(feed).toContainText("#1 routed by the default exchange to 'hello'");
    await expect(feed).toContainText(/#1 delivered to amq\.ctag-\S+ from 'hello' \(delivery tag 1, auto-ack\)/);

    // worker.ts acks: its task is followed to the ack.
    const work = await playground(page, WORK);
    const workFeed = work.getByRole('log', { name: 'Activity' });
    await run(work, 'worker.ts');
    await expect(output(work, 'worker.ts #1')).toContainText('Waiting for tasks');
    await run(work, 'new_task.ts', 'Quick.');
    await expect(output(work, 'worker.ts #1')).toContainText(' [x] Done');
    await expect(workFeed).toContainText("queue 'task_queue' declared (durable)");
    await expect(workFeed).toContainText(/consumer amq\.ctag-\S+ added on 'task_queue' \(prefetch 1\)/);
    await expect(workFeed).toContainText("#2 routed by the default exchange to 'task_queue'");
    await expect(workFeed).toContainText(/#2 delivered to amq\.ctag-\S+ from 'task_queue' \(delivery tag 1\)/);
    await expect(workFeed).toContainText('#2 acked');

    // Pause freezes the list while the broker keeps working; Resume catches up and says how much.
    const pause = pg.getByRole('button', { name: 'Pause', exact: true });
    await pause.click();
    await expect(pause).toHaveAttribute('aria-pressed', 'true');
    const frozen = await feed.innerText();
    await run(pg, 'send.ts');
    await expect(output(pg, 'receive.ts #1')).toContainText(/Received[\s\S]*Received/);
    await expect(pg.locator('.pg-activity-note')).toContainText(/Paused: \d+ new steps? not shown yet\./);
    expect(await feed.innerText()).toBe(frozen);
    await expect(workFeed).toContainText('#3 published');
    await pause.click();
    await expect(pause).toHaveAttribute('aria-pressed', 'false');
    await expect(pg.locator('.pg-activity-status')).toHaveText(/^Activity resumed: \d+ steps? came in while paused\.$/);
    await expect(feed).toContainText("#3 routed by the default exchange to 'hello'");

    // Restart keeps the feed; Reset clears it.
    await pg.getByRole('button', { name: 'Restart broker' }).click();
    await expect(feed).toContainText('broker restarted: 1 durable queue came back');
    await expect(feed).toContainText('#1 published');
    await pg.getByRole('button', { name: 'Reset broker' }).click();
    await expect(feed).not.toContainText('#1');
    await expect(feed).toContainText('Nothing yet');
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`text meets WCAG AA contrast in ${scheme} mode`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto('/playground/');
      const pg = await playground(page, HELLO);
      await pasteCode(page, pg, 'send.ts', "console.log('out');\nconsole.error('err');\nprocess.exit(2);\n");
      await pg.getByRole('button', { name: 'Run send.ts' }).click();
      await run(pg, 'receive.ts');
      await expect(console_(pg, 'send.ts #1')).toContainText('exited with code 2');
      const samples = await measureContrast(page, [
        '.pg-tab[aria-selected="true"]',
        '.pg-tab[aria-selected="false"]',
        '.pg-run-button',
        '.pg-button',
        '.pg-args-label',
        '.pg-hint',
        '.pg-log',
        '.pg-stderr',
        '.pg-note',
        '.pg-state[data-state="failed"]',
        '.pg-state[data-state="running"]',
        '.pg-table caption',
        '.pg-table thead th',
        '.pg-table tbody th',
        '.pg-table .pg-muted th',
      ]);
      for (const s of samples) expect(s.ratio, `${s.selector} (${s.color} on ${s.background})`).toBeGreaterThanOrEqual(4.5);
    });

    test(`screenshot in ${scheme} mode`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto('/playground/');
      const pg = await playground(page, HELLO);
      await expect(pg.locator('.monaco-editor')).toBeVisible();
      await run(pg, 'receive.ts');
      await expect(output(pg, 'receive.ts #1')).toContainText('Waiting');
      await run(pg, 'send.ts');
      await expect(output(pg, 'receive.ts #1')).toContainText('Received');
      await expect(output(pg, 'send.ts #1')).toContainText('exited');
      mkdirSync(SCREENSHOTS, { recursive: true });
      await pg.screenshot({ path: `${SCREENSHOTS}/playground-${scheme}.png` });
      // The editor follows the site's theme toggle too, not only the system's.
      await page.getByRole('button', { name: 'Dark mode' }).click();
      await expect(pg.locator('.monaco-editor').first()).toHaveClass(scheme === 'light' ? /vs-dark/ : /\bvs\b(?!-)/);
    });
  }

  test('screenshot on a phone', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/playground/');
    const pg = await playground(page, HELLO);
    await run(pg, 'send.ts');
    await expect(output(pg, 'send.ts #1')).toContainText('exited');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await pg.screenshot({ path: `${SCREENSHOTS}/playground-phone.png` });
  });
});
