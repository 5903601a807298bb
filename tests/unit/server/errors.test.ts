import { describe, expect, it } from 'vitest';
import { FrameWriter } from '../../../src/amqp/index.ts';
import { Broker, ManualClock } from '../../../src/broker/index.ts';
import fixtures from '../../fixtures/rabbitmq-behaviour.json' with { type: 'json' };
import { WireClient, closeArgs } from './wire-client.ts';

function open(broker = new Broker(), options: { frameMax?: number; channelMax?: number } = {}): WireClient {
  const client = new WireClient(broker, { log: () => {} });
  client.handshake(options);
  client.openChannel(1);
  return client;
}

const close = (replyCode: number, replyText: string, classId: number, methodId: number) => ({
  name: 'connection.close',
  args: closeArgs(replyCode, replyText, classId, methodId),
});
const channelClose = (replyCode: number, replyText: string, classId: number, methodId: number) => ({
  name: 'channel.close',
  args: closeArgs(replyCode, replyText, classId, methodId),
});

/** A frame with a chosen type, channel and payload, end marker optional. */
function frame(type: number, channel: number, payload: Uint8Array, end = 0xce): Uint8Array {
  const out = new Uint8Array(payload.length + 8);
  const view = new DataView(out.buffer);
  out[0] = type;
  view.setUint16(1, channel);
  view.setUint32(3, payload.length);
  out.set(payload, 7);
  out[out.length - 1] = end;
  return out;
}

