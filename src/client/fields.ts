// Field-table values in amqplib's shapes. amqplib writes typed values with a trapdoor,
// `{ '!': 'timestamp', value: 1700000000 }`, and reads timestamps and decimals back in that
// shape (x-death's `time`, for one); the codec uses Date and Typed instead. Learner code
// written for amqplib sees and sends the same values here.

import { Typed, type FieldTable, type FieldType, type FieldValue } from '../broker/types.ts';

const TRAPDOOR_TYPES: Readonly<Record<string, FieldType>> = {
  string: 'longstr',
  bool: 'bool',
  boolean: 'bool',
  double: 'double',
  float64: 'double',
  float: 'float',
  byte: 'int8',
  int8: 'int8',
  unsignedbyte: 'uint8',
  uint8: 'uint8',
  short: 'int16',
  int16: 'int16',
  unsignedshort: 'uint16',
  uint16: 'uint16',
  int: 'int32',
  int32: 'int32',
  unsignedint: 'uint32',
  uint32: 'uint32',
  long: 'int64',
  int64: 'int64',
  timestamp: 'timestamp',
};

interface Trapdoor {
  '!': string;
  value: unknown;
}

const isTrapdoor = (v: object): v is Trapdoor => Object.hasOwn(v, '!');

const isPlainObject = (v: object): v is Record<string, unknown> => {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

function fromTrapdoor(v: Trapdoor): FieldValue {
  if (v['!'] === 'decimal') {
    const d = v.value as { places: number; digits: number };
    return new Typed('decimal', { scale: d.places, value: d.digits });
  }
  const type = TRAPDOOR_TYPES[v['!']];
  if (type === undefined) throw new TypeError(`Unknown type to encode: ${v['!']}`);
  return new Typed(type, v.value);
}

/** A table from learner code, its amqplib trapdoor values turned into the codec's (copied only where needed). */
export function encodableTable(table: Record<string, unknown>): FieldTable {
  return encodable(table) as FieldTable;
}

function encodable(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array || v instanceof Date || v instanceof Typed) return v;
  if (Array.isArray(v)) return v.map(encodable);
  if (isTrapdoor(v)) return fromTrapdoor(v);
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const key in v) out[key] = encodable(v[key]);
  return out;
}

/** A received table as amqplib would give it: timestamps and decimals as trapdoor objects. */
export function amqplibTable(table: FieldTable): FieldTable {
  return amqplibValue(table) as FieldTable;
}

function amqplibValue(v: FieldValue): unknown {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
  if (v instanceof Date) return { '!': 'timestamp', value: Math.floor(v.getTime() / 1000) };
  if (v instanceof Typed) {
    if (v.type === 'decimal') {
      const d = v.value as { scale: number; value: number };
      return { '!': 'decimal', value: { places: d.scale, digits: d.value } };
    }
    if (v.type === 'timestamp') return { '!': 'timestamp', value: Number(v.value as bigint) };
    return v;
  }
  if (Array.isArray(v)) return v.map(amqplibValue);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) out[key] = amqplibValue(v[key]!);
  return out;
}
