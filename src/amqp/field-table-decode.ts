// Decoding field tables to plain JS values (see README.md for the mapping).

import { Typed, type FieldTable, type FieldValue } from '../broker/types.ts';
import type { ByteReader } from './byte-reader.ts';
import { MAX_DATE_SECONDS, MAX_TABLE_DEPTH, T } from './field-tags.ts';

/** Reads one value after its tag; a caller may supply its own (the store keeps wire types). */
export type ValueReader = (r: ByteReader, depth: number) => FieldValue;

export function readTable(r: ByteReader, depth = 0, readValue: ValueReader = readPlainValue): FieldTable {
  const n = r.u32();
  const end = r.pos + n;
  if (end > r.end) r.fail(`field table of ${n} bytes overruns its container`);
  if (depth > MAX_TABLE_DEPTH) r.fail(`field tables nested deeper than ${MAX_TABLE_DEPTH}`);
  const outer = r.end;
  r.end = end;
  const table: FieldTable = {};
  while (r.pos < end) {
    const key = r.shortStr();
    const value = readValue(r, depth);
    // A "__proto__" key must stay data, not replace the table's prototype.
    if (key === '__proto__') Object.defineProperty(table, key, { value, enumerable: true, writable: true, configurable: true });
    else table[key] = value;
  }
  r.end = outer;
  return table;
}

export function readArray(r: ByteReader, depth: number, readValue: ValueReader = readPlainValue): FieldValue[] {
  const n = r.u32();
  const end = r.pos + n;
  if (end > r.end) r.fail(`field array of ${n} bytes overruns its container`);
  if (depth > MAX_TABLE_DEPTH) r.fail(`field arrays nested deeper than ${MAX_TABLE_DEPTH}`);
  const outer = r.end;
  r.end = end;
  const values: FieldValue[] = [];
  while (r.pos < end) values.push(readValue(r, depth));
  r.end = outer;
  return values;
}

function readPlainValue(r: ByteReader, depth: number): FieldValue {
  const tag = r.u8();
  switch (tag) {
    case T.longstr: return r.longStr();
    case T.int32: return r.i32();
    case T.bool: return r.u8() !== 0;
    case T.table: return readTable(r, depth + 1);
    case T.array: return readArray(r, depth + 1);
    case T.int64: return r.i64();
    case T.int8: return r.i8();
    case T.uint8: return r.u8();
    case T.int16: return r.i16();
    case T.uint16: return r.u16();
    case T.uint32: return r.u32();
    case T.float: return r.f32();
    case T.double: return r.f64();
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
    default: return r.fail(`unknown field type tag ${tag} (${JSON.stringify(String.fromCharCode(tag))})`);
  }
}
