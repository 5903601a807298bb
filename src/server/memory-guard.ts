// RabbitMQ's memory alarm, kept simple: above a high watermark every connection that
// publishes is blocked (connection.blocked "low on memory", and its socket is no longer
// read); below the low watermark they are unblocked. What is measured is injected: by
// default the bytes of ready messages in all queues; the CLI adds the process's memory.

import type { Broker } from '../broker/broker.ts';

export interface MemoryGuardOptions {
  /** Raise the alarm above this many (probe) units; default 256 MiB of queued bodies. */
  highWatermark?: number;
  /** Clear it below this; default the high watermark. */
  lowWatermark?: number;
  /** What to measure; default the bytes of ready messages in every queue. */
  probe?: () => number;
  /** Check at most this often, on reads and while the alarm is on; default 1000 ms. */
  intervalMs?: number;
}

/** What a session does when the alarm changes. */
export interface Alarmable {
  memoryAlarm(on: boolean): void;
}

export const queuedBytes = (broker: Broker): number => {
  let total = 0;
  for (const queue of broker.vhost.queues.values()) total += queue.ready.bytes;
  return total;
};

export class MemoryGuard {
  alarmed = false;
  readonly #broker: Broker;
  readonly #high: number;
  readonly #low: number;
  readonly #probe: () => number;
  readonly #interval: number;
  readonly #sessions = new Set<Alarmable>();
  #nextCheck = 0;
  #timer: unknown = null;

  constructor(broker: Broker, options: MemoryGuardOptions = {}) {
    this.#broker = broker;
    this.#high = options.highWatermark ?? 256 * 1024 * 1024;
    this.#low = Math.min(options.lowWatermark ?? this.#high, this.#high);
    this.#probe = options.probe ?? (() => queuedBytes(broker));
    this.#interval = options.intervalMs ?? 1000;
  }

  register(session: Alarmable): void {
    this.#sessions.add(session);
    if (this.alarmed) session.memoryAlarm(true);
  }

  unregister(session: Alarmable): void {
    this.#sessions.delete(session);
  }

  /** Called after each read: measures when the interval has passed. */
  maybeCheck(): void {
    if (this.#broker.clock.now() >= this.#nextCheck) this.check();
  }

  check(): void {
    const clock = this.#broker.clock;
    this.#nextCheck = clock.now() + this.#interval;
    const used = this.#probe();
    if (!this.alarmed && used > this.#high) this.#set(true);
    else if (this.alarmed && used < this.#low) this.#set(false);
    // While the alarm is on, nothing may be read from publishers: only a timer notices
    // that consumers (or expiry) brought memory back down.
    if (this.alarmed && this.#timer === null) {
      this.#timer = clock.setTimer(() => {
        this.#timer = null;
        this.check();
      }, Math.max(1, this.#interval));
    }
  }

  dispose(): void {
    if (this.#timer !== null) this.#broker.clock.clearTimer(this.#timer);
    this.#timer = null;
    this.#sessions.clear();
  }

  #set(on: boolean): void {
    this.alarmed = on;
    for (const session of [...this.#sessions]) session.memoryAlarm(on);
  }
}
