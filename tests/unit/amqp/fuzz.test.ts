// Feeds random and mutated frames to the parser and decoders. Whatever the bytes, the
// codec may only throw its own typed errors (CodecError): a TypeError or RangeError
// escaping would be a crash in the server. Anything decoded must also encode again
// without a crash.
//
//   FUZZ_FRAMES=1000000 npx vitest run tests/unit/amqp/fuzz.test.ts   (longer run)
//   FUZZ_SEED=1234 ...                                               (replay a seed)
//   FUZZ_VERBOSE=1 ...                                               (print throughput)

import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  CodecError,
  decodeContentHeader,
  decodeMethod,
  FrameParser,
  FrameWriter,
  protocolHeaderBytes,
} from '../../../src/amqp/index.ts';
import { anyMethod, properties } from './arbitraries.ts';

const FRAMES = Number(process.env['FUZZ_FRAMES'] ?? 100_000);
const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed);

/** mulberry32: small, fast, seedable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Valid frames to mutate: every kind of method, content headers with rich properties, bodies, heartbeats. */
function corpus(): Uint8Array[] {
  const w = new FrameWriter();
  const out: Uint8Array[] = [];
  for (const method of fc.sample(anyMethod(), { numRuns: 600, seed: SEED })) {
    w.writeMethod(1, method);
    out.push(w.take());
  }
  for (const props of fc.sample(properties(), { numRuns: 300, seed: SEED })) {
    w.writeContentHeader(1, 60, 10, props);
    out.push(w.take());
  }
  w.writeContent(1, 60, {}, Uint8Array.of(1, 2, 3), 0);
  out.push(w.take());
  w.writeHeartbeat();
  out.push(w.take());
  return out;
}

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xce, 0xfe, 0xff, 0x41, 0x46, 0x53, 0x54, 0x6c, 0x78];

const splice = (b: Uint8Array, at: number, remove: number, insert: ArrayLike<number> = []): Uint8Array => {
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at));
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
};

function mutate(src: Uint8Array, rnd: () => number, pick: () => Uint8Array): Uint8Array {
  let b: Uint8Array = src.slice();
  const int = (n: number): number => Math.floor(rnd() * n);
  const rounds = 1 + int(4);
  for (let r = 0; r < rounds; r++) {
    const at = int(b.length + 1);
    switch (int(9)) {
      case 0: // flip a bit
        if (b.length > 0) b[at % b.length]! ^= 1 << int(8);
        break;
      case 1: // an interesting byte
        if (b.length > 0) b[at % b.length] = INTERESTING[int(INTERESTING.length)]!;
        break;
      case 2: // a random byte
        if (b.length > 0) b[at % b.length] = int(256);
        break;
      case 3: // insert bytes
        b = splice(b, at, 0, Array.from({ length: 1 + int(8) }, () => int(256)));
        break;
      case 4: // delete bytes
        b = splice(b, at, Math.min(1 + int(8), b.length - at));
        break;
      case 5: // truncate
        b = b.subarray(0, at);
        break;
      case 6: { // rewrite the payload size, keeping the frame's own bytes
        const size = [0, 1, 3, b.length - 8, b.length - 7, b.length, 0xffffffff, int(70000)][int(8)]! >>> 0;
        if (b.length >= 7) b.set([size >>> 24, (size >>> 16) & 255, (size >>> 8) & 255, size & 255], 3);
        break;
      }
      case 7: // splice in part of another frame
        b = splice(b, at, 0, pick().subarray(int(16)));
        break;
      case 8: { // duplicate a slice
        const from = int(b.length + 1);
        b = splice(b, at, 0, b.slice(from, from + 1 + int(16)));
        break;
      }
    }
  }
  return b;
}

/** Mutates only the payload and rewraps it with a correct size and frame-end, so the noise reaches the decoders. */
function mutatePayload(src: Uint8Array, rnd: () => number, pick: () => Uint8Array): Uint8Array {
  if (src.length < 8) return mutate(src, rnd, pick);
  const payload = mutate(src.subarray(7, src.length - 1), rnd, pick);
  return wrap(src[0]!, payload);
}

