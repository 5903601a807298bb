// How the SQLite store keeps field tables: AMQP field-table bytes, read back keeping every
// wire type, so re-encoding gives the same bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFieldTable, encodeFieldTable, FrameError } from '../../../src/amqp/index.ts';
import { Typed, type FieldTable, type FieldValue } from '../../../src/broker/types.ts';
import { decodeTable, encodeTable, tableKey } from '../../../src/server/sqlite-fields.ts';
import { fieldTable, shortStr } from '../amqp/arbitraries.ts';

/** Typed values whose type the codec's plain decoder would narrow away. */
const narrowTyped: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.integer({ min: -128, max: 127 }).map((v) => new Typed('int8', v)),
  fc.integer({ min: 0, max: 255 }).map((v) => new Typed('uint8', v)),
  fc.integer({ min: -32768, max: 32767 }).map((v) => new Typed('int16', v)),
  fc.integer({ min: 0, max: 65535 }).map((v) => new Typed('uint16', v)),
  fc.nat({ max: 0xffffffff }).map((v) => new Typed('uint32', v)),
  fc.integer().map((v) => new Typed('int64', v)),
  fc.float({ noNaN: true }).map((v) => new Typed('float', v)),
  fc.integer().map((v) => new Typed('double', v)),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).filter((b) => !isUtf8(b)).map((b) => new Typed('longstr', b)),
);

/** Any value the encoder accepts, Typed of every kind included. */
const anyValue: fc.Arbitrary<FieldValue> = fc.letrec<{ value: FieldValue; table: FieldTable; array: FieldValue[] }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    narrowTyped,
    fc.integer({ min: -(2 ** 53), max: 2 ** 53 }).map((v) => new Typed('int32', v | 0)),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => new Typed('int64', v)),
    fc.double(),
    fc.boolean().map((v) => new Typed('bool', v)),
    fc.string().map((v) => new Typed('shortstr', v)),
    fc.integer({ min: 0, max: 2 ** 40 }).map((v) => new Typed('timestamp', v)),
    fc.date({ min: new Date(0), max: new Date(8.64e15), noInvalidDate: true }),
    fc.constant(new Typed('void', null)),
    tie('table').map((t) => new Typed('table', t)),
    tie('array').map((a) => new Typed('array', a)),
    tie('array'),
    tie('table'),
  ),
  table: fc.dictionary(shortStr, tie('value'), { maxKeys: 4, noNullPrototype: true }),
  array: fc.array(tie('value'), { maxLength: 4 }),
})).value;

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

describe('sqlite-fields', () => {
  it('reads plain values exactly as the codec does', () => {
    fc.assert(
      fc.property(fieldTable, (table) => {
        const bytes = encodeTable(table);
        expect(decodeTable(bytes)).toStrictEqual(decodeFieldTable(bytes));
        expect(decodeTable(bytes)).toEqual(table);
      }),
    );
  });

  it('keeps the wire type of every value: re-encoding gives the same bytes', () => {
    fc.assert(
      fc.property(fc.dictionary(shortStr, anyValue, { maxKeys: 6, noNullPrototype: true }), (table) => {
        const bytes = encodeFieldTable(table);
        expect(encodeFieldTable(decodeTable(bytes))).toStrictEqual(bytes);
      }),
    );
  });

  it('returns narrowed widths as the Typed values they were', () => {
    fc.assert(
      fc.property(narrowTyped, (value) => {
        const decoded = decodeTable(encodeTable({ v: value }))['v'] as Typed;
        const typed = value as Typed;
        if (typed.type === 'int64' && (typed.value as number) > 2 ** 31 - 1) expect(decoded).toBe(typed.value);
        else if (typed.type === 'int64' && (typed.value as number) < -(2 ** 31)) expect(decoded).toBe(typed.value);
        else if (typed.type === 'double' && !Number.isInteger(typed.value)) expect(decoded).toBe(typed.value);
        else expect(decoded).toStrictEqual(typed);
      }),
    );
    expect(decodeTable(encodeTable({ n: -0, big: 2n ** 60n, d: new Typed('double', 2 ** 60) }))).toStrictEqual({
      n: -0, big: 2n ** 60n, d: new Typed('double', 2 ** 60),
    });
  });

  it('identifies tables regardless of key order, but not of type', () => {
    fc.assert(
      fc.property(fieldTable, (table) => {
        const reversed = Object.fromEntries(Object.entries(table).reverse());
        expect(tableKey(reversed)).toStrictEqual(tableKey(table));
      }),
    );
    expect(tableKey({ a: { y: 1, x: [{ q: 1, p: 2 }] }, b: new Typed('table', { d: 1, c: 2 }) })).toStrictEqual(
      tableKey({ b: new Typed('table', { c: 2, d: 1 }), a: { x: [{ p: 2, q: 1 }], y: 1 } }),
    );
    expect(tableKey({ a: 1 })).not.toStrictEqual(tableKey({ a: 1n }));
    expect(tableKey({ ['__proto__']: 1, a: 2 } as FieldTable)).toStrictEqual(tableKey(JSON.parse('{"a":2,"__proto__":1}') as FieldTable));
  });

  it('throws FrameError on bytes that are not a field table', () => {
    expect(() => decodeTable(new Uint8Array([0, 0, 0, 3, 1, 97, 0x5a]))).toThrow(FrameError);
    expect(() => decodeTable(new Uint8Array([0, 0, 0, 9]))).toThrow(FrameError);
    expect(() => decodeTable(new Uint8Array([0, 0, 0, 0, 0]))).toThrow(FrameError);
  });
});
