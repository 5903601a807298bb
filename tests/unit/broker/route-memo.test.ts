import { describe, expect, it } from 'vitest';
import { RouteMemo } from '../../../src/broker/exchanges/route-memo.ts';

describe('RouteMemo', () => {
  it('gives back what a key matched until cleared', () => {
    const memo = new RouteMemo<string>();
    expect(memo.get('a.b')).toBeUndefined();
    memo.remember('a.b', ['q1']);
    expect(memo.get('a.b')).toEqual(['q1']);
    memo.clear();
    expect(memo.get('a.b')).toBeUndefined();
  });

  it('rests after a window of mostly new keys, then serves what it remembered again', () => {
    const memo = new RouteMemo<string>();
    memo.remember('kept', ['q']);
    // A window of 1024 lookups with almost no hits: keys are not repeating.
    for (let i = 0; i < 1024; i++) expect(memo.get(`unique.${i}`)).toBeUndefined();
    expect(memo.active).toBe(false);
    expect(memo.get('kept')).toBeUndefined();
    let rested = 1;
    while (!memo.active) {
      memo.get('kept');
      rested++;
    }
    expect(rested).toBe(16 * 1024);
    expect(memo.get('kept')).toEqual(['q']);
  });

  it('keeps working while keys repeat', () => {
    const memo = new RouteMemo<string>();
    for (let i = 0; i < 5000; i++) {
      const key = `k${i % 10}`;
      if (memo.get(key) === undefined) memo.remember(key, [key]);
    }
    expect(memo.active).toBe(true);
    expect(memo.get('k3')).toEqual(['k3']);
  });
});
