// `npm run broker` as a process: it says where it listens, serves amqplib, shuts down
// cleanly on SIGTERM (320 to clients, exit 0) and explains a port in use in one line.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';

const NODE = new URL('../../../node_modules/.bin/node', import.meta.url).pathname;
const CLI = new URL('../../../src/server/cli.ts', import.meta.url).pathname;

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(NODE, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'warren-cli-'));
  dirs.push(dir);
  return dir;
};

describe('npm run broker', () => {
  it('listens, serves a client, and shuts down with 320 and exit 0 on SIGTERM', async () => {
    const dataDir = tempDir();
    const broker = run(['--port', '0', '--data-dir', dataDir]);
    await until(() => broker.stdout().includes('listening on'), 'the listening line');
    const line = broker.stdout().split('\n')[0]!;
    expect(line).toMatch(new RegExp(`^Warren broker listening on amqp://127\\.0\\.0\\.1:\\d+ \\(guest/guest\\) — data in ${dataDir}$`));
    const url = /amqp:\/\/[\d.]+:\d+/.exec(line)![0];

    const connection = await amqp.connect(url);
    const channel = await connection.createChannel();
    await channel.assertQueue('durable.q', { durable: true });
    channel.sendToQueue('durable.q', Buffer.from('kept'), { persistent: true });
    await channel.checkQueue('durable.q');
    const closed = new Promise<Error & { code?: number }>((resolve) => connection.once('close', resolve));

    broker.child.kill('SIGTERM');
    const reason = await closed;
    expect(reason.code).toBe(320);
    expect(reason.message).toContain("CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'");
    expect(await broker.exited).toBe(0);
    expect(broker.stdout()).toContain('Stopped.');

    // Durable state came back from the data directory.
    const again = run(['--port', '0', '--data-dir', dataDir]);
    await until(() => again.stdout().includes('listening on'), 'the listening line');
    const url2 = /amqp:\/\/[\d.]+:\d+/.exec(again.stdout())![0];
    const c2 = await amqp.connect(url2);
    const ch2 = await c2.createChannel();
    expect(await ch2.checkQueue('durable.q')).toMatchObject({ messageCount: 1 });
    await c2.close();
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
  }, 30_000);

  it('says in one line that the port is in use, and exits 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const broker = run(['--port', String(port), '--data-dir', tempDir()]);
      expect(await broker.exited).toBe(1);
      expect(broker.stderr().trim().split('\n')).toEqual([
        `warren: port ${port} on 127.0.0.1 is already in use (another broker, maybe RabbitMQ, listens there). Try --port ${port + 1}.`,
      ]);
    } finally {
      blocker.close();
    }
  }, 15_000);

  it('prints help and refuses unknown flags', async () => {
    const help = run(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toContain('--data-dir <dir>');
    const bad = run(['--prot', '1']);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toContain("Unknown option '--prot'");
  }, 15_000);
});
