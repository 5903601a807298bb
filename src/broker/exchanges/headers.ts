import { fieldValuesEquivalent } from '../field-equal.ts';
import { Typed, type FieldTable, type FieldValue } from '../types.ts';
import type { Binding, BindingTarget, ExchangeRouter } from './exchange.ts';
import { BindingSet, removeItem } from './fanout.ts';

// Semantics follow rabbit_exchange_type_headers.erl (RabbitMQ 3.10+):
// - x-match is all (the default, also for any unknown value), any, all-with-x, any-with-x;
// - "x-match" itself never takes part; other "x-" arguments only with the -with-x variants;
// - an argument whose value is void (null) matches when the header is present, any value;
// - values compare like Erlang `==`: wire types ignored, numbers by value;
// - all with no remaining arguments matches every message, any with none matches nothing.

/** A binding's arguments compiled at bind time, so routing only reads arrays. */
interface Pattern<T extends BindingTarget> {
  readonly binding: Binding<T>;
  readonly any: boolean;
  readonly keys: string[];
  readonly values: FieldValue[];
  /** values[i] is void: only presence of keys[i] is required. */
  readonly presence: boolean[];
}

const unwrap = (v: FieldValue | undefined): unknown => (v instanceof Typed ? v.value : v);

function compile<T extends BindingTarget>(binding: Binding<T>): Pattern<T> {
  const args = binding.arguments;
  const mode = unwrap(args['x-match']);
  const withX = mode === 'all-with-x' || mode === 'any-with-x';
  const pattern: Pattern<T> = {
    binding,
    any: mode === 'any' || mode === 'any-with-x',
    keys: [],
    values: [],
    presence: [],
  };
  for (const key in args) {
    if (!Object.hasOwn(args, key) || key === 'x-match') continue;
    if (!withX && key.startsWith('x-')) continue;
    const value = args[key]!;
    pattern.keys.push(key);
    pattern.values.push(value);
    pattern.presence.push(value === null || (value instanceof Typed && value.type === 'void'));
  }
  return pattern;
}

function matches(p: Pattern<BindingTarget>, headers: FieldTable | undefined): boolean {
  const { keys, values, presence } = p;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const hit =
      headers !== undefined &&
      Object.hasOwn(headers, key) &&
      (presence[i]! || fieldValuesEquivalent(values[i]!, headers[key]!));
    if (hit === p.any) return hit;
  }
  return !p.any;
}

/**
 * The detail of RabbitMQ's PRECONDITION_FAILED for an invalid x-match binding argument,
 * or undefined when the arguments are valid for a headers exchange.
 */
export function validateHeadersBinding(args: FieldTable): string | undefined {
  if (!Object.hasOwn(args, 'x-match')) return undefined;
  const raw = args['x-match']!;
  const value = unwrap(raw);
  const isLongstr = typeof value === 'string' && !(raw instanceof Typed && raw.type !== 'longstr');
  if (!isLongstr) {
    return `Invalid x-match field type ${erlangType(raw)} (value ${erlangTerm(value)}); expected longstr`;
  }
  if (value === 'all' || value === 'any' || value === 'all-with-x' || value === 'any-with-x') return undefined;
  return `Invalid x-match field value ${erlangTerm(value)}; expected all, any, all-with-x, or any-with-x`;
}

const wireTypeNames: Partial<Record<string, string>> = {
  int8: 'byte', uint8: 'unsignedbyte', int16: 'short', uint16: 'unsignedshort',
  int32: 'signedint', uint32: 'unsignedint', int64: 'long', bytes: 'binary',
};

/** RabbitMQ's name for the field type, as its error texts print it. */
function erlangType(v: FieldValue): string {
  if (v instanceof Typed) return wireTypeNames[v.type] ?? v.type;
  if (v === null) return 'void';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'long';
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return 'double';
    return v >= -0x80000000 && v <= 0x7fffffff ? 'signedint' : 'long';
  }
  if (v instanceof Uint8Array) return 'binary';
  if (v instanceof Date) return 'timestamp';
  return Array.isArray(v) ? 'array' : 'table';
}

/** Erlang's ~tp for the simple values an x-match can carry. */
function erlangTerm(v: unknown): string {
  if (typeof v === 'string') return `<<${JSON.stringify(v)}>>`;
  if (v === null || v === undefined) return 'undefined';
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? String(v);
}

export class HeadersRouter<T extends BindingTarget = BindingTarget> implements ExchangeRouter<T> {
  readonly type = 'headers';
  private readonly set = new BindingSet<T>();
  /** In bind order; routing tests each (RabbitMQ also scans every binding). */
  private readonly patterns: Pattern<T>[] = [];
  private readonly patternOf = new Map<Binding<T>, Pattern<T>>();

  get bindingCount(): number {
    return this.patterns.length;
  }

  bind(binding: Binding<T>): boolean {
    if (!this.set.add(binding)) return false;
    const p = compile(binding);
    this.patterns.push(p);
    this.patternOf.set(binding, p);
    return true;
  }

  unbind(binding: Binding<T>): boolean {
    const stored = this.set.remove(binding);
    if (!stored) return false;
    const p = this.patternOf.get(stored);
    if (p) removeItem(this.patterns, p);
    this.patternOf.delete(stored);
    return true;
  }

  unbindDestination(destination: T): Binding<T>[] {
    const removed = this.set.ofDestination(destination);
    for (const b of removed) this.unbind(b);
    return removed;
  }

  route(_routingKey: string, headers: FieldTable | undefined, out: Binding<T>[]): void {
    const patterns = this.patterns;
    for (let i = 0; i < patterns.length; i++) {
      const p = patterns[i]!;
      if (matches(p, headers)) out.push(p.binding);
    }
  }

  bindings(): Iterable<Binding<T>> {
    return this.set.values();
  }
}
