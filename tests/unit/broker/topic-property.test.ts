import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Binding } from '../../../src/broker/exchanges/exchange.ts';
import { TopicRouter } from '../../../src/broker/exchanges/topic.ts';

// The reference matcher, as in RabbitMQ's prop_topic_match: plainly recursive, no trie.
const words = (key: string): string[] => (key === '' ? [] : key.split('.'));
function referenceMatch(pattern: string, key: string): boolean {
  const p = words(pattern);
  const k = words(key);
  const m = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === '#') return m(i + 1, j) || (j < k.length && m(i, j + 1));
    return j < k.length && (p[i] === '*' || p[i] === k[j]) && m(i + 1, j + 1);
  };
  return m(0, 0);
}

// A tiny alphabet so that random keys often match: empty words included.
const patternKey = fc.array(fc.constantFrom('a', 'b', 'ab', '', '*', '#'), { maxLength: 6 }).map((w) => w.join('.'));
const routingKey = fc.array(fc.constantFrom('a', 'b', 'ab', '', '*', '#'), { maxLength: 7 }).map((w) => w.join('.'));
const queueName = fc.constantFrom('q1', 'q2', 'q3');

const binding = (name: string, key: string): Binding => ({
  source: 't',
  destination: { kind: 'queue', name },
  routingKey: key,
  arguments: {},
});
const id = (b: Binding): string => `${b.destination.name}|${b.routingKey}`;

function routeIds(r: TopicRouter, key: string): string[] {
  const out: Binding[] = [];
  r.route(key, undefined, out);
  return out.map(id).sort();
}

describe('TopicRouter against the reference matcher', () => {
  it('routes exactly the matching bindings, each once', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(queueName, patternKey), { maxLength: 25, selector: ([q, k]) => `${q}|${k}` }), fc.array(routingKey, { minLength: 1, maxLength: 10 }), (pairs, keys) => {
        const r = new TopicRouter();
        for (const [q, k] of pairs) r.bind(binding(q, k));
        for (const key of keys) {
          const expected = pairs.filter(([, p]) => referenceMatch(p, key)).map(([q, p]) => `${q}|${p}`).sort();
          expect(routeIds(r, key)).toEqual(expected);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('stays right through random bind/unbind sequences and prunes to nothing', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('bind' as const), q: queueName, key: patternKey }),
      fc.record({ kind: fc.constant('unbind' as const), q: queueName, key: patternKey }),
      fc.record({ kind: fc.constant('route' as const), key: routingKey }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const r = new TopicRouter();
        const model = new Map<string, [string, string]>();
        for (const o of ops) {
          if (o.kind === 'route') {
            const expected = [...model.values()].filter(([, p]) => referenceMatch(p, o.key)).map(([q, p]) => `${q}|${p}`).sort();
            expect(routeIds(r, o.key)).toEqual(expected);
            continue;
          }
          const key = `${o.q}|${o.key}`;
          if (o.kind === 'bind') {
            expect(r.bind(binding(o.q, o.key))).toBe(!model.has(key));
            model.set(key, [o.q, o.key]);
          } else {
            expect(r.unbind(binding(o.q, o.key))).toBe(model.has(key));
            model.delete(key);
          }
          expect(r.bindingCount).toBe(model.size);
        }
        for (const [q, k] of model.values()) r.unbind(binding(q, k));
        expect((r as unknown as { root: { isEmpty: boolean } }).root.isEmpty).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with the reference on a wider alphabet of arbitrary keys', () => {
    const word = fc.oneof(fc.constantFrom('*', '#', ''), fc.string({ maxLength: 3 }).filter((s) => !s.includes('.')));
    const key = fc.array(word, { maxLength: 5 }).map((w) => w.join('.'));
    fc.assert(
      fc.property(key, key, (pattern, k) => {
        const r = new TopicRouter();
        r.bind(binding('q', pattern));
        expect(routeIds(r, k).length).toBe(referenceMatch(pattern, k) ? 1 : 0);
      }),
      { numRuns: 2000 },
    );
  });
});
