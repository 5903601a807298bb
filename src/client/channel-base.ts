// The machinery under every channel (amqplib's lib/channel.js): strictly one RPC on the
// wire at a time, the rest queued in order; incoming methods sorted into replies,
// deliveries, returns, confirms and closes; the closing handshake in both directions.
//
// Invariant: #outstanding === undefined -> #queue is empty. Whenever a reply clears
// #outstanding, the next queued RPC (if any) is sent and takes its place.

import { METHODS, ReplyCode, type Method, type MethodInput, type MethodName } from '../amqp/index.ts';
import { ContentAssembler, UnexpectedFrame, type Assembled } from './assembler.ts';
import { ConfirmWindow } from './confirms.ts';
import type { ChannelFrame, ChannelHandle, Connection } from './connection.ts';
import { Emitter } from './emitter.ts';
import { IllegalOperationError, closeMessage, methodDisplayName, rpcCloseError, serverError, stackCapture, type ServerError } from './errors.ts';
import type { ConsumeMessage, ConsumeMessageFields, ReturnMessage, ReturnMessageFields } from './types.ts';

export type ChannelEvents = {
  /** The server closed the channel because of an error (then 'close' follows). */
  error: [error: Error];
  /** The channel is closed; it cannot be used any more. */
  close: [];
  /** A mandatory message could not be routed and came back. */
  return: [message: ReturnMessage];
  /** The connection can take more messages after `publish` returned false. */
  drain: [];
  /** A confirm channel's message was confirmed. */
  ack: [fields: { deliveryTag: number; multiple: boolean }];
  /** A confirm channel's message was refused by the server. */
  nack: [fields: { deliveryTag: number; multiple: boolean; requeue: boolean }];
  /** The server cancelled a consumer (e.g. its queue was deleted). */
  cancel: [fields: { consumerTag: string }];
};

/** Gets the reply to an RPC, or the error that ended it. */
export type ReplyCallback = (err: Error | null, reply?: Method) => void;

interface Rpc {
  method: MethodInput;
  reply: ReplyCallback;
}

const ENDED = 'Channel ended, no reply will be forthcoming';

function classAndMethodIds(name: MethodName): { classId: number; methodId: number } {
  const info = METHODS[name];
  return { classId: info.classId, methodId: info.methodId };
}

type State = 'opening' | 'open' | 'closing' | 'closed';

export class ChannelBase extends Emitter<ChannelEvents> {
  /** The connection this channel belongs to. */
  readonly connection: Connection;
  /** The channel's number on its connection. */
  ch = 0;

  protected readonly consumers = new Map<string, (message: ConsumeMessage | null) => void>();
  protected readonly confirms = new ConfirmWindow();

  #state: State = 'opening';
  #invalid: IllegalOperationError | undefined;
  #outstanding: Rpc | undefined;
  #queue: (Rpc | undefined)[] = [];
  #queueHead = 0; // #queue[#queueHead] is the next RPC to send
  #assembler = new ContentAssembler();
  #onCloseOk: (() => void) | undefined;
  readonly #handle: ChannelHandle;