describe('errors become RabbitMQ closes', () => {
  it('closes the channel on a channel error, with code, text, class and method', () => {
    const missing = fixtures['missing.queue.passive-declare'].result.declare;
    const client = open();
    client.send(1, { name: 'queue.declare', args: { queue: 'nope.q', passive: true } });
    expect(client.methods()).toEqual([channelClose(missing.reply_code, missing.reply_text, missing.class_id, missing.method_id)]);
  });

  it('ignores everything on a closing channel but close and close-ok, then frees it', () => {
    const client = open();
    client.send(1, { name: 'basic.get', args: { queue: 'nope' } });
    expect(client.names()).toEqual(['channel.close']);
    client.send(1, { name: 'queue.declare', args: { queue: 'ignored' } });
    client.publish(1, 'ignored', 'dropped');
    expect(client.take()).toEqual([]);
    client.send(1, { name: 'channel.close', args: { replyCode: 200, replyText: '', classId: 0, methodId: 0 } });
    expect(client.names()).toEqual(['channel.close-ok']);
    client.send(1, { name: 'channel.close-ok' });
    client.openChannel(1);
    client.send(1, { name: 'queue.declare', args: { queue: 'fine' } });
    expect(client.names()).toEqual(['queue.declare-ok']);
  });

  it('closes the connection on a connection error, then waits for close-ok (bounded)', () => {
    const clock = new ManualClock();
    const client = new WireClient(new Broker({ clock }), { log: () => {} });
    client.handshake();
    client.openChannel(1);
    client.send(1, { name: 'exchange.declare', args: { exchange: 'x', type: 'foo' } });
    expect(client.methods()).toEqual([close(503, "COMMAND_INVALID - invalid exchange type 'foo'", 40, 10)]);
    client.send(1, { name: 'queue.declare', args: { queue: 'q' } }); // ignored after a close
    expect(client.take()).toEqual([]);
    expect(client.closed).toBe(false);
    clock.advance(30_000);
    expect(client.closed).toBe(true);
  });

  it('matches RabbitMQ on a second channel.open, unopened channels and unimplemented flags', () => {
    const twice = fixtures['channel.open-twice'].result['second channel.open'];
    const a = open();
    a.send(1, { name: 'channel.open' });
    expect(a.methods()).toEqual([close(twice.reply_code, twice.reply_text, twice.class_id, twice.method_id)]);

    const b = open();
    b.publish(7, 'q', 'x');
    expect(b.methods()).toEqual([close(504, "CHANNEL_ERROR - expected 'channel.open'", 60, 40)]);

    const c = open();
    c.send(1, { name: 'basic.publish', args: { routingKey: 'q', immediate: true } });
    c.batch((w) => w.writeContent(1, 60, {}, new Uint8Array([1]), 131072));
    expect(c.methods()).toEqual([close(540, 'NOT_IMPLEMENTED - immediate=true', 60, 40)]);

    const d = open();
    d.send(1, { name: 'basic.qos', args: { prefetchSize: 1 } });
    expect(d.methods()).toEqual([close(540, 'NOT_IMPLEMENTED - prefetch_size!=0 (1)', 60, 10)]);

    const e = open();
    e.send(1, { name: 'connection.tune', args: {} });
    expect(e.methods()).toEqual([close(503, 'COMMAND_INVALID - unimplemented method', 10, 30)]);

    const f = open();
    f.send(0, { name: 'queue.declare', args: { queue: 'q' } });
    expect(f.methods()).toEqual([close(504, 'CHANNEL_ERROR - unexpected method in connection state running', 50, 10)]);
  });

  it('refuses content frames out of order with 505 UNEXPECTED_FRAME', () => {
    const body = frame(3, 1, new Uint8Array([1, 2, 3]));
    const a = open();
    a.raw(body);
    expect(a.methods()).toEqual([close(505, 'UNEXPECTED_FRAME - expected method frame, got non method frame instead', 0, 0)]);

    const b = open();
    b.send(1, { name: 'basic.publish', args: { routingKey: 'q' } });
    b.send(1, { name: 'queue.declare', args: { queue: 'q' } });
    expect(b.methods()).toEqual([close(505, 'UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead', 60, 40)]);

    const c = open();
    c.send(1, { name: 'basic.publish', args: { routingKey: 'q' } });
    c.batch((w) => w.writeContentHeader(1, 50, 3, {}));
    expect(c.methods()).toEqual([close(505, 'UNEXPECTED_FRAME - expected content header for class 60, got one for class 50 instead', 60, 40)]);

    const d = open();
    d.send(1, { name: 'basic.publish', args: { routingKey: 'q' } });
    d.batch((w) => w.writeContentHeader(1, 60, 10, {}));
    d.send(1, { name: 'basic.ack', args: {} });
    expect(d.methods()).toEqual([close(505, 'UNEXPECTED_FRAME - expected content body, got non content body frame instead', 60, 40)]);

    const e = open();
    e.send(1, { name: 'basic.publish', args: { routingKey: 'q' } });
    e.batch((w) => w.writeContentHeader(1, 60, 2, {}));
    e.raw(frame(3, 1, new Uint8Array([1, 2, 3])));
    expect(e.methods()).toEqual([close(501, 'FRAME_ERROR - content body frame exceeds remaining content size', 60, 40)]);

    const f = open();
    f.raw(frame(8, 1, new Uint8Array(0)));
    expect(f.methods()).toEqual([close(505, 'UNEXPECTED_FRAME - type 8, all octets = <<>>', 0, 0)]);
  });

  it('closes on bad frames (501) and keeps other connections going', () => {
    const broker = new Broker();
    const healthy = open(broker);
    // [bytes, reply text, whether the stream is still in sync (a close-ok can be read)]
    const cases: [Uint8Array, string, boolean][] = [
      [frame(1, 0, new Uint8Array([0, 10])), 'FRAME_ERROR - type 1, all octets = <<0,10>>: unknown_frame', true],
      [frame(8, 0, new Uint8Array([1])), 'FRAME_ERROR - type 8, all octets = <<1>>: unknown_frame', true],
      [frame(1, 1, new Uint8Array([0, 60, 0, 40, 0]), 0x00), 'FRAME_ERROR - type 1, all octets = <<0,60,0,40,0>>: {invalid_frame_end_marker,0}', false],
      [frame(9, 1, new Uint8Array([1])), 'FRAME_ERROR - type 9, all octets = <<1>>: unknown_frame', false],
      [frame(3, 1, new Uint8Array(131073)), 'FRAME_ERROR - type 3, all octets = <<>>: {frame_too_large,131073,131064}', false],
    ];
    for (const [bytes, replyText, inSync] of cases) {
      const client = open(broker);
      client.raw(bytes);
      expect(client.methods()).toEqual([close(501, replyText, 0, 0)]);
      client.raw(frame(1, 0, new Uint8Array([0, 10, 0, 51]))); // connection.close-ok
      expect(client.closed).toBe(inSync);
    }
    healthy.send(1, { name: 'queue.declare', args: { queue: 'still-here' } });
    expect(healthy.names()).toEqual(['queue.declare-ok']);
  });

  it('reports undecodable methods as FRAME_ERROR and unknown ones as 540, with their ids', () => {
    const a = open();
    a.raw(frame(1, 1, new Uint8Array([0, 50, 0, 10, 0])));
    const [closeA] = a.methods();
    expect(closeA?.name).toBe('connection.close');
    expect(closeA?.args).toMatchObject({ replyCode: 501, classId: 50, methodId: 10 });
    expect((closeA?.args as { replyText: string }).replyText).toMatch(/^FRAME_ERROR - cannot decode/);

    const b = open();
    b.raw(frame(1, 1, new Uint8Array([0, 60, 0, 99])));
    expect(b.methods()[0]?.args).toMatchObject({ replyCode: 540, classId: 60, methodId: 99 });
  });

  it('limits channels to the negotiated channel-max', () => {
    const client = new WireClient(new Broker(), { log: () => {} });
    client.handshake({ channelMax: 2 });
    client.openChannel(1);
    client.send(3, { name: 'channel.open' });
    expect(client.methods()).toEqual([close(504, 'CHANNEL_ERROR - channel number 3 is higher than the negotiated channel_max (2)', 20, 10)]);

    const full = new WireClient(new Broker(), { log: () => {} });
    full.handshake({ channelMax: 2 });
    full.openChannel(1);
    full.openChannel(2);
    full.send(3, { name: 'channel.open' });
    expect(full.methods()).toEqual([close(530, 'NOT_ALLOWED - number of channels opened (2) has reached the negotiated channel_max (2)', 0, 0)]);
  });

  it('refuses a body larger than max_message_size at its header', () => {
    const client = new WireClient(new Broker(), { log: () => {}, maxMessageSize: 1000 });
    client.handshake();
    client.openChannel(1);
    client.send(1, { name: 'basic.publish', args: { routingKey: 'q' } });
    client.batch((w) => w.writeContentHeader(1, 60, 5000, {}));
    expect(client.methods()).toEqual([channelClose(406, 'PRECONDITION_FAILED - message size 5000 is larger than configured max size 1000', 60, 40)]);
    client.raw(frame(3, 1, new Uint8Array(4000))); // the rest of it: dropped
    expect(client.take()).toEqual([]);
  });

  it('answers a simultaneous close with close-ok and keeps a text within 255 bytes', () => {
    const client = open();
    const name = 'é'.repeat(200);
    client.send(1, { name: 'queue.declare', args: { queue: name.slice(0, 120), passive: true } });
    const [closeMethod] = client.methods();
    const replyText = (closeMethod?.args as { replyText: string }).replyText;
    expect(new TextEncoder().encode(replyText).length).toBeLessThanOrEqual(255);
    expect(replyText.endsWith('...')).toBe(true);

    const clientB = open();
    clientB.session.close();
    expect(clientB.methods()).toEqual([close(320, "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'", 0, 0)]);
    clientB.send(0, { name: 'connection.close', args: { replyCode: 200, replyText: '', classId: 0, methodId: 0 } });
    expect(clientB.names()).toEqual(['connection.close-ok']);
    expect(clientB.closed).toBe(true);
  });

  it('closes every session with 320 when the broker stops', async () => {
    const broker = new Broker();
    const a = open(broker);
    const b = open(broker);
    broker.stop();
    await Promise.resolve();
    const shutdown = close(320, "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'", 0, 0);
    expect(a.methods()).toEqual([shutdown]);
    expect(b.methods()).toEqual([shutdown]);
    a.send(0, { name: 'connection.close-ok' });
    expect(a.closed).toBe(true);
  });

  it('survives a chunk that splits frames anywhere', () => {
    const client = new WireClient(new Broker(), { log: () => {} });
    client.handshake();
    const w = new FrameWriter();
    w.writeMethod(1, { name: 'channel.open' });
    w.writeMethod(1, { name: 'queue.declare', args: { queue: 'split' } });
    w.writeMethod(1, { name: 'basic.publish', args: { routingKey: 'split' } });
    w.writeContent(1, 60, {}, new Uint8Array(300), 131072);
    w.writeMethod(1, { name: 'basic.get', args: { queue: 'split', noAck: true } });
    const bytes = w.take();
    for (let i = 0; i < bytes.length; i += 7) client.raw(bytes.slice(i, i + 7));
    expect(client.names()).toEqual(['channel.open-ok', 'queue.declare-ok', 'basic.get-ok']);
  });
});
