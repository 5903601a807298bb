/**
 * Test support: start a throw-away RabbitMQ node (Debian's rabbitmq-server)
 * to compare Warren against, and stop it again.
 *
 * - Listens on 127.0.0.1 only, on a free port (AMQP), with its own free
 *   Erlang distribution port, its own epmd on a free port bound to
 *   127.0.0.1, a unique node name, and its own temporary HOME, data, log and
 *   config directory (removed by stop()).
 * - Never touches the systemd service, /var/lib/rabbitmq or the default
 *   epmd on 4369.
 * - Every wait is bounded; errors say what to do (and include the log tail).
 * - stop() ends every process it started (the rabbitmq-server wrapper, the
 *   beam VM and its helpers, our epmd): graceful SIGTERM first, then SIGKILL.
 *   An exit hook also SIGKILLs them if the test process exits without stop().
 * - kill() ends the node alone (SIGKILL: a crash; SIGTERM: a clean stop) and
 *   start() boots it again on the same data, name and ports: a node restart.
 *
 * Usage (vitest; give the hook more than the default 30 s):
 *   let rabbit: RunningRabbitMQ | undefined;
 *   beforeAll(async () => { if (isRabbitMQInstalled()) rabbit = await startRabbitMQ(); }, 90_000);
 *   afterAll(async () => { await rabbit?.stop(); }, 30_000);
 *   ... amqplib.connect(rabbit.url) ...
 *
 * CLI: `node tests/support/rabbitmq.ts CMD ARGS...` (see cli() below).
 *
 * Measured on the 2-core dev machine (RabbitMQ 3.10.8, Erlang 25, other
 * jobs running): start 6.5–12.7 s (typically 8–10 s; most of it is the
 * Erlang VM and RabbitMQ's own boot), stop 1.1–1.8 s (graceful).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const EPMD_CANDIDATES = ['/usr/bin/epmd', '/usr/lib/erlang/bin/epmd'];

export interface RunningRabbitMQ {
  /** AMQP port on 127.0.0.1. */
  port: number;
  /** `amqp://guest:guest@127.0.0.1:<port>` (guest may log in over loopback). */
  url: string;
  /** Erlang node name, e.g. `warren-1234-ab12cd@localhost`. */
  nodename: string;
  /** The node's temporary directory (data, logs, config); removed by stop(). */
  dir: string;
  /** Milliseconds from spawn to the broker answering the AMQP header. */
  startMs: number;
  /** Stop the node and every process started for it; idempotent. */
  stop(): Promise<void>;
  /**
   * Ends the node's processes (beam and its helpers; epmd stays) and resolves once they are
   * gone. SIGKILL (default): all at once, as a crash would, no clean shutdown. SIGTERM: a
   * graceful stop (SIGKILL after 30 s).
   */
  kill(signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** After kill(): starts the node again with the same name, ports and data directory. */
  start(): Promise<void>;
}

export interface StartRabbitMQOptions {
  /** Max time to wait for the broker to answer AMQP (default 60 s). */
  timeoutMs?: number;
  /** Keep the temporary directory after stop() (for debugging). */
  keepDir?: boolean;
}

function findEpmd(): string | undefined {
  return EPMD_CANDIDATES.find((p) => existsSync(p));
}

/** True when Debian's rabbitmq-server (and Erlang's epmd) are installed. */
export function isRabbitMQInstalled(): boolean {
  return existsSync(RABBITMQ_SERVER) && findEpmd() !== undefined;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Linux /proc view of one process: parent pid and state ('Z' = zombie, which
 * is already dead and only waits for its parent to reap it).
 */
function procStat(pid: number): { ppid: number; state: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ..." — comm may contain spaces and parens.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '?', ppid: Number(rest[1]) };
  } catch {
    return undefined;
  }
}

/** `root` and every live descendant of it (beam's helpers call setsid, so
 * a process group is not enough to find them). */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [root];
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const st = procStat(pid);
    if (st === undefined) continue;
    const list = children.get(st.ppid) ?? [];
    list.push(pid);
    children.set(st.ppid, list);
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** True while the process exists and is not a zombie. */
function alive(pid: number): boolean {
  const st = procStat(pid);
  if (st !== undefined) return st.state !== 'Z';
  try {
    process.kill(pid, 0); // no /proc (not Linux): fall back to kill 0
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

async function waitGone(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!pids.some(alive)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

/**
 * Ends `root` and all its descendants: SIGTERM to root (RabbitMQ's wrapper
 * turns it into a graceful stop), wait up to graceMs, then SIGKILL every
 * process of the tree that is still alive.
 */
async function endTree(root: number, graceMs: number): Promise<void> {
  const pids = processTree(root);
  if (!pids.some(alive)) return;
  signal(root, 'SIGTERM');
  if (await waitGone(pids, graceMs)) return;
  for (const pid of [...pids, ...processTree(root)]) if (alive(pid)) signal(pid, 'SIGKILL');
  if (!(await waitGone(pids, 5_000))) {
    throw new Error(`RabbitMQ: processes ${pids.filter(alive).join(', ')} survived SIGKILL`);
  }
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * One probe: connect, send the AMQP 0-9-1 protocol header, and resolve true
 * when the server answers with a method frame (connection.start), false on
 * refusal/close/timeout.
 */
function probeAmqp(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('connect', () => socket.write(Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1])));
    // Frame type 1 = method frame; channel 0; connection.start is class 10 method 10.
    socket.once('data', (data: Buffer) => finish(data.length >= 11 && data[0] === 1 && data.readUInt16BE(7) === 10));
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
  });
}

