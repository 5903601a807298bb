import { describe, expect, it } from 'vitest';
import {
  encodeHeartbeat,
  encodeMethodFrame,
  FrameError,
  FrameParser,
  ProtocolHeaderError,
  protocolHeaderBytes,
} from '../../../src/amqp/index.ts';

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const frame = (type: number, channel: number, payload: number[], end = 0xce): Uint8Array =>
  Uint8Array.from([type, channel >> 8, channel & 255, payload.length >>> 24, (payload.length >>> 16) & 255, (payload.length >>> 8) & 255, payload.length & 255, ...payload, end]);
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

function readAll(parser: FrameParser): unknown[] {
  return [...parser];
}

describe('FrameParser', () => {
  it('reads the protocol header, then frames, from one chunk', () => {
    const parser = new FrameParser({ protocolHeader: true });
    parser.push(concat(protocolHeaderBytes(), encodeHeartbeat()));
    expect(readAll(parser)).toEqual([
      { type: 'protocol-header', major: 0, minor: 9, revision: 1 },
      { type: 8, channel: 0, payload: new Uint8Array(0) },
    ]);
  });

  it('reads frames fed one byte at a time', () => {
    const bytes = concat(protocolHeaderBytes(), encodeMethodFrame(3, { name: 'basic.ack', args: { deliveryTag: 7 } }), encodeHeartbeat());
    const parser = new FrameParser({ protocolHeader: true });
    const out: unknown[] = [];
    for (const b of bytes) {
      parser.push(Uint8Array.of(b));
      out.push(...readAll(parser));
    }
    expect(out.map((f) => (f as { type: unknown }).type)).toEqual(['protocol-header', 1, 8]);
    expect(out[1]).toMatchObject({ channel: 3 });
    expect(parser.buffered).toBe(0);
  });

  it('returns frames inside one chunk as views of it, and copies frames split across chunks', () => {
    const chunk = concat(frame(3, 1, [1, 2, 3]), frame(3, 1, [4, 5]));
    const parser = new FrameParser();
    parser.push(chunk);
    const [a, b] = readAll(parser) as { payload: Uint8Array }[];
    expect(a!.payload.buffer).toBe(chunk.buffer);
    expect(b!.payload).toEqual(Uint8Array.of(4, 5));
    const split = frame(3, 1, [9, 9, 9]);
    parser.push(split.subarray(0, 9));
    expect(parser.read()).toBeUndefined();
    parser.push(split.subarray(9));
    const c = parser.read() as { payload: Uint8Array };
    expect(c.payload).toEqual(Uint8Array.of(9, 9, 9));
    expect(c.payload.buffer).not.toBe(split.buffer);
  });

  it('accepts the AMQP 0-9 header as RabbitMQ does', () => {
    const parser = new FrameParser({ protocolHeader: true });
    parser.push(Uint8Array.from([...ascii('AMQP'), 1, 1, 0, 9]));
    expect(parser.read()).toEqual({ type: 'protocol-header', major: 0, minor: 9, revision: 0 });
  });

  it.each([
    ['another version', [...ascii('AMQP'), 0, 0, 9, 0], 'bad-version'],
    ['AMQP 1.0', [...ascii('AMQP'), 3, 1, 0, 0], 'bad-version'],
    ['HTTP', ascii('GET / HTTP/1.1\r\n'), 'http'],
    ['TLS', [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01], 'tls'],
    ['garbage', [1, 0, 0, 0, 0, 0, 4, 0xce], 'not-amqp'],
  ])('refuses a wrong protocol header (%s) with the header it speaks', (_, bytes, reason) => {
    const parser = new FrameParser({ protocolHeader: true });
    parser.push(Uint8Array.from(bytes.slice(0, 5)));
    expect(parser.read()).toBeUndefined(); // waits for all 8 bytes, like RabbitMQ
    parser.push(Uint8Array.from(bytes.slice(5)));
    const error = (() => {
      try {
        parser.read();
      } catch (e) {
        return e;
      }
    })() as ProtocolHeaderError;
    expect(error).toBeInstanceOf(ProtocolHeaderError);
    expect(error.reason).toBe(reason);
    expect(error.reply).toEqual(Uint8Array.from([...ascii('AMQP'), 0, 0, 9, 1]));
    expect(error.received).toEqual(Uint8Array.from(bytes.slice(0, 8)));
    expect(() => parser.read()).toThrow(error); // fatal: stays failed
  });

  it('rejects a bad frame-end with 501, as RabbitMQ words it', () => {
    const parser = new FrameParser();
    parser.push(frame(1, 0, [0, 10, 0, 11], 0x00));
    const error = captured(() => parser.read());
    expect(error).toBeInstanceOf(FrameError);
    expect(error).toMatchObject({ replyCode: 501, code: 'FRAME_ERROR', classId: 0, methodId: 0 });
    expect(error.replyText).toBe('FRAME_ERROR - type 1, all octets = <<0,10,0,11>>: {invalid_frame_end_marker,0}');
  });

  it('rejects an oversize frame as soon as its header arrives', () => {
    const parser = new FrameParser({ frameMax: 4096 });
    parser.push(Uint8Array.from([3, 0, 1, 0, 0, 0x10, 0x01])); // payload 4097
    const error = captured(() => parser.read());
    expect(error.replyText).toBe('FRAME_ERROR - type 3, all octets = <<>>: {frame_too_large,4097,4088}');
    expect(() => parser.read()).toThrow(error);
  });

  it('lets a payload up to frame-max through, like RabbitMQ, and honours a new frame-max', () => {
    const parser = new FrameParser({ frameMax: 16 });
    parser.push(frame(3, 1, new Array<number>(16).fill(7)));
    expect(parser.read()).toMatchObject({ type: 3 });
    parser.frameMax = 0; // no limit
    parser.push(frame(3, 1, new Array<number>(100_000).fill(7)));
    expect((parser.read() as { payload: Uint8Array }).payload.length).toBe(100_000);
  });

  it('rejects an unknown frame type', () => {
    const parser = new FrameParser();
    parser.push(frame(4, 0, ascii('abcdefghijklmnopqrstuvwxyz')));
    expect(captured(() => parser.read()).replyText).toBe('FRAME_ERROR - type 4, first 16 octets = <<"abcdefghijklmnop">>: unknown_frame');
  });

  it('ignores empty chunks', () => {
    const parser = new FrameParser();
    parser.push(new Uint8Array(0));
    expect(parser.read()).toBeUndefined();
    expect(parser.buffered).toBe(0);
  });
});

function captured(f: () => unknown): FrameError {
  try {
    f();
  } catch (e) {
    return e as FrameError;
  }
  throw new Error('expected an error');
}
