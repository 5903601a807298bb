// A growing big-endian output buffer. The `put*` methods trust their input (frame
// headers, lengths); the typed ones (`octet`, `short`, ..., `shortStr`) check the value
// first and throw an EncodeError naming `label` ("basic.publish routingKey"), so a bad
// argument never writes a wrong frame.

import { EncodeError } from './errors.ts';

const TWO_32 = 4294967296;
const encoder = new TextEncoder();
const describe = (v: unknown): string =>
  typeof v === 'string' ? `a string of ${v.length} chars` : v === null ? 'null' : Array.isArray(v) ? 'an array' : `${typeof v} ${String(v)}`;

export class ByteWriter {
  buf: Uint8Array;
  pos = 0;
  #view: DataView;

  constructor(size = 4096) {
    this.buf = new Uint8Array(Math.max(16, size));
    this.#view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.#grow(n);
  }

  #grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.#view = new DataView(next.buffer);
  }

  /** Starts over on a fresh buffer of `size` bytes (after handing the old one away). */
  replace(size: number): void {
    this.buf = new Uint8Array(Math.max(16, size));
    this.#view = new DataView(this.buf.buffer);
    this.pos = 0;
  }

  putU8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  putU16(v: number): void {
    this.ensure(2);
    const b = this.buf;
    const p = this.pos;
    b[p] = v >>> 8;
    b[p + 1] = v;
    this.pos = p + 2;
  }

  putU32(v: number): void {
    this.ensure(4);
    this.setU32(this.pos, v);
    this.pos += 4;
  }

  /** An integer in [-2^63, 2^64) given as a number: exact whenever the number is. */
  putU64(v: number): void {
    const hi = Math.floor(v / TWO_32);
    this.putU32(hi >>> 0);
    this.putU32(v - hi * TWO_32);
  }

  putBig64(v: bigint): void {
    this.putU32(Number((v >> 32n) & 0xffffffffn));
    this.putU32(Number(v & 0xffffffffn));
  }

  putF32(v: number): void {
    this.ensure(4);
    this.#view.setFloat32(this.pos, v);
    this.pos += 4;
  }

  putF64(v: number): void {
    this.ensure(8);
    this.#view.setFloat64(this.pos, v);
    this.pos += 8;
  }

  putBytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Overwrites 4 bytes already written (a length known only afterwards). */
  setU32(at: number, v: number): void {
    const b = this.buf;
    b[at] = v >>> 24;
    b[at + 1] = v >>> 16;
    b[at + 2] = v >>> 8;
    b[at + 3] = v;
  }

  setU16(at: number, v: number): void {
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v;
  }

  /** Writes `s` as UTF-8 (lone surrogates become U+FFFD) and returns the byte count. */
  putUtf8(s: string): number {
    const n = s.length;
    this.ensure(n * 3);
    const b = this.buf;
    const start = this.pos;
    if (n > 64) {
      const { written } = encoder.encodeInto(s, b.subarray(start));
      this.pos = start + written;
      return written;
    }
    let p = start;
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        b[p++] = c;
      } else if (c < 0x800) {
        b[p++] = 0xc0 | (c >> 6);
        b[p++] = 0x80 | (c & 0x3f);
      } else {
        if (c >= 0xd800 && c <= 0xdfff) {
          const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
          if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
            const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
            b[p++] = 0xf0 | (cp >> 18);
            b[p++] = 0x80 | ((cp >> 12) & 0x3f);
            b[p++] = 0x80 | ((cp >> 6) & 0x3f);
            b[p++] = 0x80 | (cp & 0x3f);
            i++;
            continue;
          }
          c = 0xfffd;
        }
        b[p++] = 0xe0 | (c >> 12);
        b[p++] = 0x80 | ((c >> 6) & 0x3f);
        b[p++] = 0x80 | (c & 0x3f);
      }
    }
    this.pos = p;
    return p - start;
  }

  // Checked writes of the spec's field types.

  octet(v: number, label: string): void {
    if ((v & 0xff) !== v) throw this.bad(label, 'an octet (0-255)', v);
    this.putU8(v);
  }

  short(v: number, label: string): void {
    if ((v & 0xffff) !== v) throw this.bad(label, 'a short (0-65535)', v);
    this.putU16(v);
  }

  long(v: number, label: string): void {
    if (v >>> 0 !== v) throw this.bad(label, 'a long (0-4294967295)', v);
    this.putU32(v);
  }

  longlong(v: number, label: string): void {
    if (!(Number.isInteger(v) && v >= 0 && v < 18446744073709551616)) throw this.bad(label, 'a non-negative integer', v);
    this.putU64(v);
  }

  timestamp(v: number, label: string): void {
    this.longlong(v, label);
  }

  shortStr(v: string, label: string): void {
    if (typeof v !== 'string') throw this.bad(label, 'a string', v);
    this.ensure(1);
    const at = this.pos++;
    const n = this.putUtf8(v);
    if (n > 255) {
      this.pos = at;
      throw new EncodeError(`${label}: expected a string of at most 255 UTF-8 bytes, got ${n} bytes`);
    }
    this.buf[at] = n;
  }

  /** A shortstr from a string known to be one; false (and nothing written) if over 255 bytes. */
  tryShortStr(v: string): boolean {
    this.ensure(1);
    const at = this.pos++;
    const n = this.putUtf8(v);
    if (n > 255) {
      this.pos = at;
      return false;
    }
    this.buf[at] = n;
    return true;
  }

  longStr(v: string | Uint8Array, label: string): void {
    if (typeof v === 'string') {
      this.ensure(4);
      const at = this.pos;
      this.pos += 4;
      this.setU32(at, this.putUtf8(v));
    } else if (v instanceof Uint8Array) {
      this.putU32(v.length);
      this.putBytes(v);
    } else {
      throw this.bad(label, 'a string or Uint8Array', v);
    }
  }

  bad(label: string, expected: string, got: unknown): EncodeError {
    return new EncodeError(`${label}: expected ${expected}, got ${describe(got)}`);
  }
}
