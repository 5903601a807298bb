// The Node adapter: a TCP server whose sockets each run one AmqpSession of one broker.
// A socket's bytes go to session.receive; a full socket pauses deliveries until 'drain';
// a blocked session pauses reading; a socket error ends only its own session.

import { createServer, type Socket } from 'node:net';
import type { Broker } from '../broker/broker.ts';
import { isLoopbackAddress } from './auth.ts';
import { MemoryGuard, type MemoryGuardOptions } from './memory-guard.ts';
import { AmqpSession, type SessionOptions } from './session.ts';

export interface ServerOptions extends Omit<SessionOptions, 'memoryGuard'> {
  broker: Broker;
  /** Default 127.0.0.1: reachable from this machine only. */
  host?: string;
  /** Default 5672; 0 picks a free port. */
  port?: number;
  /** The memory alarm (see memory-guard.ts); false for none. */
  memory?: MemoryGuardOptions | false;
  /** Longest wait in close() for clients to answer connection.close; default 5 s. */
  shutdownTimeoutMs?: number;
}

export interface RunningServer {
  readonly address: { host: string; port: number };
  /** amqp://host:port, what clients connect to. */
  readonly url: string;
  readonly sessions: ReadonlySet<AmqpSession>;
  /**
   * Stops listening and closes every connection with 320 CONNECTION_FORCED ("broker forced
   * connection closure with reason 'shutdown'"); resolves once all sockets are gone.
   */
  close(reason?: string): Promise<void>;
}

// Deliveries pause when a socket buffers this much unsent (Node's default is 16 KiB,
// which would pause a busy consumer between every few messages).
const SOCKET_BUFFER = 1 << 20;

// After our end of the socket closes, a client that never closes its own gets this long.
const LINGER_MS = 3_000;

function linger(socket: Socket): void {
  socket.end();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

export function startServer(options: ServerOptions): Promise<RunningServer> {
  const { broker, host = '127.0.0.1', port = 5672, memory, shutdownTimeoutMs = 5_000, ...sessionOptions } = options;
  const guard = memory === false ? undefined : new MemoryGuard(broker, memory ?? {});
  const sessions = new Set<AmqpSession>();
  const sockets = new Set<Socket>();

  const server = createServer({ noDelay: true, highWaterMark: SOCKET_BUFFER }, (socket) => {
    sockets.add(socket);
    const remote = socket.remoteAddress ?? '';
    const session = new AmqpSession(
      broker,
      {
        peer: { address: `${remote}:${socket.remotePort ?? 0}`, isLoopback: isLoopbackAddress(remote) },
        send: (bytes) => (socket.writable ? socket.write(bytes) : true),
        close: () => linger(socket),
        pause: () => socket.pause(),
        resume: () => socket.resume(),
      },
      guard === undefined ? sessionOptions : { ...sessionOptions, memoryGuard: guard },
    );
    sessions.add(session);
    // A plain Uint8Array view: the broker keeps bodies as views of these chunks, and
    // Buffer's slice() (a view, not a copy) must not leak into it.
    socket.on('data', (chunk: Buffer) => session.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    socket.on('drain', () => session.drained());
    // 'close' always follows 'error': the session ends there.
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      sessions.delete(session);
      session.transportClosed();
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', (error) => {
      guard?.dispose();
      reject(error);
    });
    server.listen({ host, port, exclusive: true }, () => {
      const bound = server.address();
      const actual = typeof bound === 'object' && bound !== null ? bound.port : port;
      const display = host.includes(':') ? `[${host}]` : host;
      resolve({
        address: { host, port: actual },
        url: `amqp://${display}:${actual}`,
        sessions,
        close: (reason = 'shutdown') => close(reason),
      });
    });
  });

  function close(reason: string): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const session of sessions) session.close(reason);
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, shutdownTimeoutMs);
      closed.then(() => {
        clearTimeout(timer);
        guard?.dispose();
        resolve();
      });
    });
  }
}
