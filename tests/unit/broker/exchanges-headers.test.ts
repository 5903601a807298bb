import { describe, expect, it } from 'vitest';
import type { Binding } from '../../../src/broker/exchanges/exchange.ts';
import { HeadersRouter, validateHeadersBinding } from '../../../src/broker/exchanges/headers.ts';
import { Typed, type FieldTable } from '../../../src/broker/types.ts';

function routerWith(bindings: Record<string, FieldTable>): HeadersRouter {
  const r = new HeadersRouter();
  for (const [name, args] of Object.entries(bindings)) {
    r.bind({ source: 'amq.match', destination: { kind: 'queue', name }, routingKey: '', arguments: args });
  }
  return r;
}
const routed = (r: HeadersRouter, headers: FieldTable | undefined): string[] => {
  const out: Binding[] = [];
  r.route('ignored', headers, out);
  return out.map((b) => b.destination.name);
};

// Modelled on RabbitMQ's own routing tests (rabbitmq-java-client Routing.java, headers).
describe('HeadersRouter: all and any', () => {
  const spec = { h1: '12345', h2: 'bar', h3: null, 'x-key-1': 'bindings starting with x- get filtered out' };
  const r = routerWith({ all: { ...spec, 'x-match': 'all' }, any: { ...spec, 'x-match': 'any' } });

  it('matches nothing without headers', () => {
    expect(routed(r, undefined)).toEqual([]);
    expect(routed(r, {})).toEqual([]);
  });

  it('any needs one equal header; all needs every one', () => {
    expect(routed(r, { h1: '12345' })).toEqual(['any']);
    expect(routed(r, { h1: '12345', h2: 'bar' })).toEqual(['any']);
    expect(routed(r, { h1: '12345', h2: 'bar', h3: 'whatever' })).toEqual(['all', 'any']);
    expect(routed(r, { h1: '12345', h2: 'bar', h3: null, extra: 1 })).toEqual(['all', 'any']);
  });

  it('a void argument matches presence with any value', () => {
    expect(routed(r, { h3: 0 })).toEqual(['any']);
    expect(routed(r, { h3: null })).toEqual(['any']);
    expect(routed(r, { h1: '12345', h2: 'bar', h3: { nested: true } })).toEqual(['all', 'any']);
    const typedVoid = routerWith({ q: { h: new Typed('void', null) } });
    expect(routed(typedVoid, { h: 'x' })).toEqual(['q']);
    expect(routed(typedVoid, {})).toEqual([]);
  });

  it('a wrong value fails all and does not count for any', () => {
    expect(routed(r, { h1: '12345', h2: 'quux', h3: 1 })).toEqual(['any']);
    expect(routed(r, { h2: 'quux' })).toEqual([]);
  });

  it('ignores x- arguments, and x- headers', () => {
    expect(routed(r, { 'x-key-1': 'bindings starting with x- get filtered out' })).toEqual([]);
  });
});

