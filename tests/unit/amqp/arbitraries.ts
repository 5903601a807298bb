// fast-check arbitraries for the codec tests: values that must survive encode -> decode
// unchanged (see src/amqp/README.md for which JS values those are).

import fc from 'fast-check';
import { Typed, type BasicProperties, type FieldTable, type FieldValue } from '../../../src/broker/types.ts';
import { METHODS, type FieldInfo, type Method, type MethodName } from '../../../src/amqp/index.ts';

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const wellFormed = (s: string): boolean => !LONE_SURROGATE.test(s);

/** At most 63 code points, so at most 252 UTF-8 bytes: always a valid shortstr. */
export const shortStr = fc.string({ unit: 'binary', maxLength: 63 }).filter(wellFormed);
export const longStr = fc.string({ unit: 'binary', maxLength: 300 }).filter(wellFormed);
export const bytes = fc.uint8Array({ maxLength: 64 });

const TWO_53 = 2 ** 53;
const int64Big = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).filter((b) => b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER));

/** Plain field values that decode back to themselves. */
export const fieldValue: fc.Arbitrary<FieldValue> = fc.letrec<{ value: FieldValue; table: FieldTable; array: FieldValue[] }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    longStr,
    fc.boolean(),
    fc.constant(null),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.double().filter((d) => !(Number.isInteger(d) && Math.abs(d) >= TWO_53 && Math.abs(d) < 2 ** 63)),
    int64Big,
    bytes,
    fc.integer({ min: 0, max: 8.64e12 }).map((s) => new Date(s * 1000)),
    fc.record({ scale: fc.integer({ min: 0, max: 255 }), value: fc.nat({ max: 0xffffffff }) }).map((d) => new Typed('decimal', d)),
    fc.bigInt({ min: 8640000000001n, max: 2n ** 64n - 1n }).map((s) => new Typed('timestamp', s)),
    tie('array'),
    tie('table'),
  ),
  table: fc.dictionary(shortStr, tie('value'), { maxKeys: 5, noNullPrototype: true }),
  array: fc.array(tie('value'), { maxLength: 5 }),
})).value;

export const fieldTable: fc.Arbitrary<FieldTable> = fc.dictionary(shortStr, fieldValue, { maxKeys: 8, noNullPrototype: true });

/** Tables amqplib encodes byte for byte as we do (it picks the smallest integer type). */
export const simpleTable: fc.Arbitrary<FieldTable> = fc.dictionary(
  // No "__proto__" key: amqplib's decoder assigns it and replaces the table's prototype; ours
  // keeps it as data (covered by our own round trips, not comparable with amqplib).
  fc.string({ unit: 'grapheme-ascii', maxLength: 20 }).filter((key) => key !== '__proto__'),
  fc.oneof(fc.string({ maxLength: 40 }), fc.boolean(), fc.constant(null), fc.double({ noInteger: true, noNaN: true, min: -(2 ** 49), max: 2 ** 49 })), // amqplib sends doubles >= 2^50 as longs
  { maxKeys: 5, noNullPrototype: true },
);

export const properties = (table: fc.Arbitrary<FieldTable> = fieldTable): fc.Arbitrary<BasicProperties> =>
  fc.record(
    {
      contentType: shortStr,
      contentEncoding: shortStr,
      headers: table,
      deliveryMode: fc.integer({ min: 0, max: 255 }),
      priority: fc.integer({ min: 0, max: 255 }),
      correlationId: shortStr,
      replyTo: shortStr,
      expiration: shortStr,
      messageId: shortStr,
      timestamp: fc.maxSafeNat(),
      type: shortStr,
      userId: shortStr,
      appId: shortStr,
      clusterId: shortStr,
    },
    { requiredKeys: [], noNullPrototype: true },
  );

function fieldArb(f: FieldInfo, table: fc.Arbitrary<FieldTable>): fc.Arbitrary<unknown> {
  switch (f.type) {
    case 'bit': return fc.boolean();
    case 'octet': return fc.integer({ min: 0, max: 255 });
    case 'short': return fc.integer({ min: 0, max: 0xffff });
    case 'long': return fc.nat({ max: 0xffffffff });
    case 'longlong':
    case 'timestamp': return fc.maxSafeNat();
    case 'shortstr': return shortStr;
    case 'longstr': return f.binary ? bytes : longStr;
    case 'table': return table;
  }
}

export const methodNames = Object.keys(METHODS) as MethodName[];

/** A method with every argument given. */
export function methodOf(name: MethodName, table: fc.Arbitrary<FieldTable> = fieldTable): fc.Arbitrary<Method> {
  const fields = METHODS[name].fields;
  const args = Object.fromEntries(fields.map((f) => [f.name, fieldArb(f, table)]));
  return fc.record(args, { noNullPrototype: true }).map((a) => ({ name, args: a }) as Method);
}

export const anyMethod = (table: fc.Arbitrary<FieldTable> = fieldTable): fc.Arbitrary<Method> =>
  fc.constantFrom(...methodNames).chain((name) => methodOf(name, table));
