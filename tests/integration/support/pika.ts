/**
 * Runs the pika programs in tests/integration/pika/ (Debian's python3-pika, run with
 * /usr/bin/python3) against the target broker, and follows what they print: one JSON
 * object per line on stdout.
 *
 * Every wait is bounded. Every process started here is remembered; killAllPika() (call it
 * in afterEach) SIGKILLs whatever is still running, and each program also has its own
 * time limit (PIKA_TIME_LIMIT, 30 s) in case the test process dies first.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';
const PIKA_DIR = fileURLToPath(new URL('../pika/', import.meta.url));

let pikaChecked: boolean | undefined;
/** True when /usr/bin/python3 can import pika. */
export function isPikaInstalled(): boolean {
  pikaChecked ??= spawnSync(PYTHON, ['-c', 'import pika'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  return pikaChecked;
}

export type PikaEvent = { event: string } & Record<string, unknown>;

export interface PikaExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class PikaProcess {
  readonly events: PikaEvent[] = [];
  stderr = '';
  /** Raw stdout lines that were not JSON. */
  readonly noise: string[] = [];
  readonly exited: Promise<PikaExit>;
  private readonly child: ChildProcess;
  private exit: PikaExit | undefined;
  private waiters = new Set<() => void>();

  readonly script: string;
  readonly args: string[];

  constructor(script: string, args: string[]) {
    this.script = script;
    this.args = args;
    this.child = spawn(PYTHON, [PIKA_DIR + script, ...args], {
      cwd: PIKA_DIR,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', PIKA_TIME_LIMIT: '30' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line === '') continue;
        try {
          this.events.push(JSON.parse(line) as PikaEvent);
        } catch {
          this.noise.push(line);
        }
      }
      this.wake();
    });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.stderr += `\nspawn error: ${err.message}`;
        this.exit = { code: 127, signal: null };
        this.wake();
        resolve(this.exit);
      });
      this.child.once('close', (code, signal) => {
        this.exit = { code, signal };
        this.wake();
        resolve(this.exit);
      });
    });
    running.add(this);
    void this.exited.then(() => running.delete(this));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Events named `name` so far. */
  named(name: string): PikaEvent[] {
    return this.events.filter((e) => e.event === name);
  }

  /** Waits for the first event that matches; fails after timeoutMs or when the program exits first. */
  waitFor(match: string | ((e: PikaEvent) => boolean), timeoutMs = 10_000): Promise<PikaEvent> {
    const pred = typeof match === 'string' ? (e: PikaEvent) => e.event === match : match;
    return this.waitUntil(() => this.events.find(pred), timeoutMs, `an event ${typeof match === 'string' ? `'${match}'` : 'matching the predicate'}`);
  }

  /** Waits until `count` events named `name` arrived. */
  async waitForCount(name: string, count: number, timeoutMs = 10_000): Promise<PikaEvent[]> {
    await this.waitUntil(() => (this.named(name).length >= count ? true : undefined), timeoutMs, `${count} '${name}' events`);
    return this.named(name);
  }

  private waitUntil<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = (): boolean => {
        const value = check();
        if (value !== undefined) {
          finish();
          resolve(value);
          return true;
        }
        if (this.exit !== undefined) {
          finish();
          reject(new Error(`${this.describe()} exited (${this.exitText()}) before ${what}${this.tail()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${this.describe()}: no ${what} within ${timeoutMs} ms${this.tail()}`));
      }, timeoutMs);
      const waiter = () => void done();
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
      done();
    });
  }

  /** Waits for the program to end and requires exit code 0; returns its events. */
  async success(timeoutMs = 15_000): Promise<PikaEvent[]> {
    const exit = await this.waitExit(timeoutMs);
    if (exit.code !== 0) throw new Error(`${this.describe()} failed (${this.exitText()})${this.tail()}`);
    return this.events;
  }

  /** Waits for the program to end (bounded); kills it when the time is up. */
  async waitExit(timeoutMs = 15_000): Promise<PikaExit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.kill();
      throw new Error(`${this.describe()} still running after ${timeoutMs} ms (killed)${this.tail()}`);
    }
    return result;
  }

  /** SIGKILL, as a crashed worker; resolves once the process is gone. */
  async kill(): Promise<void> {
    if (this.exit === undefined) this.child.kill('SIGKILL');
    await this.exited;
  }

  private describe(): string {
    return `pika ${this.script} ${this.args.join(' ')}`;
  }

  private exitText(): string {
    return this.exit ? (this.exit.signal ? `signal ${this.exit.signal}` : `exit code ${this.exit.code}`) : 'running';
  }

  private tail(): string {
    const out = this.events.map((e) => JSON.stringify(e)).join('\n');
    return `\n--- stdout ---\n${[out, ...this.noise].filter(Boolean).join('\n')}\n--- stderr ---\n${this.stderr.trim()}`;
  }
}

const running = new Set<PikaProcess>();

/** Starts `tests/integration/pika/<script> <port> <args...>`. */
export function pika(script: string, port: number, ...args: (string | number)[]): PikaProcess {
  return new PikaProcess(script, [String(port), ...args.map(String)]);
}

/** Runs a program to the end, requires exit code 0, returns its events. */
export function runPika(script: string, port: number, ...args: (string | number)[]): Promise<PikaEvent[]> {
  return pika(script, port, ...args).success();
}

/** SIGKILLs every program still running (afterEach). */
export async function killAllPika(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill()));
}
