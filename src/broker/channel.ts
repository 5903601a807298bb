import { createActor, type Actor } from 'xstate';
import { channelMachine, channelRefusal, stateLabel, type ChannelEvent } from '../machines/index.ts';
import type { Connection } from './connection.ts';
import { Consumer } from './consumer.ts';
import { DIRECT_REPLY_TO } from './direct-reply-to.ts';
import { AmqpError, channelError, connectionError, errorFor } from './errors.ts';
import type { EventStream } from './events.ts';
import { MessageStep, type QueuedMessage } from './message.ts';
import { generatedName } from './names.ts';
import { Publisher } from './publisher.ts';
import type { Queue } from './queue.ts';
import { ACK, Settlement } from './settlement.ts';
import type { ChannelSink } from './sink.ts';
import type { BasicProperties, FieldTable } from './types.ts';
import { UnackedMessages } from './unacked.ts';
import type { VHost } from './vhost.ts';

export { DIRECT_REPLY_TO } from './direct-reply-to.ts';

export interface ConsumeOptions {
  consumerTag?: string;
  noAck?: boolean;
  exclusive?: boolean;
  noLocal?: boolean;
  arguments?: FieldTable;
}

export interface GetResult {
  deliveryTag: number;
  redelivered: boolean;
  message: QueuedMessage;
  /** Ready messages left in the queue. */
  messageCount: number;
}

/**
 * One AMQP channel in the core. Every public method is a client request; a failure throws
 * an AmqpError after closing this channel (channel errors) or the connection (connection
 * errors), which is what RabbitMQ does.
 */
export class Channel {
  open = true;
  /** False once closing: no more deliveries to this channel. */
  flowActive = true;
  /** The channel's lifecycle, run by the same machine the visualiser draws. */
  readonly machine: Actor<typeof channelMachine>;
  readonly consumers = new Map<string, Consumer>();
  readonly unacked = new UnackedMessages();
  private nextDeliveryTag = 1;
  /** basic.qos global=false: prefetch given to consumers created after it. */
  private consumerPrefetch = 0;
  /** basic.qos global=true: limit shared by every consumer on the channel (settlement reads it). */
  globalPrefetch = 0;
  /** Unacked deliveries made to consumers (not basic.get), for the global limit; settling lowers it. */
  consumerUnacked = 0;
  mode: 'normal' | 'confirm' | 'tx' = 'normal';
  /** The consumer tag of this channel's direct reply-to consumer, if any. */
  directReplyTag: string | null = null;
  readonly directReplyToken: string;
  /** The queue named by '' in later methods (RabbitMQ's most recently declared queue). */
  private lastDeclaredQueue = '';

  readonly id: number;
  readonly connection: Connection;
  readonly sink: ChannelSink;
  private readonly vhost: VHost;
  private readonly events: EventStream;
  private readonly publisher: Publisher;
  private readonly settlement: Settlement;

  constructor(id: number, connection: Connection, sink: ChannelSink, vhost: VHost) {
    this.id = id;
    this.connection = connection;
    this.sink = sink;
    this.vhost = vhost;
    this.events = vhost.events;
    this.publisher = new Publisher(this, vhost);
    this.settlement = new Settlement(this, vhost.events);
    this.directReplyToken = `${generatedName('')}.${connection.id}.${id}`;
    this.machine = createActor(channelMachine, { input: { id, connection: connection.id } });
    let label = 'opening';
    this.machine.subscribe((snapshot) => {
      const next = stateLabel(snapshot.value);
      if (next !== label && this.vhost.events.active) {
        this.vhost.events.emit({ type: 'channel.state', connection: connection.id, channel: id, from: label, to: next });
      }
      label = next;
    });
    this.machine.start();
    this.machine.send({ type: 'open.ok' });
  }

  /** Sends an event to the channel machine, or throws RabbitMQ's error when it refuses it. */
  private transition(event: ChannelEvent): void {
    const refusal = channelRefusal(this.machine.getSnapshot(), event);
    if (refusal) throw errorFor(refusal.code, refusal.detail);
    this.machine.send(event);
  }


  // ---- exchanges and queues ----

  exchangeDeclare(name: string, type: string, opts: { passive?: boolean; durable?: boolean; autoDelete?: boolean; internal?: boolean; arguments?: FieldTable } = {}): void {
    this.guard(() => this.vhost.declareExchange(name, type, opts));
  }

