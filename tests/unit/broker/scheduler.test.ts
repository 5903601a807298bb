import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock, type Clock } from '../../../src/broker/clock.ts';
import { Scheduler, type TimerHandle } from '../../../src/broker/scheduler.ts';

/** A ManualClock that counts the clock timers armed on it. */
class CountingClock implements Clock {
  readonly manual = new ManualClock(0);
  readonly live = new Set<unknown>();
  maxLive = 0;
  armed = 0;

  now(): number {
    return this.manual.now();
  }
  setTimer(callback: () => void, delayMs: number): unknown {
    const handle: unknown = this.manual.setTimer(() => {
      this.live.delete(handle);
      callback();
    }, delayMs);
    this.live.add(handle);
    this.armed++;
    this.maxLive = Math.max(this.maxLive, this.live.size);
    return handle;
  }
  clearTimer(handle: unknown): void {
    this.live.delete(handle);
    this.manual.clearTimer(handle);
  }
  advance(ms: number): void {
    this.manual.advance(ms);
  }
}

function setup(): { clock: CountingClock; s: Scheduler; log: string[]; at: (t: number, name: string) => TimerHandle } {
  const clock = new CountingClock();
  const s = new Scheduler(clock);
  const log: string[] = [];
  const at = (t: number, name: string): TimerHandle => s.schedule(t, () => log.push(`${name}@${clock.now()}`));
  return { clock, s, log, at };
}