function wrap(type: number, payload: ArrayLike<number>): Uint8Array {
  const n = payload.length;
  const out = new Uint8Array(n + 8);
  out.set([type, 0, 1, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  out.set(payload, 7);
  out[n + 7] = 0xce;
  return out;
}

/** A well-formed frame around random bytes: random payloads reach the decoders instead of the frame checks. */
function randomFrame(rnd: () => number): Uint8Array {
  const int = (n: number): number => Math.floor(rnd() * n);
  const type = [1, 1, 1, 2, 2, 3, 8, int(256)][int(8)]!;
  const payload = Array.from({ length: int(48) }, () => int(256));
  if (type === 1 && payload.length >= 4 && rnd() < 0.7) {
    // a real class and method id, so the argument decoders see the noise
    const ids = [[10, 10], [10, 11], [10, 30], [10, 40], [10, 50], [20, 10], [20, 40], [40, 10], [50, 10], [50, 20], [60, 20], [60, 40], [60, 60], [60, 80], [60, 120], [85, 10]][int(16)]!;
    payload.splice(0, 4, 0, ids[0]!, 0, ids[1]!);
  }
  if (type === 2 && payload.length >= 2 && rnd() < 0.7) payload.splice(0, 2, 0, 60);
  return wrap(type, payload);
}

it(`only typed errors come out of ${FRAMES.toLocaleString('en')} random and mutated frames`, { timeout: Math.max(20_000, FRAMES / 2) }, () => {
  const rnd = prng(SEED);
  const frames = corpus();
  const pick = (): Uint8Array => frames[Math.floor(rnd() * frames.length)]!;
  const writer = new FrameWriter();
  const counts = { frames: 0, decoderCalls: 0, decoded: 0, codecErrors: 0 };
  const start = performance.now();

  for (let i = 0; i < FRAMES; i++) {
    const kind = rnd();
    let input =
      kind < 0.15 ? randomFrame(rnd)
      : kind < 0.2 ? Uint8Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256))
      : kind < 0.6 ? mutatePayload(pick(), rnd, pick)
      : mutate(pick(), rnd, pick);
    const withHeader = rnd() < 0.05;
    if (withHeader) {
      input = splice(input, 0, 0, protocolHeaderBytes());
      if (rnd() < 0.5) input = mutate(input, rnd, pick);
    }
    const parser = new FrameParser({ frameMax: [0, 4096, 131072][Math.floor(rnd() * 3)]!, protocolHeader: withHeader });
    counts.frames++;
    try {
      const cut = Math.floor(rnd() * (input.length + 1));
      parser.push(input.subarray(0, cut));
      drain(parser, writer, counts);
      parser.push(input.subarray(cut));
      drain(parser, writer, counts);
    } catch (error) {
      if (!(error instanceof CodecError)) {
        const hex = Array.from(input, (b) => b.toString(16).padStart(2, '0')).join('');
        throw new Error(`untyped ${String(error)} (seed ${SEED}, frame ${i}) for input ${hex}`, { cause: error });
      }
      counts.codecErrors++;
    }
  }

  const seconds = (performance.now() - start) / 1000;
  if (process.env['FUZZ_VERBOSE'] !== undefined) {
    console.info(`fuzz: ${counts.frames} inputs in ${seconds.toFixed(2)} s (${Math.round(counts.frames / seconds)}/s); ${counts.decoderCalls} payloads decoded, ${counts.decoded} of them valid; ${counts.codecErrors} typed errors`);
  }
  // The noise must reach the decoders, and some of it must still decode.
  expect(counts.decoderCalls).toBeGreaterThan(FRAMES / 2);
  expect(counts.decoded).toBeGreaterThan(FRAMES / 20);
  expect(counts.codecErrors).toBeGreaterThan(FRAMES / 5);
});

function drain(parser: FrameParser, writer: FrameWriter, counts: { decoderCalls: number; decoded: number }): void {
  for (let f = parser.read(); f !== undefined; f = parser.read()) {
    if (f.type === 1 || f.type === 2) counts.decoderCalls++;
    if (f.type === 1) {
      const method = decodeMethod(f.payload);
      counts.decoded++;
      writer.writeMethod(f.channel, method);
    } else if (f.type === 2) {
      const header = decodeContentHeader(f.payload);
      counts.decoded++;
      writer.writeContentHeader(f.channel, header.classId, header.bodySize, header.properties);
    }
    writer.take();
  }
}
