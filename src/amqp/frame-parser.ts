// Turns a byte stream, in chunks of any size, into frames. A frame that lies inside one
// chunk is returned as a view of that chunk (no copy); one split across chunks is copied
// once into its own buffer. Errors are fatal, as in RabbitMQ: after one, every read
// throws it again.

import { FRAME_END, INITIAL_FRAME_MAX } from './constants.ts';
import { payloadSnippet } from './erlang-format.ts';
import { CodecError, FrameError } from './errors.ts';
import { checkProtocolHeader, type ProtocolHeader } from './protocol-header.ts';

export interface MethodFrame {
  readonly type: 1;
  readonly channel: number;
  readonly payload: Uint8Array;
}
export interface HeaderFrame {
  readonly type: 2;
  readonly channel: number;
  readonly payload: Uint8Array;
}
export interface BodyFrame {
  readonly type: 3;
  readonly channel: number;
  readonly payload: Uint8Array;
}
export interface HeartbeatFrame {
  readonly type: 8;
  readonly channel: number;
  readonly payload: Uint8Array;
}
/** `payload` may be a view of a pushed chunk: copy it to keep it past the chunk's life if chunks are reused. */
export type Frame = MethodFrame | HeaderFrame | BodyFrame | HeartbeatFrame;

export interface FrameParserOptions {
  /**
   * Largest frame accepted, overhead included; 0 means no limit. Like RabbitMQ, a payload
   * up to frame-max itself is let through (clients are often off by the 8 bytes of
   * overhead). Defaults to RabbitMQ's pre-tune limit; set `frameMax` after tune-ok.
   */
  frameMax?: number;
  /** Expect the 8-byte protocol header first (the server side of a connection). */
  protocolHeader?: boolean;
}

export class FrameParser {
  frameMax: number;
  #expectHeader: boolean;
  #chunks: Uint8Array[] = [];
  #head = 0; // index of the first unconsumed chunk
  #offset = 0; // read position inside it
  #available = 0;
  #failed: CodecError | undefined;

  constructor(options: FrameParserOptions = {}) {
    this.frameMax = options.frameMax ?? INITIAL_FRAME_MAX;
    this.#expectHeader = options.protocolHeader ?? false;
  }

  /** Bytes received and not yet returned as frames. */
  get buffered(): number {
    return this.#available;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.#failed !== undefined) return;
    this.#chunks.push(chunk);
    this.#available += chunk.length;
  }

  /**
   * The next complete frame (or, first, the protocol header), or undefined until more
   * bytes arrive. Throws FrameError (501) for an oversize frame, a bad frame-end or an
   * unknown frame type, and ProtocolHeaderError for a wrong protocol header.
   */
  read(): Frame | ProtocolHeader | undefined {
    if (this.#failed !== undefined) throw this.#failed;
    try {
      return this.#expectHeader ? this.#readProtocolHeader() : this.#readFrame();
    } catch (error) {
      if (error instanceof CodecError) this.#failed = error;
      throw error;
    }
  }

  *[Symbol.iterator](): Generator<Frame | ProtocolHeader, void, undefined> {
    for (let item = this.read(); item !== undefined; item = this.read()) yield item;
  }

  #readProtocolHeader(): ProtocolHeader | undefined {
    if (this.#available < 8) return undefined;
    const bytes = this.#take(8);
    this.#expectHeader = false;
    return checkProtocolHeader(bytes);
  }

  #readFrame(): Frame | undefined {
    if (this.#available < 7) return undefined;
    let chunk = this.#chunks[this.#head]!;
    let o = this.#offset;
    if (chunk.length - o < 7) {
      chunk = this.#peek(7);
      o = 0;
    }
    const type = chunk[o]!;
    const channel = (chunk[o + 1]! << 8) | chunk[o + 2]!;
    const size = chunk[o + 3]! * 0x1000000 + ((chunk[o + 4]! << 16) | (chunk[o + 5]! << 8) | chunk[o + 6]!);
    const frameMax = this.frameMax;
    if (frameMax !== 0 && size > frameMax) {
      throw new FrameError(`type ${type}, all octets = <<>>: {frame_too_large,${size},${frameMax - 8}}`);
    }
    if (this.#available < size + 8) return undefined;

    let payload: Uint8Array;
    let end: number;
    const first = this.#chunks[this.#head]!;
    const start = this.#offset;
    if (first.length - start >= size + 8) {
      payload = first.subarray(start + 7, start + 7 + size);
      end = first[start + 7 + size]!;
      this.#skip(size + 8);
    } else {
      this.#skip(7);
      payload = this.#take(size);
      end = this.#take(1)[0]!;
    }
    if (end !== FRAME_END) {
      throw new FrameError(`type ${type}, ${payloadSnippet(payload)}: {invalid_frame_end_marker,${end}}`);
    }
    if (type !== 1 && type !== 2 && type !== 3 && type !== 8) {
      throw new FrameError(`type ${type}, ${payloadSnippet(payload)}: unknown_frame`);
    }
    return { type, channel, payload } as Frame;
  }

  /** The next n bytes as one array, without consuming them. */
  #peek(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    let o = this.#offset;
    for (let i = this.#head; filled < n; i++) {
      const c = this.#chunks[i]!;
      const k = Math.min(c.length - o, n - filled);
      out.set(c.subarray(o, o + k), filled);
      filled += k;
      o = 0;
    }
    return out;
  }

  /** Consumes the next n bytes into a new array. */
  #take(n: number): Uint8Array {
    const out = this.#peek(n);
    this.#skip(n);
    return out;
  }

  #skip(n: number): void {
    this.#available -= n;
    let o = this.#offset + n;
    const chunks = this.#chunks;
    while (this.#head < chunks.length && o >= chunks[this.#head]!.length) {
      o -= chunks[this.#head]!.length;
      this.#head++;
    }
    if (this.#head === chunks.length) {
      chunks.length = 0;
      this.#head = 0;
      o = 0;
    } else if (this.#head > 32) {
      chunks.splice(0, this.#head);
      this.#head = 0;
    }
    this.#offset = o;
  }
}
