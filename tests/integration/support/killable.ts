/**
 * A broker in its own process that a test can kill, for crash recovery (WARREN_TARGET picks
 * which, as in ../target.ts):
 *
 * - warren: `node src/server/cli.ts --port P --data-dir DIR` (what `npm run broker` runs),
 *   on 127.0.0.1, with a temporary data directory.
 * - rabbitmq: a throw-away node (tests/support/rabbitmq.ts), killed and started again on
 *   the same data.
 *
 * kill('SIGKILL') is a crash; kill('SIGTERM') a clean stop. start() brings the broker back on
 * the same port and data. Every wait is bounded; stop() ends whatever is still running, and
 * an exit hook SIGKILLs a Warren process left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../support/free-port.ts';
import { isRabbitMQInstalled, startRabbitMQ } from '../../support/rabbitmq.ts';
import { TARGET, type TargetName } from '../target.ts';

export interface KillableBroker {
  name: TargetName;
  port: number;
  url: string;
  /** Ends the broker process (SIGKILL: a crash; SIGTERM: a clean stop); resolves once it is gone. */
  kill(signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** After kill(): the broker again, same port, same data. */
  start(): Promise<void>;
  /** Ends everything started; idempotent. */
  stop(): Promise<void>;
}

export async function startKillable(): Promise<KillableBroker> {
  if (TARGET === 'warren') return startWarrenProcess();
  if (!isRabbitMQInstalled()) {
    throw new Error('WARREN_TARGET=rabbitmq: rabbitmq-server is not installed (apt-get install rabbitmq-server)');
  }
  const rabbit = await startRabbitMQ();
  return { name: 'rabbitmq', port: rabbit.port, url: rabbit.url, kill: (s) => rabbit.kill(s), start: () => rabbit.start(), stop: () => rabbit.stop() };
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NODE = existsSync(resolve(ROOT, 'node_modules/.bin/node')) ? resolve(ROOT, 'node_modules/.bin/node') : process.execPath;

/** Warren processes to SIGKILL if the test process exits without stop(). */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

async function startWarrenProcess(): Promise<KillableBroker> {
  const dataDir = mkdtempSync(join(tmpdir(), 'warren-crash-'));
  const port = await freePort();
  let child: ChildProcess | undefined;

  const boot = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const proc = spawn(NODE, ['src/server/cli.ts', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      live.add(proc);
      proc.once('exit', () => live.delete(proc));
      let output = '';
      proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const ready = await new Promise<boolean>((done) => {
        const timer = setTimeout(() => done(false), 20_000);
        const check = () => {
          if (output.includes('listening on')) {
            clearTimeout(timer);
            done(true);
          }
        };
        proc.stdout!.on('data', check);
        proc.once('exit', () => {
          clearTimeout(timer);
          done(false);
        });
      });
      if (ready) {
        child = proc;
        return;
      }
      proc.kill('SIGKILL');
      await exited(proc, 5_000);
      // The port of a process just killed is free at once; retry a few times all the same.
      if (attempt >= 3 || !/already in use/.test(output)) {
        throw new Error(`Warren (npm run broker) did not start on 127.0.0.1:${port}:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  const kill = async (signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc) return;
    proc.kill(signal);
    if (await exited(proc, signal === 'SIGTERM' ? 15_000 : 5_000)) return;
    proc.kill('SIGKILL');
    if (!(await exited(proc, 5_000))) throw new Error(`Warren process ${proc.pid} survived SIGKILL`);
  };

  let stopped = false;
  await boot();
  return {
    name: 'warren',
    port,
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    kill,
    async start() {
      if (child) throw new Error('Warren: start() while it runs; kill() it first');
      await boot();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await kill('SIGKILL');
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
