// The one thing the client needs from the outside world: a duplex byte pipe. The client
// core never opens sockets or ports; a TransportFactory does (TCP in Node, a MessagePort
// in the playground's worker, an in-memory pair in tests).

import type { SocketOptions } from './types.ts';

/**
 * A connected, ordered, reliable byte stream to an AMQP server.
 *
 * - `send` takes ownership of `bytes` (the client never touches them again), so a
 *   transport may transfer or keep them without copying. It returns false when its
 *   outgoing buffer is full; it then calls the `onDrain` listener once it has room.
 * - Chunks given to `onData` listeners may be any size and split frames anywhere; the
 *   client keeps views of them, so a transport must not reuse a chunk's memory.
 * - `onClose` listeners run once, when the stream ends for any reason (after `close()`
 *   too), with the error if it failed. No `onData` call follows.
 * - Listeners run outside `send`/`close` (never re-entrantly): transports deliver on a
 *   later task or microtask, like a socket.
 */
export interface ByteTransport {
  send(bytes: Uint8Array): boolean | void;
  close(): void;
  onData(listener: (chunk: Uint8Array) => void): void;
  onClose(listener: (error?: Error) => void): void;
  onDrain?(listener: () => void): void;
}

/** Where `connect()` was asked to go, parsed from its URL, with the caller's socket options. */
export interface TransportTarget {
  protocol: 'amqp:' | 'amqps:';
  host: string;
  port: number;
  socketOptions: SocketOptions;
}

/** Opens a transport to `target`; resolves once connected, rejects if it cannot connect. */
export type TransportFactory = (target: TransportTarget) => ByteTransport | Promise<ByteTransport>;

let current: TransportFactory | undefined;

/**
 * Chooses how `connect()` reaches a broker: the playground's worker sets a MessagePort
 * factory; `src/client/node.ts` sets TCP. Returns the factory it replaced.
 */
export function setTransportFactory(factory: TransportFactory | undefined): TransportFactory | undefined {
  const previous = current;
  current = factory;
  return previous;
}

/** The factory `connect()` will use; throws a how-to error when none is set. */
export function getTransportFactory(): TransportFactory {
  if (current === undefined) {
    throw new Error(
      'No transport to reach a broker: in Node import the client from src/client/node.ts (TCP); in the browser call setTransportFactory() first',
    );
  }
  return current;
}
