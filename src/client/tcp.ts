// A ByteTransport over a Node TCP socket. Node only (node:net): the browser build never
// imports this file; src/client/node.ts registers it as connect()'s default.

import { connect as netConnect, type Socket } from 'node:net';
import type { ByteTransport, TransportFactory, TransportTarget } from './transport.ts';

/** Wraps a connected socket. */
export function socketTransport(socket: Socket): ByteTransport {
  let closeError: Error | undefined;
  socket.on('error', (error) => {
    closeError = error;
  });
  return {
    send: (bytes) => socket.write(bytes),
    close: () => {
      // end() flushes what is queued (a last close-ok) first; a peer that never closes its
      // side is cut off after a second so no socket lingers.
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    },
    onData: (listener) => socket.on('data', listener),
    onClose: (listener) => socket.once('close', () => listener(closeError)),
    onDrain: (listener) => socket.on('drain', listener),
  };
}

/** Opens a TCP connection to the target's host and port (amqps is not supported). */
export const tcpTransportFactory: TransportFactory = (target: TransportTarget) => {
  if (target.protocol !== 'amqp:') return Promise.reject(new Error('amqps: (TLS) is not supported by this client'));
  const o = target.socketOptions;
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: target.host, port: target.port });
    const fail = (error: Error) => reject(error);
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.off('error', fail);
      socket.setNoDelay(!!o.noDelay);
      if (o.keepAlive) socket.setKeepAlive(true, typeof o.keepAliveDelay === 'number' ? o.keepAliveDelay : 0);
      resolve(socketTransport(socket));
    });
  });
};
