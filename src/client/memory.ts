// Two ByteTransports joined back to back, in memory: what one sends the other receives, a
// microtask later (never inside send). For tests, and for a client and a broker that share
// a thread.

import type { ByteTransport } from './transport.ts';

interface End {
  data: ((chunk: Uint8Array) => void)[];
  close: ((error?: Error) => void)[];
  closed: boolean;
}

function makeEnd(self: End, peer: End): ByteTransport {
  const end = (error?: Error) => {
    for (const side of [self, peer]) {
      if (side.closed) continue;
      side.closed = true;
      for (const listener of side.close) listener(error);
    }
  };
  let ending = false;
  return {
    send(bytes) {
      if (ending || self.closed) return false;
      queueMicrotask(() => {
        if (!peer.closed) for (const listener of peer.data) listener(bytes);
      });
      return true;
    },
    close() {
      ending = true;
      queueMicrotask(() => end());
    },
    onData(listener) {
      self.data.push(listener);
    },
    onClose(listener) {
      self.close.push(listener);
    },
  };
}

/** A connected pair: bytes sent on one arrive on the other; closing either closes both. */
export function transportPair(): [ByteTransport, ByteTransport] {
  const a: End = { data: [], close: [], closed: false };
  const b: End = { data: [], close: [], closed: false };
  return [makeEnd(a, b), makeEnd(b, a)];
}
