// Bounds-checked big-endian reads over one payload. Every read checks against `end`
// before touching the bytes, so truncated or lying input becomes a FrameError
// ("cannot decode", as RabbitMQ says), never a RangeError or an undefined.

import { FrameError } from './errors.ts';
import { erlangBinary } from './erlang-format.ts';

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const TWO_32 = 4294967296;

export class ByteReader {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  /** Reads past here fail; field tables narrow it to their own length. */
  end = 0;
  /** The method being decoded, for the close that reports a failure. */
  classId = 0;
  methodId = 0;
  #view: DataView | undefined;

  reset(buf: Uint8Array, classId = 0, methodId = 0): this {
    this.buf = buf;
    this.pos = 0;
    this.end = buf.length;
    this.classId = classId;
    this.methodId = methodId;
    this.#view = undefined;
    return this;
  }

  fail(reason: string): never {
    const whole = this.buf;
    // 32 octets keep the close's reply-text within a shortstr's 255 bytes.
    const shown = whole.length > 32 ? whole.subarray(0, 32) : whole;
    throw new FrameError(`cannot decode ${erlangBinary(shown)}${shown === whole ? '' : '...'}`, this.classId, this.methodId, reason);
  }

  #need(n: number): number {
    const p = this.pos;
    if (p + n > this.end) this.fail(`truncated: needed ${n} byte(s) at offset ${p}, ${this.end - p} left`);
    this.pos = p + n;
    return p;
  }

  /** Throws unless every byte was consumed: like RabbitMQ, trailing bytes are an error. */
  done(): void {
    if (this.pos !== this.end) this.fail(`${this.end - this.pos} unexpected trailing byte(s)`);
  }

  u8(): number {
    return this.buf[this.#need(1)]!;
  }

  i8(): number {
    return (this.buf[this.#need(1)]! << 24) >> 24;
  }

  u16(): number {
    const p = this.#need(2);
    const b = this.buf;
    return (b[p]! << 8) | b[p + 1]!;
  }

  i16(): number {
    return (this.u16() << 16) >> 16;
  }

  u32(): number {
    const p = this.#need(4);
    const b = this.buf;
    return b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  i32(): number {
    return this.u32() | 0;
  }

  /** Unsigned 64-bit as a number; exact up to 2^53, which delivery tags never reach. */
  u64(): number {
    const hi = this.u32();
    return hi * TWO_32 + this.u32();
  }

  /** Unsigned 64-bit, exactly. */
  u64Big(): bigint {
    const hi = this.u32();
    return (BigInt(hi) << 32n) | BigInt(this.u32());
  }

  /** Signed 64-bit: a number when it is a safe integer, otherwise a bigint. */
  i64(): number | bigint {
    const hi = this.i32();
    const lo = this.u32();
    const n = hi * TWO_32 + lo;
    return Number.isSafeInteger(n) ? n : (BigInt(hi) << 32n) | BigInt(lo);
  }

  f32(): number {
    return this.#dataView().getFloat32(this.#need(4));
  }

  f64(): number {
    return this.#dataView().getFloat64(this.#need(8));
  }

  #dataView(): DataView {
    return (this.#view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength));
  }

  /** A copy, so a decoded value does not pin the whole input chunk in memory. */
  bytes(n: number): Uint8Array {
    const p = this.#need(n);
    return this.buf.slice(p, p + n);
  }

  shortStr(): string {
    const n = this.u8();
    return this.#utf8(this.#need(n), n);
  }

  longStr(): string {
    const n = this.u32();
    return this.#utf8(this.#need(n), n);
  }

  longBytes(): Uint8Array {
    return this.bytes(this.u32());
  }

  // Short ASCII strings (routing keys, tags, names) are the common case and a byte loop
  // beats TextDecoder's call overhead for them.
  #utf8(p: number, n: number): string {
    const b = this.buf;
    if (n <= 32) {
      let s = '';
      for (let i = p; i < p + n; i++) {
        const c = b[i]!;
        if (c >= 0x80) return utf8.decode(b.subarray(p, p + n));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return utf8.decode(b.subarray(p, p + n));
  }
}
