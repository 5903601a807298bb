// Hand-computed bytes for a few frames and a table with every field type.

import { describe, expect, it } from 'vitest';
import { Typed } from '../../../src/broker/types.ts';
import {
  decodeContentHeader,
  decodeFieldTable,
  decodeMethod,
  encodeContent,
  encodeFieldTable,
  encodeHeartbeat,
  encodeMethodFrame,
  FrameParser,
} from '../../../src/amqp/index.ts';

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const u32 = (n: number): number[] => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const frame = (type: number, channel: number, payload: number[]): Uint8Array =>
  Uint8Array.from([type, channel >> 8, channel & 255, ...u32(payload.length), ...payload, 0xce]);

describe('golden bytes', () => {
  it('connection.start', () => {
    const payload = [
      0x00, 0x0a, 0x00, 0x0a, // class 10, method 10
      0x00, 0x09, // version 0-9
      ...u32(19), 7, ...ascii('product'), 0x53, ...u32(6), ...ascii('Warren'), // server-properties
      ...u32(5), ...ascii('PLAIN'), // mechanisms
      ...u32(5), ...ascii('en_US'), // locales
    ];
    expect(payload.length).toBe(47);
    const bytes = frame(1, 0, payload);
    const method = { name: 'connection.start', args: { versionMajor: 0, versionMinor: 9, serverProperties: { product: 'Warren' }, mechanisms: 'PLAIN', locales: 'en_US' } } as const;
    expect(encodeMethodFrame(0, method)).toEqual(bytes);
    expect(decodeMethod(bytes.subarray(7, -1))).toEqual(method);
  });

  it('basic.publish, with and without flags', () => {
    const plain = frame(1, 1, [0x00, 0x3c, 0x00, 0x28, 0x00, 0x00, 0x00, 5, ...ascii('hello'), 0x00]);
    expect(plain.subarray(0, 7)).toEqual(Uint8Array.from([1, 0, 1, 0, 0, 0, 14]));
    expect(encodeMethodFrame(1, { name: 'basic.publish', args: { routingKey: 'hello' } })).toEqual(plain);
    const flagged = frame(1, 1, [0x00, 0x3c, 0x00, 0x28, 0x00, 0x00, 2, ...ascii('ex'), 5, ...ascii('hello'), 0x03]);
    expect(encodeMethodFrame(1, { name: 'basic.publish', args: { exchange: 'ex', routingKey: 'hello', mandatory: true, immediate: true } })).toEqual(flagged);
    expect(decodeMethod(flagged.subarray(7, -1))).toEqual({
      name: 'basic.publish',
      args: { ticket: 0, exchange: 'ex', routingKey: 'hello', mandatory: true, immediate: true },
    });
  });

  it('packs consecutive bits into one octet (queue.declare)', () => {
    const bytes = encodeMethodFrame(2, { name: 'queue.declare', args: { queue: 'q', durable: true, autoDelete: true, nowait: true } });
    // ticket, "q", bits passive=1 durable=2 exclusive=4 auto-delete=8 nowait=16, empty table
    expect([...bytes.subarray(11, -1)]).toEqual([0, 0, 1, 0x71, 2 | 8 | 16, 0, 0, 0, 0]);
  });

  it('a content header with a few properties, and its body', () => {
    const header = [
      0x00, 0x3c, 0x00, 0x00, // class 60, weight 0
      0, 0, 0, 0, 0, 0, 0, 5, // body size
      0x90, 0xc0, // content-type, delivery-mode, message-id, timestamp
      10, ...ascii('text/plain'),
      2,
      2, ...ascii('m1'),
      0, 0, 0, 0, 0x65, 0x53, 0xf1, 0x00, // 1700000000
    ];
    expect(header.length).toBe(37);
    const properties = { contentType: 'text/plain', deliveryMode: 2, messageId: 'm1', timestamp: 1700000000 };
    const body = Uint8Array.from(ascii('hello'));
    expect(encodeContent(1, 60, properties, body, 131072)).toEqual(Uint8Array.from([...frame(2, 1, header), ...frame(3, 1, ascii('hello'))]));
    expect(decodeContentHeader(Uint8Array.from(header))).toEqual({ classId: 60, weight: 0, bodySize: 5, properties });
  });

  it('a heartbeat', () => {
    const bytes = Uint8Array.from([8, 0, 0, 0, 0, 0, 0, 0xce]);
    expect(encodeHeartbeat()).toEqual(bytes);
    const parser = new FrameParser();
    parser.push(bytes);
    expect(parser.read()).toEqual({ type: 8, channel: 0, payload: new Uint8Array(0) });
  });

  it('a field table with every type RabbitMQ uses', () => {
    const entries: [unknown, number[]][] = [
      [true, [1, ...ascii('t'), 0x74, 1]],
      [new Typed('int8', -2), [1, ...ascii('b'), 0x62, 0xfe]],
      [new Typed('uint8', 200), [1, ...ascii('B'), 0x42, 200]],
      [new Typed('int16', -2), [1, ...ascii('s'), 0x73, 0xff, 0xfe]],
      [new Typed('uint16', 65535), [1, ...ascii('u'), 0x75, 0xff, 0xff]],
      [-1, [1, ...ascii('I'), 0x49, 0xff, 0xff, 0xff, 0xff]],
      [new Typed('uint32', 4294967295), [1, ...ascii('i'), 0x69, 0xff, 0xff, 0xff, 0xff]],
      [2 ** 40, [1, ...ascii('l'), 0x6c, 0, 0, 1, 0, 0, 0, 0, 0]],
      [new Typed('float', 1.5), [1, ...ascii('f'), 0x66, 0x3f, 0xc0, 0, 0]],
      [1.5, [1, ...ascii('d'), 0x64, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]],
      [new Typed('decimal', { scale: 2, value: 12345 }), [1, ...ascii('D'), 0x44, 2, 0, 0, 0x30, 0x39]],
      ['hé', [1, ...ascii('S'), 0x53, ...u32(3), 0x68, 0xc3, 0xa9]],
      [new Date(1700000000000), [1, ...ascii('T'), 0x54, 0, 0, 0, 0, 0x65, 0x53, 0xf1, 0x00]],
      [{ k: null }, [1, ...ascii('F'), 0x46, ...u32(3), 1, ...ascii('k'), 0x56]],
      [[1, 'x'], [1, ...ascii('A'), 0x41, ...u32(11), 0x49, 0, 0, 0, 1, 0x53, ...u32(1), ...ascii('x')]],
      [Uint8Array.of(1, 2), [1, ...ascii('x'), 0x78, ...u32(2), 1, 2]],
      [null, [1, ...ascii('V'), 0x56]],
    ];
    const body = entries.flatMap(([, b]) => b);
    const bytes = Uint8Array.from([...u32(body.length), ...body]);
    const table = Object.fromEntries(entries.map(([v, b]) => [String.fromCharCode(b[1]!), v]));
    expect(encodeFieldTable(table as never)).toEqual(bytes);
    expect(decodeFieldTable(bytes)).toEqual({
      t: true, b: -2, B: 200, s: -2, u: 65535, I: -1, i: 4294967295, l: 2 ** 40, f: 1.5, d: 1.5,
      D: new Typed('decimal', { scale: 2, value: 12345 }),
      S: 'hé', T: new Date(1700000000000), F: { k: null }, A: [1, 'x'], x: Uint8Array.of(1, 2), V: null,
    });
  });
});
