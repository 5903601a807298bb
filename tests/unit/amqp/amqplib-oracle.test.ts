// amqplib as a reference: its encoder and ours must agree byte for byte, and each must
// decode the other's output. (Tables are limited to values amqplib encodes as we do: it
// picks the smallest integer type where we pick I or l.)

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeContentHeader, decodeMethod, FrameWriter, METHODS, type Method } from '../../../src/amqp/index.ts';
import { methodNames, methodOf, properties, simpleTable } from './arbitraries.ts';

interface AmqplibDefs {
  encodeMethod(id: number, channel: number, fields: Record<string, unknown>): Buffer;
  encodeProperties(id: number, channel: number, size: number, fields: Record<string, unknown>): Buffer;
  decode(id: number, payload: Buffer): Record<string, unknown>;
}
// lib/defs.js is not in amqplib's "exports", so load it by path.
const require = createRequire(import.meta.url);
const defs = require(join(dirname(require.resolve('amqplib')), 'lib/defs.js')) as AmqplibDefs;

/** amqplib wants Buffers for longstr fields and gives Buffers back. */
function toAmqplib(method: Method): Record<string, unknown> {
  const args: Record<string, unknown> = { ...method.args };
  for (const f of METHODS[method.name].fields) {
    const v = args[f.name];
    if (f.type === 'longstr') args[f.name] = Buffer.from(v as string | Uint8Array);
  }
  return args;
}
function fromAmqplib(method: Method, fields: Record<string, unknown>): Record<string, unknown> {
  const args = { ...fields };
  for (const f of METHODS[method.name].fields) {
    if (f.type === 'longstr') args[f.name] = f.binary ? new Uint8Array(args[f.name] as Buffer) : (args[f.name] as Buffer).toString('utf8');
  }
  return args;
}

describe('agrees with amqplib', () => {
  it('on every method', () => {
    for (const name of methodNames) {
      const { classId, methodId } = METHODS[name];
      fc.assert(
        fc.property(methodOf(name, simpleTable), fc.integer({ min: 0, max: 65535 }), (method, channel) => {
          const w = new FrameWriter();
          w.writeMethod(channel, method);
          const ours = w.take();
          const theirs = defs.encodeMethod(classId * 65536 + methodId, channel, toAmqplib(method));
          expect(ours).toEqual(new Uint8Array(theirs));
          expect(decodeMethod(new Uint8Array(theirs.subarray(7, -1)))).toEqual(method);
          const decoded = defs.decode(classId * 65536 + methodId, Buffer.from(ours.subarray(11, -1)));
          expect(fromAmqplib(method, decoded)).toEqual(method.args);
        }),
        { numRuns: 25 },
      );
    }
  });

  it('on content headers', () => {
    fc.assert(
      fc.property(properties(simpleTable), fc.nat({ max: 1 << 20 }), (props, size) => {
        const w = new FrameWriter();
        w.writeContentHeader(1, 60, size, props);
        const ours = w.take();
        const theirs = defs.encodeProperties(60, 1, size, props as Record<string, unknown>);
        expect(ours).toEqual(new Uint8Array(theirs));
        expect(decodeContentHeader(ours.subarray(7, -1))).toEqual({ classId: 60, weight: 0, bodySize: size, properties: props });
      }),
      { numRuns: 300 },
    );
  });
});
