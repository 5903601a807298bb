import { describe, expect, it } from 'vitest';
import { Typed } from '../../../src/broker/types.ts';
import {
  decodeContentHeader,
  decodeMethod,
  encodeContent,
  FrameParser,
  FrameWriter,
  rawProperties,
  type Frame,
} from '../../../src/amqp/index.ts';

function frames(bytes: Uint8Array): Frame[] {
  const parser = new FrameParser({ frameMax: 0 });
  parser.push(bytes);
  return [...parser] as Frame[];
}

describe('content and frame-max', () => {
  const body = Uint8Array.from({ length: 10_000 }, (_, i) => i & 255);

  it('splits a body so no frame exceeds frame-max, overhead included', () => {
    const out = frames(encodeContent(5, 60, {}, body, 4096));
    expect(out.map((f) => [f.type, f.channel, f.payload.length])).toEqual([[2, 5, 14], [3, 5, 4088], [3, 5, 4088], [3, 5, 1824]]);
    expect(Uint8Array.from(out.slice(1).flatMap((f) => [...f.payload]))).toEqual(body);
  });

  it('fills the last frame exactly when the body is a multiple of frame-max - 8', () => {
    const out = frames(encodeContent(1, 60, {}, body.subarray(0, 4088 * 2), 4096));
    expect(out.map((f) => f.payload.length)).toEqual([14, 4088, 4088]);
  });

  it('sends one body frame when frame-max is 0, and none for an empty body', () => {
    expect(frames(encodeContent(1, 60, {}, body, 0)).map((f) => f.type)).toEqual([2, 3]);
    const empty = frames(encodeContent(1, 60, { contentType: 'x' }, new Uint8Array(0), 4096));
    expect(empty.map((f) => f.type)).toEqual([2]);
    expect(decodeContentHeader(empty[0]!.payload).bodySize).toBe(0);
  });

  it('forwards received properties byte for byte, integer widths included', () => {
    const props = { headers: { small: new Typed('int8', 3), count: new Typed('int64', 1) }, deliveryMode: 2 };
    const [header] = frames(encodeContent(1, 60, props, Uint8Array.of(1), 0));
    const forwarded = frames(encodeContent(9, 60, rawProperties(header!.payload), Uint8Array.of(1), 0));
    expect(forwarded[0]!.payload).toEqual(header!.payload);
    expect(decodeContentHeader(forwarded[0]!.payload).properties).toEqual({ headers: { small: 3, count: 1 }, deliveryMode: 2 });
  });
});

describe('FrameWriter', () => {
  it('batches frames into one array and starts over after take()', () => {
    const w = new FrameWriter(16);
    w.writeMethod(1, { name: 'basic.deliver', args: { consumerTag: 'c', deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'q' } });
    w.writeContent(1, 60, { deliveryMode: 1 }, Uint8Array.of(104, 105), 131072);
    w.writeHeartbeat();
    const first = w.take();
    expect(w.length).toBe(0);
    expect(frames(first).map((f) => f.type)).toEqual([1, 2, 3, 8]);
    expect(decodeMethod(frames(first)[0]!.payload)).toMatchObject({ name: 'basic.deliver', args: { deliveryTag: 1 } });
    w.writeMethod(1, { name: 'basic.ack', args: { deliveryTag: 2 } });
    expect(frames(w.take()).map((f) => f.type)).toEqual([1]);
    expect(frames(first).map((f) => f.type)).toEqual([1, 2, 3, 8]); // untouched by later writes
    expect(w.take()).toEqual(new Uint8Array(0));
  });

  it('hands a big batch over without copying, and later writes do not touch it', () => {
    const w = new FrameWriter(1024);
    const body = new Uint8Array(200_000).fill(1);
    w.writeContent(1, 60, {}, body, 131072);
    const big = w.take();
    const copy = big.slice();
    w.writeContent(1, 60, {}, new Uint8Array(200_000).fill(2), 131072);
    expect(big).toEqual(copy);
    expect(frames(w.take()).length).toBe(3);
  });

  it('writes the protocol header', () => {
    const w = new FrameWriter();
    w.writeProtocolHeader();
    expect([...w.take()]).toEqual([65, 77, 81, 80, 0, 0, 9, 1]);
  });

  it('lets args be left out when every field has a default', () => {
    const w = new FrameWriter();
    w.writeMethod(1, { name: 'confirm.select' });
    w.writeMethod(1, { name: 'basic.reject', args: { deliveryTag: 4 } });
    const [select, reject] = frames(w.take());
    expect(decodeMethod(select!.payload)).toEqual({ name: 'confirm.select', args: { nowait: false } });
    expect(decodeMethod(reject!.payload)).toEqual({ name: 'basic.reject', args: { deliveryTag: 4, requeue: true } });
  });
});
