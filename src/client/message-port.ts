// A ByteTransport over a MessagePort (a Web Worker talking to the broker in the page).
// Wire convention, shared with the broker's adapter (src/server/message-port.ts): each
// message is one chunk of bytes (a Uint8Array or an ArrayBuffer); `null` means "this side
// closed".
// Sent chunks are transferred, not copied (send owns its bytes, see ByteTransport).

import type { ByteTransport } from './transport.ts';

/** Wraps `port`; starts it, and closes it when either side closes. */
export function messagePortTransport(port: MessagePort): ByteTransport {
  const dataListeners: ((chunk: Uint8Array) => void)[] = [];
  const closeListeners: ((error?: Error) => void)[] = [];
  let early: Uint8Array[] | undefined = []; // chunks that came before any data listener
  let closed = false;
  const finish = () => {
    if (closed) return;
    closed = true;
    port.onmessage = null;
    port.close();
    for (const listener of closeListeners) listener();
  };
  port.onmessage = (event: MessageEvent<Uint8Array | ArrayBuffer | null>) => {
    const data = event.data;
    if (data === null) finish();
    else if (!closed) {
      const chunk = data instanceof Uint8Array ? data : new Uint8Array(data);
      if (early !== undefined) early.push(chunk);
      else for (const listener of dataListeners) listener(chunk);
    }
  };
  // Node's MessagePort (and newer browsers) say when the other end went away.
  (port as EventTarget).addEventListener('close', finish);
  port.start();
  return {
    send(bytes) {
      if (closed) return false;
      if (bytes.buffer instanceof ArrayBuffer) port.postMessage(bytes, [bytes.buffer]);
      else port.postMessage(bytes);
      return true;
    },
    close() {
      if (closed) return;
      port.postMessage(null);
      // Listeners never run inside close(): report it on a later task, like a socket.
      queueMicrotask(finish);
    },
    onData(listener) {
      dataListeners.push(listener);
      const held = early;
      early = undefined;
      if (held !== undefined && held.length > 0) queueMicrotask(() => held.forEach((chunk) => listener(chunk)));
    },
    onClose: (listener) => closeListeners.push(listener),
  };
}
