// What the codec does with bad input: the peer's bad bytes become ProtocolErrors with
// RabbitMQ's reply codes; the caller's bad values become EncodeErrors naming the field.

import { describe, expect, it } from 'vitest';
import { Typed, type FieldTable } from '../../../src/broker/types.ts';
import {
  CodecError,
  decodeContentHeader,
  decodeFieldTable,
  decodeMethod,
  EncodeError,
  encodeFieldTable,
  encodeMethodFrame,
  FrameError,
  FrameWriter,
  UnknownMethodError,
  type MethodInput,
} from '../../../src/amqp/index.ts';

const u32 = (n: number): number[] => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
};

describe('decoding bad payloads', () => {
  it('a truncated field table is 501 "cannot decode", naming the method', () => {
    // basic.consume: ticket, queue "", tag "", bits, then a table claiming 10 bytes with 2 present
    const payload = Uint8Array.from([0, 60, 0, 20, 0, 0, 0, 0, 0, ...u32(10), 1, 0x61]);
    const error = thrown(() => decodeMethod(payload)) as FrameError;
    expect(error).toBeInstanceOf(FrameError);
    expect(error).toMatchObject({ replyCode: 501, classId: 60, methodId: 20 });
    expect(error.replyText).toBe('FRAME_ERROR - cannot decode <<0,60,0,20,0,0,0,0,0,0,0,0,10,1,97>>');
  });

  it('keeps the reply-text short enough for connection.close', () => {
    const payload = Uint8Array.from([0, 60, 0, 40, 0, 0, 0, 200, ...new Array<number>(300).fill(200)]);
    const error = thrown(() => decodeMethod(payload)) as FrameError;
    expect(error.replyText.length).toBeLessThanOrEqual(255);
    expect(() => encodeMethodFrame(0, { name: 'connection.close', args: { replyCode: error.replyCode, replyText: error.replyText, classId: error.classId, methodId: error.methodId } })).not.toThrow();
  });

  it('unknown class and method ids are UnknownMethodError (540)', () => {
    for (const [classId, methodId] of [[60, 99], [99, 10], [0, 0]] as const) {
      const error = thrown(() => decodeMethod(Uint8Array.from([classId >> 8, classId & 255, methodId >> 8, methodId & 255]))) as UnknownMethodError;
      expect(error).toBeInstanceOf(UnknownMethodError);
      expect(error).toMatchObject({ replyCode: 540, code: 'NOT_IMPLEMENTED', classId, methodId });
    }
  });

  it('a payload shorter than the ids, or with trailing bytes, is 501', () => {
    expect(thrown(() => decodeMethod(Uint8Array.of(0, 60)))).toBeInstanceOf(FrameError);
    const ack = encodeMethodFrame(1, { name: 'basic.ack', args: { deliveryTag: 1 } });
    const payload = Uint8Array.from([...ack.subarray(7, -1), 0]);
    expect(thrown(() => decodeMethod(payload))).toMatchObject({ replyCode: 501, classId: 60, methodId: 80 });
  });

  it('an unknown field type tag, or tables nested without end, are 501 and never a RangeError', () => {
    expect(thrown(() => decodeFieldTable(Uint8Array.from([...u32(3), 1, 0x61, 0x5a])))).toBeInstanceOf(FrameError);
    // 10,000 nested tables: must not blow the stack
    const depth = 10_000;
    const bytes: number[] = [];
    for (let i = 0; i < depth; i++) bytes.push(0, 0, 0, 0, 1, 0x6b, 0x46);
    const error = thrown(() => decodeFieldTable(Uint8Array.from(bytes)));
    expect(error).toBeInstanceOf(FrameError);
  });

  it('a truncated content header is 501', () => {
    expect(thrown(() => decodeContentHeader(Uint8Array.of(0, 60, 0, 0, 0, 0)))).toBeInstanceOf(FrameError);
    // flags announce a content-type that is not there
    expect(thrown(() => decodeContentHeader(Uint8Array.of(0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0)))).toBeInstanceOf(FrameError);
  });

  it('invalid UTF-8 decodes with replacement characters instead of failing', () => {
    const table = decodeFieldTable(Uint8Array.from([...u32(8), 1, 0x61, 0x53, ...u32(1), 0xff]));
    expect(table).toEqual({ a: '\ufffd' });
  });
});