  exchangeDelete(name: string, opts: { ifUnused?: boolean } = {}): void {
    this.guard(() => this.vhost.deleteExchange(name, opts.ifUnused ?? false));
  }

  exchangeBind(destination: string, source: string, routingKey: string, args: FieldTable = {}): void {
    this.guard(() => this.vhost.bindExchange(destination, source, routingKey, args));
  }

  exchangeUnbind(destination: string, source: string, routingKey: string, args: FieldTable = {}): void {
    this.guard(() => this.vhost.unbindExchange(destination, source, routingKey, args));
  }

  queueDeclare(name: string, opts: { passive?: boolean; durable?: boolean; exclusive?: boolean; autoDelete?: boolean; arguments?: FieldTable } = {}): { queue: string; messageCount: number; consumerCount: number } {
    return this.guard(() => {
      const q = this.vhost.declareQueue(this.connection, name, opts);
      this.lastDeclaredQueue = q.name;
      return { queue: q.name, messageCount: q.messageCount, consumerCount: q.consumerCount };
    });
  }

  /** RabbitMQ reads the queue name '' as the queue this channel declared last. */
  private queueName(name: string): string {
    if (name !== '') return name;
    if (this.lastDeclaredQueue === '') throw channelError('NOT_FOUND', 'no previously declared queue');
    return this.lastDeclaredQueue;
  }

  queueBind(queue: string, exchange: string, routingKey: string, args: FieldTable = {}): void {
    this.guard(() => {
      // Queue and routing key both '': the key is the last declared queue's name too.
      const key = queue === '' && routingKey === '' ? this.queueName('') : routingKey;
      this.vhost.bindQueue(this.connection, this.queueName(queue), exchange, key, args);
    });
  }

  queueUnbind(queue: string, exchange: string, routingKey: string, args: FieldTable = {}): void {
    this.guard(() => this.vhost.unbindQueue(this.connection, this.queueName(queue), exchange, routingKey, args));
  }

  queuePurge(queue: string): number {
    return this.guard(() => this.vhost.purgeQueue(this.connection, this.queueName(queue)));
  }

  queueDelete(queue: string, opts: { ifUnused?: boolean; ifEmpty?: boolean } = {}): number {
    return this.guard(() => this.vhost.deleteQueueByName(this.connection, this.queueName(queue), opts.ifUnused ?? false, opts.ifEmpty ?? false));
  }

  // ---- consuming ----

  basicQos(prefetchSize: number, prefetchCount: number, global: boolean): void {
    this.guard(() => {
      if (prefetchSize !== 0) throw connectionError('NOT_IMPLEMENTED', `prefetch_size!=0 (${prefetchSize})`);
      if (global) this.globalPrefetch = prefetchCount;
      else this.consumerPrefetch = prefetchCount;
      for (const c of this.consumers.values()) c.queue.dispatch();
    });
  }

  hasGlobalRoom(): boolean {
    return this.globalPrefetch === 0 || this.consumerUnacked < this.globalPrefetch;
  }

  basicConsume(queueName: string, opts: ConsumeOptions = {}): string {
    return this.guard(() => {
      const tag = opts.consumerTag || generatedName('amq.ctag-');
      if (this.consumers.has(tag) || this.directReplyTag === tag) {
        throw connectionError('NOT_ALLOWED', `attempt to reuse consumer tag '${tag}'`);
      }
      if (queueName === DIRECT_REPLY_TO) return this.consumeDirectReplyTo(tag, opts);
      const queue = this.vhost.queueFor(this.connection, this.queueName(queueName));
      if (queue.settings.type === 'quorum' && this.globalPrefetch !== 0) {
        throw connectionError('NOT_IMPLEMENTED', `queue '${queue.name}' in vhost '${this.vhost.name}' does not support global qos`);
      }
      // A single-active-consumer queue never takes an exclusive consumer, even when idle.
      const exclusiveRefused = opts.exclusive && (queue.consumers.length > 0 || queue.settings.singleActiveConsumer);
      if (queue.consumers.some((c) => c.exclusive) || exclusiveRefused) {
        throw channelError('ACCESS_REFUSED', `queue '${queue.name}' in vhost '${this.vhost.name}' in exclusive use`);
      }
      const consumer = new Consumer(tag, queue, this, opts.noAck ?? false, opts.exclusive ?? false, this.consumerPrefetch, opts.arguments ?? {});
      this.consumers.set(tag, consumer);
      if (this.events.active) {
        this.events.emit({
          type: 'consumer.added', queue: queue.name, consumerTag: tag, connection: this.connection.id, channel: this.id,
          noAck: consumer.noAck, exclusive: consumer.exclusive, prefetch: consumer.prefetch,
        });
      }
      queue.addConsumer(consumer);
      return tag;
    });
  }

