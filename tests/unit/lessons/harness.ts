// Runs a lesson's programs in this process, as the playground runs them in the page: each
// program is TypeScript turned into CommonJS by sucrase and evaluated with its own
// `require` (where 'amqplib' is Warren's client), console, process.argv and timers, over
// in-memory connections to a fresh Broker. The steps of the lesson's scenario start,
// stop and wait; the result is the event trace and the broker's state for the checks.

import { transform } from 'sucrase';
import { Broker, type BrokerEvent } from '../../../src/broker/index.ts';
import * as amqp from '../../../src/client/api.ts';
import { setTransportFactory, transportPair, type ByteTransport } from '../../../src/client/index.ts';
import { findEvents, snapshotBroker, type BrokerState, type Scenario, type ScenarioStep } from '../../../src/grader/index.ts';
import { AmqpSession } from '../../../src/server/session.ts';

export interface RunOptions {
  /** Program timers run this much faster than asked: 0.02 turns a second of "work" into 20 ms. */
  timeScale?: number;
  /** Idle means no broker event for this long and no program timer pending. */
  quietMs?: number;
  /** The longest any one step may take. */
  stepTimeoutMs?: number;
}

export interface RunResult {
  /** Every event but frames. */
  trace: BrokerEvent[];
  state: BrokerState;
  /** What the programs printed, each line prefixed with the program's name. */
  output: string[];
  /** Errors thrown by programs, and steps that timed out. */
  errors: string[];
}

export interface ProgramSource {
  source: string;
  args?: string;
}

