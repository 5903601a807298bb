// Test support for the broker core: a sink that records what the broker tells a client, a
// one-call setup (broker over a ManualClock, a connection, a channel, an event log) and
// assertions for RabbitMQ's errors.
import { expect } from 'vitest';
import {
  AmqpError,
  Broker,
  ManualClock,
  type BasicProperties,
  type BrokerEvent,
  type Channel,
  type ChannelSink,
  type Connection,
  type EventOf,
  type EventType,
  type QueuedMessage,
} from '../../../src/broker/index.ts';

export const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
export const dec = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** One basic.deliver as the client saw it (content copied at delivery time). */
export interface Delivery {
  consumerTag: string;
  deliveryTag: number;
  redelivered: boolean;
  exchange: string;
  routingKey: string;
  properties: BasicProperties;
  body: string;
  message: QueuedMessage;
}

/** Records every unprompted thing the broker says on one channel. */
export class RecordingSink implements ChannelSink {
  readonly deliveries: Delivery[] = [];
  readonly returns: { replyCode: number; replyText: string; exchange: string; routingKey: string; body: string }[] = [];
  readonly confirms: { deliveryTag: number; multiple: boolean; ack: boolean }[] = [];
  readonly cancels: string[] = [];
  readonly closes: AmqpError[] = [];
  /** Called after each delivery is recorded (a consumer's callback). */
  onDeliver: ((d: Delivery) => void) | undefined;

  deliver(consumerTag: string, deliveryTag: number, redelivered: boolean, message: QueuedMessage): void {
    const d: Delivery = {
      consumerTag,
      deliveryTag,
      redelivered,
      exchange: message.exchange,
      routingKey: message.routingKey,
      properties: message.properties,
      body: dec(message.body),
      message,
    };
    this.deliveries.push(d);
    this.onDeliver?.(d);
  }
  returned(replyCode: number, replyText: string, message: QueuedMessage): void {
    this.returns.push({ replyCode, replyText, exchange: message.exchange, routingKey: message.routingKey, body: dec(message.body) });
  }
  confirm(deliveryTag: number, multiple: boolean, ack: boolean): void {
    this.confirms.push({ deliveryTag, multiple, ack });
  }
  cancelled(consumerTag: string): void {
    this.cancels.push(consumerTag);
  }
  closed(error: AmqpError): void {
    this.closes.push(error);
  }

  /** Bodies delivered so far, optionally to one consumer only. */
  bodies(consumerTag?: string): string[] {
    return this.deliveries.filter((d) => consumerTag === undefined || d.consumerTag === consumerTag).map((d) => d.body);
  }

  /** Removes and returns what was delivered so far. */
  take(): Delivery[] {
    return this.deliveries.splice(0);
  }

  last(): Delivery {
    const d = this.deliveries.at(-1);
    if (!d) throw new Error('nothing was delivered');
    return d;
  }
}

export interface World {
  broker: Broker;
  clock: ManualClock;
  conn: Connection;
  ch: Channel;
  sink: RecordingSink;
  /** Every event emitted since setup (empty when setup({ events: false })). */
  events: BrokerEvent[];
  /** Another channel on `conn` (or on the given connection), with its own sink. */
  channel(on?: Connection): { ch: Channel; sink: RecordingSink };
  /** Another client connection. */
  connect(): Connection;
  /** Events of one type, in order. */
  eventsOf<T extends EventType>(type: T): EventOf<T>[];
}

export function setup(options: { events?: boolean } = {}): World {
  const clock = new ManualClock();
  const broker = new Broker({ clock });
  const events: BrokerEvent[] = [];
  if (options.events !== false) broker.events.subscribe((e) => events.push({ ...e }));
  const channel = (on?: Connection) => {
    const sink = new RecordingSink();
    return { ch: (on ?? world.conn).openChannel(undefined, sink), sink };
  };
  const conn = broker.connect();
  const first = new RecordingSink();
  const world: World = {
    broker,
    clock,
    conn,
    ch: conn.openChannel(1, first),
    sink: first,
    events,
    channel,
    connect: () => world.broker.connect(),
    eventsOf: <T extends EventType>(type: T) => events.filter((e): e is EventOf<T> => e.type === type),
  };
  return world;
}

/** basic.publish with a string body. */
export function publish(
  ch: Channel,
  exchange: string,
  routingKey: string,
  body: string,
  properties: BasicProperties = {},
  mandatory = false,
): void {
  ch.basicPublish(exchange, routingKey, properties, enc(body), mandatory);
}

/** Publishes each body to a queue through the default exchange. */
export function publishAll(ch: Channel, queue: string, bodies: string[], properties: BasicProperties = {}): void {
  for (const b of bodies) publish(ch, '', queue, b, properties);
}

/** basic.get no-ack until empty: the bodies left in a queue, in order. */
export function drain(ch: Channel, queue: string): string[] {
  const out: string[] = [];
  for (let r = ch.basicGet(queue, true); r; r = ch.basicGet(queue, true)) out.push(dec(r.message.body));
  return out;
}

/** The ready-message count a passive queue.declare reports. */
export const readyCount = (ch: Channel, queue: string): number => ch.queueDeclare(queue, { passive: true }).messageCount;

function caught(fn: () => unknown): AmqpError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected the broker to refuse').toBeInstanceOf(AmqpError);
  return error as AmqpError;
}

/**
 * Asserts `fn` fails with a channel error carrying exactly this reply code and text, and
 * that the channel (only) is closed afterwards, as RabbitMQ does.
 */
export function expectChannelError(ch: Channel, fn: () => unknown, replyCode: number, replyText: string): AmqpError {
  const e = caught(fn);
  expect({ replyCode: e.replyCode, replyText: e.replyText, scope: e.scope }).toEqual({ replyCode, replyText, scope: 'channel' });
  expect(ch.open, 'the channel is closed').toBe(false);
  expect(ch.connection.open, 'the connection stays open').toBe(true);
  return e;
}

/** Asserts `fn` fails with a connection error (code and text), closing the whole connection. */
export function expectConnectionError(ch: Channel, fn: () => unknown, replyCode: number, replyText: string): AmqpError {
  const e = caught(fn);
  expect({ replyCode: e.replyCode, replyText: e.replyText, scope: e.scope }).toEqual({ replyCode, replyText, scope: 'connection' });
  expect(ch.connection.open, 'the connection is closed').toBe(false);
  expect(ch.open, 'its channels are closed').toBe(false);
  return e;
}