describe('Scheduler', () => {
  it('fires a callback when the clock reaches its due time, not before', () => {
    const { clock, s, log, at } = setup();
    at(100, 'a');
    expect(s.size).toBe(1);
    clock.advance(99);
    expect(log).toEqual([]);
    clock.advance(1);
    expect(log).toEqual(['a@100']);
    expect(s.size).toBe(0);
    expect(clock.live.size).toBe(0);
  });

  it('fires in due order, and same-time callbacks in scheduling order', () => {
    const { clock, log, at } = setup();
    at(30, 'c');
    at(10, 'a1');
    at(20, 'b');
    at(10, 'a2');
    at(10, 'a3');
    clock.advance(100);
    expect(log).toEqual(['a1@10', 'a2@10', 'a3@10', 'b@20', 'c@30']);
  });

  it('fires a time already past on the next turn of the clock', () => {
    const { clock, log, at } = setup();
    clock.advance(50);
    at(10, 'late');
    expect(log).toEqual([]);
    clock.advance(0);
    expect(log).toEqual(['late@50']);
  });

  it('keeps one clock timer armed, for the earliest entry, across many timers', () => {
    const { clock, s, log, at } = setup();
    const times = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 1000);
    times.forEach((t, i) => at(t, String(i)));
    expect(clock.live.size).toBe(1);
    expect(s.size).toBe(5000);
    clock.advance(1000);
    expect(clock.maxLive).toBe(1);
    expect(log).toHaveLength(5000);
    const fired = log.map((e) => Number(e.split('@')[0]));
    const expected = times.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
    expect(fired).toEqual(expected);
    // One clock timer per distinct due time at most: not one per entry.
    expect(clock.armed).toBeLessThanOrEqual(1000 + 1);
  });

  it('re-arms only when a new entry comes before the armed one', () => {
    const { clock, at } = setup();
    at(100, 'a');
    at(200, 'b');
    at(150, 'c');
    expect(clock.armed).toBe(1);
    at(50, 'd');
    expect(clock.armed).toBe(2);
    expect(clock.live.size).toBe(1);
  });

  it('cancel removes a timer; cancelling the earliest re-arms, cancelling all disarms', () => {
    const { clock, s, log, at } = setup();
    const a = at(10, 'a');
    const b = at(20, 'b');
    const c = at(30, 'c');
    expect(s.cancel(b)).toBe(true);
    expect(s.cancel(b)).toBe(false);
    expect(s.size).toBe(2);
    expect(s.cancel(a)).toBe(true);
    expect(clock.live.size).toBe(1);
    clock.advance(25);
    expect(log).toEqual([]);
    expect(s.cancel(c)).toBe(true);
    expect(clock.live.size).toBe(0);
    clock.advance(100);
    expect(log).toEqual([]);
    expect(s.size).toBe(0);
  });

  it('cancel after firing returns false', () => {
    const { clock, s, at } = setup();
    const a = at(10, 'a');
    clock.advance(10);
    expect(s.cancel(a)).toBe(false);
  });

  it('lets a callback schedule and cancel others (re-entrancy)', () => {
    const { clock, s, log, at } = setup();
    let later: TimerHandle | undefined;
    s.schedule(10, () => {
      log.push(`first@${clock.now()}`);
      at(10, 'same-time'); // due now: runs after those already due, on the next turn
      at(15, 'added');
      if (later) s.cancel(later);
    });
    at(10, 'second');
    later = at(20, 'cancelled');
    at(30, 'last');
    clock.advance(100);
    expect(log).toEqual(['first@10', 'second@10', 'same-time@10', 'added@15', 'last@30']);
    expect(clock.maxLive).toBe(1);
    expect(clock.live.size).toBe(0);
  });

  it('a callback may cancel itself (a no-op) or a same-time sibling', () => {
    const { clock, s, log, at } = setup();
    let self: TimerHandle | undefined;
    let sibling: TimerHandle | undefined;
    self = s.schedule(10, () => {
      log.push(`self:${s.cancel(self!)}`);
      log.push(`sibling:${s.cancel(sibling!)}`);
    });
    sibling = at(10, 'sibling');
    clock.advance(10);
    expect(log).toEqual(['self:false', 'sibling:true']);
  });

  it('a callback rescheduling itself at now does not loop within one turn', () => {
    const { clock, s } = setup();
    let runs = 0;
    const again = (): void => {
      runs++;
      if (runs < 5) s.schedule(clock.now(), again);
    };
    s.schedule(10, again);
    clock.advance(10);
    expect(runs).toBe(5);
    expect(clock.armed).toBe(5);
  });

  it('a throwing callback does not strand the timers after it', () => {
    const { clock, s, log, at } = setup();
    s.schedule(10, () => {
      throw new Error('boom');
    });
    at(10, 'next');
    expect(() => clock.advance(10)).toThrow('boom');
    expect(clock.live.size).toBe(1);
    clock.advance(0);
    expect(log).toEqual(['next@10']);
  });

  it('waits beyond setTimeout’s 2^31-1 ms limit in steps', () => {
    const { clock, log, at } = setup();
    const due = 2 ** 32;
    at(due, 'far');
    clock.advance(2 ** 31);
    expect(log).toEqual([]);
    clock.advance(due - 2 ** 31);
    expect(log).toEqual([`far@${due}`]);
  });

  it('dispose cancels everything and disarms the clock', () => {
    const { clock, s, log, at } = setup();
    at(10, 'a');
    at(20, 'b');
    s.dispose();
    expect(s.size).toBe(0);
    expect(clock.live.size).toBe(0);
    clock.advance(100);
    expect(log).toEqual([]);
    expect(() => s.schedule(200, () => {})).toThrow();
  });

  it('a callback may dispose the scheduler', () => {
    const { clock, s, log, at } = setup();
    s.schedule(10, () => s.dispose());
    at(10, 'never');
    clock.advance(100);
    expect(log).toEqual([]);
    expect(clock.live.size).toBe(0);
  });

  it('matches a sorted-list model under random schedule/cancel/advance', () => {
    type Op = { op: 'schedule'; dt: number } | { op: 'cancel'; pick: number } | { op: 'advance'; ms: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant('schedule' as const), dt: fc.integer({ min: -5, max: 50 }) }),
      fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }),
      fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 30 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const clock = new CountingClock();
        const s = new Scheduler(clock);
        const fired: number[] = [];
        const pending: { id: number; due: number; handle: TimerHandle }[] = [];
        let next = 0;
        const expectFired: number[] = [];
        for (const o of ops) {
          if (o.op === 'schedule') {
            const id = next++;
            const due = clock.now() + o.dt;
            pending.push({ id, due, handle: s.schedule(due, () => fired.push(id)) });
          } else if (o.op === 'cancel') {
            if (pending.length === 0) continue;
            const [victim] = pending.splice(o.pick % pending.length, 1);
            expect(s.cancel(victim!.handle)).toBe(true);
          } else {
            const until = clock.now() + o.ms;
            const due = pending.filter((p) => p.due <= until).sort((a, b) => a.due - b.due || a.id - b.id);
            for (const p of due) pending.splice(pending.indexOf(p), 1);
            expectFired.push(...due.map((p) => p.id));
            clock.advance(o.ms);
          }
          expect(fired).toEqual(expectFired);
          expect(s.size).toBe(pending.length);
          expect(clock.live.size).toBe(pending.length > 0 ? 1 : 0);
        }
        expect(clock.maxLive).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});
