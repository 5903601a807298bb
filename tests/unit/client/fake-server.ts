// A scripted AMQP server for client tests: the server end of an in-memory transport pair
// that decodes what the client sends and lets a test answer. It runs the opening handshake
// by itself (unless told otherwise) and answers channel.open and channel.close, so tests
// script only what they are about.

import { FrameParser, FrameWriter, decodeContentHeader, decodeMethod, type Method, type MethodInput } from '../../../src/amqp/index.ts';
import type { BasicProperties } from '../../../src/broker/types.ts';
import type { ChannelModel } from '../../../src/client/channel-model.ts';
import { connect } from '../../../src/client/connect.ts';
import { transportPair } from '../../../src/client/memory.ts';
import { setTransportFactory, type ByteTransport, type TransportTarget } from '../../../src/client/transport.ts';
import type { SocketOptions } from '../../../src/client/types.ts';

export interface Received {
  channel: number;
  method: Method;
  /** For basic.publish: the properties and body that followed. */
  properties?: BasicProperties;
  body?: Uint8Array;
}

export interface FakeServerOptions {
  /** Answer the handshake (default true). */
  handshake?: boolean;
  tune?: { channelMax?: number; frameMax?: number; heartbeat?: number };
  /** Answer channel.open with open-ok (default true). */
  autoOpen?: boolean;
  /** Answer connection.close with close-ok (default true). */
  closeOk?: boolean;
}

type Handler = (r: Received, server: FakeServer) => void;

export class FakeServer {
  readonly transport: ByteTransport;
  readonly received: Received[] = [];
  /** Raw chunks the client sent, in order. */
  readonly chunks: Uint8Array[] = [];
  readonly #parser = new FrameParser({ protocolHeader: true, frameMax: 0 });
  readonly #writer = new FrameWriter();
  #handlers: Handler[] = [];
  #publishing: Received | undefined;
  #bodyChunks: Uint8Array[] = [];
  #bodyLeft = 0;
  #waiters: { test: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];
  closed = false;