  private consumeDirectReplyTo(tag: string, opts: ConsumeOptions): string {
    if (!opts.noAck) throw channelError('PRECONDITION_FAILED', 'reply consumer cannot acknowledge');
    if (this.directReplyTag !== null) throw channelError('PRECONDITION_FAILED', 'reply consumer already set');
    this.directReplyTag = tag;
    this.vhost.registerDirectReply(this);
    if (this.events.active) {
      this.events.emit({
        type: 'consumer.added', queue: DIRECT_REPLY_TO, consumerTag: tag, connection: this.connection.id, channel: this.id,
        noAck: true, exclusive: false, prefetch: 0,
      });
    }
    return tag;
  }

  /** The direct reply-to consumer is gone: cancelled, or its channel closed. */
  private dropDirectReply(by: 'client' | 'channel-closed'): void {
    const tag = this.directReplyTag;
    if (tag === null) return;
    this.directReplyTag = null;
    this.vhost.unregisterDirectReply(this);
    if (this.events.active) {
      this.events.emit({ type: 'consumer.cancelled', queue: DIRECT_REPLY_TO, consumerTag: tag, connection: this.connection.id, channel: this.id, by });
    }
  }

  /** Cancels a consumer; an unknown tag is not an error, as in RabbitMQ. */
  basicCancel(tag: string): void {
    this.guard(() => {
      if (tag === this.directReplyTag) {
        this.dropDirectReply('client');
        return;
      }
      const consumer = this.consumers.get(tag);
      if (consumer) this.removeConsumer(consumer, 'client');
    });
  }

  private removeConsumer(consumer: Consumer, by: 'client' | 'server' | 'channel-closed'): void {
    this.consumers.delete(consumer.tag);
    consumer.cancelledBy = by === 'client' ? 'cancel.client' : by === 'server' ? 'cancel.server' : 'channel.closed';
    if (by === 'server') consumer.step('cancel.server');
    if (this.events.active) {
      this.events.emit({ type: 'consumer.cancelled', queue: consumer.queue.name, consumerTag: consumer.tag, connection: this.connection.id, channel: this.id, by });
    }
    if (by !== 'server') consumer.queue.removeConsumer(consumer);
  }

  /** The queue was deleted: tell the client its consumer is gone (basic.cancel). */
  consumerCancelledByServer(consumer: Consumer): void {
    if (!this.consumers.has(consumer.tag)) return;
    this.removeConsumer(consumer, 'server');
    this.sink.cancelled(consumer.tag);
  }

  consumerActivated(consumer: Consumer): void {
    if (this.events.active) this.events.emit({ type: 'consumer.activated', queue: consumer.queue.name, consumerTag: consumer.tag });
  }

  /** Called by a queue: hand one message to one of this channel's consumers. */
  deliver(consumer: Consumer, message: QueuedMessage): void {
    if (consumer.noAck) this.deliverNoAck(consumer, message);
    else this.deliverUnacked(consumer, message);
  }

  // Two paths, so that each stays small and sees one kind of consumer.
  private deliverNoAck(consumer: Consumer, message: QueuedMessage): void {
    const tag = this.nextDeliveryTag++;
    const queue = consumer.queue;
    if (queue.quorum) markDeliveryCount(message);
    message.step(MessageStep['deliver.noAck']);
    queue.consumed(message);
    if (this.events.active) this.delivered(consumer, message, tag);
    this.sink.deliver(consumer.tag, tag, message.redelivered, message);
  }

