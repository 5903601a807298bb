// Node's own util.format and util.inspect are the oracle for the console's formatting.
import { Buffer } from 'node:buffer';
import { format as nodeFormat, inspect as nodeInspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { format, inspect } from '../../../src/playground/worker/inspect.ts';

class Point {
  x = 1;
  y = 2;
}

const values: [string, unknown][] = [
  ['string', 'hello'],
  ['string with quote', "it's"],
  ['number', 42],
  ['negative zero', -0],
  ['bigint', 10n],
  ['boolean', true],
  ['undefined', undefined],
  ['null', null],
  ['symbol', Symbol('s')],
  ['array', [1, 'two', [3, [4, [5, [6]]]]]],
  ['empty array and object', [[], {}]],
  ['object', { a: 1, 'b-c': 'x', nested: { deep: { deeper: { deepest: 1 } } } }],
  ['class instance', new Point()],
  ['null prototype', Object.assign(Object.create(null) as object, { a: 1 })],
  ['map and set', [new Map([['k', 1]]), new Set([1, 2])]],
  ['buffer', Buffer.from('Hello World!')],
  ['long buffer', Buffer.alloc(60, 1)],
  ['uint8array', new Uint8Array([1, 2, 3])],
  ['date', new Date(0)],
  ['regexp', /a+b/gi],
  ['function', function named() {}],
  ['arrow', () => 1],
  ['class', Point],
  ['long array', Array.from({ length: 120 }, (_, i) => i)],
  ['wide object', { alpha: 'aaaaaaaaaaaa', beta: 'bbbbbbbbbbbbbb', gamma: 'cccccccccccccc', delta: 'dddddddddd' }],
  ['three levels', { a: { b: { c: {} } } }],
  ['string array', Array.from({ length: 30 }, (_, i) => `item${i}`)],
  ['mixed long array', ['a', 1, 'bb', 2, 'ccc', 3, 'dddd', 4]],
  ['quotes', ["it's", 'say "hi"', 'both \' and "', 'new\nline']],
  ['nested error', { error: Object.assign(new Error('inner'), { stack: 'Error: inner\n    at x.ts:1:1', code: 1 }) }],
  ['message-like', { fields: { deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'hello' }, content: Buffer.from('hi') }],
];

describe('inspect matches Node for what programs print', () => {
  it.each(values)('%s', (_, value) => {
    expect(inspect(value)).toBe(nodeInspect(value));
  });

  it('marks a cycle', () => {
    const a: { self?: unknown } = {};
    a.self = a;
    expect(inspect(a)).toContain('[Circular *1]');
  });

  it('prints an error with its stack and its own fields, as amqplib errors print', () => {
    const error = Object.assign(new Error('Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no queue \'hello\' in vhost \'/\'"'), {
      code: 404,
      classId: 50,
      methodId: 10,
    });
    error.stack = `Error: ${error.message}\n    at send.ts:4:3`;
    expect(inspect(error)).toBe(nodeInspect(error));
  });
});

describe('format matches Node', () => {
  it.each([
    [[' [x] Sent %s', 'Hello World!']],
    [[' [x] Received %s', Buffer.from('hi').toString()]],
    [['%d + %i = %f', '1', 2.7, '3.5']],
    [['%j', { a: [1] }]],
    [['%O', { b: 2 }]],
    [['100%% sure %s']],
    [['missing %s %s', 'one']],
    [['extra', 1, 'two', { three: 3 }]],
    [[{ first: 'object' }, 'then text']],
    [['%s', { toString: () => 'custom' }]],
    [['%s', null, undefined]],
    [['%c styled', 'color: red']],
  ])('%j', (args) => {
    expect(format(args)).toBe(nodeFormat(...args));
  });
});