  constructor(connection: Connection) {
    super();
    this.connection = connection;
    this.#handle = {
      accept: (frame) => this.#accept(frame),
      closed: (stack) => this.#toClosed(stack),
      drained: () => this.emit('drain'),
    };
  }

  /** @internal Takes a channel number and opens the channel. */
  async open(): Promise<void> {
    this.ch = this.connection.allocateChannel(this.#handle);
    await this.rpc({ name: 'channel.open' }, ['channel.open-ok']);
    if (this.#state === 'opening') this.#state = 'open';
  }

  /** An RPC whose reply arrives as a promise of its arguments. */
  protected rpc(method: MethodInput, expect: readonly MethodName[]): Promise<Method['args']> {
    return new Promise((resolve, reject) => {
      this.call(method, expect, (err, reply) => (err === null ? resolve(reply!.args) : reject(err)));
    });
  }

  /**
   * An RPC whose reply callback runs synchronously as the reply is read, before any later
   * frame (consume registers its consumer here, before the first delivery can arrive).
   */
  protected call(method: MethodInput, expect: readonly MethodName[], cb: ReplyCallback): void {
    this.#sendOrEnqueue({
      method,
      reply: (err, reply) => {
        if (err !== null) return cb(err);
        if (expect.includes(reply!.name)) return cb(null, reply);
        // The server answered something else: amqplib closes the channel with 505.
        const text = `Expected ${expect.map(methodDisplayName).join(' or ')}; got ${methodDisplayName(reply!.name)}`;
        const error = new Error(text);
        this.#closeWithError(reply!.name, text, ReplyCode.UNEXPECTED_FRAME, error);
        cb(error);
      },
    });
  }

  /** Sends a method that has no reply (ack, nack, reject). */
  protected sendImmediately(method: MethodInput): boolean {
    if (this.#invalid !== undefined) throw this.#invalid;
    return this.connection.sendMethod(this.ch, method);
  }

  /** Sends basic.publish with its content. */
  protected sendMessage(method: MethodInput, properties: Parameters<Connection['sendMessage']>[2], body: Uint8Array): boolean {
    if (this.#invalid !== undefined) throw this.#invalid;
    return this.connection.sendMessage(this.ch, method, properties, body);
  }

  /** The next content on this channel completes `done` (basic.get-ok's message). */
  protected expectContent(done: (message: Assembled) => void): void {
    this.#assembler.begin(done);
  }

  /** Sends channel.close and resolves when the server answers close-ok. */
  protected closeChannel(): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        this.#closeBecause('Goodbye', ReplyCode.REPLY_SUCCESS, resolve);
      } catch (error) {
        reject(error);
      }
    });
  }

  #sendOrEnqueue(rpc: Rpc): void {
    if (this.#invalid !== undefined) throw this.#invalid;
    if (this.#outstanding !== undefined) {
      this.#queue.push(rpc);
      return;
    }
    this.#outstanding = rpc;
    this.connection.sendMethod(this.ch, rpc.method);
  }

  #accept(frame: ChannelFrame): void {
    if (this.#state === 'closing') {
      if (frame.type !== 'method') return;
      if (frame.method.name === 'channel.close-ok') {
        const done = this.#onCloseOk;
        this.#onCloseOk = undefined;
        done?.();
        this.#toClosed(stackCapture('ChannelCloseOk frame received'));
      } else if (frame.method.name === 'channel.close') {
        this.connection.sendMethod(this.ch, { name: 'channel.close-ok' });
      }
      return; // anything else is ignored while closing
    }
    if (this.#state === 'closed') throw new IllegalOperationError('Channel closed');
    try {
      if (frame.type === 'header') this.#assembler.header(frame.payload);
      else if (frame.type === 'body') this.#assembler.body(frame.payload);
      else this.#acceptMethod(frame.method);
    } catch (error) {
      if (!(error instanceof UnexpectedFrame)) throw error;
      const name = frame.type === 'method' ? frame.method.name : undefined;
      this.#closeWithError(name, error.message, ReplyCode.UNEXPECTED_FRAME, new Error(error.message));
    }
  }

  #acceptMethod(method: Method): void {
    switch (method.name) {
      case 'basic.deliver': {
        const fields: ConsumeMessageFields = { ...method.args };
        this.#assembler.begin((m) => this.#dispatch(fields.consumerTag, { fields, ...m }));
        return;
      }
      case 'basic.return': {
        const fields: ReturnMessageFields = { ...method.args };
        this.#assembler.begin((m) => this.emit('return', { fields, ...m }));
        return;
      }
      case 'basic.ack':
        this.confirms.settle(method.args.deliveryTag, method.args.multiple, null);
        this.emit('ack', { ...method.args });
        return;
      case 'basic.nack':
        this.confirms.settle(method.args.deliveryTag, method.args.multiple, new Error('message nacked'));
        this.emit('nack', { ...method.args });
        return;
      case 'basic.cancel': {
        // The broker cancels a consumer, e.g. when its queue is deleted: tell it with null.
        const tag = method.args.consumerTag;
        this.#dispatch(tag, null);
        this.consumers.delete(tag);
        this.emit('cancel', { consumerTag: tag });
        return;
      }
      case 'channel.close':
        this.#serverClose(method.args);
        return;
      case 'channel.flow':
        this.#closeWithError(method.name, 'Flow not implemented', ReplyCode.NOT_IMPLEMENTED, new Error('Flow not implemented'));
        return;
      default:
        this.#reply(method);
    }
  }

  #reply(method: Method): void {
    const rpc = this.#outstanding;
    this.#outstanding = undefined;
    const next = this.#queue[this.#queueHead];
    if (next !== undefined) {
      this.#queue[this.#queueHead++] = undefined; // let it be collected
      if (this.#queueHead === this.#queue.length) {
        this.#queue = [];
        this.#queueHead = 0;
      }
      this.#outstanding = next;
      this.connection.sendMethod(this.ch, next.method);
    }
    if (rpc === undefined) throw new Error(`Unexpected ${methodDisplayName(method.name)} on channel ${this.ch}: no operation was waiting for it`);
    rpc.reply(null, method);
  }

  #dispatch(tag: string, message: ConsumeMessage | null): void {
    const consumer = this.consumers.get(tag);
    if (consumer === undefined) throw new Error(`Unknown consumer: ${tag}`);
    consumer(message);
  }

  /**
   * The server closed the channel: the waiting RPC fails (naming itself if the close names
   * its method), close-ok goes back, 'error' then 'close'. An 'error' nobody listens to
   * throws, and the connection treats that as fatal, as amqplib does.
   */
  #serverClose(close: { replyCode: number; replyText: string; classId: number; methodId: number }): void {
    const rpc = this.#outstanding;
    this.#outstanding = undefined;
    if (rpc !== undefined) {
      const ids = classAndMethodIds(rpc.method.name);
      rpc.reply(rpcCloseError({ ...ids, name: rpc.method.name }, close));
    }
    this.connection.sendMethod(this.ch, { name: 'channel.close-ok' });
    const message = `Channel closed by server: ${closeMessage(close)}`;
    this.emit('error', serverError(message, close));
    this.#toClosed(stackCapture(message));
  }

  #closeBecause(reason: string, code: number, onCloseOk?: () => void): void {
    if (this.#invalid !== undefined) throw this.#invalid;
    this.connection.sendMethod(this.ch, { name: 'channel.close', args: { replyText: reason, replyCode: code, classId: 0, methodId: 0 } });
    this.#state = 'closing';
    this.#invalid = new IllegalOperationError('Channel closing', stackCapture(`closeBecause called: ${reason}`));
    this.#onCloseOk = onCloseOk;
  }

  /** We found the server at fault: close the channel, then report `error` with the code. */
  #closeWithError(method: MethodName | undefined, reason: string, code: number, error: Error): void {
    this.#closeBecause(reason, code, () => {
      const e = error as ServerError;
      e.code = code;
      if (method !== undefined) Object.assign(e, classAndMethodIds(method));
      this.emit('error', e);
    });
  }

  #toClosed(stack: string): void {
    if (this.#state === 'closed') return;
    const closing = this.#onCloseOk;
    this.#onCloseOk = undefined;
    this.#state = 'closed';
    this.#invalid = new IllegalOperationError('Channel closed', stack);
    const queued = this.#queue.slice(this.#queueHead) as Rpc[];
    const waiting = this.#outstanding === undefined ? queued : [this.#outstanding, ...queued];
    this.#outstanding = undefined;
    this.#queue = [];
    this.#queueHead = 0;
    for (const rpc of waiting) rpc.reply(new Error(ENDED));
    this.connection.releaseChannel(this.ch);
    this.confirms.fail(new Error('channel closed'));
    // close() resolves even when the connection went first (amqplib would leave it pending).
    closing?.();
    this.emit('close');
  }
}
