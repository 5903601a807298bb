import type { Channel } from './channel.ts';
import { DIRECT_REPLY_TO } from './direct-reply-to.ts';
import { channelError } from './errors.ts';
import type { EventStream, RouteStep } from './events.ts';
import type { Exchange } from './exchange.ts';
import { MessageStep, QueuedMessage } from './message.ts';
import type { Queue } from './queue.ts';
import type { Routing } from './routing.ts';
import { readSenderKeys, recordSenderKeys, withoutBcc, type SenderKeys } from './sender-selected.ts';
import type { BasicProperties } from './types.ts';
import type { VHost } from './vhost.ts';

export type PublishOutcome = 'routed' | 'unroutable' | 'rejected';

const DIRECT_REPLY_PREFIX = `${DIRECT_REPLY_TO}.`;
const DIRECT_REPLY_FIRST = DIRECT_REPLY_PREFIX.charCodeAt(0);

/**
 * The vhost's side of a publish: numbers the message, takes the shortcuts (direct reply-to,
 * the default exchange), routes the rest and returns what no queue took.
 */
export class Publishing {
  private readonly directReplies = new Map<string, Channel>();
  private messageSeq = 0;
  private lastQueue: Queue | undefined;
  private readonly vhost: VHost;
  private readonly routing: Routing;
  private readonly queues: Map<string, Queue>;
  private readonly exchanges: Map<string, Exchange>;
  private readonly events: EventStream;

  constructor(vhost: VHost, routing: Routing) {
    this.vhost = vhost;
    this.routing = routing;
    this.queues = vhost.queues;
    this.exchanges = vhost.exchanges;
    this.events = vhost.events;
  }

  publish(channel: Channel, exchangeName: string, routingKey: string, mandatory: boolean, properties: BasicProperties, body: Uint8Array): PublishOutcome {
    // The default exchange always exists and is never internal.
    const exchange = exchangeName === '' ? undefined : this.exchanges.get(exchangeName);
    if (exchangeName !== '' && (exchange === undefined || exchange.internal)) this.vhost.checkPublishable(exchangeName);
    if (properties.expiration !== undefined) checkExpiration(properties.expiration);
    // CC/BCC (sender-selected distribution): most messages have no headers, so that is
    // tested first; the rest of this path never looks at them.
    const keys = properties.headers === undefined ? null : readSenderKeys(properties.headers);
    const stored = keys === null ? properties : withoutBcc(properties);
    const message = new QueuedMessage(++this.messageSeq, exchangeName, routingKey, stored, body);
    const events = this.events;
    if (events.active) {
      events.emit({
        type: 'message.published', messageId: message.id, exchange: exchangeName, routingKey, mandatory, properties,
        size: body.length, connection: channel.connection.id, channel: channel.id,
      });
    }
    if (keys !== null) return this.publishSelected(exchange, message, keys, mandatory ? channel : null);
    if (exchangeName === '') {
      if (routingKey.charCodeAt(0) === DIRECT_REPLY_FIRST && routingKey.startsWith(DIRECT_REPLY_PREFIX)) {
        const target = this.directReplies.get(routingKey.slice(DIRECT_REPLY_PREFIX.length));
        if (target) {
          if (events.active) this.routedToReplyTo(message);
          message.step(MessageStep['route.matched']);
          target.deliverDirectReply(message);
          return 'routed';
        }
      }
      // The default exchange's implicit binding: one lookup, nothing to collect.
      const queue = this.queueNamed(routingKey);
      if (queue !== undefined && !events.active) {
        message.step(MessageStep['route.matched']);
        return queue.enqueue(message) === 'rejected' ? 'rejected' : 'routed';
      }
    }
    return this.routeAndEnqueue(exchange ?? this.exchanges.get('')!, message, mandatory ? channel : null, null);
  }

  /**
   * A publish with CC or BCC keys: routed by all its keys. Through the default exchange a
   * key may be a direct reply-to address; each is answered once, and counts as routed.
   */
  private publishSelected(exchange: Exchange | undefined, message: QueuedMessage, keys: SenderKeys, returnTo: Channel | null): PublishOutcome {
    let replied = false;
    if (exchange === undefined) {
      const answered = new Set<Channel>();
      for (const key of [message.routingKey, ...keys.extra]) {
        if (!key.startsWith(DIRECT_REPLY_PREFIX)) continue;
        const target = this.directReplies.get(key.slice(DIRECT_REPLY_PREFIX.length));
        if (target === undefined || answered.has(target)) continue;
        answered.add(target);
        const copy = message.copy();
        copy.step(MessageStep['route.matched']);
        target.deliverDirectReply(copy);
      }
      replied = answered.size > 0;
    }
    return this.routeAndEnqueue(exchange ?? this.exchanges.get('')!, message, returnTo, keys, replied);
  }