type AsyncFn = (...args: unknown[]) => Promise<void>;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => AsyncFn;
const GLOBALS = ['require', 'exports', 'module', 'process', 'console', 'Buffer', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'];

class Exit extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Running {
  label: string;
  stopped: boolean;
  mainDone: boolean;
  timeouts: Set<ReturnType<typeof setTimeout>>;
  intervals: Set<ReturnType<typeof setInterval>>;
  transports: { transport: ByteTransport; closed: boolean }[];
  /** The server side of each connection it opened, to see what it holds. */
  sessions: AmqpSession[];
}

export async function runScenario(programs: ReadonlyMap<string, ProgramSource>, scenario: Scenario, options: RunOptions = {}): Promise<RunResult> {
  const timeScale = options.timeScale ?? 0.02;
  const quietMs = options.quietMs ?? 100;
  const stepTimeoutMs = options.stepTimeoutMs ?? 5000;

  let broker = new Broker();
  const trace: BrokerEvent[] = [];
  const output: string[] = [];
  const errors: string[] = [];
  let lastEvent = performance.now();
  /** Programs a `stop … when: 'holding'` step armed: each is stopped by the event that hands it a message. */
  const crashWhenHolding = new Set<Running>();
  // The stream outlives restarts (Broker.restart shares it), so one subscription serves all.
  broker.events.subscribe((event) => {
    lastEvent = performance.now();
    if (event.type !== 'frame') trace.push(event);
    if (event.type === 'message.delivered') for (const p of crashWhenHolding) if (holds(p)) crash(p);
  });

  const running = new Map<string, Running>();
  const compiled = new Map<string, string>();
  const all: Running[] = [];

  const report = (p: Running, error: unknown) => {
    if (error instanceof Exit || p.stopped) return;
    errors.push(`${p.label}: ${error instanceof Error ? error.message : String(error)}`);
  };

  function connectFor(p: Running): ByteTransport {
    const [client, server] = transportPair();
    const session = new AmqpSession(broker, {
      send: (bytes) => server.send(bytes),
      close: () => server.close(),
      peer: { address: p.label, isLoopback: true },
    });
    server.onData((chunk) => session.receive(chunk));
    server.onClose(() => session.transportClosed());
    p.sessions.push(session);
    const entry = { transport: client, closed: false };
    client.onClose(() => (entry.closed = true));
    p.transports.push(entry);
    // Whatever the client throws inside a delivery (an unhandled 'error', a consumer that
    // throws) belongs to the program, as an uncaught exception would in its own process.
    return {
      send: (bytes) => client.send(bytes),
      close: () => client.close(),
      onClose: (listener) =>
        client.onClose((error) => {
          try {
            listener(error);
          } catch (thrown) {
            report(p, thrown);
          }
        }),
      onData: (listener) =>
        client.onData((chunk) => {
          if (p.stopped) return;
          try {
            listener(chunk);
          } catch (error) {
            report(p, error);
          }
        }),
    };
  }

  function amqplibFor(p: Running): unknown {
    const api = {
      ...amqp,
      connect: (...args: Parameters<typeof amqp.connect>) => {
        // connect() reads the factory synchronously, so setting it just before is enough.
        setTransportFactory(() => connectFor(p));
        return amqp.connect(...args);
      },
    };
    return { __esModule: true, default: api, ...api };
  }

  function start(name: string, label: string, args: string | undefined): Running {
    const program = programs.get(name);
    if (program === undefined) throw new Error(`the scenario runs "${name}", which is not one of the lesson's programs`);
    let code = compiled.get(name);
    if (code === undefined) {
      code = transform(program.source, { transforms: ['typescript', 'imports'], filePath: name }).code;
      compiled.set(name, code);
    }
    const p: Running = { label, stopped: false, mainDone: false, timeouts: new Set(), intervals: new Set(), transports: [], sessions: [] };
    const guard = (fn: (...a: unknown[]) => void) => (...a: unknown[]) => {
      if (p.stopped) return;
      try {
        fn(...a);
      } catch (error) {
        report(p, error);
      }
    };
    const timers = {
      setTimeout: (fn: (...a: unknown[]) => void, ms = 0, ...a: unknown[]) => {
        const handle = setTimeout(() => {
          p.timeouts.delete(handle);
          guard(fn)(...a);
        }, ms * timeScale);
        p.timeouts.add(handle);
        return handle;
      },
      clearTimeout: (handle: ReturnType<typeof setTimeout>) => {
        p.timeouts.delete(handle);
        clearTimeout(handle);
      },
      setInterval: (fn: (...a: unknown[]) => void, ms = 0, ...a: unknown[]) => {
        const handle = setInterval(() => guard(fn)(...a), Math.max(1, ms * timeScale));
        p.intervals.add(handle);
        return handle;
      },
      clearInterval: (handle: ReturnType<typeof setInterval>) => {
        p.intervals.delete(handle);
        clearInterval(handle);
      },
    };
    const print = (...parts: unknown[]) => {
      if (!p.stopped) output.push(`${label}: ${parts.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ')}`);
    };
    const fakeConsole = { log: print, info: print, warn: print, error: print, debug: print };
    const fakeProcess = {
      argv: ['node', name, ...(args ?? program.args ?? '').split(/\s+/).filter(Boolean)],
      env: {},
      exit: () => {
        stop(p);
        throw new Exit();
      },
      on: () => fakeProcess,
      once: () => fakeProcess,
    };
    const requireShim = (id: string) => {
      if (id === 'amqplib') return amqplibFor(p);
      throw new Error(`Cannot find module '${id}': lesson programs can import only 'amqplib'`);
    };
    const module = { exports: {} };
    const main = new AsyncFunction(...GLOBALS, code);
    main(requireShim, module.exports, module, fakeProcess, fakeConsole, Buffer, timers.setTimeout, timers.clearTimeout, timers.setInterval, timers.clearInterval).then(
      () => (p.mainDone = true),
      (error: unknown) => {
        p.mainDone = true;
        report(p, error);
      },
    );
    all.push(p);
    return p;
  }

  /** The program runs no more code: no callback, no timer, no incoming data. */
  function freeze(p: Running): void {
    if (p.stopped) return;
    p.stopped = true;
    for (const t of p.timeouts) clearTimeout(t);
    for (const t of p.intervals) clearInterval(t);
    p.timeouts.clear();
    p.intervals.clear();
  }

  function stop(p: Running): void {
    freeze(p);
    // Dropped without a connection.close, as when a process dies.
    for (const entry of p.transports) if (!entry.closed) entry.transport.close();
  }

  /** Some channel of the program holds a delivered message it has not acknowledged. */
  function holds(p: Running): boolean {
    return p.sessions.some((s) => [...(s.connection?.channels.values() ?? [])].some((ch) => ch.unacked.count > 0));
  }

  /**
   * Stops `p` as it is handed a message: frozen at once, so it can never ack it, and its
   * connections dropped once the broker's current call is over (this runs inside an emit).
   */
  function crash(p: Running): void {
    crashWhenHolding.delete(p);
    freeze(p);
    queueMicrotask(() => stop(p));
  }

  const exited = (p: Running) => p.stopped || (p.mainDone && p.timeouts.size === 0 && p.transports.every((t) => t.closed));
  const idle = () => performance.now() - lastEvent >= quietMs && all.every((p) => p.stopped || p.timeouts.size === 0);

  async function until(what: string, done: () => boolean): Promise<void> {
    const deadline = performance.now() + stepTimeoutMs;
    while (!done()) {
      if (performance.now() > deadline) {
        errors.push(`scenario: ${what} did not happen within ${stepTimeoutMs} ms`);
        return;
      }
      await sleep(5);
    }
  }

  async function step(s: ScenarioStep): Promise<void> {
    if ('run' in s) {
      const label = s.as ?? s.run;
      // Quiet is counted from the start: a program that has not even connected is not idle yet.
      lastEvent = performance.now();
      const p = start(s.run, label, s.args);
      running.set(label, p);
      await until(`${label} exiting or going idle`, () => exited(p) || idle());
    } else if ('waitFor' in s) {
      const count = s.count ?? 1;
      await until(`${count} × ${JSON.stringify(s.waitFor)}`, () => findEvents(trace, s.waitFor).length >= count);
    } else if ('stop' in s) {
      const p = running.get(s.stop);
      if (p === undefined) throw new Error(`the scenario stops "${s.stop}", which it never started`);
      if (s.when === 'holding' && !holds(p)) {
        crashWhenHolding.add(p);
        return;
      }
      stop(p);
      await until(`${s.stop} stopping`, idle);
    } else if ('wait' in s) {
      await until('the programs going idle', idle);
    } else {
      broker = broker.restart();
      await until('the restart settling', idle);
    }
  }

  try {
    for (const s of scenario) await step(s);
    await until('the programs going idle', idle);
    for (const p of crashWhenHolding) errors.push(`scenario: ${p.label} never held an unacknowledged message, so it was not stopped`);
    const state = snapshotBroker(broker);
    return { trace, state, output, errors };
  } finally {
    for (const p of all) stop(p);
    await sleep(quietMs);
    broker.stop();
    setTransportFactory(undefined);
  }
}
