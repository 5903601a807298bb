import { Typed, type FieldTable, type FieldValue } from './types.ts';

// Two equalities over field values. `fieldValuesEqual` is binding identity: RabbitMQ
// compares binding arguments as typed terms, so 1 and 1n (int vs long on the wire) differ.
// `fieldValuesEquivalent` is headers-exchange matching: RabbitMQ compares the values with
// Erlang `==`, ignoring the wire type, so numbers compare by value across int types.

/** Deep, type-exact equality (binding identity). Table key order is irrelevant. */
export function fieldValuesEqual(a: FieldValue, b: FieldValue): boolean {
  return equal(a, b, false);
}

export function fieldTablesEqual(a: FieldTable, b: FieldTable): boolean {
  return tablesEqual(a, b, false);
}

/**
 * Equality as the headers exchange matches: `Typed` wrappers are ignored, numbers and
 * bigints compare by value, a Date equals its epoch seconds (an AMQP timestamp).
 */
export function fieldValuesEquivalent(a: FieldValue, b: FieldValue): boolean {
  return equal(a, b, true);
}

function equal(a: unknown, b: unknown, loose: boolean): boolean {
  if (loose) {
    if (a instanceof Typed) a = a.type === 'void' ? null : a.value;
    if (b instanceof Typed) b = b.type === 'void' ? null : b.value;
  }
  if (a === b) return true;
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'number' || ta === 'bigint') {
    if (tb === ta) return a !== a && b !== b; // both NaN (=== already failed otherwise)
    if (!loose) return false;
    if (tb === 'number' || tb === 'bigint') return (a as number) == (b as number); // exact across number/bigint
    return b instanceof Date && timestampEquals(b, a as number);
  }
  if (loose && a instanceof Date && (tb === 'number' || tb === 'bigint')) return timestampEquals(a, b as number);
  if (ta !== 'object' || tb !== 'object' || a === null || b === null) return false;
  if (a instanceof Date) return b instanceof Date && equal(a.getTime(), b.getTime(), false);
  if (a instanceof Uint8Array) return b instanceof Uint8Array && bytesEqual(a, b);
  if (a instanceof Typed) return b instanceof Typed && a.type === b.type && equal(a.value, b.value, loose);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i], loose)) return false;
    return true;
  }
  if (Array.isArray(b) || b instanceof Date || b instanceof Uint8Array || b instanceof Typed) return false;
  return tablesEqual(a as FieldTable, b as FieldTable, loose);
}

function tablesEqual(a: FieldTable, b: FieldTable, loose: boolean): boolean {
  let count = 0;
  for (const key in a) {
    if (!Object.hasOwn(a, key)) continue;
    if (!Object.hasOwn(b, key) || !equal(a[key], b[key], loose)) return false;
    count++;
  }
  for (const key in b) if (Object.hasOwn(b, key)) count--;
  return count === 0;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function timestampEquals(date: Date, seconds: number | bigint): boolean {
  const ms = date.getTime();
  return ms % 1000 === 0 && ms / 1000 == seconds;
}