  /** A reply through the default exchange to a direct reply-to address: routed to the pseudo-queue. */
  private routedToReplyTo(message: QueuedMessage): void {
    const step: RouteStep = { source: '', destination: DIRECT_REPLY_TO, destinationKind: 'queue', routingKey: message.routingKey };
    this.events.emit({
      type: 'message.routed', messageId: message.id, exchange: '', routingKey: message.routingKey, queues: [DIRECT_REPLY_TO], bindings: [step],
    });
  }

  /** The queue a default-exchange publish names; publishers mostly repeat the last one. */
  private queueNamed(name: string): Queue | undefined {
    const last = this.lastQueue;
    if (last !== undefined && last.name === name && !last.deleted) return last;
    const queue = this.queues.get(name);
    this.lastQueue = queue;
    return queue;
  }

  /**
   * Routes a message and offers it to every queue it reached (one copy per queue). `keys`
   * are its CC/BCC keys, if any; `replied` says a direct reply-to address already took it.
   */
  private routeAndEnqueue(exchange: Exchange, message: QueuedMessage, returnTo: Channel | null, keys: SenderKeys | null, replied = false): PublishOutcome {
    const level = this.routing.acquire();
    try {
      const trace = this.events.active ? ([] as RouteStep[]) : null;
      this.routing.route(exchange, message.routingKey, keys === null ? null : keys.extra, message.properties.headers, level, trace);
      const queues = level.queues;
      if (trace) {
        this.events.emit({
          type: 'message.routed', messageId: message.id, exchange: exchange.name, routingKey: message.routingKey,
          queues: queues.map((q) => q.name), bindings: trace,
        });
      }
      if (queues.length === 0) {
        if (replied) return 'routed';
        this.unroutable(exchange, message, returnTo);
        return 'unroutable';
      }
      let rejected = false;
      const n = queues.length;
      for (let i = 0; i < n; i++) {
        const copy = i === n - 1 ? message : message.copy();
        // Dead-lettering routes by the same keys again.
        if (keys !== null) recordSenderKeys(copy, keys);
        copy.step(MessageStep['route.matched']);
        if (queues[i]!.enqueue(copy) === 'rejected') rejected = true;
      }
      return rejected ? 'rejected' : 'routed';
    } finally {
      this.routing.release(level);
    }
  }

  /** No queue took the message: back to a mandatory publisher (basic.return), else dropped. */
  private unroutable(exchange: Exchange, message: QueuedMessage, returnTo: Channel | null): void {
    message.step(MessageStep['route.none']);
    if (this.events.active) this.events.emit({ type: 'message.unroutable', messageId: message.id, exchange: exchange.name, routingKey: message.routingKey });
    if (!returnTo) {
      message.step(MessageStep.drop);
      return;
    }
    if (this.events.active) {
      this.events.emit({
        type: 'message.returned', messageId: message.id, exchange: exchange.name, routingKey: message.routingKey,
        replyCode: 312, replyText: 'NO_ROUTE', connection: returnTo.connection.id, channel: returnTo.id,
      });
    }
    message.step(MessageStep.return);
    returnTo.sink.returned(312, 'NO_ROUTE', message);
  }

  registerDirectReply(channel: Channel): void {
    this.directReplies.set(channel.directReplyToken, channel);
  }

  unregisterDirectReply(channel: Channel): void {
    this.directReplies.delete(channel.directReplyToken);
  }

  /** After recovery: new messages must not reuse the ids of stored ones. */
  seedMessageIds(atLeast: number): void {
    this.messageSeq = Math.max(this.messageSeq, atLeast);
  }
}

/**
 * What RabbitMQ refuses in a basic.publish itself, whatever the exchange does with it: a
 * bad expiration, a CC or BCC header that is not an array. In tx mode these fail at the
 * publish, not at commit.
 */
export function checkPublishedProperties(properties: BasicProperties): void {
  if (properties.expiration !== undefined) checkExpiration(properties.expiration);
  if (properties.headers !== undefined) readSenderKeys(properties.headers);
}

/** rabbit_basic:parse_expiration, with the terms RabbitMQ prints. */
function checkExpiration(expiration: string): void {
  const match = /^(-?\d+)(.*)$/s.exec(expiration);
  let problem: string | undefined;
  if (!match) problem = 'no_integer';
  else if (match[2] !== '') problem = `{leftover_string,"${match[2]}"}`;
  else if (Number(match[1]) < 0) problem = `{value_negative,${Number(match[1])}}`;
  if (problem) throw channelError('PRECONDITION_FAILED', `invalid expiration '${expiration}': ${problem}`);
}
