/**
 * Which broker the integration suite talks to: `WARREN_TARGET=warren` (default) or
 * `WARREN_TARGET=rabbitmq`.
 *
 * - warren: Warren's AMQP 0-9-1 server (`src/server/tcp.ts`), in this process, on a free
 *   loopback port, with a fresh `Broker`. With `{ durable: true }` the broker keeps its
 *   durable state in a `SqliteStore` in a temporary directory, and `restart()` stops the
 *   server and the broker and starts new ones over the same directory, on the same port.
 *   Starting and stopping take milliseconds.
 * - rabbitmq: a throw-away RabbitMQ node (tests/support/rabbitmq.ts; ~10 s to start, so
 *   give the hook 90 s). `restart()` restarts the RabbitMQ application inside the node
 *   (`rabbitmqctl stop_app` + `start_app`): clients are disconnected with 320
 *   CONNECTION_FORCED, durable queues and persistent messages come back from disk, on
 *   the same port.
 *
 * Every wait is bounded; errors say what to do.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Broker } from '../../src/broker/index.ts';
import type { Store } from '../../src/broker/index.ts';
import { freePort } from '../support/free-port.ts';
import { isRabbitMQInstalled, startRabbitMQ, type RunningRabbitMQ } from '../support/rabbitmq.ts';

export type TargetName = 'warren' | 'rabbitmq';

export interface Target {
  name: TargetName;
  /** `amqp://guest:guest@127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Stop the broker and start it again on the same port, keeping durable state. */
  restart(): Promise<void>;
  /** Stop everything this target started; idempotent. */
  stop(): Promise<void>;
}

export interface TargetOptions {
  /** Warren: keep durable state in a SqliteStore (needed for restart()). */
  durable?: boolean;
}

function targetFromEnv(): TargetName {
  const raw = (process.env.WARREN_TARGET ?? 'warren').trim().toLowerCase();
  if (raw === '' || raw === 'warren') return 'warren';
  if (raw === 'rabbitmq') return 'rabbitmq';
  throw new Error(`WARREN_TARGET=${process.env.WARREN_TARGET}: expected 'warren' or 'rabbitmq'`);
}

/** The broker this run talks to (WARREN_TARGET). */
export const TARGET: TargetName = targetFromEnv();

/** Hook timeout to give startTarget / restart (RabbitMQ needs ~10 s, more under load). */
export const START_TIMEOUT_MS = TARGET === 'rabbitmq' ? 90_000 : 20_000;
/** Hook timeout to give stop(). */
export const STOP_TIMEOUT_MS = 30_000;

export function startTarget(options: TargetOptions = {}): Promise<Target> {
  return TARGET === 'rabbitmq' ? startRabbitMQTarget() : startWarrenTarget(options);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Waits until something accepts TCP connections on 127.0.0.1:port. */
async function waitListening(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() >= deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await sleep(25);
  }
}

// ---------------------------------------------------------------------------
// Warren, in process
// ---------------------------------------------------------------------------

/** What the suite expects of src/server/tcp.ts. */
interface TcpServerModule {
  startServer(options: { host: string; port: number; broker: Broker }): Promise<RunningServer> | RunningServer;
}
interface RunningServer {
  address: unknown;
  close(): Promise<void> | void;
}
interface SqliteStoreModule {
  SqliteStore: new (dir: string) => Store;
}

const SRC_SERVER = new URL('../../src/server/', import.meta.url);

async function importServerModule<T>(file: string, what: string): Promise<T> {
  const url = new URL(file, SRC_SERVER);
  if (!existsSync(fileURLToPath(url))) {
    throw new Error(
      `WARREN_TARGET=warren: src/server/${file} does not exist yet (${what}). ` +
        'The integration suite needs it to run against Warren; until it lands, run it against ' +
        'RabbitMQ: npm run test:rabbitmq',
    );
  }
  return (await import(/* @vite-ignore */ url.href)) as T;
}

