// Test support: a session over an in-memory transport, and a minimal client that speaks
// frames to it. Nothing here touches a socket (amqplib's test/lib/util.js socketPair idea).

import {
  FrameParser,
  FrameWriter,
  decodeContentHeader,
  decodeMethod,
  encodeFieldTable,
  type Frame,
  type Method,
  type MethodInput,
} from '../../../src/amqp/index.ts';
import type { Broker } from '../../../src/broker/broker.ts';
import type { BasicProperties, FieldTable } from '../../../src/broker/types.ts';
import { AmqpSession, type SessionOptions, type SessionTransport } from '../../../src/server/session.ts';

export const CLIENT_CAPABILITIES: FieldTable = {
  publisher_confirms: true,
  exchange_exchange_bindings: true,
  'basic.nack': true,
  consumer_cancel_notify: true,
  'connection.blocked': true,
  authentication_failure_close: true,
};

export const PROTOCOL_HEADER = Uint8Array.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);

export const plain = (user: string, password: string): Uint8Array => new TextEncoder().encode(`\0${user}\0${password}`);

export const amqplain = (user: string, password: string): Uint8Array =>
  encodeFieldTable({ LOGIN: user, PASSWORD: password }).subarray(4);

/** A received frame with its method decoded. */
export type Received =
  | { type: 'method'; channel: number; method: Method }
  | { type: 'header'; channel: number; bodySize: number; properties: BasicProperties }
  | { type: 'body'; channel: number; payload: Uint8Array }
  | { type: 'heartbeat'; channel: number }
  | { type: 'raw'; bytes: Uint8Array };

export interface WireClientOptions extends SessionOptions {
  peer?: { address: string; isLoopback: boolean };
  /** What send() returns to the session (false: backpressure). */
  sendResult?: () => boolean | void;
}

export class WireClient {
  readonly session: AmqpSession;
  /** Every send() the session made, as it made it. */
  readonly sends: Uint8Array[] = [];
  closed = false;
  paused = false;
  readonly #parser = new FrameParser({ frameMax: 0 });
  readonly #writer = new FrameWriter();
  #pending: Received[] = [];

  constructor(broker: Broker, options: WireClientOptions = {}) {
    const peer = options.peer ?? { address: '127.0.0.1:50000', isLoopback: true };
    const transport: SessionTransport = {
      peer,
      send: (bytes) => {
        this.sends.push(bytes);
        this.#parse(bytes);
        return options.sendResult?.();
      },
      close: () => {
        this.closed = true;
      },
      pause: () => {
        this.paused = true;
      },
      resume: () => {
        this.paused = false;
      },
    };
    this.session = new AmqpSession(broker, transport, options);
  }

  #parse(bytes: Uint8Array): void {
    if (bytes.length === 8 && bytes[0] === 0x41) {
      this.#pending.push({ type: 'raw', bytes });
      return;
    }
    this.#parser.push(bytes);
    for (const item of this.#parser) {
      if ('major' in item) continue;
      this.#pending.push(toReceived(item));
    }
  }

  /** Everything received since the last call. */
  take(): Received[] {
    const out = this.#pending;
    this.#pending = [];
    return out;
  }

  /** The methods received since the last call (other frames dropped). */
  methods(): Method[] {
    return this.take().flatMap((r) => (r.type === 'method' ? [r.method] : []));
  }

  names(): string[] {
    return this.methods().map((m) => m.name);
  }

  /** Raw bytes straight into the session. */
  raw(bytes: Uint8Array): void {
    this.session.receive(bytes);
  }

  /** Frames written into one chunk and handed to the session in one receive(). */
  batch(write: (w: FrameWriter) => void): void {
    write(this.#writer);
    this.session.receive(this.#writer.take());
  }

  send(channel: number, method: MethodInput): void {
    this.batch((w) => w.writeMethod(channel, method));
  }

  publish(channel: number, routingKey: string, body: string | Uint8Array, options: { exchange?: string; properties?: BasicProperties; mandatory?: boolean; frameMax?: number } = {}): void {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    this.batch((w) => {
      w.writeMethod(channel, { name: 'basic.publish', args: { exchange: options.exchange ?? '', routingKey, mandatory: options.mandatory ?? false } });
      w.writeContent(channel, 60, options.properties ?? {}, bytes, options.frameMax ?? 131072);
    });
  }

  /** Header, start-ok, tune-ok, open: leaves the connection open (or throws). */
  handshake(options: { user?: string; password?: string; frameMax?: number; channelMax?: number; heartbeat?: number; capabilities?: FieldTable } = {}): void {
    this.raw(PROTOCOL_HEADER);
    this.startOk(options);
    const tune = this.methods();
    if (tune[0]?.name !== 'connection.tune') throw new Error(`expected connection.tune, got ${JSON.stringify(tune)}`);
    this.batch((w) => {
      w.writeMethod(0, { name: 'connection.tune-ok', args: { channelMax: options.channelMax ?? 2047, frameMax: options.frameMax ?? 131072, heartbeat: options.heartbeat ?? 0 } });
      w.writeMethod(0, { name: 'connection.open', args: { virtualHost: '/' } });
    });
    const open = this.methods();
    if (open[0]?.name !== 'connection.open-ok') throw new Error(`expected connection.open-ok, got ${JSON.stringify(open)}`);
  }

  startOk(options: { user?: string; password?: string; capabilities?: FieldTable; mechanism?: string; response?: Uint8Array } = {}): void {
    const start = this.methods();
    if (start.length > 0 && start[0]?.name !== 'connection.start') throw new Error(`expected connection.start, got ${JSON.stringify(start)}`);
    this.send(0, {
      name: 'connection.start-ok',
      args: {
        clientProperties: { product: 'wire-client', capabilities: options.capabilities ?? CLIENT_CAPABILITIES },
        mechanism: options.mechanism ?? 'PLAIN',
        response: options.response ?? plain(options.user ?? 'guest', options.password ?? 'guest'),
        locale: 'en_US',
      },
    });
  }

  openChannel(id: number): void {
    this.send(id, { name: 'channel.open' });
    const reply = this.methods();
    if (reply[0]?.name !== 'channel.open-ok') throw new Error(`expected channel.open-ok, got ${JSON.stringify(reply)}`);
  }
}

function toReceived(frame: Frame): Received {
  switch (frame.type) {
    case 1:
      return { type: 'method', channel: frame.channel, method: decodeMethod(frame.payload) };
    case 2: {
      const h = decodeContentHeader(frame.payload);
      return { type: 'header', channel: frame.channel, bodySize: h.bodySize, properties: h.properties };
    }
    case 3:
      return { type: 'body', channel: frame.channel, payload: frame.payload.slice() };
    default:
      return { type: 'heartbeat', channel: frame.channel };
  }
}

/** A close method's arguments, for toEqual. */
export const closeArgs = (replyCode: number, replyText: string, classId: number, methodId: number) => ({ replyCode, replyText, classId, methodId });

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
