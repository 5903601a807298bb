import { describe, expect, it } from 'vitest';
import type { Binding } from '../../../src/broker/exchanges/exchange.ts';
import { TopicRouter } from '../../../src/broker/exchanges/topic.ts';

const binding = (name: string, routingKey: string): Binding => ({
  source: 'topic_logs',
  destination: { kind: 'queue', name },
  routingKey,
  arguments: {},
});
function routerWith(...pairs: [string, string][]): TopicRouter {
  const r = new TopicRouter();
  for (const [name, key] of pairs) r.bind(binding(name, key));
  return r;
}
const routed = (r: TopicRouter, key: string): string[] => {
  const out: Binding[] = [];
  r.route(key, undefined, out);
  return out.map((b) => `${b.destination.name}:${b.routingKey}`).sort();
};
/** Does a router holding only `pattern` route `key`? */
const matches = (pattern: string, key: string): boolean => routed(routerWith(['q', pattern]), key).length > 0;

describe('TopicRouter: the RabbitMQ tutorial 5 cases', () => {
  const r = routerWith(['Q1', '*.orange.*'], ['Q2', '*.*.rabbit'], ['Q2', 'lazy.#']);
  it.each([
    ['quick.orange.rabbit', ['Q1:*.orange.*', 'Q2:*.*.rabbit']],
    ['lazy.orange.elephant', ['Q1:*.orange.*', 'Q2:lazy.#']],
    ['quick.orange.fox', ['Q1:*.orange.*']],
    ['lazy.brown.fox', ['Q2:lazy.#']],
    // Two bindings to Q2 match: both are reported, the caller dedupes destinations.
    ['lazy.pink.rabbit', ['Q2:*.*.rabbit', 'Q2:lazy.#']],
    ['quick.brown.fox', []],
    ['orange', []],
    ['quick.orange.new.rabbit', []],
    ['lazy.orange.new.rabbit', ['Q2:lazy.#']],
    ['lazy', ['Q2:lazy.#']],
  ])('%s', (key, expected) => {
    expect(routed(r, key)).toEqual(expected);
  });
});

describe('TopicRouter: wildcards', () => {
  it('# matches everything, including the empty key', () => {
    for (const key of ['', 'a', 'a.b.c', '.', 'a..b', '#', '*']) expect(matches('#', key)).toBe(true);
  });

  it('#.# is # again, and reports each binding once', () => {
    for (const key of ['', 'a', 'a.b', 'a.b.c.d']) expect(routed(routerWith(['q', '#.#']), key)).toEqual(['q:#.#']);
  });

  it('* is exactly one word', () => {
    expect(matches('*', 'a')).toBe(true);
    expect(matches('*', '')).toBe(false);
    expect(matches('*', 'a.b')).toBe(false);
    expect(matches('*.*', 'a.b')).toBe(true);
    expect(matches('*.*', 'a')).toBe(false);
  });

  it('a.#.b: # in the middle takes zero or more words', () => {
    expect(matches('a.#.b', 'a.b')).toBe(true);
    expect(matches('a.#.b', 'a.x.b')).toBe(true);
    expect(matches('a.#.b', 'a.x.y.b')).toBe(true);
    expect(matches('a.#.b', 'a')).toBe(false);
    expect(matches('a.#.b', 'a.b.c')).toBe(false);
    expect(matches('a.#.b', 'b')).toBe(false);
  });

  it('# at either end may take no word', () => {
    expect(matches('a.#', 'a')).toBe(true);
    expect(matches('#.a', 'a')).toBe(true);
    expect(matches('#.a', 'x.y.a')).toBe(true);
    expect(matches('#.a', 'a.x')).toBe(false);
    expect(matches('#.*', '')).toBe(false);
    expect(matches('#.*', 'a.b.c')).toBe(true);
    expect(matches('*.#', 'a')).toBe(true);
  });

  it('only a whole word is a wildcard', () => {
    expect(matches('a*', 'ab')).toBe(false);
    expect(matches('a*', 'a*')).toBe(true);
    expect(matches('#a', 'a')).toBe(false);
    expect(matches('a.#b', 'a.#b')).toBe(true);
  });

  it('a wildcard in the routing key is an ordinary word', () => {
    expect(matches('a.*', 'a.*')).toBe(true);
    expect(matches('a.b', 'a.*')).toBe(false);
    expect(matches('a.#', 'a.#')).toBe(true);
    expect(matches('a.b', 'a.#')).toBe(false);
    expect(routed(routerWith(['q', 'a.*'], ['q', 'a.#']), 'a.*')).toEqual(['q:a.#', 'q:a.*']);
  });
});