async function startWarrenTarget(options: TargetOptions): Promise<Target> {
  const { startServer } = await importServerModule<TcpServerModule>('tcp.ts', "Warren's AMQP 0-9-1 TCP server, startServer({ host, port, broker })");
  const sqlite = options.durable
    ? await importServerModule<SqliteStoreModule>('sqlite-store.ts', 'the node:sqlite store, new SqliteStore(dir)')
    : undefined;
  const dataDir = sqlite ? mkdtempSync(join(tmpdir(), 'warren-it-')) : undefined;

  let broker: Broker | undefined;
  let store: Store | undefined;
  let server: RunningServer | undefined;
  let port = 0;

  const boot = async (fixedPort?: number): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const p = fixedPort ?? (await freePort());
      store = sqlite && dataDir ? new sqlite.SqliteStore(dataDir) : undefined;
      broker = new Broker(store ? { store } : {});
      try {
        server = await withTimeout(Promise.resolve(startServer({ host: '127.0.0.1', port: p, broker })), 5_000, 'startServer');
        port = p;
        return;
      } catch (err) {
        broker.stop();
        store?.close();
        const inUse = /eaddrinuse|address already in use/i.test(String((err as Error)?.message ?? err));
        if (!inUse || attempt >= (fixedPort ? 20 : 3)) throw err;
        await sleep(fixedPort ? 100 : 0); // the old listener may still be closing
      }
    }
  };

  const shutdown = async (): Promise<void> => {
    // As RabbitMQ on shutdown: the listener goes away, clients get connection.close 320
    // CONNECTION_FORCED; then the broker stops and the store is flushed and closed.
    const b = broker;
    const s = server;
    const st = store;
    broker = undefined;
    server = undefined;
    store = undefined;
    try {
      if (s) await withTimeout(Promise.resolve(s.close()), 10_000, 'Warren server close()');
    } finally {
      b?.stop();
      st?.close();
    }
  };

  await boot();
  let stopped = false;
  return {
    name: 'warren',
    get port() {
      return port;
    },
    get url() {
      return `amqp://guest:guest@127.0.0.1:${port}`;
    },
    async restart() {
      if (!sqlite) throw new Error('Warren target: restart() needs startTarget({ durable: true })');
      await shutdown();
      await boot(port);
      await waitListening(port, 5_000);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await shutdown();
      } finally {
        if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

// ---------------------------------------------------------------------------
// RabbitMQ, a throw-away node
// ---------------------------------------------------------------------------

async function startRabbitMQTarget(): Promise<Target> {
  if (!isRabbitMQInstalled()) {
    throw new Error('WARREN_TARGET=rabbitmq: rabbitmq-server is not installed (apt-get install rabbitmq-server)');
  }
  const rabbit = await startRabbitMQ();
  return {
    name: 'rabbitmq',
    port: rabbit.port,
    url: rabbit.url,
    async restart() {
      await rabbitmqctl(rabbit, ['stop_app'], 60_000);
      await rabbitmqctl(rabbit, ['start_app'], 60_000);
      await waitListening(rabbit.port, 30_000);
    },
    stop: () => rabbit.stop(),
  };
}

/** The environment tests/support/rabbitmq.ts gave the node (read from /proc), for rabbitmqctl. */
function nodeEnvironment(nodename: string): Record<string, string> {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${name}/environ`, 'latin1');
    } catch {
      continue;
    }
    const vars = environ.split('\0');
    if (!vars.includes(`RABBITMQ_NODENAME=${nodename}`)) continue;
    const env: Record<string, string> = {};
    for (const v of vars) {
      const i = v.indexOf('=');
      if (i > 0) env[v.slice(0, i)] = v.slice(i + 1);
    }
    return env;
  }
  throw new Error(`RabbitMQ restart: no process of node ${nodename} found in /proc`);
}

const RABBITMQCTL = '/usr/lib/rabbitmq/bin/rabbitmqctl';

async function rabbitmqctl(rabbit: RunningRabbitMQ, args: string[], timeoutMs: number): Promise<void> {
  const nodeEnv = nodeEnvironment(rabbit.nodename);
  const keep = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'ERL_EPMD_ADDRESS', 'ERL_EPMD_PORT', 'RABBITMQ_NODENAME', 'RABBITMQ_USE_LONGNAME', 'RABBITMQ_CONF_ENV_FILE'];
  const env: NodeJS.ProcessEnv = {};
  for (const k of keep) if (nodeEnv[k] !== undefined) env[k] = nodeEnv[k];
  const child = spawn(RABBITMQCTL, ['-n', rabbit.nodename, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | string>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('timeout');
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve(err.message);
    });
    child.once('exit', (c, sig) => {
      clearTimeout(timer);
      resolve(c ?? String(sig));
    });
  });
  if (code !== 0) throw new Error(`rabbitmqctl ${args.join(' ')} failed (${code}):\n${out}`);
}
