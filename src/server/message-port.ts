// The browser adapter: one AmqpSession over a MessagePort (a Web Worker's learner program
// holds the other end). Messages are Uint8Array chunks of the byte stream, transferred
// not copied; `null` says "this side closed the transport". No node:* here.

import type { Broker } from '../broker/broker.ts';
import { AmqpSession, type SessionOptions } from './session.ts';

/** The part of MessagePort we use (a DOM MessagePort and Node's both fit). */
export interface PortLike {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  addEventListener(type: 'message' | 'close', listener: (event: Event) => void): void;
  removeEventListener(type: 'message' | 'close', listener: (event: Event) => void): void;
  start?(): void;
  close(): void;
}

/** Sent (or received) when one side closes the transport. */
export const PORT_CLOSED = null;

export interface PortSessionOptions extends SessionOptions {
  /** How the connection shows in logs and the visualiser; default "message-port". */
  peerName?: string;
}

/**
 * Serves AMQP on `port`. The other side is on this machine, so guest may log in. Returns
 * the session (its `connection` appears once the client opened it).
 */
export function serveMessagePort(broker: Broker, port: PortLike, options: PortSessionOptions = {}): AmqpSession {
  const { peerName = 'message-port', ...sessionOptions } = options;
  let open = true;
  const shut = (): void => {
    if (!open) return;
    open = false;
    port.removeEventListener('message', onMessage);
    port.removeEventListener('close', shut);
    session.transportClosed();
  };
  const session = new AmqpSession(
    broker,
    {
      peer: { address: peerName, isLoopback: true },
      send: (bytes) => {
        if (!open) return;
        // Sent bytes are ours alone (FrameWriter.take): move the buffer instead of copying it.
        port.postMessage(bytes, [bytes.buffer as ArrayBuffer]);
      },
      close: () => {
        if (!open) return;
        port.postMessage(PORT_CLOSED);
        port.close();
        shut();
      },
    },
    sessionOptions,
  );
  function onMessage(event: Event): void {
    const data: unknown = (event as MessageEvent).data;
    if (data === PORT_CLOSED) {
      port.close();
      shut();
    } else if (data instanceof Uint8Array) session.receive(data);
    else if (data instanceof ArrayBuffer) session.receive(new Uint8Array(data));
  }
  port.addEventListener('message', onMessage);
  // Node's MessagePort (and newer browsers) say when the other end went away.
  port.addEventListener('close', shut);
  port.start?.();
  return session;
}
