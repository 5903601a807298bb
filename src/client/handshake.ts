// The opening handshake (amqplib's lib/connect.js and Connection#open): what the client
// says about itself, its login, how tune values are settled, and the exchange of methods
// after the protocol header, with amqplib's error texts.

import { FRAME_MIN_SIZE, type ConnectionTuneArgs, type Method, type MethodArgsMap, type MethodInput, type MethodName } from '../amqp/index.ts';
import type { FieldTable } from '../broker/types.ts';
import { closeMessage, inspectFrame, methodDisplayName } from './errors.ts';
import type { ConnectParams } from './url.ts';
import type { Credentials, ServerProperties } from './types.ts';

const utf8 = new TextEncoder();

/** Client properties sent in connection.start-ok; capabilities as amqplib announces them. */
export function clientProperties(extra: FieldTable = {}): FieldTable {
  const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  return {
    product: 'warren-client',
    version: '0.1.0',
    platform: node !== undefined ? `Node.JS v${node}` : 'browser',
    information: 'Warren: an amqplib-compatible client for learning RabbitMQ',
    capabilities: {
      publisher_confirms: true,
      exchange_exchange_bindings: true,
      'basic.nack': true,
      consumer_cancel_notify: true,
      'connection.blocked': true,
      authentication_failure_close: true,
    },
    ...extra,
  };
}

/** Ways to log in (amqplib's `credentials`). */
export const credentials = {
  /** Log in with a user name and password (SASL PLAIN, the usual way). */
  plain(username: string, password: string): Credentials {
    return { mechanism: 'PLAIN', response: () => utf8.encode(`\0${username}\0${password}`), username, password };
  },
  /** Let the server identify you by other means, e.g. a TLS client certificate. */
  external(): Credentials {
    return { mechanism: 'EXTERNAL', response: () => new Uint8Array(0) };
  },
};

/** 0 means "no limit" on either side: take whichever side sets one, else the lower. */
export function negotiate(server: number, desired: number): number {
  return server === 0 || desired === 0 ? Math.max(server, desired) : Math.min(server, desired);
}

export interface Tuned {
  channelMax: number;
  frameMax: number;
  heartbeat: number;
}

/**
 * tune-ok values from the server's tune and what the URL asked for. Heartbeats stay off
 * unless the URL asks for them (`?heartbeat=N`); amqplib 2 would accept the server's offer.
 */
export function tune(server: ConnectionTuneArgs, params: ConnectParams): Tuned {
  if (server.frameMax !== 0 && server.frameMax < FRAME_MIN_SIZE) {
    throw new Error(`Server frameMax ${server.frameMax} is below the protocol minimum ${FRAME_MIN_SIZE}`);
  }
  const heartbeat = params.heartbeat === undefined || params.heartbeat === 0 ? 0 : negotiate(server.heartbeat, params.heartbeat);
  return {
    frameMax: negotiate(server.frameMax, params.frameMax),
    channelMax: negotiate(server.channelMax, params.channelMax),
    heartbeat,
  };
}

/** Channel-0 methods during the handshake, handed out in order to whoever awaits them. */
export class MethodInbox {
  #queue: Method[] = [];
  #waiter: { resolve: (m: Method) => void; reject: (e: Error) => void } | undefined;
  #error: Error | undefined;

  push(method: Method): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter !== undefined) waiter.resolve(method);
    else this.#queue.push(method);
  }

  /** The transport failed: the waiting read, and every later one, rejects with `error`. */
  fail(error: Error): void {
    this.#error ??= error;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }

  next(): Promise<Method> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#error !== undefined) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }
}

export interface HandshakeIO {
  send(method: MethodInput): void;
  next(): Promise<Method>;
}

async function expect<N extends MethodName>(io: HandshakeIO, name: N): Promise<MethodArgsMap[N]> {
  const method = await io.next();
  if (method.name !== name) throw new Error(`Expected ${methodDisplayName(name)}; got ${inspectFrame(0, method.name)}`);
  return method.args as MethodArgsMap[N];
}

/** start / start-ok, tune / tune-ok, open / open-ok, after the protocol header went out. */
export async function handshake(
  io: HandshakeIO,
  params: ConnectParams,
  login: Credentials,
  extraProperties?: FieldTable,
): Promise<{ serverProperties: ServerProperties; tuned: Tuned }> {
  const start = await expect(io, 'connection.start');
  if (!start.mechanisms.split(' ').includes(login.mechanism)) {
    throw new Error(`SASL mechanism ${login.mechanism} is not provided by the server`);
  }
  io.send({
    name: 'connection.start-ok',
    args: { clientProperties: clientProperties(extraProperties), mechanism: login.mechanism, response: login.response(), locale: params.locale },
  });
  const reply = await io.next();
  if (reply.name === 'connection.secure') throw new Error("Wasn't expecting to have to go through secure");
  if (reply.name === 'connection.close') throw new Error(`Handshake terminated by server: ${closeMessage(reply.args)}`);
  if (reply.name !== 'connection.tune') {
    throw new Error(`Expected connection.secure, connection.close, or connection.tune during handshake; got ${inspectFrame(0, reply.name)}`);
  }
  const tuned = tune(reply.args, params);
  io.send({ name: 'connection.tune-ok', args: tuned });
  io.send({ name: 'connection.open', args: { virtualHost: params.vhost } });
  await expect(io, 'connection.open-ok');
  return { serverProperties: start.serverProperties as ServerProperties, tuned };
}
