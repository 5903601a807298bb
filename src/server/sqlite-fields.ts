// Field tables as the SQLite store keeps them: written with the AMQP codec, read back so
// that encoding the result again gives the same bytes. The codec's own decoder narrows
// integer and float widths (a `b` comes back as a number, re-encoded as `I`); this reader
// keeps each wire type: where the plain JS value would encode differently, it returns a
// `Typed` of the stored type. So `Typed('int8', 5)`, the broker's own `Typed('int64', n)`
// x-death counts, floats and integral doubles survive a restart, and anything the server's
// decoder produced (plain values) comes back exactly as it was.
//
// What cannot be told apart on the wire stays ambiguous: a bigint or Typed('int64') inside
// int32 range returns as Typed('int64', n), a safe-integer bigint outside it as a number, a
// Date loses its milliseconds (timestamps are whole seconds), and wrappers that change
// nothing on the wire (Typed('bool'), Typed('table'), ...) return unwrapped.

import { encodeFieldTable } from '../amqp/index.ts';
import { ByteReader } from '../amqp/byte-reader.ts';
import { readArray as readArrayWith, readTable as readTableWith } from '../amqp/field-table-decode.ts';
import { MAX_DATE_SECONDS, T } from '../amqp/field-tags.ts';
import { Typed, type FieldTable, type FieldValue } from '../broker/types.ts';

const TWO_31 = 2 ** 31;
const TWO_63 = 2 ** 63;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The table with its length prefix, as `encodeFieldTable` writes it. */
export const encodeTable = encodeFieldTable;

/** Decodes what `encodeTable` gave, keeping wire types (see above). */
export function decodeTable(bytes: Uint8Array): FieldTable {
  const r = new ByteReader().reset(bytes);
  const table = readTable(r, 0);
  r.done();
  return table;
}

/**
 * Bytes that identify a table as binding identity does (type-exact, key order irrelevant):
 * the encoding of a copy with keys sorted at every depth.
 */
export function tableKey(table: FieldTable): Uint8Array {
  return encodeFieldTable(sortedTable(table));
}

function sortedTable(table: FieldTable): FieldTable {
  const out = Object.create(null) as FieldTable;
  for (const key of Object.keys(table).sort()) {
    const v = table[key];
    if (v !== undefined) out[key] = sortedValue(v);
  }
  return out;
}

function sortedValue(v: FieldValue): FieldValue {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array || v instanceof Date) return v;
  if (Array.isArray(v)) return v.map(sortedValue);
  if (v instanceof Typed) {
    if (v.type === 'table' && v.value !== null && typeof v.value === 'object') return new Typed('table', sortedTable(v.value as FieldTable));
    if (v.type === 'array' && Array.isArray(v.value)) return new Typed('array', (v.value as FieldValue[]).map(sortedValue));
    return v;
  }
  return sortedTable(v);
}

/** Whether the codec writes this number as a double (it writes integers as I or l). */
const plainDouble = (v: number): boolean => !(Number.isInteger(v) && !Object.is(v, -0) && v >= -TWO_63 && v < TWO_63);

const readTable = (r: ByteReader, depth: number): FieldTable => readTableWith(r, depth, readValue);
const readArray = (r: ByteReader, depth: number): FieldValue[] => readArrayWith(r, depth, readValue);

function readValue(r: ByteReader, depth: number): FieldValue {
  const tag = r.u8();
  switch (tag) {
    case T.longstr: return readLongStr(r);
    case T.int32: return r.i32();
    case T.bool: return r.u8() !== 0;
    case T.table: return readTable(r, depth + 1);
    case T.array: return readArray(r, depth + 1);
    case T.int64: {
      const v = r.i64();
      return typeof v === 'number' && v >= -TWO_31 && v < TWO_31 ? new Typed('int64', v) : v;
    }
    case T.int8: return new Typed('int8', r.i8());
    case T.uint8: return new Typed('uint8', r.u8());
    case T.int16: return new Typed('int16', r.i16());
    case T.uint16: return new Typed('uint16', r.u16());
    case T.uint32: return new Typed('uint32', r.u32());
    case T.float: return new Typed('float', r.f32());
    case T.double: {
      const v = r.f64();
      return plainDouble(v) ? v : new Typed('double', v);
    }
    case T.decimal: {
      const scale = r.u8();
      return new Typed('decimal', { scale, value: r.u32() });
    }
    case T.timestamp: {
      const seconds = r.u64Big();
      return seconds <= MAX_DATE_SECONDS ? new Date(Number(seconds) * 1000) : new Typed('timestamp', seconds);
    }
    case T.bytes: return r.longBytes();
    case T.void: return null;
    default: return r.fail(`unknown field type tag ${tag}`);
  }
}

/** A longstr that is not valid UTF-8 keeps its bytes (a string would re-encode differently). */
function readLongStr(r: ByteReader): FieldValue {
  const n = r.u32();
  const p = r.pos;
  if (p + n > r.end) r.fail(`truncated: needed ${n} byte(s) at offset ${p}, ${r.end - p} left`);
  r.pos = p + n;
  const raw = r.buf.subarray(p, p + n);
  try {
    return strictUtf8.decode(raw);
  } catch {
    return new Typed('longstr', raw.slice());
  }
}