  private deliverUnacked(consumer: Consumer, message: QueuedMessage): void {
    const tag = this.nextDeliveryTag++;
    const queue = consumer.queue;
    if (queue.quorum) {
      markDeliveryCount(message);
      this.rememberDelivery(queue, message);
    }
    message.step(MessageStep.deliver);
    message.consumer = consumer;
    consumer.unacked++;
    this.consumerUnacked++;
    queue.unackedCount++;
    this.unacked.add(tag, message);
    if (this.events.active) this.delivered(consumer, message, tag);
    this.sink.deliver(consumer.tag, tag, message.redelivered, message);
  }

  /**
   * A quorum queue's log records deliveries: killed now, RabbitMQ brings the message back
   * redelivered, counted as one more return (as if its channel had closed). Quorum queues
   * keep every message they accepted, so the store hears of each delivery.
   */
  private rememberDelivery(queue: Queue, message: QueuedMessage): void {
    if (queue.keeps(message)) this.vhost.store.markDelivered(queue.name, message, message.deliveryCount + 1);
  }

  private delivered(consumer: Consumer, message: QueuedMessage, tag: number): void {
    this.events.emit({
      type: 'message.delivered', messageId: message.id, queue: consumer.queue.name, consumerTag: consumer.tag, deliveryTag: tag,
      redelivered: message.redelivered, deliveryCount: message.deliveryCount, connection: this.connection.id, channel: this.id, noAck: consumer.noAck,
    });
  }

  basicGet(queueName: string, noAck: boolean): GetResult | null {
    return this.guard(() => {
      const queue = this.vhost.queueFor(this.connection, this.queueName(queueName));
      const message = queue.take();
      if (!message) return null;
      const tag = this.nextDeliveryTag++;
      if (queue.quorum) markDeliveryCount(message, true);
      if (noAck) {
        message.step(MessageStep['deliver.noAck']);
        queue.consumed(message);
      } else {
        if (queue.quorum) this.rememberDelivery(queue, message);
        message.step(MessageStep.deliver);
        queue.unackedCount++;
        this.unacked.add(tag, message);
      }
      if (this.events.active) {
        this.events.emit({
          type: 'message.delivered', messageId: message.id, queue: queue.name, consumerTag: null, deliveryTag: tag,
          redelivered: message.redelivered, deliveryCount: message.deliveryCount, connection: this.connection.id, channel: this.id, noAck,
        });
      }
      return { deliveryTag: tag, redelivered: message.redelivered, message, messageCount: queue.messageCount };
    });
  }

  // ---- settling deliveries (see settlement.ts) ----

  basicAck(deliveryTag: number, multiple = false): void {
    this.assertOpen();
    this.settlement.settle(deliveryTag, multiple, ACK);
  }

  basicNack(deliveryTag: number, multiple = false, requeue = true): void {
    this.assertOpen();
    this.settlement.settle(deliveryTag, multiple, { kind: 'reject', requeue, method: 'nack' });
  }

  basicReject(deliveryTag: number, requeue = true): void {
    this.assertOpen();
    this.settlement.settle(deliveryTag, false, { kind: 'reject', requeue, method: 'reject' });
  }

  /** Lets every consumer of the channel take more (a slot under the global limit freed). */
  dispatchAll(): void {
    for (const c of this.consumers.values()) c.queue.dispatch();
  }

  /** basic.recover: every unacked message goes back to its queue, redelivered. */
  basicRecover(requeue = true): void {
    this.guard(() => {
      if (!requeue) throw connectionError('NOT_IMPLEMENTED', 'requeue=false');
      this.settlement.requeueAll('recover');
    });
  }

  // ---- publishing, confirms and transactions (see publisher.ts) ----

  basicPublish(exchange: string, routingKey: string, properties: BasicProperties, body: Uint8Array, mandatory = false, immediate = false): void {
    this.assertOpen();
    try {
      if (immediate) throw connectionError('NOT_IMPLEMENTED', 'immediate=true');
      this.publisher.publish(exchange, routingKey, mandatory, properties, body);
    } catch (e) {
      if (e instanceof AmqpError) this.fail(e);
      throw e;
    }
  }

  /** Sends the confirms held back until the store was flushed. */
  flushConfirms(): void {
    this.publisher.flushConfirms();
  }

  /**
   * The client is closing the channel: publishes it made before are taken, so their held
   * confirms go out now (after the store is flushed), ahead of the close-ok.
   */
  confirmBeforeClose(): void {
    if (!this.open || !this.publisher.holdsConfirms) return;
    this.vhost.store.flush();
    this.publisher.flushConfirms();
  }