describe('HeadersRouter: x-match defaults and edge cases', () => {
  it('defaults to all, also for an unknown x-match value', () => {
    const r = routerWith({ none: { a: 1, b: 2 }, odd: { a: 1, b: 2, 'x-match': 'most' } });
    expect(routed(r, { a: 1 })).toEqual([]);
    expect(routed(r, { a: 1, b: 2 })).toEqual(['none', 'odd']);
  });

  it('all with no (non-x) arguments matches every message; any with none matches nothing', () => {
    const r = routerWith({ all: {}, allX: { 'x-match': 'all', 'x-foo': 1 }, any: { 'x-match': 'any' } });
    expect(routed(r, undefined)).toEqual(['all', 'allX']);
    expect(routed(r, { a: 1 })).toEqual(['all', 'allX']);
  });

  it('compares numbers by value across int types', () => {
    const r = routerWith({ q: { n: 42, big: new Typed('int64', 7n), f: 1.5 } });
    expect(routed(r, { n: 42n, big: 7, f: 1.5 })).toEqual(['q']);
    expect(routed(r, { n: new Typed('int8', 42), big: new Typed('uint16', 7), f: 1.5 })).toEqual(['q']);
    expect(routed(r, { n: '42', big: 7, f: 1.5 })).toEqual([]);
  });

  it('compares arrays, tables, bytes and booleans by content', () => {
    const r = routerWith({ q: { arr: [1, 'a'], t: { k: 'v' }, b: new Uint8Array([1, 2]), yes: true } });
    expect(routed(r, { arr: [1, 'a'], t: { k: 'v' }, b: new Uint8Array([1, 2]), yes: true })).toEqual(['q']);
    expect(routed(r, { arr: [1, 'a'], t: { k: 'v' }, b: new Uint8Array([1, 2]), yes: false })).toEqual([]);
  });

  it('does not see inherited properties as headers', () => {
    const r = routerWith({ q: { toString: null }, any: { 'x-match': 'any', constructor: null } });
    expect(routed(r, {})).toEqual([]);
  });

  it('a header with a void value does not equal a non-void argument', () => {
    expect(routed(routerWith({ q: { a: 'x' } }), { a: null })).toEqual([]);
  });
});

describe('HeadersRouter: all-with-x and any-with-x (RabbitMQ 3.10+)', () => {
  it('takes x- arguments into account, never x-match itself', () => {
    const r = routerWith({
      allX: { 'x-match': 'all-with-x', 'x-tenant': 'acme', kind: 'order' },
      anyX: { 'x-match': 'any-with-x', 'x-tenant': 'acme', kind: 'order' },
      all: { 'x-match': 'all', 'x-tenant': 'acme', kind: 'order' },
    });
    expect(routed(r, { kind: 'order' })).toEqual(['anyX', 'all']);
    expect(routed(r, { 'x-tenant': 'acme' })).toEqual(['anyX']);
    expect(routed(r, { 'x-tenant': 'acme', kind: 'order' })).toEqual(['allX', 'anyX', 'all']);
    expect(routed(r, { 'x-tenant': 'other', kind: 'order', 'x-match': 'all-with-x' })).toEqual(['anyX', 'all']);
  });

  it('the x-match header of a message is not matched against the argument', () => {
    const r = routerWith({ q: { 'x-match': 'all-with-x' } });
    expect(routed(r, {})).toEqual(['q']);
  });
});

describe('HeadersRouter bookkeeping', () => {
  it('stops routing to an unbound binding and keeps the others in order', () => {
    const r = routerWith({ a: { k: 1 }, b: { k: 1 }, c: { k: 1 } });
    r.unbind({ source: 'amq.match', destination: { kind: 'queue', name: 'b' }, routingKey: '', arguments: { k: 1 } });
    expect(routed(r, { k: 1 })).toEqual(['a', 'c']);
    expect(r.bindingCount).toBe(2);
  });
});

describe('validateHeadersBinding', () => {
  it('accepts the four x-match values and no x-match', () => {
    for (const v of ['all', 'any', 'all-with-x', 'any-with-x']) expect(validateHeadersBinding({ 'x-match': v })).toBeUndefined();
    expect(validateHeadersBinding({ a: 1 })).toBeUndefined();
    expect(validateHeadersBinding({ 'x-match': new Typed('longstr', 'any') })).toBeUndefined();
  });

  it("words errors as RabbitMQ's PRECONDITION_FAILED does", () => {
    expect(validateHeadersBinding({ 'x-match': 'some' })).toBe(
      'Invalid x-match field value <<"some">>; expected all, any, all-with-x, or any-with-x',
    );
    expect(validateHeadersBinding({ 'x-match': 5 })).toBe(
      'Invalid x-match field type signedint (value 5); expected longstr',
    );
    expect(validateHeadersBinding({ 'x-match': true })).toBe('Invalid x-match field type bool (value true); expected longstr');
    expect(validateHeadersBinding({ 'x-match': null })).toBe(
      'Invalid x-match field type void (value undefined); expected longstr',
    );
  });
});