describe('TopicRouter: empty words and empty keys', () => {
  it('"" has no words: bound with "", it matches only ""', () => {
    expect(matches('', '')).toBe(true);
    expect(matches('', 'a')).toBe(false);
    expect(matches('', '.')).toBe(false);
  });

  it('"a..b" has an empty middle word', () => {
    expect(matches('a..b', 'a..b')).toBe(true);
    expect(matches('a..b', 'a.b')).toBe(false);
    expect(matches('a.*.b', 'a..b')).toBe(true);
    expect(matches('a.#.b', 'a..b')).toBe(true);
  });

  it('leading, trailing and lone dots make empty words', () => {
    expect(matches('*.*', '.')).toBe(true);
    expect(matches('.', '.')).toBe(true);
    expect(matches('*', '.')).toBe(false);
    expect(matches('a.*', 'a.')).toBe(true);
    expect(matches('*.a', '.a')).toBe(true);
    expect(matches('a', 'a.')).toBe(false);
  });

  it('handles non-ASCII words and long keys', () => {
    expect(matches('prix.€.*', 'prix.€.été')).toBe(true);
    expect(matches('prix.€.*', 'prix.e.été')).toBe(false);
    const long = Array.from({ length: 200 }, (_, i) => `w${i}`).join('.');
    expect(matches(long, long)).toBe(true);
    expect(matches('w0.#.w199', long)).toBe(true);
    expect(matches('#.w198', long)).toBe(false);
  });
});

describe('TopicRouter: cost', () => {
  // Without memoising `#` positions these walks repeat combinatorially (and report the
  // binding thousands of times); sized so that such a regression fails fast, not hangs.
  it('walks each trie position once, however many # a pattern has', () => {
    const r = routerWith(['q', '#.#.#.#.#.#.x'], ['q', '#.*.#.*.#.*.#']);
    const key = Array.from({ length: 40 }, () => 'a').join('.');
    const started = performance.now();
    expect(routed(r, key)).toEqual(['q:#.*.#.*.#.*.#']);
    expect(routed(r, `${key}.x`)).toEqual(['q:#.#.#.#.#.#.x', 'q:#.*.#.*.#.*.#']);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('TopicRouter: bookkeeping', () => {
  it('many literal siblings survive growth and removal in any order', () => {
    const r = new TopicRouter();
    const keys = Array.from({ length: 3000 }, (_, i) => `k${(i * 7919) % 3000}.tail`);
    for (const k of keys) r.bind(binding('q', k));
    for (let i = 0; i < keys.length; i += 2) expect(r.unbind(binding('q', keys[i]!))).toBe(true);
    for (let i = 0; i < keys.length; i++) expect(routed(r, keys[i]!)).toEqual(i % 2 === 0 ? [] : [`q:${keys[i]}`]);
    expect(r.bindingCount).toBe(1500);
  });

  it('prunes the trie on unbind', () => {
    const r = new TopicRouter();
    const keys = ['a.b.c', 'a.*.c', 'a.#', '#', '', 'a..b', '*.*'];
    for (const k of keys) r.bind(binding('q', k));
    for (const k of keys) r.unbind(binding('q', k));
    const root = (r as unknown as { root: { isEmpty: boolean; slots: unknown } }).root;
    expect(root.isEmpty).toBe(true);
    expect(root.slots).toBeNull();
  });

  it('keeps a node that still leads somewhere', () => {
    const r = routerWith(['q', 'a.b'], ['q', 'a.b.c']);
    r.unbind(binding('q', 'a.b'));
    expect(routed(r, 'a.b.c')).toEqual(['q:a.b.c']);
    expect(routed(r, 'a.b')).toEqual([]);
    r.bind(binding('q', 'a.b'));
    expect(routed(r, 'a.b')).toEqual(['q:a.b']);
  });
});

describe('TopicRouter: remembered routes', () => {
  it('sees a binding made after a key was routed, and forgets one removed', () => {
    const r = routerWith(['Q1', 'stock.*']);
    expect(routed(r, 'stock.nyse')).toEqual(['Q1:stock.*']);
    r.bind(binding('Q2', '#.nyse'));
    expect(routed(r, 'stock.nyse')).toEqual(['Q1:stock.*', 'Q2:#.nyse']);
    r.unbind(binding('Q1', 'stock.*'));
    expect(routed(r, 'stock.nyse')).toEqual(['Q2:#.nyse']);
    r.unbindDestination({ kind: 'queue', name: 'Q2' } as never);
    expect(routed(r, 'stock.nyse')).toEqual([]);
  });

  it('routes right through unique keys (memo resting) and repeated ones, across binds', () => {
    const r = routerWith(['all', '#'], ['even', '*.even.#']);
    for (let i = 0; i < 5000; i++) {
      const key = `k${i}.${i % 2 ? 'odd' : 'even'}.x`;
      if (i === 2501) r.bind(binding('odd', '*.odd.*'));
      const odd = i > 2500 ? ['all:#', 'odd:*.odd.*'] : ['all:#'];
      expect(routed(r, key)).toEqual(i % 2 ? odd : ['all:#', 'even:*.even.#']);
    }
    for (let i = 0; i < 40_000; i++) {
      const key = `k.${i % 2 ? 'odd' : 'even'}.x`;
      if (i === 30_000) r.unbind(binding('all', '#'));
      const all = i < 30_000 ? ['all:#'] : [];
      expect(routed(r, key)).toEqual(i % 2 ? [...all, 'odd:*.odd.*'] : [...all, 'even:*.even.#']);
    }
  });
});