  confirmSelect(): void {
    this.guard(() => {
      this.transition({ type: 'confirm.select' });
      this.mode = 'confirm';
    });
  }

  txSelect(): void {
    this.guard(() => {
      this.transition({ type: 'tx.select' });
      this.mode = 'tx';
    });
  }

  /** The held publishes go out, then the held settles apply. */
  txCommit(): void {
    this.guard(() => {
      this.transition({ type: 'tx.commit' });
      const settles = this.settlement.takeHeld();
      this.publisher.commit();
      this.settlement.applyHeld(settles);
    });
  }

  txRollback(): void {
    this.guard(() => {
      this.transition({ type: 'tx.rollback' });
      this.publisher.discard();
      this.settlement.rollback();
    });
  }

  /** channel.flow: RabbitMQ accepts only active=true (it throttles with connection.blocked). */
  flow(active: boolean): void {
    this.guard(() => this.transition({ type: 'flow', active }));
  }

  // ---- closing ----

  /** The client closed the channel, or its connection went away. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    const closing = this.machine.getSnapshot().value;
    if (closing !== 'closing' && closing !== 'closed') {
      this.machine.send(this.connection.open ? { type: 'close.received', replyCode: 200, replyText: 'OK' } : { type: 'connection.closed' });
    }
    this.flowActive = false;
    // Settles held by an uncommitted transaction never happened: those deliveries are
    // unacked again and go back to their queues with the rest (as RabbitMQ does).
    this.settlement.rollback();
    this.publisher.discard();
    this.settlement.requeueAll('channel-closed');
    for (const consumer of [...this.consumers.values()]) this.removeConsumer(consumer, 'channel-closed');
    this.dropDirectReply('channel-closed');
    this.connection.channelClosed(this);
  }

  /** The client answered our channel.close with close-ok. */
  closeOk(): void {
    this.machine.send({ type: 'close-ok.received' });
  }

  /** A channel error: close, tell listeners; the caller reports it to the client. */
  fail(error: AmqpError): never {
    if (error.scope === 'connection') this.connection.fail(error);
    else if (this.open) {
      this.machine.send({ type: 'close.sent', replyCode: error.replyCode, replyText: error.replyText });
      if (this.events.active) {
        this.events.emit({ type: 'channel.closed', connection: this.connection.id, channel: this.id, replyCode: error.replyCode, replyText: error.replyText });
      }
      this.close();
    }
    throw error;
  }

  private assertOpen(): void {
    // RabbitMQ answers a method on a channel that is not open with this connection error.
    if (!this.open) throw new AmqpError('CHANNEL_ERROR', "expected 'channel.open'", 'connection');
  }

  private guard<T>(operation: () => T): T {
    this.assertOpen();
    try {
      return operation();
    } catch (e) {
      if (e instanceof AmqpError) this.fail(e);
      throw e;
    }
  }

  /** A message for this channel's direct reply-to consumer. */
  deliverDirectReply(message: QueuedMessage): void {
    if (this.directReplyTag === null) return;
    const tag = this.nextDeliveryTag++;
    // The pseudo-queue amq.rabbitmq.reply-to hands the message straight over, no-ack.
    message.step(MessageStep.enqueue);
    message.step(MessageStep['deliver.noAck']);
    if (this.events.active) {
      this.events.emit({
        type: 'message.delivered', messageId: message.id, queue: DIRECT_REPLY_TO, consumerTag: this.directReplyTag, deliveryTag: tag,
        redelivered: false, deliveryCount: 0, connection: this.connection.id, channel: this.id, noAck: true,
      });
    }
    this.sink.deliver(this.directReplyTag, tag, false, message);
  }
}

/** Quorum queues tell consumers how often a message came back (x-delivery-count). */
function markDeliveryCount(message: QueuedMessage, evenZero = false): void {
  // RabbitMQ shows the header on every basic.get, but on a consumer delivery only once it
  // has come back at least once.
  if (message.deliveryCount === 0 && !evenZero) return;
  const p = message.properties;
  message.properties = { ...p, headers: { ...(p.headers ?? {}), 'x-delivery-count': message.deliveryCount } };
}
