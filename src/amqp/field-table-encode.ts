// Encoding field tables. Plain values follow pika and amqplib's choices (integer -> I or
// l, other number -> d); a `Typed` value picks its wire type explicitly.

import { Typed, type FieldTable, type FieldValue } from '../broker/types.ts';
import type { ByteWriter } from './byte-writer.ts';
import { EncodeError } from './errors.ts';
import { I64_MAX, I64_MIN, MAX_TABLE_DEPTH, T, TWO_31, TWO_63, U64_MAX } from './field-tags.ts';

// `label` names the table in an EncodeError ("basic.publish arguments"); the path to a
// nested value is only spelled out when something fails, never on the hot path.

export function writeTable(w: ByteWriter, table: FieldTable, label: string, depth = 0): void {
  if (table === null || typeof table !== 'object' || Array.isArray(table)) throw w.bad(label, 'a field table (plain object)', table);
  if (depth > MAX_TABLE_DEPTH) throw new EncodeError(`${label}: field tables nested deeper than ${MAX_TABLE_DEPTH} (a cycle?)`);
  w.ensure(4);
  const at = w.pos;
  w.pos += 4;
  for (const key of Object.keys(table)) {
    const v = table[key];
    if (v === undefined) continue;
    if (!w.tryShortStr(key)) throw new EncodeError(`${label}: key ${JSON.stringify(key.slice(0, 40))}... is longer than 255 UTF-8 bytes`);
    writeValue(w, v, label, key, depth);
  }
  w.setU32(at, w.pos - at - 4);
}

function writeArray(w: ByteWriter, values: readonly (FieldValue | undefined)[], label: string, depth: number): void {
  if (depth > MAX_TABLE_DEPTH) throw new EncodeError(`${label}: field arrays nested deeper than ${MAX_TABLE_DEPTH} (a cycle?)`);
  w.ensure(4);
  const at = w.pos;
  w.pos += 4;
  for (let i = 0; i < values.length; i++) writeValue(w, values[i], label, i, depth);
  w.setU32(at, w.pos - at - 4);
}

const path = (label: string, key: string | number): string => (typeof key === 'number' ? `${label}[${key}]` : `${label}.${key}`);

function writeValue(w: ByteWriter, v: FieldValue | undefined, label: string, key: string | number, depth: number): void {
  switch (typeof v) {
    case 'string':
      w.putU8(T.longstr);
      w.longStr(v, label);
      return;
    case 'number':
      writeNumber(w, v);
      return;
    case 'boolean':
      w.putU8(T.bool);
      w.putU8(v ? 1 : 0);
      return;
    case 'bigint':
      w.putU8(T.int64);
      writeBigInt64(w, v, path(label, key));
      return;
    case 'undefined':
      w.putU8(T.void);
      return;
    case 'object':
      if (v === null) w.putU8(T.void);
      else if (v instanceof Uint8Array) {
        w.putU8(T.bytes);
        w.longStr(v, label);
      } else if (Array.isArray(v)) {
        w.putU8(T.array);
        writeArray(w, v, path(label, key), depth + 1);
      } else if (v instanceof Date) {
        w.putU8(T.timestamp);
        writeTimestamp(w, v, path(label, key));
      } else if (v instanceof Typed) {
        writeTyped(w, v, path(label, key), depth);
      } else {
        const proto: unknown = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null) throw w.bad(path(label, key), 'a field value', v);
        w.putU8(T.table);
        writeTable(w, v, path(label, key), depth + 1);
      }
      return;
    default:
      throw w.bad(path(label, key), 'a field value', v);
  }
}

function writeNumber(w: ByteWriter, v: number): void {
  if (Number.isInteger(v) && !Object.is(v, -0)) {
    if (v >= -TWO_31 && v < TWO_31) {
      w.putU8(T.int32);
      w.putU32(v >>> 0);
      return;
    }
    if (v >= -TWO_63 && v < TWO_63) {
      w.putU8(T.int64);
      w.putU64(v);
      return;
    }
  }
  w.putU8(T.double);
  w.putF64(v);
}

function writeBigInt64(w: ByteWriter, v: bigint, label: string): void {
  if (v < I64_MIN || v > I64_MAX) throw w.bad(label, 'a signed 64-bit integer', v);
  w.putBig64(v);
}

