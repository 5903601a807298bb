import { type Clock, systemClock } from './clock.ts';
import { Connection, type ConnectionInfo } from './connection.ts';
import { connectionError } from './errors.ts';
import { EventStream } from './events.ts';
import { QueuedMessage } from './message.ts';
import { Scheduler } from './scheduler.ts';
import { type ConnectionSink, silentConnectionSink } from './sink.ts';
import { MemoryStore, type Store } from './store.ts';
import { VHost } from './vhost.ts';

export interface BrokerOptions {
  clock?: Clock;
  store?: Store;
  /** Shared with a previous broker so a restart keeps one numbered event stream. */
  events?: EventStream;
}

/**
 * The broker: one vhost "/", its connections, the clock and the one timer scheduler, the
 * store and the event stream. Creating a broker over a store that already holds state is
 * a restart: durable exchanges, queues and bindings come back, with the persistent
 * messages of durable queues.
 */
export class Broker {
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly events: EventStream;
  readonly store: Store;
  readonly vhost: VHost;
  readonly connections = new Map<number, Connection>();
  private nextConnectionId = 1;
  private stopped = false;

  constructor(options: BrokerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.store = options.store ?? new MemoryStore();
    this.events = options.events ?? new EventStream(() => this.clock.now());
    this.scheduler = new Scheduler(this.clock);
    this.vhost = new VHost('/', this.clock, this.scheduler, this.events, this.store);
    this.recover();
  }

  /** A client connects (after the handshake, in the server's case). */
  connect(
    info: ConnectionInfo = { user: 'guest' },
    sink: ConnectionSink = silentConnectionSink,
    machine?: Connection['machine'],
  ): Connection {
    if (this.stopped) throw connectionError('CONNECTION_FORCED', 'broker is stopped');
    const connection = new Connection(this.nextConnectionId++, info, sink, this.vhost, (c) => this.connections.delete(c.id), machine);
    this.connections.set(connection.id, connection);
    return connection;
  }

  /**
   * Stops the broker as RabbitMQ does on shutdown: every connection is closed with 320
   * CONNECTION_FORCED, timers stop, the store is flushed. Non-durable state is gone.
   */
  stop(reason = 'shutdown'): void {
    if (this.stopped) return;
    this.stopped = true;
    const error = connectionError('CONNECTION_FORCED', `broker forced connection closure with reason '${reason}'`);
    for (const connection of [...this.connections.values()]) connection.forceClose(error);
    // Closing requeued every unacked message, redelivered; write that down so they come
    // back redelivered after a restart, as in RabbitMQ.
    for (const queue of this.vhost.queues.values()) queue.rememberRedelivered();
    this.scheduler.dispose();
    this.store.flush();
  }

  /**
   * Stops this broker and starts a new one over the same store and event stream. Once it
   * has recovered, `broker.restarted` says what came back, so nobody has to infer a
   * restart from forced closes and queues declared again.
   */
  restart(): Broker {
    this.stop('shutdown');
    const next = new Broker({ clock: this.clock, store: this.store, events: this.events });
    if (this.events.active) {
      // A fresh vhost holds only what recovery put there.
      const queues = [...next.vhost.queues.values()].map((q) => ({ queue: q.name, messages: q.messageCount }));
      const messages = queues.reduce((sum, q) => sum + q.messages, 0);
      this.events.emit({ type: 'broker.restarted', queues, messages });
    }
    return next;
  }

  /** Server sessions batch confirms: they call flushConfirms after each read. */
  set batchConfirms(on: boolean) {
    this.vhost.batchConfirms = on;
  }

  flushConfirms(): void {
    this.vhost.flushConfirms();
  }

  private recover(): void {
    const state = this.store.load();
    const vhost = this.vhost;
    for (const x of state.exchanges) {
      if (vhost.exchanges.has(x.name)) continue;
      vhost.declareExchange(x.name, x.type, { durable: true, autoDelete: x.autoDelete, internal: x.internal, arguments: x.arguments });
    }
    const owner = this.connect({ user: 'recovery' });
    for (const q of state.queues) {
      vhost.declareQueue(owner, q.name, { durable: true, autoDelete: q.autoDelete, arguments: q.arguments });
    }
    this.connections.delete(owner.id);
    for (const b of state.bindings) vhost.restoreBinding(b);
    // Queues the last run did not stop cleanly (it was killed): see Queue.restore.
    const unclean = new Set(state.uncleanQueues);
    let maxId = 0;
    for (const m of state.messages) {
      const queue = vhost.queues.get(m.queue);
      if (!queue) continue;
      const message = new QueuedMessage(m.id, m.exchange, m.routingKey, m.properties, m.body);
      message.deliveryCount = m.deliveryCount;
      message.redelivered = m.redelivered;
      queue.restore(message, unclean.has(m.queue));
      maxId = Math.max(maxId, m.id);
    }
    vhost.seedMessageIds(maxId);
  }
}
