import type { ExchangeType } from './exchange.ts';
import type { QueuedMessage } from './message.ts';
import type { BasicProperties, FieldTable } from './types.ts';

export interface StoredExchange {
  name: string;
  type: ExchangeType;
  autoDelete: boolean;
  internal: boolean;
  arguments: FieldTable;
}
export interface StoredQueue {
  name: string;
  autoDelete: boolean;
  arguments: FieldTable;
}
export interface StoredBinding {
  source: string;
  destination: string;
  destinationKind: 'queue' | 'exchange';
  routingKey: string;
  arguments: FieldTable;
}
export interface StoredMessage {
  queue: string;
  id: number;
  exchange: string;
  routingKey: string;
  properties: BasicProperties;
  body: Uint8Array;
  deliveryCount: number;
  /** It had been handed to a consumer before the broker stopped. */
  redelivered: boolean;
}
export interface StoredState {
  exchanges: StoredExchange[];
  queues: StoredQueue[];
  bindings: StoredBinding[];
  /** In the order they entered their queues. */
  messages: StoredMessage[];
  /**
   * Durable queues the broker did not stop cleanly last time (it was killed): the store
   * cannot tell which of their messages had been delivered, except where `markDelivered`
   * said so. RabbitMQ's classic queues then mark every message redelivered.
   */
  uncleanQueues: string[];
}

/**
 * Where durable things go: durable exchanges, queues and bindings, and persistent messages
 * in durable queues. Nothing else is written. Calls are synchronous; a store may buffer
 * writes until `flush`, and the broker sends a publisher confirm only after flushing.
 */
export interface Store {
  /**
   * What the last run left. Loading starts a new run: from then on every queue counts as
   * not stopped cleanly until `queueStopped` says otherwise (written at once, so that a
   * broker killed right after starting is seen as such).
   */
  load(): StoredState;
  putExchange(exchange: StoredExchange): void;
  deleteExchange(name: string): void;
  /** Keeps any messages already stored for the queue (recovery puts every queue again). */
  putQueue(queue: StoredQueue): void;
  /** Also forgets the queue's messages. */
  deleteQueue(name: string): void;
  putBinding(binding: StoredBinding): void;
  deleteBinding(binding: StoredBinding): void;
  putMessage(queue: string, message: QueuedMessage): void;
  deleteMessage(queue: string, message: QueuedMessage): void;
  /**
   * A persistent message went out unacked from a queue that keeps track of deliveries (a
   * quorum queue: RabbitMQ's Raft log has them): should the broker die before it is
   * settled, it comes back redelivered with this delivery count.
   */
  markDelivered(queue: string, message: QueuedMessage, deliveryCount: number): void;
  /** The broker stopped the queue cleanly, its redelivered flags written: the next load() trusts them. */
  queueStopped(queue: string): void;
  flush(): void;
  close(): void;
}

const bindingKey = (b: StoredBinding): string =>
  JSON.stringify([b.source, b.destinationKind, b.destination, b.routingKey, b.arguments]);

/** A store that keeps durable state in memory: it survives a broker restart, not the process. */
export class MemoryStore implements Store {
  private exchanges = new Map<string, StoredExchange>();
  private queues = new Map<string, StoredQueue>();
  private bindings = new Map<string, StoredBinding>();
  /** queue name -> message id -> message, in insertion order. */
  private messages = new Map<string, Map<number, StoredMessage>>();
  /** Queues stopped cleanly since the last load(). */
  private stopped = new Set<string>();

  load(): StoredState {
    const uncleanQueues = [...this.queues.keys()].filter((name) => !this.stopped.has(name));
    this.stopped.clear();
    return {
      exchanges: [...this.exchanges.values()],
      queues: [...this.queues.values()],
      bindings: [...this.bindings.values()],
      messages: [...this.messages.values()].flatMap((m) => [...m.values()]),
      uncleanQueues,
    };
  }
  putExchange(exchange: StoredExchange): void {
    this.exchanges.set(exchange.name, exchange);
  }
  deleteExchange(name: string): void {
    this.exchanges.delete(name);
  }
  putQueue(queue: StoredQueue): void {
    this.queues.set(queue.name, queue);
    this.stopped.delete(queue.name);
    if (!this.messages.has(queue.name)) this.messages.set(queue.name, new Map());
  }
  deleteQueue(name: string): void {
    this.queues.delete(name);
    this.messages.delete(name);
    this.stopped.delete(name);
  }
  putBinding(binding: StoredBinding): void {
    this.bindings.set(bindingKey(binding), binding);
  }
  deleteBinding(binding: StoredBinding): void {
    this.bindings.delete(bindingKey(binding));
  }
  putMessage(queue: string, m: QueuedMessage): void {
    this.messages.get(queue)?.set(m.id, {
      queue, id: m.id, exchange: m.exchange, routingKey: m.routingKey, properties: m.properties, body: m.body,
      deliveryCount: m.deliveryCount, redelivered: m.redelivered,
    });
  }
  deleteMessage(queue: string, m: QueuedMessage): void {
    this.messages.get(queue)?.delete(m.id);
  }
  markDelivered(queue: string, m: QueuedMessage, deliveryCount: number): void {
    const messages = this.messages.get(queue);
    const stored = messages?.get(m.id);
    // A new record: an earlier load() may have handed this one out.
    if (stored) messages!.set(m.id, { ...stored, deliveryCount, redelivered: true });
  }
  queueStopped(queue: string): void {
    if (this.queues.has(queue)) this.stopped.add(queue);
  }
  flush(): void {}
  close(): void {}
}