describe('decoding edge values', () => {
  it('keeps a "__proto__" key as data', () => {
    const table = decodeFieldTable(encodeFieldTable(JSON.parse('{"__proto__": 1, "b": 2}') as FieldTable));
    expect(Object.getPrototypeOf(table)).toBe(Object.prototype);
    expect(Object.keys(table)).toEqual(['__proto__', 'b']);
    expect(table['__proto__']).toBe(1);
  });

  it('keeps a byte order mark and encodes a lone surrogate as U+FFFD', () => {
    expect(decodeFieldTable(encodeFieldTable({ s: '\ufeffx' }))).toEqual({ s: '\ufeffx' });
    expect(decodeFieldTable(encodeFieldTable({ s: 'a\ud800b' }))).toEqual({ s: 'a\ufffdb' });
  });

  it('int64 beyond the safe range is a bigint; so is an unsafe integer encoded from a number', () => {
    expect(decodeFieldTable(encodeFieldTable({ n: 2 ** 60, m: -(2n ** 63n), k: Number.MAX_SAFE_INTEGER }))).toEqual({ n: 2n ** 60n, m: -(2n ** 63n), k: Number.MAX_SAFE_INTEGER });
  });

  it('-0, NaN and infinities travel as doubles', () => {
    const t = decodeFieldTable(encodeFieldTable({ z: -0, n: Number.NaN, i: -Infinity }));
    expect(Object.is(t['z'], -0)).toBe(true);
    expect(t).toEqual({ z: -0, n: Number.NaN, i: -Infinity });
  });

  it('a timestamp beyond Date range stays Typed; a Date loses its milliseconds', () => {
    const far = new Typed('timestamp', 2n ** 64n - 1n);
    expect(decodeFieldTable(encodeFieldTable({ t: far }))).toEqual({ t: far });
    expect(decodeFieldTable(encodeFieldTable({ t: new Date(1500) }))).toEqual({ t: new Date(1000) });
    expect(decodeFieldTable(encodeFieldTable({ t: new Typed('timestamp', 5) }))).toEqual({ t: new Date(5000) });
  });

  it('skips undefined in tables, writes it as void in arrays, accepts null-prototype tables', () => {
    const table = Object.assign(Object.create(null) as FieldTable, { a: 1, u: undefined as never, arr: [undefined as never, 2] });
    expect(decodeFieldTable(encodeFieldTable(table))).toEqual({ a: 1, arr: [null, 2] });
  });

  it('Typed shortstr becomes a longstr (RabbitMQ reads "s" as int16)', () => {
    expect([...encodeFieldTable({ k: new Typed('shortstr', 'v') })]).toEqual([...u32(8), 1, 0x6b, 0x53, ...u32(1), 0x76]);
  });
});

describe('encoding bad values', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['a shortstr over 255 bytes', () => encodeMethodFrame(1, { name: 'basic.publish', args: { routingKey: 'é'.repeat(128) } }), /basic\.publish routingKey: expected a string of at most 255 UTF-8 bytes, got 256/],
    ['an octet out of range', () => encodeMethodFrame(0, { name: 'connection.start', args: { versionMajor: 256, serverProperties: {} } }), /connection\.start versionMajor: expected an octet/],
    ['a negative delivery tag', () => encodeMethodFrame(1, { name: 'basic.ack', args: { deliveryTag: -1 } }), /basic\.ack deliveryTag/],
    ['a missing required field', () => encodeMethodFrame(1, { name: 'basic.deliver', args: {} } as unknown as MethodInput), /basic\.deliver consumerTag: expected a string, got undefined/],
    ['an unknown method', () => encodeMethodFrame(1, { name: 'constructor' } as unknown as MethodInput), /unknown method "constructor"/],
    ['a channel out of range', () => encodeMethodFrame(65536, { name: 'tx.select' }), /channel/],
    ['a cyclic table', () => {
      const t: FieldTable = {};
      t['self'] = t;
      return encodeFieldTable(t);
    }, /nested deeper than 64/],
    ['a function in a table', () => encodeFieldTable({ f: (() => 1) as never }), /table\.f: expected a field value/],
    ['a Map in a table', () => encodeFieldTable({ m: new Map() as never }), /table\.m: expected a field value/],
    ['a bigint beyond int64', () => encodeFieldTable({ b: 2n ** 63n }), /table\.b/],
    ['a Date before 1970', () => encodeFieldTable({ d: new Date(-1000) }), /table\.d/],
    ['an invalid Date', () => encodeFieldTable({ d: new Date(Number.NaN) }), /table\.d/],
    ['a Typed int8 out of range', () => encodeFieldTable({ n: new Typed('int8', 128) }), /table\.n \(int8\)/],
    ['a Typed decimal without scale', () => encodeFieldTable({ n: new Typed('decimal', { value: 1 }) }), /decimal/],
    ['a frame-max too small for any body', () => new FrameWriter().writeContent(1, 60, {}, Uint8Array.of(1), 8), /frame-max 8/],
    ['a header property of the wrong type', () => new FrameWriter().writeContent(1, 60, { deliveryMode: 'persistent' as never }, new Uint8Array(0), 0), /basic properties deliveryMode/],
  ];
  it.each(cases)('%s is an EncodeError', (_, f, message) => {
    const error = thrown(f);
    expect(error).toBeInstanceOf(EncodeError);
    expect(error).toBeInstanceOf(CodecError);
    expect((error as Error).message).toMatch(message);
  });

  it('leaves the writer as it was when a write fails', () => {
    const w = new FrameWriter(16);
    w.writeHeartbeat();
    expect(() => w.writeMethod(1, { name: 'basic.publish', args: { exchange: 'x', routingKey: 'k'.repeat(300) } })).toThrow(EncodeError);
    expect(() => w.writeContent(1, 60, { headers: { bad: Symbol('x') as never } }, Uint8Array.of(1), 0)).toThrow(EncodeError);
    expect(w.length).toBe(8);
    expect(w.take()).toEqual(Uint8Array.from([8, 0, 0, 0, 0, 0, 0, 0xce]));
  });
});
