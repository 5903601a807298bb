// One AMQP connection over a ByteTransport: the opening handshake, frames in and out,
// channel numbers, channel 0 (close, blocked, heartbeats) and the closing handshake.
// The shape follows amqplib's lib/connection.js; the channels do everything else.
//
// States: opening -> open -> closing (we sent connection.close) -> closed. Once closing,
// every send throws IllegalOperationError('Connection closing'); once closed,
// 'Connection closed (by client)' or 'Connection closed (<error>)'.

import {
  FrameParser,
  FrameWriter,
  ReplyCode,
  decodeMethod,
  type Frame,
  type Method,
  type MethodInput,
} from '../amqp/index.ts';
import type { BasicProperties, FieldTable } from '../broker/types.ts';
import { Emitter } from './emitter.ts';
import { IllegalOperationError, closeMessage, inspectFrame, serverError, stackCapture, type ServerError } from './errors.ts';
import { MethodInbox, handshake } from './handshake.ts';
import { startHeartbeat } from './heartbeat.ts';
import type { ByteTransport } from './transport.ts';
import type { Credentials, ServerProperties } from './types.ts';
import type { ConnectParams } from './url.ts';

/** A frame for a channel, its method already decoded. */
export type ChannelFrame =
  | { readonly type: 'method'; readonly method: Method }
  | { readonly type: 'header'; readonly payload: Uint8Array }
  | { readonly type: 'body'; readonly payload: Uint8Array };

/** What the connection needs from each channel it carries. */
export interface ChannelHandle {
  accept(frame: ChannelFrame): void;
  /** The connection is gone: close without a handshake. */
  closed(stack: string): void;
  /** The transport has room again after a send returned false. */
  drained(): void;
}

export type ConnectionEvents = {
  error: [error: Error];
  close: [error?: Error];
  blocked: [reason: string];
  unblocked: [];
};

type State = 'opening' | 'open' | 'closing' | 'closed';

// A connection.close from the server with these codes is not an error (amqplib's isFatalError).
const isFatal = (code: number) => code !== ReplyCode.CONNECTION_FORCED && code !== ReplyCode.REPLY_SUCCESS;

export class Connection extends Emitter<ConnectionEvents> {
  /** What the server said about itself in connection.start. */
  serverProperties: ServerProperties = {};
  /** Negotiated limits (0 from the server means no limit, stored as the encoding's maximum). */
  channelMax = 0;
  frameMax = 0;
  /** Negotiated heartbeat interval in seconds; 0 when off. */
  heartbeat = 0;
  /** True between connection.blocked and connection.unblocked. */
  blocked = false;

  readonly #transport: ByteTransport;
  readonly #parser = new FrameParser({ frameMax: 0 });
  readonly #writer = new FrameWriter();
  readonly #channels = new Map<number, ChannelHandle>();
  readonly #wantDrain = new Set<ChannelHandle>();
  #state: State = 'opening';
  #closedBecause = 'Connection closing';
  #closedStack: string | undefined;
  #onCloseOk: (() => void) | undefined;
  #stopHeartbeat: (() => void) | undefined;
  #sent = false;
  #received = false;
  // Channel-0 methods wait here for the opening handshake to read them.
  #inbox = new MethodInbox();
  // An 'error' emitted with no listener, thrown once the connection has finished closing.
  #unheard: unknown;

