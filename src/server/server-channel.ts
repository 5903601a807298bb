// One open channel of a session: AMQP channel methods mapped onto the core's Channel, the
// content of a publish assembled from its header and body frames, and the core's
// unprompted output (deliveries, returns, confirms, cancels) written as frames.
//
// Invariant: a reply is written before any delivery the same core call caused (the core
// dispatches to a new consumer inside basicConsume, before consume-ok could be written),
// so deliveries are held while a method with a reply runs and written after the reply.

import { ClassId, decodeContentHeader, type FrameWriter, type Method } from '../amqp/index.ts';
import type { BasicDeliverInput, BasicPublishArgs, MethodInput } from '../amqp/generated/method-types.ts';
import type { Channel } from '../broker/channel.ts';
import { AmqpError, connectionError } from '../broker/errors.ts';
import type { QueuedMessage } from '../broker/message.ts';
import type { ChannelSink } from '../broker/sink.ts';
import type { BasicProperties } from '../broker/types.ts';

/** What a channel needs from its session. */
export interface ChannelWire {
  readonly writer: FrameWriter;
  /** Negotiated frame-max: bodies are split to fit it. */
  readonly frameMax: number;
  /** RabbitMQ limit on one message body (max_message_size). */
  readonly maxMessageSize: number;
  /** The client asked for consumer_cancel_notify (server-sent basic.cancel). */
  readonly cancelNotify: boolean;
  /** Output was written; the session sends it at the end of the read. */
  wrote(): void;
  /** The core closed the channel by itself. */
  channelClosedByBroker(channel: ServerChannel, error: AmqpError): void;
}

/** The most a content header may announce (rabbit_command_assembler's ?MAX_MSG_SIZE). */
const MAX_BODY_SIZE = 536870912;
const PUBLISH = { classId: ClassId.BASIC, methodId: 40 } as const;

const contentError = (code: 'UNEXPECTED_FRAME' | 'FRAME_ERROR', detail: string): AmqpError =>
  new AmqpError(code, detail, 'connection', PUBLISH.classId, PUBLISH.methodId);

export class ServerChannel implements ChannelSink {
  readonly id: number;
  /** Set right after the core opened it (the core needs this object as its sink). */
  core: Channel | null = null;
  /** The server sent channel.close and waits for close-ok: everything else is ignored. */
  closing = false;

  // The publish being assembled: its method, then its header, then body frames.
  #publish: BasicPublishArgs | null = null;
  #properties: BasicProperties | null = null;
  #bodySize = 0;
  #received = 0;
  #fragments: Uint8Array[] = [];

  #holding = false;
  /** consumerTag, deliveryTag, redelivered, message; four slots per held delivery. */
  readonly #held: unknown[] = [];
  readonly #wire: ChannelWire;
  // Reused for every delivery and confirm: the deliver path allocates nothing of its own.
  readonly #deliverArgs: BasicDeliverInput = { consumerTag: '', deliveryTag: 0, redelivered: false, exchange: '', routingKey: '' };
  readonly #deliver: MethodInput = { name: 'basic.deliver', args: this.#deliverArgs };
  readonly #ackArgs = { deliveryTag: 0, multiple: false };
  readonly #ack: MethodInput = { name: 'basic.ack', args: this.#ackArgs };
  readonly #nackArgs = { deliveryTag: 0, multiple: false, requeue: false };
  readonly #nack: MethodInput = { name: 'basic.nack', args: this.#nackArgs };

  constructor(id: number, wire: ChannelWire) {
    this.id = id;
    this.#wire = wire;
  }

  /** What the next frame on this channel must be. */
  get expecting(): 'method' | 'header' | 'body' {
    return this.#publish === null ? 'method' : this.#properties === null ? 'header' : 'body';
  }

  // ---- methods ----

  /** Runs a channel method (not channel.open/close/close-ok, which the session owns). */
  handle(method: Method): void {
    const core = this.core!;
    switch (method.name) {
      case 'basic.publish':
        this.#publish = method.args;
        return;
      case 'basic.ack':
        core.basicAck(method.args.deliveryTag, method.args.multiple);
        return;
      case 'basic.nack':
        core.basicNack(method.args.deliveryTag, method.args.multiple, method.args.requeue);
        return;
      case 'basic.reject':
        core.basicReject(method.args.deliveryTag, method.args.requeue);
        return;
      case 'basic.recover-async':
        core.basicRecover(method.args.requeue);
        return;
      case 'channel.flow-ok':
        return;
    }
    this.#holding = true;
    try {
      this.#withReply(core, method);
    } finally {
      this.#holding = false;
      this.#releaseHeld();
    }
  }

