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
}

/**
 * Where durable things go: durable exchanges, queues and bindings, and persistent messages
 * in durable queues. Nothing else is written. Calls are synchronous; a store may buffer
 * writes until `flush`, and the broker sends a publisher confirm only after flushing.
 */
export interface Store {
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

  load(): StoredState {
    return {
      exchanges: [...this.exchanges.values()],
      queues: [...this.queues.values()],
      bindings: [...this.bindings.values()],
      messages: [...this.messages.values()].flatMap((m) => [...m.values()]),
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
    if (!this.messages.has(queue.name)) this.messages.set(queue.name, new Map());
  }
  deleteQueue(name: string): void {
    this.queues.delete(name);
    this.messages.delete(name);
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
  flush(): void {}
  close(): void {}
}
