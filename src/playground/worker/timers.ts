// Node's timers for learner code, counted: a pending timeout or a live interval keeps
// the program running, as it keeps Node's event loop alive (unless unref()'d). Callbacks
// that throw reach the worker's error handler, like an uncaught exception in Node.

export interface TimerHost {
  /** A handle started or ended: the runner re-checks whether the program has work left. */
  changed(): void;
}

/** What setTimeout returns in Node: usable as a number, with ref/unref. */
export class Timeout {
  readonly id: number;
  readonly #live: Set<Timeout>;
  #referenced = true;
  #done = false;
  readonly #host: TimerHost;

  constructor(id: number, live: Set<Timeout>, host: TimerHost) {
    this.id = id;
    this.#live = live;
    this.#host = host;
    live.add(this);
  }

  /** Stop keeping the program alive for this timer. */
  unref(): this {
    this.#referenced = false;
    this.#live.delete(this);
    this.#host.changed();
    return this;
  }

  ref(): this {
    this.#referenced = true;
    if (!this.#done) this.#live.add(this);
    return this;
  }

  hasRef(): boolean {
    return this.#referenced;
  }

  /** @internal The timer fired for the last time or was cleared. */
  end(): void {
    this.#done = true;
    if (this.#live.delete(this)) this.#host.changed();
  }

  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

type Callback = (...args: unknown[]) => void;

export interface Timers {
  /** Referenced timers still pending. */
  readonly live: ReadonlySet<Timeout>;
  setTimeout(fn: Callback, ms?: number, ...args: unknown[]): Timeout;
  setInterval(fn: Callback, ms?: number, ...args: unknown[]): Timeout;
  setImmediate(fn: Callback, ...args: unknown[]): Timeout;
  clearTimeout(timer: Timeout | number | undefined | null): void;
  clearInterval(timer: Timeout | number | undefined | null): void;
  clearImmediate(timer: Timeout | number | undefined | null): void;
  /** node:timers/promises */
  promises: { setTimeout<T>(ms?: number, value?: T): Promise<T>; setImmediate<T>(value?: T): Promise<T> };
}

export function createTimers(host: TimerHost): Timers {
  const live = new Set<Timeout>();
  const byId = new Map<number, { timer: Timeout; interval: boolean }>();
  const nativeSetTimeout = globalThis.setTimeout.bind(globalThis);
  const nativeSetInterval = globalThis.setInterval.bind(globalThis);
  const nativeClearTimeout = globalThis.clearTimeout.bind(globalThis);
  const nativeClearInterval = globalThis.clearInterval.bind(globalThis);

  const clear = (timer: Timeout | number | undefined | null) => {
    if (timer === undefined || timer === null) return;
    const id = typeof timer === 'number' ? timer : timer.id;
    const entry = byId.get(id);
    if (entry === undefined) return;
    byId.delete(id);
    if (entry.interval) nativeClearInterval(id);
    else nativeClearTimeout(id);
    entry.timer.end();
  };

  const once = (fn: Callback, ms: number | undefined, args: unknown[]): Timeout => {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function. Received ' + typeof fn);
    const id: number = nativeSetTimeout(() => {
      byId.delete(id);
      try {
        fn(...args);
      } finally {
        timer.end();
      }
    }, ms ?? 1) as unknown as number;
    const timer = new Timeout(id, live, host);
    byId.set(id, { timer, interval: false });
    return timer;
  };

  return {
    live,
    setTimeout: (fn, ms, ...args) => once(fn, ms, args),
    setImmediate: (fn, ...args) => once(fn, 0, args),
    setInterval: (fn, ms, ...args) => {
      if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function. Received ' + typeof fn);
      const id = nativeSetInterval(() => fn(...args), ms ?? 1) as unknown as number;
      const timer = new Timeout(id, live, host);
      byId.set(id, { timer, interval: true });
      return timer;
    },
    clearTimeout: clear,
    clearInterval: clear,
    clearImmediate: clear,
    promises: {
      setTimeout: <T>(ms?: number, value?: T) => new Promise<T>((resolve) => once(() => resolve(value as T), ms, [])),
      setImmediate: <T>(value?: T) => new Promise<T>((resolve) => once(() => resolve(value as T), 0, [])),
    },
  };
}
