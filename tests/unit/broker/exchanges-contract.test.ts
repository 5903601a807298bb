import { describe, expect, it } from 'vitest';
import type { Binding, BindingTarget } from '../../../src/broker/exchanges/exchange.ts';
import { createRouter, isExchangeType, type ExchangeType } from '../../../src/broker/exchanges/index.ts';
import type { FieldTable } from '../../../src/broker/types.ts';

const queue = (name: string): BindingTarget => ({ kind: 'queue', name });
const exchange = (name: string): BindingTarget => ({ kind: 'exchange', name });
const binding = (destination: BindingTarget, routingKey: string, args: FieldTable = {}): Binding => ({
  source: 'x',
  destination,
  routingKey,
  arguments: args,
});

// What every exchange type promises, whatever it routes on.
describe.each<ExchangeType>(['direct', 'fanout', 'topic', 'headers'])('%s router contract', (type) => {
  it('reports its type', () => {
    expect(createRouter(type).type).toBe(type);
    expect(isExchangeType(type)).toBe(true);
  });

  it('refuses an equal binding: same destination, key and deep-equal arguments', () => {
    const r = createRouter(type);
    expect(r.bind(binding(queue('q'), 'k', { a: { b: [1, 2] }, c: 'x' }))).toBe(true);
    expect(r.bind(binding(queue('q'), 'k', { c: 'x', a: { b: [1, 2] } }))).toBe(false);
    expect(r.bindingCount).toBe(1);
  });

  it('keeps bindings apart by destination kind, name, key and arguments', () => {
    const r = createRouter(type);
    expect(r.bind(binding(queue('q'), 'k'))).toBe(true);
    expect(r.bind(binding(exchange('q'), 'k'))).toBe(true);
    expect(r.bind(binding(queue('q2'), 'k'))).toBe(true);
    expect(r.bind(binding(queue('q'), 'k2'))).toBe(true);
    expect(r.bind(binding(queue('q'), 'k', { a: 1 }))).toBe(true);
    expect(r.bindingCount).toBe(5);
    expect([...r.bindings()]).toHaveLength(5);
  });

  it('unbinds with an equal binding object and drops the stored one from routing', () => {
    const r = createRouter(type);
    r.bind(binding(queue('q'), 'k', { n: 1 }));
    expect(r.unbind(binding(queue('q'), 'k', { n: 2 }))).toBe(false);
    expect(r.unbind(binding(queue('q'), 'k', { n: 1 }))).toBe(true);
    expect(r.unbind(binding(queue('q'), 'k', { n: 1 }))).toBe(false);
    expect(r.bindingCount).toBe(0);
    expect([...r.bindings()]).toEqual([]);
    const out: Binding[] = [];
    r.route('k', { n: 1 }, out);
    expect(out).toEqual([]);
  });

  it('removes every binding of a deleted destination and returns them', () => {
    const r = createRouter(type);
    const mine = [binding(queue('q'), 'a'), binding(queue('q'), 'b'), binding(queue('q'), 'b', { z: 1 })];
    for (const b of mine) r.bind(b);
    r.bind(binding(queue('other'), 'a'));
    r.bind(binding(exchange('q'), 'a'));
    const removed = r.unbindDestination(queue('q'));
    expect(new Set(removed)).toEqual(new Set(mine));
    expect(r.bindingCount).toBe(2);
    expect(r.unbindDestination(queue('q'))).toEqual([]);
    const out: Binding[] = [];
    r.route('a', {}, out);
    expect(out.every((b) => !(b.destination.kind === 'queue' && b.destination.name === 'q'))).toBe(true);
  });

  it('lists bindings in bind order', () => {
    const r = createRouter(type);
    const bs = ['c', 'a', 'b'].map((k) => binding(queue(k), k));
    for (const b of bs) r.bind(b);
    expect([...r.bindings()]).toEqual(bs);
  });

  it('appends to out without clearing it', () => {
    const r = createRouter(type);
    const b = binding(queue('q'), 'k');
    r.bind(b);
    const sentinel = binding(queue('s'), 's');
    const out: Binding[] = [sentinel];
    r.route('k', {}, out);
    expect(out[0]).toBe(sentinel);
    expect(out.slice(1)).toEqual([b]);
  });
});

describe('createRouter', () => {
  it('rejects unknown types through isExchangeType', () => {
    expect(isExchangeType('x-delayed-message')).toBe(false);
    expect(isExchangeType('toString')).toBe(false);
  });
});
