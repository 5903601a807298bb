// The runner's Program, in Node: learner programs against a real broker over
// MessageChannels, as in the page (the page's side is serveMessagePort). Errors thrown
// from the client's transport callbacks reach the browser worker's 'error' event; those
// are covered by the e2e tests.
import { describe, expect, it } from 'vitest';
import { Broker } from '../../../src/broker/index.ts';
import type { FromWorker } from '../../../src/playground/protocol.ts';
import { wrapperOffset } from '../../../src/playground/worker/compile.ts';
import { Program } from '../../../src/playground/worker/runtime.ts';
import { serveMessagePort, type PortLike } from '../../../src/server/message-port.ts';
import { helloWorld } from '../../../src/playground/examples.ts';

interface Run {
  program: Program;
  messages: FromWorker[];
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number>;
}

async function run(broker: Broker, code: string, filename = 'main.ts', args: string[] = []): Promise<Run> {
  const messages: FromWorker[] = [];
  let exited: (code: number) => void = () => undefined;
  const exit = new Promise<number>((resolve) => (exited = resolve));
  const post = (message: FromWorker, transfer: Transferable[] = []) => {
    messages.push(message);
    if (message.type === 'connect') serveMessagePort(broker, transfer[0] as unknown as PortLike, { peerName: filename });
    if (message.type === 'exit') exited(message.code);
  };
  const program = new Program(post, filename, args, await wrapperOffset());
  program.start(code);
  const text = (stream: 'stdout' | 'stderr') => () =>
    messages.flatMap((m) => (m.type === 'output' && m.stream === stream ? [m.text] : [])).join('');
  return { program, messages, stdout: text('stdout'), stderr: text('stderr'), exit };
}

const starter = (name: string) => helloWorld.find((p) => p.name === name)!.starter;

describe('a program runs like a Node process', () => {
  it('hello world: receive gets what send sent; send exits 0 by itself, receive keeps running', async () => {
    const broker = new Broker();
    const receive = await run(broker, starter('receive.ts'), 'receive.ts');
    await expect.poll(() => receive.stdout()).toContain('Waiting for messages in hello');
    const send = await run(broker, starter('send.ts'), 'send.ts');
    expect(await send.exit).toBe(0);
    expect(send.stdout()).toBe(" [x] Sent 'Hello World!'\n");
    await expect.poll(() => receive.stdout()).toContain(' [x] Received Hello World!\n');
    expect(receive.program.exited).toBe(false);
    receive.program.signal('SIGINT');
    expect(await receive.exit).toBe(130);
    expect(broker.vhost.queues.get('hello')?.consumerCount).toBe(1); // the page hangs up, not the runner
  });

  it('gets argv from the Run box, and exits with process.exitCode', async () => {
    const r = await run(new Broker(), "console.log(process.argv.slice(2).join(' ')); process.exitCode = 3;", 'new_task.ts', ['Third', 'task...']);
    expect(await r.exit).toBe(3);
    expect(r.stdout()).toBe('Third task...\n');
  });

  it('runs until its timers are done', async () => {
    const r = await run(new Broker(), "setTimeout(() => console.log('later'), 30);\nconsole.log('now');");
    expect(await r.exit).toBe(0);
    expect(r.stdout()).toBe('now\nlater\n');
  });

  it('an interval keeps it running until cleared; unref() does not', async () => {
    const r = await run(new Broker(), "let n = 0;\nconst t = setInterval(() => { if (++n === 3) clearInterval(t); }, 5);\nsetTimeout(() => {}, 10_000).unref();\nprocess.on('exit', (code) => console.log('exit', code, n));");
    expect(await r.exit).toBe(0);
    expect(r.stdout()).toBe('exit 0 3\n');
  });

  it('process.exit(code) ends it at once', async () => {
    const r = await run(new Broker(), "console.log('a');\nprocess.exit(4);\nconsole.log('b');");
    expect(await r.exit).toBe(4);
    expect(r.stdout()).toBe('a\n');
  });

  it('an uncaught error prints like Node, exits 1, and marks its line', async () => {
    const r = await run(new Broker(), "const x: number = 1;\n\nthrow new TypeError('bad ' + x);\n");
    expect(await r.exit).toBe(1);
    expect(r.stderr()).toMatch(/^TypeError: bad 1\n {4}at main\.ts:3:\d+\n$/);
    expect(r.messages).toContainEqual({ type: 'problem', message: 'TypeError: bad 1', line: 3, column: expect.any(Number) });
    expect(r.messages).toContainEqual({ type: 'note', text: 'TypeError thrown at line 3 of main.ts.' });
  });

  it('a syntax error names the line and column, and the program does not start', async () => {
    const r = await run(new Broker(), "console.log('never');\nconst x = {\n  a: 1\n  b: 2 };\n", 'broken.ts');
    expect(await r.exit).toBe(1);
    expect(r.stdout()).toBe('');
    expect(r.stderr()).toBe('broken.ts:4\n  b: 2 };\n  ^\n\nSyntaxError: Unexpected token, expected ","\n');
    expect(r.messages).toContainEqual({ type: 'problem', message: 'SyntaxError: Unexpected token, expected ","', line: 4, column: 3 });
  });

  it('a rejected await prints the server error the way amqplib words it', async () => {
    const code = "import amqp from 'amqplib';\nconst c = await amqp.connect('amqp://localhost');\nconst ch = await c.createChannel();\nch.on('error', () => {});\nawait ch.checkQueue('nope');\n";
    const r = await run(new Broker(), code);
    expect(await r.exit).toBe(1);
    expect(r.stderr()).toContain(`Error: Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no queue 'nope' in vhost '/'"`);
    expect(r.stderr()).toContain('code: 404');
  });

  it('an await that can never finish ends with 13, as an unsettled top-level await in Node', async () => {
    const r = await run(new Broker(), 'await new Promise(() => {});');
    expect(await r.exit).toBe(13);
    expect(r.stderr()).toContain('unsettled top-level await');
  });

  it('Stop (SIGINT) runs the program\'s handler, which can close cleanly', async () => {
    const broker = new Broker();
    const code = "import amqp from 'amqplib';\nconst c = await amqp.connect('amqp://localhost');\nprocess.on('SIGINT', async () => { await c.close(); console.log('closed'); });\n";
    const r = await run(broker, code);
    await expect.poll(() => broker.connections.size).toBe(1);
    r.program.signal('SIGINT');
    expect(await r.exit).toBe(0);
    expect(r.stdout()).toBe('closed\n');
    expect(r.messages).toContainEqual({ type: 'signal-received' });
    expect(broker.connections.size).toBe(0);
  });

  it('offers amqplib, buffer, util and timers/promises, and names what else is missing', async () => {
    const code = [
      "import { setTimeout as sleep } from 'node:timers/promises';",
      "import { format } from 'util';",
      "import { Buffer as B } from 'buffer';",
      'await sleep(5);',
      "console.log(format('%s=%d', 'n', 1), B.from('hi').toString('hex'));",
      "require('fs');",
    ].join('\n');
    const r = await run(new Broker(), code);
    expect(await r.exit).toBe(1);
    expect(r.stdout()).toBe('n=1 6869\n');
    expect(r.stderr()).toContain("Error: Cannot find module 'fs'");
    expect(r.stderr()).toContain("code: 'MODULE_NOT_FOUND'");
  });
});
