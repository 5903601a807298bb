// The opening handshake's pure parts: what the client says about itself, its login, and
// how tune values are settled (lib/connect.js and lib/connection.js in amqplib).

import { FRAME_MIN_SIZE, type ConnectionTuneArgs } from '../amqp/index.ts';
import type { FieldTable } from '../broker/types.ts';
import type { ConnectParams } from './url.ts';
import type { Credentials } from './types.ts';

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
