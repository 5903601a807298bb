import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Deque } from '../../../src/broker/deque.ts';

/** The backing array, to check that vacated slots are cleared. */
const slots = <T>(d: Deque<T>): (T | undefined)[] => (d as unknown as { buffer: (T | undefined)[] }).buffer;
const occupied = <T>(d: Deque<T>): number => slots(d).filter((v) => v !== undefined).length;

describe('Deque', () => {
  it('is a FIFO queue and a stack at both ends', () => {
    const d = new Deque<number>();
    expect(d.shift()).toBeUndefined();
    expect(d.pop()).toBeUndefined();
    expect(d.peek()).toBeUndefined();
    expect(d.peekBack()).toBeUndefined();
    d.push(1);
    d.push(2);
    d.pushFront(0);
    expect(d.toArray()).toEqual([0, 1, 2]);
    expect(d.peek()).toBe(0);
    expect(d.peekBack()).toBe(2);
    expect(d.shift()).toBe(0);
    expect(d.pop()).toBe(2);
    expect(d.length).toBe(1);
  });

  it('grows by doubling across the wrap-around point, keeping order', () => {
    const d = new Deque<number>(4);
    for (let i = 0; i < 3; i++) d.push(i);
    d.shift();
    d.shift(); // head now mid-buffer
    for (let i = 3; i < 40; i++) d.push(i);
    for (let i = -1; i > -5; i--) d.pushFront(i);
    expect(d.toArray()).toEqual([-4, -3, -2, -1, ...Array.from({ length: 38 }, (_, i) => i + 2)]);
    expect(slots(d).length).toBe(64);
  });

  it('get and set address positions from the front', () => {
    const d = new Deque<string>(4);
    for (const s of ['a', 'b', 'c', 'd', 'e']) d.push(s);
    d.shift();
    d.push('f');
    expect([0, 1, 2, 3, 4].map((i) => d.get(i))).toEqual(['b', 'c', 'd', 'e', 'f']);
    expect(d.get(-1)).toBeUndefined();
    expect(d.get(5)).toBeUndefined();
    d.set(4, 'F');
    expect(d.peekBack()).toBe('F');
    expect(() => d.set(5, 'x')).toThrow(RangeError);
  });

  it('insertAt puts a requeued item back at its position, moving the shorter side', () => {
    const d = new Deque<number>();
    for (const n of [1, 2, 4, 5, 6, 7, 8]) d.push(n);
    d.insertAt(2, 3); // front side is shorter
    d.insertAt(0, 0);
    d.insertAt(d.length, 9);
    d.insertAt(8, 7.5); // back side is shorter
    expect(d.toArray()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 7.5, 8, 9]);
    expect(() => d.insertAt(-1, 0)).toThrow(RangeError);
    expect(() => d.insertAt(12, 0)).toThrow(RangeError);
    expect(() => d.insertAt(1.5, 0)).toThrow(RangeError);
  });

  it('removeAt returns the item and closes the gap', () => {
    const d = new Deque<number>();
    for (let i = 0; i < 10; i++) d.push(i);
    expect(d.removeAt(1)).toBe(1);
    expect(d.removeAt(7)).toBe(8);
    expect(d.removeAt(0)).toBe(0);
    expect(d.removeAt(d.length - 1)).toBe(9);
    expect(d.removeAt(6)).toBeUndefined();
    expect(d.toArray()).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('clears vacated slots so removed items can be collected', () => {
    const d = new Deque<object>(8);
    const items = Array.from({ length: 12 }, () => ({}));
    for (const it of items) d.push(it);
    d.shift();
    d.pop();
    d.removeAt(3);
    d.removeAt(6);
    expect(occupied(d)).toBe(d.length);
    d.clear();
    expect(d.length).toBe(0);
    expect(occupied(d)).toBe(0);
    d.push(items[0]!);
    expect(d.toArray()).toEqual([items[0]]);
  });

  it('iterates front to back', () => {
    const d = new Deque<number>(4);
    for (let i = 0; i < 6; i++) d.push(i);
    d.shift();
    d.pushFront(-1);
    expect([...d]).toEqual([-1, 1, 2, 3, 4, 5]);
  });

  it('behaves like an array under random operations (model test)', () => {
    type Op =
      | { op: 'push' | 'pushFront'; v: number }
      | { op: 'shift' | 'pop' | 'peek' | 'peekBack' | 'clear' }
      | { op: 'insertAt' | 'removeAt' | 'get'; at: number; v: number };
    const value = fc.integer({ min: 0, max: 1000 });
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('push' as const, 'pushFront' as const), v: value }) },
      { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('shift' as const, 'pop' as const, 'peek' as const, 'peekBack' as const) }) },
      { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('insertAt' as const, 'removeAt' as const, 'get' as const), at: fc.nat(), v: value }) },
      { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 200 }), (capacity, ops) => {
        const d = new Deque<number>(capacity);
        const model: number[] = [];
        for (const o of ops) {
          switch (o.op) {
            case 'push': d.push(o.v); model.push(o.v); break;
            case 'pushFront': d.pushFront(o.v); model.unshift(o.v); break;
            case 'shift': expect(d.shift()).toBe(model.shift()); break;
            case 'pop': expect(d.pop()).toBe(model.pop()); break;
            case 'peek': expect(d.peek()).toBe(model[0]); break;
            case 'peekBack': expect(d.peekBack()).toBe(model[model.length - 1]); break;
            case 'clear': d.clear(); model.length = 0; break;
            case 'get': { const i = o.at % (model.length + 1); expect(d.get(i)).toBe(model[i]); break; }
            case 'insertAt': { const i = o.at % (model.length + 1); d.insertAt(i, o.v); model.splice(i, 0, o.v); break; }
            case 'removeAt': { const i = o.at % (model.length + 1); expect(d.removeAt(i)).toBe(model.splice(i, 1)[0]); break; }
          }
          expect(d.length).toBe(model.length);
        }
        expect(d.toArray()).toEqual(model);
        expect([...d]).toEqual(model);
        expect(occupied(d)).toBe(model.filter((v) => v !== undefined).length);
      }),
      { numRuns: 500 },
    );
  });
});