  #withReply(core: Channel, method: Method): void {
    switch (method.name) {
      case 'exchange.declare': {
        const a = method.args;
        core.exchangeDeclare(a.exchange, a.type, { passive: a.passive, durable: a.durable, autoDelete: a.autoDelete, internal: a.internal, arguments: a.arguments });
        if (!a.nowait) this.#reply({ name: 'exchange.declare-ok' });
        return;
      }
      case 'exchange.delete':
        core.exchangeDelete(method.args.exchange, { ifUnused: method.args.ifUnused });
        if (!method.args.nowait) this.#reply({ name: 'exchange.delete-ok' });
        return;
      case 'exchange.bind': {
        const a = method.args;
        core.exchangeBind(a.destination, a.source, a.routingKey, a.arguments);
        if (!a.nowait) this.#reply({ name: 'exchange.bind-ok' });
        return;
      }
      case 'exchange.unbind': {
        const a = method.args;
        core.exchangeUnbind(a.destination, a.source, a.routingKey, a.arguments);
        if (!a.nowait) this.#reply({ name: 'exchange.unbind-ok' });
        return;
      }
      case 'queue.declare': {
        const a = method.args;
        const ok = core.queueDeclare(a.queue, { passive: a.passive, durable: a.durable, exclusive: a.exclusive, autoDelete: a.autoDelete, arguments: a.arguments });
        if (!a.nowait) this.#reply({ name: 'queue.declare-ok', args: ok });
        return;
      }
      case 'queue.bind': {
        const a = method.args;
        core.queueBind(a.queue, a.exchange, a.routingKey, a.arguments);
        if (!a.nowait) this.#reply({ name: 'queue.bind-ok' });
        return;
      }
      case 'queue.unbind': {
        const a = method.args;
        core.queueUnbind(a.queue, a.exchange, a.routingKey, a.arguments);
        this.#reply({ name: 'queue.unbind-ok' });
        return;
      }
      case 'queue.purge': {
        const messageCount = core.queuePurge(method.args.queue);
        if (!method.args.nowait) this.#reply({ name: 'queue.purge-ok', args: { messageCount } });
        return;
      }
      case 'queue.delete': {
        const a = method.args;
        const messageCount = core.queueDelete(a.queue, { ifUnused: a.ifUnused, ifEmpty: a.ifEmpty });
        if (!a.nowait) this.#reply({ name: 'queue.delete-ok', args: { messageCount } });
        return;
      }
      case 'basic.qos':
        core.basicQos(method.args.prefetchSize, method.args.prefetchCount, method.args.global);
        this.#reply({ name: 'basic.qos-ok' });
        return;
      case 'basic.consume': {
        const a = method.args;
        const consumerTag = core.basicConsume(a.queue, { consumerTag: a.consumerTag, noAck: a.noAck, exclusive: a.exclusive, noLocal: a.noLocal, arguments: a.arguments });
        if (!a.nowait) this.#reply({ name: 'basic.consume-ok', args: { consumerTag } });
        return;
      }
      case 'basic.cancel':
        core.basicCancel(method.args.consumerTag);
        if (!method.args.nowait) this.#reply({ name: 'basic.cancel-ok', args: { consumerTag: method.args.consumerTag } });
        return;
      case 'basic.get': {
        const got = core.basicGet(method.args.queue, method.args.noAck);
        if (got === null) {
          this.#reply({ name: 'basic.get-empty' });
          return;
        }
        const m = got.message;
        this.#reply({
          name: 'basic.get-ok',
          args: { deliveryTag: got.deliveryTag, redelivered: got.redelivered, exchange: m.exchange, routingKey: m.routingKey, messageCount: got.messageCount },
        });
        this.#writeContent(m);
        return;
      }
      case 'basic.recover':
        core.basicRecover(method.args.requeue);
        this.#reply({ name: 'basic.recover-ok' });
        return;
      case 'confirm.select':
        core.confirmSelect();
        if (!method.args.nowait) this.#reply({ name: 'confirm.select-ok' });
        return;
      case 'tx.select':
        core.txSelect();
        this.#reply({ name: 'tx.select-ok' });
        return;
      case 'tx.commit':
        core.txCommit();
        this.#reply({ name: 'tx.commit-ok' });
        return;
      case 'tx.rollback':
        core.txRollback();
        this.#reply({ name: 'tx.rollback-ok' });
        return;
      case 'channel.flow':
        core.flow(method.args.active);
        this.#reply({ name: 'channel.flow-ok', args: { active: method.args.active } });
        return;
      case 'access.request':
        this.#reply({ name: 'access.request-ok', args: { ticket: 1 } });
        return;
      case 'channel.open':
        throw connectionError('CHANNEL_ERROR', "second 'channel.open' seen");
      default:
        // connection.* on a channel, server-to-client methods: rabbit_channel's last clause.
        throw connectionError('COMMAND_INVALID', 'unimplemented method');
    }
  }

  #reply(method: MethodInput): void {
    this.#wire.writer.writeMethod(this.id, method);
    this.#wire.wrote();
  }

  // ---- content ----

  /** A content header frame; publishes at once when the body is empty. */
  header(payload: Uint8Array): void {
    const header = decodeContentHeader(payload);
    if (header.classId !== ClassId.BASIC) {
      throw contentError('UNEXPECTED_FRAME', `expected content header for class 60, got one for class ${header.classId} instead`);
    }
    if (header.weight !== 0) throw contentError('UNEXPECTED_FRAME', 'expected content header for class 60, got non content header frame instead');
    const size = header.bodySize;
    if (size > MAX_BODY_SIZE) throw contentError('FRAME_ERROR', `content body size ${size} exceeds maximum allowed size ${MAX_BODY_SIZE}`);
    const max = this.#wire.maxMessageSize;
    if (size > max) {
      // RabbitMQ notices after the whole body arrived; refusing at the header keeps a
      // client from making us buffer it. The channel closes and its body frames are dropped.
      this.#resetContent();
      throw new AmqpError('PRECONDITION_FAILED', `message size ${size} is larger than configured max size ${max}`, 'channel', PUBLISH.classId, PUBLISH.methodId);
    }
    this.#properties = header.properties;
    this.#bodySize = size;
    this.#received = 0;
    if (size === 0) this.#publishNow(new Uint8Array(0));
  }

  /**
   * A body frame. A body in one frame that is most of its read chunk is used as is (a view,
   * no copy); a small one is copied, because a message may sit in a queue for a long time
   * and a view would keep the whole chunk (up to 128 KiB) alive with it.
   */
  body(payload: Uint8Array): void {
    const n = payload.length;
    if (n > this.#bodySize - this.#received) throw contentError('FRAME_ERROR', 'content body frame exceeds remaining content size');
    if (n === 0) return;
    if (n === this.#bodySize) {
      this.#publishNow(n * 2 < payload.buffer.byteLength ? payload.slice() : payload);
      return;
    }
    this.#fragments.push(payload);
    this.#received += n;
    if (this.#received < this.#bodySize) return;
    const body = new Uint8Array(this.#bodySize);
    let at = 0;
    for (const fragment of this.#fragments) {
      body.set(fragment, at);
      at += fragment.length;
    }
    this.#publishNow(body);
  }

  #publishNow(body: Uint8Array): void {
    const a = this.#publish!;
    const properties = this.#properties!;
    this.#resetContent();
    try {
      this.core!.basicPublish(a.exchange, a.routingKey, properties, body, a.mandatory, a.immediate);
    } catch (error) {
      // The frame that completed the content is a header or body: name the publish.
      if (error instanceof AmqpError && error.classId === 0) {
        error.classId = PUBLISH.classId;
        error.methodId = PUBLISH.methodId;
      }
      throw error;
    }
  }

  #resetContent(): void {
    this.#publish = null;
    this.#properties = null;
    this.#bodySize = 0;
    this.#received = 0;
    if (this.#fragments.length > 0) this.#fragments = [];
  }

  /** The channel is closing or closed: forget a half-assembled publish. */
  abandon(): void {
    this.#resetContent();
    this.#held.length = 0;
  }

  // ---- ChannelSink: what the core says unprompted ----

  deliver(consumerTag: string, deliveryTag: number, redelivered: boolean, message: QueuedMessage): void {
    if (this.#holding) {
      this.#held.push(consumerTag, deliveryTag, redelivered, message);
      return;
    }
    this.#writeDeliver(consumerTag, deliveryTag, redelivered, message);
  }

  #writeDeliver(consumerTag: string, deliveryTag: number, redelivered: boolean, message: QueuedMessage): void {
    const a = this.#deliverArgs;
    a.consumerTag = consumerTag;
    a.deliveryTag = deliveryTag;
    a.redelivered = redelivered;
    a.exchange = message.exchange;
    a.routingKey = message.routingKey;
    this.#wire.writer.writeMethod(this.id, this.#deliver);
    this.#writeContent(message);
  }

  #writeContent(message: QueuedMessage): void {
    const wire = this.#wire;
    wire.writer.writeContent(this.id, ClassId.BASIC, message.properties, message.body, wire.frameMax);
    wire.wrote();
  }

  #releaseHeld(): void {
    const held = this.#held;
    if (held.length === 0) return;
    const live = !this.closing && this.core !== null && this.core.open;
    for (let i = 0; live && i < held.length; i += 4) {
      this.#writeDeliver(held[i] as string, held[i + 1] as number, held[i + 2] as boolean, held[i + 3] as QueuedMessage);
    }
    held.length = 0;
  }

  returned(replyCode: number, replyText: string, message: QueuedMessage): void {
    this.#reply({ name: 'basic.return', args: { replyCode, replyText, exchange: message.exchange, routingKey: message.routingKey } });
    this.#writeContent(message);
  }

  confirm(deliveryTag: number, multiple: boolean, ack: boolean): void {
    if (ack) {
      this.#ackArgs.deliveryTag = deliveryTag;
      this.#ackArgs.multiple = multiple;
      this.#reply(this.#ack);
    } else {
      this.#nackArgs.deliveryTag = deliveryTag;
      this.#nackArgs.multiple = multiple;
      this.#reply(this.#nack);
    }
  }

  cancelled(consumerTag: string): void {
    // RabbitMQ tells only clients that said they understand it (consumer_cancel_notify).
    if (this.#wire.cancelNotify) this.#reply({ name: 'basic.cancel', args: { consumerTag, nowait: true } });
  }

  closed(error: AmqpError): void {
    this.#wire.channelClosedByBroker(this, error);
  }
}
