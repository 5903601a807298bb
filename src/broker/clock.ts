/**
 * Time, injected. The core never calls Date.now or setTimeout itself: tests drive a
 * ManualClock, the browser and Node use the system clock.
 */
export interface Clock {
  now(): number;
  /** Arrange one callback; the scheduler keeps at most one of these armed. */
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface ManualTimer {
  at: number;
  callback: () => void;
  cancelled: boolean;
}

/** A clock that moves only when told to; `advance` fires due timers in order. */
export class ManualClock implements Clock {
  private time: number;
  private timers: ManualTimer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, delayMs: number): unknown {
    const timer = { at: this.time + Math.max(0, delayMs), callback, cancelled: false };
    this.timers.push(timer);
    return timer;
  }

  clearTimer(handle: unknown): void {
    (handle as ManualTimer).cancelled = true;
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      let next: ManualTimer | undefined;
      for (const t of this.timers) if (t.at <= until && (!next || t.at < next.at)) next = t;
      if (!next) break;
      this.time = Math.max(this.time, next.at);
      next.cancelled = true;
      next.callback();
    }
    this.time = until;
  }
}