/** Waits until a TCP listener accepts on 127.0.0.1:port. */
async function waitListening(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return true;
    await sleep(25);
  }
  return false;
}

function exitState(child: ChildProcess): string | undefined {
  if (child.exitCode !== null) return `exit code ${child.exitCode}`;
  if (child.signalCode !== null) return `signal ${child.signalCode}`;
  return undefined;
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (exitState(child) !== undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Process trees to SIGKILL if the test process exits without calling stop(). */
const liveRoots = new Set<number>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const root of liveRoots) for (const pid of processTree(root)) signal(pid, 'SIGKILL');
  });
}

/**
 * Starts a private RabbitMQ node; see the file comment. Retries once with
 * fresh ports if a port picked by freePort() was taken in the meantime.
 */
export async function startRabbitMQ(options: StartRabbitMQOptions = {}): Promise<RunningRabbitMQ> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      if (attempt >= 2 || !/eaddrinuse|address already in use/i.test(text)) throw err;
    }
  }
}

async function startOnce(options: StartRabbitMQOptions): Promise<RunningRabbitMQ> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const epmdBin = findEpmd();
  if (!existsSync(RABBITMQ_SERVER)) {
    throw new Error('rabbitmq-server is not installed: apt-get install rabbitmq-server');
  }
  if (epmdBin === undefined) {
    throw new Error('epmd (Erlang) is not installed: apt-get install rabbitmq-server erlang-base');
  }

  const dir = mkdtempSync(join(tmpdir(), 'warren-rabbitmq-'));
  const home = join(dir, 'home');
  const mnesia = join(dir, 'mnesia');
  const logs = join(dir, 'log');
  for (const d of [home, mnesia, logs]) mkdirSync(d, { recursive: true });
  const configBase = join(dir, 'rabbitmq'); // RabbitMQ appends .conf
  writeFileSync(
    `${configBase}.conf`,
    [
      'log.console = false',
      'log.file.level = info',
      // A test box may have little free disk; don't block publishers for it.
      'disk_free_limit.absolute = 1MB',
      '',
    ].join('\n'),
  );
  const enabledPlugins = join(dir, 'enabled_plugins');
  writeFileSync(enabledPlugins, '[].\n');
  const startupLog = join(logs, 'startup.log');

  const [port, distPort, epmdPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const nodename = `warren-${process.pid}-${Math.random().toString(36).slice(2, 8)}@localhost`;

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    HOME: home, // the Erlang cookie is created here, not in the real HOME
    ERL_EPMD_ADDRESS: '127.0.0.1',
    ERL_EPMD_PORT: String(epmdPort),
    RABBITMQ_NODENAME: nodename,
    RABBITMQ_USE_LONGNAME: 'false',
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: mnesia,
    RABBITMQ_LOG_BASE: logs,
    RABBITMQ_CONFIG_FILE: configBase,
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'), // absent: don't read /etc's
    RABBITMQ_ENABLED_PLUGINS_FILE: enabledPlugins,
    RABBITMQ_PLUGINS_EXPAND_DIR: join(dir, 'plugins-expand'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
    // Distribution only on loopback; never start another epmd.
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1} -start_epmd false',
  };

  installExitHook();
  const started = Date.now();
  const roots: number[] = [];
  /** The running rabbitmq-server tree (null after kill()). */
  let serverRoot: number | null = null;
  const children: ChildProcess[] = [];
  let stopped = false;
  const stopAll = async () => {
    if (stopped) return;
    stopped = true;
    // The broker first (SIGTERM = graceful stop in RabbitMQ), then epmd.
    const errors: unknown[] = [];
    for (const root of [...roots].reverse()) {
      try {
        await endTree(root, 15_000);
      } catch (err) {
        errors.push(err);
      }
      liveRoots.delete(root);
    }
    // Let Node reap its direct children so no zombie is left behind.
    await Promise.all(children.map((c) => waitExit(c, 2_000)));
    if (!options.keepDir) rmSync(dir, { recursive: true, force: true });
    if (errors.length > 0) throw errors[0];
  };

  // Our own epmd, in the foreground (so we own its pid), loopback only.
  const epmdOut = openSync(join(logs, 'epmd.log'), 'a');
  const epmd = spawn(epmdBin, ['-address', '127.0.0.1', '-port', String(epmdPort)], {
    env,
    detached: true, // not killed by a Ctrl-C aimed at the test runner's group
    stdio: ['ignore', epmdOut, epmdOut],
  });
  closeSync(epmdOut);
  epmd.unref(); // a forgotten stop() must not keep the test process alive
  if (epmd.pid === undefined) {
    await stopAll();
    throw new Error(`RabbitMQ: could not spawn ${epmdBin}`);
  }
  roots.push(epmd.pid);
  children.push(epmd);
  liveRoots.add(epmd.pid);
  if (!(await waitListening(epmdPort, 5_000))) {
    const why = exitState(epmd) ?? 'not listening after 5 s';
    await stopAll();
    throw new Error(`RabbitMQ: epmd on 127.0.0.1:${epmdPort} did not start (${why})`);
  }

  /**
   * Spawns rabbitmq-server with `env` (same name, ports and data as any earlier run) and
   * waits until it answers AMQP; on failure the caller stops everything.
   */
  const bootServer = async (since: number): Promise<void> => {
    const out = openSync(startupLog, 'a');
    const server = spawn(RABBITMQ_SERVER, [], {
      env,
      cwd: dir,
      detached: true, // not killed by a Ctrl-C aimed at the test runner's group
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    server.unref();
    if (server.pid === undefined) throw new Error(`RabbitMQ: could not spawn ${RABBITMQ_SERVER}`);
    roots.push(server.pid);
    children.push(server);
    liveRoots.add(server.pid);
    serverRoot = server.pid;

    const deadline = since + timeoutMs;
    for (;;) {
      const exited = exitState(server);
      if (exited !== undefined) {
        throw new Error(`RabbitMQ exited during start (${exited}). Log tail:\n${tail(startupLog)}`);
      }
      if (await probeAmqp(port, 1_000)) return;
      if (Date.now() >= deadline) {
        throw new Error(
          `RabbitMQ did not answer AMQP on 127.0.0.1:${port} within ${timeoutMs} ms. Log tail:\n${tail(startupLog)}`,
        );
      }
      await sleep(100);
    }
  };

  try {
    await bootServer(started);
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
  const startMs = Date.now() - started;

  return {
    port,
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    nodename,
    dir,
    startMs,
    stop: stopAll,
    async kill(sig: 'SIGKILL' | 'SIGTERM' = 'SIGKILL') {
      if (stopped || serverRoot === null) return;
      const root = serverRoot;
      serverRoot = null;
      if (sig === 'SIGTERM') await endTree(root, 30_000);
      else {
        // The whole tree at once: beam gets no chance to shut down cleanly.
        const pids = processTree(root);
        for (const pid of pids) signal(pid, 'SIGKILL');
        if (!(await waitGone(pids, 10_000))) {
          throw new Error(`RabbitMQ: processes ${pids.filter(alive).join(', ')} survived SIGKILL`);
        }
      }
      roots.splice(roots.indexOf(root), 1);
      liveRoots.delete(root);
    },
    async start() {
      if (stopped) throw new Error('RabbitMQ: start() after stop()');
      if (serverRoot !== null) throw new Error('RabbitMQ: start() while the node runs; kill() it first');
      await bootServer(Date.now());
    },
  };
}

/**
 * CLI: `node tests/support/rabbitmq.ts CMD ARGS...` starts a throw-away node,
 * runs CMD with `{port}` / `{url}` in ARGS replaced (and RABBITMQ_PORT /
 * RABBITMQ_URL in its environment), stops the node and exits with CMD's code.
 * E.g. `node tests/support/rabbitmq.ts /usr/bin/python3 scripts/rabbitmq-oracle.py {port}`.
 */
async function cli(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) {
    console.error('usage: node tests/support/rabbitmq.ts CMD [ARGS...]   ({port} and {url} are replaced)');
    return 2;
  }
  const rabbit = await startRabbitMQ();
  console.error(`RabbitMQ ${rabbit.nodename} on ${rabbit.url} (started in ${rabbit.startMs} ms)`);
  let code = 1;
  try {
    const child = spawn(
      cmd,
      args.map((a) => a.replaceAll('{port}', String(rabbit.port)).replaceAll('{url}', rabbit.url)),
      { stdio: 'inherit', env: { ...process.env, RABBITMQ_PORT: String(rabbit.port), RABBITMQ_URL: rabbit.url } },
    );
    code = await new Promise<number>((resolve) => {
      child.once('error', (err) => {
        console.error(err.message);
        resolve(127);
      });
      child.once('exit', (c, sig) => resolve(c ?? (sig ? 128 : 1)));
    });
  } finally {
    const t = Date.now();
    await rabbit.stop();
    console.error(`RabbitMQ stopped in ${Date.now() - t} ms`);
  }
  return code;
}

if (import.meta.main) {
  process.exitCode = await cli(process.argv.slice(2));
}
