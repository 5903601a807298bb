import { describe, expect, it } from 'vitest';
import { fieldTablesEqual, fieldValuesEqual, fieldValuesEquivalent } from '../../../src/broker/field-equal.ts';
import { Typed, type FieldValue } from '../../../src/broker/types.ts';

describe('fieldTablesEqual (binding identity)', () => {
  it('ignores key order, compares nested tables and arrays deeply', () => {
    expect(fieldTablesEqual({ a: 1, b: { c: [1, 'x', null] } }, { b: { c: [1, 'x', null] }, a: 1 })).toBe(true);
    expect(fieldTablesEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(fieldTablesEqual({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(fieldTablesEqual({}, {})).toBe(true);
    expect(fieldTablesEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(fieldTablesEqual({ a: { b: 1 } }, { a: { b: 2 } })).toBe(false);
  });

  it('compares bytes, dates, bigints and Typed by content', () => {
    expect(fieldValuesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(fieldValuesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(fieldValuesEqual(new Uint8Array([1]), new Uint8Array([1, 0]))).toBe(false);
    expect(fieldValuesEqual(new Date(5000), new Date(5000))).toBe(true);
    expect(fieldValuesEqual(new Date(5000), new Date(6000))).toBe(false);
    expect(fieldValuesEqual(10n, 10n)).toBe(true);
    expect(fieldValuesEqual(new Typed('int64', 5n), new Typed('int64', 5n))).toBe(true);
    expect(fieldValuesEqual(new Typed('int64', 5n), new Typed('int32', 5n))).toBe(false);
    expect(fieldValuesEqual(new Typed('decimal', { scale: 2, value: 5 }), new Typed('decimal', { value: 5, scale: 2 }))).toBe(true);
    expect(fieldValuesEqual(NaN, NaN)).toBe(true);
  });

  it('is type-exact, as RabbitMQ compares typed binding arguments', () => {
    const pairs: [FieldValue, FieldValue][] = [
      [1, 1n], [1, '1'], [1, true], [null, 0], ['a', new Uint8Array([97])], [[], {}],
      [new Date(0), 0], [new Typed('int32', 1), 1], [{}, new Uint8Array(0)],
    ];
    for (const [a, b] of pairs) {
      expect(fieldValuesEqual(a, b)).toBe(false);
      expect(fieldValuesEqual(b, a)).toBe(false);
    }
  });

  it('ignores inherited properties', () => {
    const proto = { hidden: 1 };
    const a = Object.assign(Object.create(proto) as Record<string, FieldValue>, { x: 1 });
    expect(fieldTablesEqual(a, { x: 1 })).toBe(true);
  });
});

describe('fieldValuesEquivalent (headers matching)', () => {
  it('compares numbers by value across int types, ignoring Typed', () => {
    expect(fieldValuesEquivalent(1, 1n)).toBe(true);
    expect(fieldValuesEquivalent(2n ** 60n, 2 ** 60)).toBe(true);
    expect(fieldValuesEquivalent(1.5, 1n)).toBe(false);
    expect(fieldValuesEquivalent(new Typed('int8', 7), 7)).toBe(true);
    expect(fieldValuesEquivalent(new Typed('int64', 7n), new Typed('uint16', 7))).toBe(true);
    expect(fieldValuesEquivalent([1, { a: 2n }], [1n, { a: 2 }])).toBe(true);
  });

  it('treats a timestamp as its epoch seconds', () => {
    expect(fieldValuesEquivalent(new Date(1_700_000_000_000), 1_700_000_000)).toBe(true);
    expect(fieldValuesEquivalent(1_700_000_000n, new Date(1_700_000_000_000))).toBe(true);
    expect(fieldValuesEquivalent(new Date(1_700_000_000_500), 1_700_000_000)).toBe(false);
  });

  it('still tells different values apart', () => {
    expect(fieldValuesEquivalent('1', 1)).toBe(false);
    expect(fieldValuesEquivalent(true, 1)).toBe(false);
    expect(fieldValuesEquivalent(null, 0)).toBe(false);
  });
});
