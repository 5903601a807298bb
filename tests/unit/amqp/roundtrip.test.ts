// Property tests: whatever we encode decodes back to the same value, through the parser,
// however the byte stream is cut into chunks.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeContentHeader,
  decodeFieldTable,
  decodeMethod,
  decodeProperties,
  encodeFieldTable,
  encodeProperties,
  FrameParser,
  FrameWriter,
  type Frame,
  type Method,
} from '../../../src/amqp/index.ts';
import { anyMethod, fieldTable, methodNames, methodOf, properties } from './arbitraries.ts';

/** Cuts bytes at the given points (taken modulo the length). */
function chunk(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  return out;
}

function parseAll(chunks: Uint8Array[], frameMax = 0): Frame[] {
  const parser = new FrameParser({ frameMax });
  const frames: Frame[] = [];
  for (const c of chunks) {
    parser.push(c);
    for (let f = parser.read(); f !== undefined; f = parser.read()) {
      if (f.type === 'protocol-header') throw new Error('unexpected protocol header');
      frames.push(f);
    }
  }
  expect(parser.buffered).toBe(0);
  return frames;
}

describe('round trips', () => {
  it('every method, with arbitrary arguments', () => {
    for (const name of methodNames) {
      fc.assert(
        fc.property(methodOf(name), fc.integer({ min: 0, max: 65535 }), (method, channel) => {
          const w = new FrameWriter(64);
          w.writeMethod(channel, method);
          const [frame, ...rest] = parseAll([w.take()]);
          expect(rest).toEqual([]);
          expect(frame?.type).toBe(1);
          expect(frame?.channel).toBe(channel);
          expect(decodeMethod(frame!.payload)).toEqual(method);
        }),
        { numRuns: 40 },
      );
    }
  });

  it('field tables', () => {
    fc.assert(
      fc.property(fieldTable, (table) => {
        expect(decodeFieldTable(encodeFieldTable(table))).toEqual(table);
      }),
      { numRuns: 500 },
    );
  });

  it('basic properties', () => {
    fc.assert(
      fc.property(properties(), (props) => {
        expect(decodeProperties(encodeProperties(props))).toEqual(props);
      }),
      { numRuns: 500 },
    );
  });

  it('a stream of methods and content, cut into arbitrary chunks', () => {
    type Item = { kind: 'method'; channel: number; method: Method } | { kind: 'content'; channel: number; props: object; body: Uint8Array } | { kind: 'heartbeat' };
    const item: fc.Arbitrary<Item> = fc.oneof(
      fc.record({ kind: fc.constant('method' as const), channel: fc.integer({ min: 0, max: 65535 }), method: anyMethod() }),
      fc.record({ kind: fc.constant('content' as const), channel: fc.integer({ min: 1, max: 65535 }), props: properties(), body: fc.uint8Array({ maxLength: 3000 }) }),
      fc.constant({ kind: 'heartbeat' as const }),
    );
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 30 }), fc.integer({ min: 512, max: 4096 }), (items, cuts, frameMax) => {
        const w = new FrameWriter(32);
        for (const it of items) {
          if (it.kind === 'method') w.writeMethod(it.channel, it.method);
          else if (it.kind === 'content') w.writeContent(it.channel, 60, it.props, it.body, frameMax);
          else w.writeHeartbeat();
        }
        // Header frames are never split, so a big header may exceed frame-max: parse without a limit.
        const frames = parseAll(chunk(w.take(), cuts));
        let i = 0;
        for (const it of items) {
          if (it.kind === 'method') {
            const f = frames[i++]!;
            expect([f.type, f.channel]).toEqual([1, it.channel]);
            expect(decodeMethod(f.payload)).toEqual(it.method);
          } else if (it.kind === 'content') {
            const h = frames[i++]!;
            expect([h.type, h.channel]).toEqual([2, it.channel]);
            expect(decodeContentHeader(h.payload)).toEqual({ classId: 60, weight: 0, bodySize: it.body.length, properties: it.props });
            const parts: number[] = [];
            while (parts.length < it.body.length) {
              const b = frames[i++]!;
              expect([b.type, b.channel]).toEqual([3, it.channel]);
              expect(b.payload.length + 8).toBeLessThanOrEqual(frameMax);
              parts.push(...b.payload);
            }
            expect(Uint8Array.from(parts)).toEqual(it.body);
          } else {
            expect(frames[i++]).toMatchObject({ type: 8, channel: 0 });
          }
        }
        expect(i).toBe(frames.length);
      }),
      { numRuns: 200 },
    );
  });
});
