import type { Clock } from './clock.ts';

/** What `schedule` returns; pass it to `cancel`. */
export interface TimerHandle {
  readonly dueAt: number;
}

class Entry implements TimerHandle {
  readonly dueAt: number;
  readonly seq: number;
  callback: (() => void) | null;
  /** Position in the heap; -1 once fired or cancelled. */
  index = -1;

  constructor(dueAt: number, seq: number, callback: () => void) {
    this.dueAt = dueAt;
    this.seq = seq;
    this.callback = callback;
  }
}

/** setTimeout runs any longer delay after 1 ms, so longer waits are armed in steps. */
const MAX_DELAY = 0x7fffffff;

const before = (a: Entry, b: Entry): boolean => a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq);

/**
 * Every timer of the core (message TTL, queue expiry, ...) over one injected Clock: a binary
 * min-heap ordered by (dueAt, scheduling order), with at most one clock timer armed, for
 * the earliest entry. Cancelling removes the entry from the heap at once (each entry knows
 * its index), so nothing cancelled lingers or keeps a Node process alive.
 */
export class Scheduler {
  private readonly clock: Clock;
  private readonly heap: Entry[] = [];
  private seq = 0;
  /** The clock timer, armed for `armedAt`; null when nothing is armed. */
  private armed: unknown = null;
  private armedAt = 0;
  private disposed = false;
  private readonly onTimer = (): void => this.fire();

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Timers scheduled and neither fired nor cancelled. */
  get size(): number {
    return this.heap.length;
  }

  /** Runs `callback` once the clock reaches `dueAt` (ms); same-time callbacks run in order. */
  schedule(dueAt: number, callback: () => void): TimerHandle {
    if (this.disposed) throw new Error('Scheduler used after dispose()');
    const entry = new Entry(dueAt, this.seq++, callback);
    entry.index = this.heap.length;
    this.heap.push(entry);
    this.siftUp(entry.index);
    if (this.heap[0] === entry) this.arm();
    return entry;
  }

  /** Returns false if the timer already fired or was cancelled. */
  cancel(handle: TimerHandle): boolean {
    const entry = handle as Entry;
    const i = entry.index;
    if (i < 0 || this.heap[i] !== entry) return false;
    this.removeAt(i);
    if (i === 0) this.arm();
    return true;
  }

  /** Cancels everything and disarms the clock; the scheduler cannot be used again. */
  dispose(): void {
    this.disposed = true;
    for (const e of this.heap) {
      e.index = -1;
      e.callback = null;
    }
    this.heap.length = 0;
    this.disarm();
  }

  private fire(): void {
    this.armed = null;
    const now = this.clock.now();
    // Entries scheduled by the callbacks below wait for the next clock turn even when
    // already due, as setTimeout(0) would: a callback rescheduling itself at `now` cannot
    // starve the event loop.
    const limit = this.seq;
    try {
      for (;;) {
        const top = this.heap[0];
        if (top === undefined || top.dueAt > now || top.seq >= limit) break;
        this.removeAt(0);
        const callback = top.callback!;
        top.callback = null;
        callback();
      }
    } finally {
      if (!this.disposed) this.arm();
    }
  }

  /** Makes the armed clock timer match the heap's earliest entry. */
  private arm(): void {
    const top = this.heap[0];
    if (top === undefined) return this.disarm();
    if (this.armed !== null && this.armedAt === top.dueAt) return;
    this.disarm();
    const delay = Math.min(MAX_DELAY, Math.max(0, top.dueAt - this.clock.now()));
    this.armedAt = top.dueAt;
    this.armed = this.clock.setTimer(this.onTimer, delay);
  }

  private disarm(): void {
    if (this.armed === null) return;
    this.clock.clearTimer(this.armed);
    this.armed = null;
  }

  private removeAt(i: number): void {
    const heap = this.heap;
    const removed = heap[i]!;
    removed.index = -1;
    const last = heap.pop()!;
    if (last === removed) return;
    heap[i] = last;
    last.index = i;
    if (i > 0 && before(last, heap[(i - 1) >> 1]!)) this.siftUp(i);
    else this.siftDown(i);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const entry = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (!before(entry, parent)) break;
      heap[i] = parent;
      parent.index = i;
      i = p;
    }
    heap[i] = entry;
    entry.index = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const entry = heap[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const right = c + 1;
      if (right < n && before(heap[right]!, heap[c]!)) c = right;
      const child = heap[c]!;
      if (!before(child, entry)) break;
      heap[i] = child;
      child.index = i;
      i = c;
    }
    heap[i] = entry;
    entry.index = i;
  }
}