function writeTimestamp(w: ByteWriter, v: unknown, label: string): void {
  if (v instanceof Date) {
    const ms = v.getTime();
    if (!(ms >= 0)) throw w.bad(label, 'a Date at or after 1970 (timestamps are unsigned)', v);
    w.putU64(Math.floor(ms / 1000));
  } else if (typeof v === 'bigint') {
    if (v < 0n || v > U64_MAX) throw w.bad(label, 'an unsigned 64-bit timestamp', v);
    w.putBig64(v);
  } else if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 64) {
    w.putU64(v);
  } else {
    throw w.bad(label, 'a timestamp (Date, or seconds as a non-negative integer)', v);
  }
}

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

function writeTyped(w: ByteWriter, typed: Typed, label: string, depth: number): void {
  const v = typed.value;
  const fail = (expected: string): never => {
    throw w.bad(`${label} (${typed.type})`, expected, v);
  };
  switch (typed.type) {
    case 'bool':
      if (typeof v !== 'boolean') fail('a boolean');
      w.putU8(T.bool);
      w.putU8(v ? 1 : 0);
      return;
    case 'int8':
      if (!isInt(v, -128, 127)) fail('an integer in [-128, 127]');
      w.putU8(T.int8);
      w.putU8(v as number);
      return;
    case 'uint8':
      if (!isInt(v, 0, 255)) fail('an integer in [0, 255]');
      w.putU8(T.uint8);
      w.putU8(v as number);
      return;
    case 'int16':
      if (!isInt(v, -32768, 32767)) fail('an integer in [-32768, 32767]');
      w.putU8(T.int16);
      w.putU16(v as number);
      return;
    case 'uint16':
      if (!isInt(v, 0, 65535)) fail('an integer in [0, 65535]');
      w.putU8(T.uint16);
      w.putU16(v as number);
      return;
    case 'int32':
      if (!isInt(v, -TWO_31, TWO_31 - 1)) fail('an integer in [-2^31, 2^31)');
      w.putU8(T.int32);
      w.putU32((v as number) >>> 0);
      return;
    case 'uint32':
      if (!isInt(v, 0, 4294967295)) fail('an integer in [0, 2^32)');
      w.putU8(T.uint32);
      w.putU32(v as number);
      return;
    case 'int64':
      w.putU8(T.int64);
      if (typeof v === 'bigint') writeBigInt64(w, v, label);
      else if (isInt(v, -TWO_63, TWO_63 - 1)) w.putU64(v);
      else fail('an integer or bigint in [-2^63, 2^63)');
      return;
    case 'float':
      if (typeof v !== 'number') fail('a number');
      w.putU8(T.float);
      w.putF32(v as number);
      return;
    case 'double':
      if (typeof v !== 'number') fail('a number');
      w.putU8(T.double);
      w.putF64(v as number);
      return;
    case 'decimal': {
      const d = v as { scale?: unknown; value?: unknown } | null;
      if (d === null || typeof d !== 'object' || !isInt(d.scale, 0, 255) || !isInt(d.value, 0, 4294967295)) {
        fail('{ scale: 0-255, value: 0-4294967295 }');
      }
      w.putU8(T.decimal);
      w.putU8((d as { scale: number }).scale);
      w.putU32((d as { value: number }).value);
      return;
    }
    // RabbitMQ has no short string in tables ('s' is int16 there): a shortstr is sent as S.
    case 'shortstr':
    case 'longstr':
      if (typeof v !== 'string' && !(v instanceof Uint8Array)) fail('a string or Uint8Array');
      w.putU8(T.longstr);
      w.longStr(v as string | Uint8Array, label);
      return;
    case 'bytes':
      if (!(v instanceof Uint8Array)) fail('a Uint8Array');
      w.putU8(T.bytes);
      w.longStr(v as Uint8Array, label);
      return;
    case 'timestamp':
      w.putU8(T.timestamp);
      writeTimestamp(w, v, label);
      return;
    case 'table':
      w.putU8(T.table);
      writeTable(w, v as FieldTable, label, depth + 1);
      return;
    case 'array':
      if (!Array.isArray(v)) fail('an array');
      w.putU8(T.array);
      writeArray(w, v as FieldValue[], label, depth + 1);
      return;
    case 'void':
      w.putU8(T.void);
      return;
    default:
      fail('a known field type');
  }
}