  constructor(transport: ByteTransport, options: FakeServerOptions = {}) {
    this.transport = transport;
    transport.onData((chunk) => this.#onData(chunk));
    transport.onClose(() => {
      this.closed = true;
    });
    const { handshake = true, autoOpen = true } = options;
    if (handshake) {
      this.on((r) => {
        if (r.method.name === 'connection.start-ok') {
          this.send(0, { name: 'connection.tune', args: { channelMax: 2047, frameMax: 131072, heartbeat: 60, ...options.tune } });
        } else if (r.method.name === 'connection.open') {
          this.send(0, { name: 'connection.open-ok' });
        } else if (r.method.name === 'connection.close' && options.closeOk !== false) {
          this.send(0, { name: 'connection.close-ok' });
        }
      });
    }
    if (autoOpen) {
      this.on((r) => {
        if (r.method.name === 'channel.open') this.send(r.channel, { name: 'channel.open-ok' });
        if (r.method.name === 'channel.close') this.send(r.channel, { name: 'channel.close-ok' });
      });
    }
  }

  /** Runs `handler` for every method (with content, for publishes) the client sends. */
  on(handler: Handler): this {
    this.#handlers.push(handler);
    return this;
  }

  /** Answers every `name` the client sends with what `reply` returns (if anything). */
  answer(name: Method['name'], reply: (r: Received) => MethodInput | MethodInput[] | undefined): this {
    return this.on((r) => {
      if (r.method.name !== name) return;
      const out = reply(r);
      for (const m of out === undefined ? [] : Array.isArray(out) ? out : [out]) this.send(r.channel, m);
    });
  }

  /** Resolves with the next received method (already received ones count) matching `test`. */
  waitFor(test: (r: Received) => boolean, timeoutMs = 2000): Promise<Received> {
    const seen = this.received.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('FakeServer.waitFor: timed out')), timeoutMs);
      this.#waiters.push({
        test,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
    });
  }

  names(channel?: number): string[] {
    return this.received.filter((r) => channel === undefined || r.channel === channel).map((r) => r.method.name);
  }

  send(channel: number, method: MethodInput): void {
    this.#writer.writeMethod(channel, method);
    this.transport.send(this.#writer.take());
  }

  /** A method followed by content (basic.deliver, basic.return, basic.get-ok). */
  sendWithContent(channel: number, method: MethodInput, body: Uint8Array | string, properties: BasicProperties = {}, frameMax = 131072): void {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    this.#writer.writeMethod(channel, method);
    this.#writer.writeContent(channel, 60, properties, bytes, frameMax);
    this.transport.send(this.#writer.take());
  }

  /** Raw bytes, e.g. a frame split in two. */
  sendBytes(bytes: Uint8Array): void {
    this.transport.send(bytes);
  }

  /** What `send` would write, without sending it. */
  encode(channel: number, method: MethodInput, content?: { body: Uint8Array; properties?: BasicProperties; frameMax?: number }): Uint8Array {
    this.#writer.writeMethod(channel, method);
    if (content !== undefined) this.#writer.writeContent(channel, 60, content.properties ?? {}, content.body, content.frameMax ?? 131072);
    return this.#writer.take();
  }

  #onData(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.#parser.push(chunk);
    for (const item of this.#parser) {
      if (item.type === 'protocol-header') {
        this.send(0, {
          name: 'connection.start',
          args: { serverProperties: { product: 'FakeServer', capabilities: { publisher_confirms: true } }, mechanisms: 'PLAIN AMQPLAIN', locales: 'en_US' },
        });
        continue;
      }
      if (item.type === 1) {
        const r: Received = { channel: item.channel, method: decodeMethod(item.payload) };
        if (r.method.name === 'basic.publish') this.#publishing = r;
        else this.#deliver(r);
      } else if (item.type === 2 && this.#publishing !== undefined) {
        const header = decodeContentHeader(item.payload);
        this.#publishing.properties = header.properties;
        this.#bodyLeft = header.bodySize;
        this.#bodyChunks = [];
        if (this.#bodyLeft === 0) this.#finishPublish();
      } else if (item.type === 3 && this.#publishing !== undefined) {
        this.#bodyChunks.push(item.payload.slice());
        this.#bodyLeft -= item.payload.length;
        if (this.#bodyLeft === 0) this.#finishPublish();
      }
    }
  }

  #finishPublish(): void {
    const r = this.#publishing!;
    this.#publishing = undefined;
    const size = this.#bodyChunks.reduce((n, c) => n + c.length, 0);
    const body = new Uint8Array(size);
    let at = 0;
    for (const c of this.#bodyChunks) {
      body.set(c, at);
      at += c.length;
    }
    r.body = body;
    this.#deliver(r);
  }

  #deliver(r: Received): void {
    this.received.push(r);
    for (const handler of this.#handlers) handler(r, this);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) {
      if (w.test(r)) w.resolve(r);
      else this.#waiters.push(w);
    }
  }
}

/**
 * A FakeServer, and connect() reaching it through the transport factory (the path learner
 * code takes). `model` is the connect() promise, so tests of failed handshakes can await it.
 */
export function startFake(
  url = 'amqp://localhost',
  options: FakeServerOptions = {},
  socketOptions?: SocketOptions,
): { model: Promise<ChannelModel>; server: FakeServer; target: () => TransportTarget | undefined } {
  const [client, serverEnd] = transportPair();
  const server = new FakeServer(serverEnd, options);
  let seen: TransportTarget | undefined;
  const previous = setTransportFactory((target) => {
    seen = target;
    return client;
  });
  const model = connect(url, socketOptions);
  setTransportFactory(previous);
  return { model, server, target: () => seen };
}

/** A client connected to a FakeServer over an in-memory pair, handshake done. */
export async function connectFake(url = 'amqp://localhost', options: FakeServerOptions = {}): Promise<{ model: ChannelModel; server: FakeServer }> {
  const { model, server } = startFake(url, options);
  return { model: await model, server };
}

/** Lets queued microtasks (in-memory transport deliveries) run. */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