  constructor(transport: ByteTransport) {
    super();
    this.#transport = transport;
    transport.onData((chunk) => this.#onData(chunk));
    transport.onClose((error) => {
      this.#onTransportClose(error);
      this.#throwUnheard();
    });
    transport.onDrain?.(() => {
      const waiting = [...this.#wantDrain];
      this.#wantDrain.clear();
      for (const ch of waiting) ch.drained();
    });
  }

  /** @internal Runs the opening handshake; rejects (and closes the transport) if it fails. */
  async open(params: ConnectParams, login: Credentials, extraProperties?: FieldTable): Promise<void> {
    try {
      this.#writer.writeProtocolHeader();
      this.#flush();
      const io = { send: (method: MethodInput) => this.#send0(method), next: () => this.#inbox.next() };
      const { serverProperties, tuned } = await handshake(io, params, login, extraProperties);
      this.serverProperties = serverProperties;
      this.channelMax = tuned.channelMax || 0xffff;
      this.frameMax = tuned.frameMax || 0xffffffff;
      this.#parser.frameMax = tuned.frameMax;
      this.heartbeat = tuned.heartbeat;
      this.#state = 'open';
      if (this.heartbeat > 0) this.#startHeartbeat();
    } catch (error) {
      this.#state = 'closed';
      this.#closedBecause = `Connection closed (${String(error)})`;
      this.#transport.close();
      throw error;
    }
  }

  /** Sends connection.close and resolves once the server answers close-ok. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#state !== 'open') {
        reject(new IllegalOperationError(this.#closedBecause, this.#closedStack));
        return;
      }
      this.#closeBecause('Cheers, thanks', ReplyCode.REPLY_SUCCESS, resolve);
    });
  }

  /** @internal Takes the lowest free channel number for `handle`. */
  allocateChannel(handle: ChannelHandle): number {
    if (this.#state !== 'open') throw new IllegalOperationError(this.#closedBecause, this.#closedStack);
    for (let id = 1; id <= this.channelMax; id++) {
      if (!this.#channels.has(id)) {
        this.#channels.set(id, handle);
        return id;
      }
    }
    throw new Error('No channels left to allocate');
  }

  /** @internal Frees a channel number once its channel has closed. */
  releaseChannel(id: number): void {
    const handle = this.#channels.get(id);
    if (handle !== undefined) this.#wantDrain.delete(handle);
    this.#channels.delete(id);
  }

  /** @internal Sends one method frame; throws IllegalOperationError unless open. */
  sendMethod(channel: number, method: MethodInput): boolean {
    this.#checkSend();
    this.#writer.writeMethod(channel, method);
    return this.#flush(channel);
  }

  /** @internal basic.publish, its content header and body frames, in one write. */
  sendMessage(channel: number, method: MethodInput, properties: BasicProperties, body: Uint8Array): boolean {
    this.#checkSend();
    const w = this.#writer;
    w.writeMethod(channel, method);
    try {
      w.writeContent(channel, 60, properties, body, this.frameMax);
    } catch (error) {
      w.take(); // drop the method frame already written
      throw error;
    }
    return this.#flush(channel);
  }

  #checkSend(): void {
    if (this.#state !== 'open') throw new IllegalOperationError(this.#closedBecause, this.#closedStack);
  }

  #send0(method: MethodInput): void {
    this.#writer.writeMethod(0, method);
    this.#flush();
  }

  #flush(channel?: number): boolean {
    this.#sent = true;
    const ok = this.#transport.send(this.#writer.take()) !== false;
    if (!ok && channel !== undefined) {
      const handle = this.#channels.get(channel);
      if (handle !== undefined) this.#wantDrain.add(handle);
    }
    return ok;
  }

  // --- incoming ---

  #onData(chunk: Uint8Array): void {
    if (this.#state === 'closed') return;
    this.#received = true;
    this.#parser.push(chunk);
    try {
      for (let frame = this.#parser.read(); frame !== undefined; frame = this.#parser.read()) {
        if (frame.type === 'protocol-header') continue;
        this.#accept(frame);
        if ((this.#state as State) === 'closed') break;
      }
    } catch (error) {
      // A bad frame, or an error thrown by an event listener or consumer (an unheard
      // channel 'error' included): amqplib gives up on the connection.
      this.#fail(error instanceof Error ? error : new Error(String(error)));
    }
    this.#throwUnheard();
  }

  #throwUnheard(): void {
    const unheard = this.#unheard;
    if (unheard === undefined) return;
    this.#unheard = undefined;
    throw unheard;
  }

  #accept(frame: Frame): void {
    if (frame.type === 8) return; // heartbeat: counted as activity already
    if (frame.channel === 0) {
      if (frame.type !== 1) throw new Error(`Unexpected content frame on channel 0`);
      this.#acceptChannel0(decodeMethod(frame.payload));
      return;
    }
    if (this.#state === 'opening') throw new Error(`Frame on channel != 0 during handshake: <channel:${frame.channel}>`);
    if (this.#state === 'closing') return; // we said connection.close: only close-ok matters now
    const handle = this.#channels.get(frame.channel);
    if (handle === undefined) {
      this.#closeWithError(`Frame on unknown channel ${frame.channel}`, ReplyCode.CHANNEL_ERROR, new Error(`Frame on unknown channel: <channel:${frame.channel}>`));
      return;
    }
    if (frame.type === 1) handle.accept({ type: 'method', method: decodeMethod(frame.payload) });
    else handle.accept({ type: frame.type === 2 ? 'header' : 'body', payload: frame.payload });
  }

  #acceptChannel0(method: Method): void {
    if (this.#state === 'opening') {
      this.#inbox.push(method);
      return;
    }
    if (this.#state === 'closing') {
      if (method.name === 'connection.close-ok') {
        const done = this.#onCloseOk;
        this.#onCloseOk = undefined;
        done?.();
        this.#toClosed(stackCapture('ConnectionCloseOk received'), undefined);
      } else if (method.name === 'connection.close') {
        this.#writer.writeMethod(0, { name: 'connection.close-ok' });
        this.#flush();
      }
      return;
    }
    switch (method.name) {
      case 'connection.close': {
        this.#writer.writeMethod(0, { name: 'connection.close-ok' });
        this.#flush();
        const message = `Connection closed: ${closeMessage(method.args)}`;
        const error: ServerError = serverError(message, method.args);
        // amqplib sets only the code on a connection error.
        delete error.classId;
        delete error.methodId;
        this.#toClosed(stackCapture(message), error, isFatal(method.args.replyCode));
        return;
      }
      case 'connection.blocked':
        this.blocked = true;
        this.emit('blocked', method.args.reason);
        return;
      case 'connection.unblocked':
        this.blocked = false;
        this.emit('unblocked');
        return;
      default:
        this.#closeWithError('Unexpected frame on channel 0', ReplyCode.UNEXPECTED_FRAME, new Error(`Unexpected frame on channel 0: ${inspectFrame(0, method.name)}`));
    }
  }

  // --- closing ---

  #closeBecause(reason: string, code: number, onCloseOk?: () => void): void {
    this.#writer.writeMethod(0, { name: 'connection.close', args: { replyText: reason, replyCode: code, classId: 0, methodId: 0 } });
    this.#flush();
    const stack = stackCapture(`closeBecause called: ${reason}`);
    if (this.blocked) {
      // A blocked server reads nothing more, so there is no close-ok to wait for.
      onCloseOk?.();
      this.#toClosed(stackCapture('Connection blocked: closing immediately'), undefined);
      return;
    }
    this.#state = 'closing';
    this.#closedBecause = 'Connection closing';
    this.#closedStack = stack;
    this.#onCloseOk = onCloseOk;
  }

  #closeWithError(reason: string, code: number, error: Error): void {
    this.#closeBecause(reason, code);
    this.#emitError(error);
  }

  /** The transport failed, a frame was bad, or a listener threw: error, then close. */
  #fail(error: Error): void {
    if (this.#state === 'opening') {
      this.#inbox.fail(error);
      return;
    }
    if (this.#state === 'closed') return;
    this.#toClosed(stackCapture('Socket error'), error, true);
  }

  #onTransportClose(error?: Error): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'opening') {
      this.#inbox.fail(error ?? new Error('Socket closed abruptly during opening handshake'));
      return;
    }
    if (this.#state === 'closing' && error === undefined) {
      // We asked to close and the server hung up without close-ok: closed all the same
      // (amqplib would report 'Unexpected close' and leave close() pending).
      const done = this.#onCloseOk;
      this.#onCloseOk = undefined;
      done?.();
      this.#toClosed(stackCapture('Transport closed while closing'), undefined);
      return;
    }
    this.#fail(error ?? new Error('Unexpected close'));
  }

  /**
   * Everything stops: 'error' (when `emitError`), the channels close, the transport
   * closes, then 'close'. An 'error' nobody listens to is kept in #unheard and thrown
   * from the transport callback once 'close' has been emitted, as Node would throw it
   * (amqplib crashes the process the same way).
   */
  #toClosed(stack: string, error: Error | undefined, emitError = false): void {
    this.#state = 'closed';
    this.#closedBecause = `Connection closed (${error === undefined ? 'by client' : String(error)})`;
    this.#closedStack = stack;
    this.#stopHeartbeat?.();
    this.#stopHeartbeat = undefined;
    this.#transport.close();
    if (emitError && error !== undefined) this.#emitError(error);
    const channels = [...this.#channels.values()];
    this.#channels.clear();
    this.#wantDrain.clear();
    for (const ch of channels) this.#safely(() => ch.closed(stack));
    this.#safely(() => this.emit('close', error));
  }

  #emitError(error: Error): void {
    if (this.listenerCount('error') > 0) this.#safely(() => this.emit('error', error));
    else this.#unheard ??= error;
  }

  /** Runs a listener-calling step; what it throws is raised later, so closing always completes. */
  #safely(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.#unheard ??= error;
    }
  }

  #startHeartbeat(): void {
    this.#stopHeartbeat = startHeartbeat(this.heartbeat, {
      sentSinceLastCheck: () => {
        const sent = this.#sent;
        this.#sent = false;
        return sent;
      },
      receivedSinceLastCheck: () => {
        const received = this.#received;
        this.#received = false;
        return received;
      },
      beat: () => {
        this.#writer.writeHeartbeat();
        this.#flush();
      },
      timeout: () => {
        this.#fail(new Error('Heartbeat timeout'));
        this.#throwUnheard();
      },
    });
  }
}
