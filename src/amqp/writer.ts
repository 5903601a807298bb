// Writes frames back to back into one growing buffer, so a session can batch everything
// it has to say and hand the socket one array. A write that throws (EncodeError) leaves
// the buffer as it was: no half-written frame ever reaches the wire.

import type { BasicProperties } from '../broker/types.ts';
import { ByteWriter } from './byte-writer.ts';
import { FRAME_BODY, FRAME_END, FRAME_HEADER, FRAME_HEARTBEAT, FRAME_METHOD } from './generated/constants.ts';
import { METHOD_ENCODERS } from './generated/method-codec.ts';
import type { MethodInput } from './generated/method-types.ts';
import { writeBasicProperties } from './generated/properties.ts';
import { EncodeError } from './errors.ts';
import { protocolHeaderBytes } from './protocol-header.ts';

const NO_ARGS = Object.freeze({});
// Above this, take() hands the buffer itself over instead of copying out of it.
const HANDOVER_BYTES = 65536;

type Encoder = (w: ByteWriter, args: unknown) => void;

export class FrameWriter {
  readonly #w: ByteWriter;
  readonly #initialSize: number;

  constructor(initialSize = 16384) {
    this.#initialSize = initialSize;
    this.#w = new ByteWriter(initialSize);
  }

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.#w.pos;
  }

  /** Everything written since the last take(), as an array the caller owns. */
  take(): Uint8Array {
    const w = this.#w;
    const n = w.pos;
    if (n < HANDOVER_BYTES) {
      const out = w.buf.slice(0, n);
      w.pos = 0;
      return out;
    }
    const out = w.buf.subarray(0, n);
    w.replace(this.#initialSize);
    return out;
  }

  writeMethod(channel: number, method: MethodInput): void {
    const name = method.name;
    if (!Object.hasOwn(METHOD_ENCODERS, name)) throw new EncodeError(`unknown method ${JSON.stringify(name)}`);
    const encode = METHOD_ENCODERS[name] as Encoder;
    const start = this.#begin(FRAME_METHOD, channel);
    try {
      encode(this.#w, method.args ?? NO_ARGS);
    } catch (error) {
      this.#w.pos = start;
      throw error;
    }
    this.#end(start);
  }

  /**
   * A content header frame. `properties` is either BasicProperties to encode or the
   * encoded flags and properties of a received header (see `rawProperties`).
   */
  writeContentHeader(channel: number, classId: number, bodySize: number, properties: BasicProperties | Uint8Array): void {
    const w = this.#w;
    const start = this.#begin(FRAME_HEADER, channel);
    try {
      w.short(classId, 'content header classId');
      w.putU16(0);
      w.longlong(bodySize, 'content header bodySize');
      if (properties instanceof Uint8Array) w.putBytes(properties);
      else writeBasicProperties(w, properties);
    } catch (error) {
      w.pos = start;
      throw error;
    }
    this.#end(start);
  }

  /**
   * A header frame, then the body in as many body frames as frame-max requires (frame-max
   * counts the 8 bytes of overhead; 0 means no limit). An empty body sends no body frame.
   */
  writeContent(channel: number, classId: number, properties: BasicProperties | Uint8Array, body: Uint8Array, frameMax: number): void {
    const size = body.length;
    if (size > 0 && frameMax !== 0 && !(frameMax > 8)) throw new EncodeError(`frame-max ${frameMax} leaves no room for a body`);
    this.writeContentHeader(channel, classId, size, properties);
    const max = frameMax === 0 ? size : frameMax - 8;
    for (let at = 0; at < size; at += max) {
      this.writeFrame(FRAME_BODY, channel, at === 0 && size <= max ? body : body.subarray(at, Math.min(size, at + max)));
    }
  }

  writeHeartbeat(): void {
    this.writeFrame(FRAME_HEARTBEAT, 0, new Uint8Array(0));
  }

  /** `AMQP 0 0 9 1`: what a client sends first, and what a server refuses a bad one with. */
  writeProtocolHeader(): void {
    this.#w.putBytes(protocolHeaderBytes());
  }

  /** Any frame from its parts. */
  writeFrame(type: number, channel: number, payload: Uint8Array): void {
    const w = this.#w;
    const start = this.#begin(type, channel);
    w.putBytes(payload);
    this.#end(start);
  }

  #begin(type: number, channel: number): number {
    if ((channel & 0xffff) !== channel) throw new EncodeError(`channel: expected 0-65535, got ${String(channel)}`);
    const w = this.#w;
    w.ensure(7);
    const start = w.pos;
    w.buf[start] = type;
    w.setU16(start + 1, channel);
    w.pos = start + 7;
    return start;
  }

  #end(start: number): void {
    const w = this.#w;
    w.setU32(start + 3, w.pos - start - 7);
    w.putU8(FRAME_END);
  }
}

// The one-shot encoders share a writer; none of them re-enters another.
const shared = new FrameWriter(4096);

export function encodeMethodFrame(channel: number, method: MethodInput): Uint8Array {
  shared.writeMethod(channel, method);
  return shared.take();
}

export function encodeContent(channel: number, classId: number, properties: BasicProperties | Uint8Array, body: Uint8Array, frameMax: number): Uint8Array {
  shared.writeContent(channel, classId, properties, body, frameMax);
  return shared.take();
}

export function encodeHeartbeat(): Uint8Array {
  shared.writeHeartbeat();
  return shared.take();
}
