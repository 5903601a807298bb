import { describe, expect, it } from 'vitest';
import { DirectRouter } from '../../../src/broker/exchanges/direct.ts';
import type { Binding, BindingTarget } from '../../../src/broker/exchanges/exchange.ts';
import { FanoutRouter } from '../../../src/broker/exchanges/fanout.ts';

const queue = (name: string): BindingTarget => ({ kind: 'queue', name });
const binding = (name: string, routingKey: string): Binding => ({
  source: 'x',
  destination: queue(name),
  routingKey,
  arguments: {},
});
const routed = (r: { route(k: string, h: undefined, out: Binding[]): void }, key: string): string[] => {
  const out: Binding[] = [];
  r.route(key, undefined, out);
  return out.map((b) => `${b.destination.name}:${b.routingKey}`);
};

describe('DirectRouter', () => {
  it('routes on the exact routing key only', () => {
    const r = new DirectRouter();
    r.bind(binding('q1', 'orange'));
    r.bind(binding('q2', 'black'));
    r.bind(binding('q2', 'green'));
    expect(routed(r, 'orange')).toEqual(['q1:orange']);
    expect(routed(r, 'black')).toEqual(['q2:black']);
    expect(routed(r, 'Orange')).toEqual([]);
    expect(routed(r, 'orange.x')).toEqual([]);
    expect(routed(r, '')).toEqual([]);
  });

  it('routes to every destination bound with the key, in bind order (multiple bindings)', () => {
    const r = new DirectRouter();
    r.bind(binding('q1', 'black'));
    r.bind(binding('q2', 'black'));
    r.bind(binding('q1', 'black2'));
    expect(routed(r, 'black')).toEqual(['q1:black', 'q2:black']);
  });

  it('treats wildcards and the empty key literally', () => {
    const r = new DirectRouter();
    r.bind(binding('q1', '#'));
    r.bind(binding('q2', ''));
    expect(routed(r, 'anything')).toEqual([]);
    expect(routed(r, '#')).toEqual(['q1:#']);
    expect(routed(r, '')).toEqual(['q2:']);
  });

  it('does not confuse keys with Object.prototype names', () => {
    const r = new DirectRouter();
    expect(routed(r, 'constructor')).toEqual([]);
    r.bind(binding('q', '__proto__'));
    expect(routed(r, '__proto__')).toEqual(['q:__proto__']);
  });
});

describe('FanoutRouter', () => {
  it('routes to every binding whatever the keys', () => {
    const r = new FanoutRouter();
    r.bind(binding('q1', 'a'));
    r.bind(binding('q2', ''));
    r.bind(binding('q1', 'b'));
    expect(routed(r, 'zzz')).toEqual(['q1:a', 'q2:', 'q1:b']);
    r.unbind(binding('q2', ''));
    expect(routed(r, '')).toEqual(['q1:a', 'q1:b']);
  });

  it('routes nowhere with no bindings', () => {
    expect(routed(new FanoutRouter(), 'k')).toEqual([]);
  });
});
