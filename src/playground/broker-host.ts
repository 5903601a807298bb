// The page's one broker, shared by every playground on the page, in the main thread: the
// broker is event-driven and each program's CPU-heavy part (its own code) runs in its
// worker, so the page stays responsive. Programs reach it through an AmqpSession per
// connection (serveMessagePort); Reset and Restart act on all of them.

import { Broker } from '../broker/broker.ts';
import type { BrokerEvent, EventOf } from '../broker/events.ts';
import { serveMessagePort, type PortLike } from '../server/message-port.ts';
import type { AmqpSession } from '../server/session.ts';

/**
 * Told when Reset wiped the broker and its trace. Returns a sentence for the learner if it
 * cleared something they could see (e.g. check results), for the Reset announcement.
 */
export type ResetListener = () => string | undefined;

/** A running program, as the host sees it. */
export interface HostedProgram {
  /** Ends it now (Reset). */
  kill(): void;
  /** The broker is about to close every connection (Restart). */
  brokerRestarting(reason: string): void;
}

export class BrokerHost {
  #broker = new Broker();
  #unsubscribe: () => void = () => undefined;
  readonly #views = new Set<() => void>();
  readonly #programs = new Set<HostedProgram>();
  readonly #resetListeners = new Set<ResetListener>();
  #frame = 0;
  #trace: BrokerEvent[] = [];
  #traceFull = false;

  constructor() {
    this.#watch();
  }

  get broker(): Broker {
    return this.#broker;
  }

  /**
   * Every event (frames left out) since the page's broker was created or last reset, for
   * "Check my work"; a restart keeps it, as it keeps the numbering. At most TRACE_LIMIT
   * events are kept (an endless producer must not fill the memory): `traceFull` says so.
   */
  get trace(): readonly BrokerEvent[] {
    return this.#trace;
  }

  get traceFull(): boolean {
    return this.#traceFull;
  }

  /** Serves one AMQP connection of a program on `port`. */
  serve(port: MessagePort, peerName: string): AmqpSession {
    // A DOM MessagePort is a PortLike; only its overloaded postMessage signature differs.
    return serveMessagePort(this.#broker, port as unknown as PortLike, { peerName });
  }

  /** Calls `view` at most once per animation frame after the broker's state changed. */
  onChange(view: () => void): () => void {
    this.#views.add(view);
    view();
    return () => this.#views.delete(view);
  }

  onReset(listener: ResetListener): () => void {
    this.#resetListeners.add(listener);
    return () => this.#resetListeners.delete(listener);
  }

  track(program: HostedProgram): () => void {
    this.#programs.add(program);
    return () => this.#programs.delete(program);
  }

  /**
   * Restarts the broker as RabbitMQ restarts: connections are closed with 320
   * CONNECTION_FORCED; durable exchanges, queues and bindings come back with the
   * persistent messages of durable queues; everything else is gone. Returns the broker's
   * `broker.restarted` event: what came back.
   */
  restart(): EventOf<'broker.restarted'> | undefined {
    const reason = "320 CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'";
    for (const program of this.#programs) program.brokerRestarting(reason);
    let restarted: EventOf<'broker.restarted'> | undefined;
    const stop = this.#broker.events.subscribe((event) => {
      if (event.type === 'broker.restarted') restarted = event;
    });
    this.#broker = this.#broker.restart();
    stop();
    this.#changed();
    return restarted;
  }

  /**
   * A new, empty broker; every running program is killed first. Returns what the reset
   * listeners cleared, each said once, for the announcement.
   */
  reset(): string[] {
    for (const program of [...this.#programs]) program.kill();
    this.#unsubscribe();
    this.#broker.stop('reset');
    this.#broker = new Broker();
    this.#trace = [];
    this.#traceFull = false;
    this.#watch();
    this.#changed();
    const notes = new Set<string>();
    for (const listener of this.#resetListeners) {
      const note = listener();
      if (note !== undefined) notes.add(note);
    }
    return [...notes];
  }

  // Restart keeps the event stream (same numbering), so only a reset subscribes again.
  #watch(): void {
    this.#unsubscribe = this.#broker.events.subscribe((event) => {
      if (event.type === 'frame') return;
      if (this.#trace.length < TRACE_LIMIT) this.#trace.push(event);
      else this.#traceFull = true;
      this.#changed();
    });
  }

  #changed(): void {
    if (this.#frame !== 0) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      for (const view of this.#views) view();
    });
  }
}

const TRACE_LIMIT = 100_000;

let host: BrokerHost | undefined;

/** The page's broker, created on first use. */
export function pageBroker(): BrokerHost {
  host ??= new BrokerHost();
  return host;
}
