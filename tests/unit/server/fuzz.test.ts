// Random and mutated frames, after a valid handshake, against sessions of one broker:
// receive() never throws, no frame makes Warren fail with its own 541 INTERNAL_ERROR, and
// a healthy connection on the same broker keeps working. FUZZ_FRAMES=1000000 for longer,
// FUZZ_SEED to replay a run.

import { describe, expect, it } from 'vitest';
import { FrameWriter, type MethodInput } from '../../../src/amqp/index.ts';
import { Broker, ManualClock } from '../../../src/broker/index.ts';
import { WireClient, text } from './wire-client.ts';

const FRAMES = Number(process.env['FUZZ_FRAMES'] ?? 100_000);
const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed);

/** mulberry32: small, seeded, good enough to pick mutations. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const QUEUES = ['q1', 'q2', '', 'amq.x', 'fuzz'];

/** Valid units a client might send after the handshake: a method, or a publish's frames, each frame as its own bytes. */
function validUnits(rand: () => number): Uint8Array[][] {
  const w = new FrameWriter();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const ch = () => (rand() < 0.97 ? 1 : Math.floor(rand() * 4));
  const methods: (() => MethodInput)[] = [
    () => ({ name: 'queue.declare', args: { queue: pick(QUEUES), exclusive: rand() < 0.2, autoDelete: rand() < 0.2, durable: rand() < 0.2, arguments: rand() < 0.3 ? { 'x-max-length': 3, 'x-message-ttl': 10 } : {} } }),
    () => ({ name: 'queue.bind', args: { queue: pick(QUEUES), exchange: pick(['amq.topic', 'amq.fanout', 'x1', '']), routingKey: pick(['a.*', '#', 'k']) } }),
    () => ({ name: 'queue.purge', args: { queue: pick(QUEUES) } }),
    () => ({ name: 'queue.delete', args: { queue: pick(QUEUES), ifEmpty: rand() < 0.3 } }),
    () => ({ name: 'exchange.declare', args: { exchange: pick(['x1', 'x2', 'amq.topic']), type: pick(['topic', 'fanout', 'direct', 'headers', 'bogus']), arguments: rand() < 0.3 ? { 'alternate-exchange': 'x2' } : {} } }),
    () => ({ name: 'exchange.bind', args: { destination: pick(['x1', 'x2']), source: pick(['x1', 'amq.direct']), routingKey: 'k' } }),
    () => ({ name: 'exchange.delete', args: { exchange: pick(['x1', 'x2']) } }),
    () => ({ name: 'basic.qos', args: { prefetchCount: Math.floor(rand() * 4), global: rand() < 0.3 } }),
    () => ({ name: 'basic.consume', args: { queue: pick(QUEUES), consumerTag: pick(['', 'c1', 'c2']), noAck: rand() < 0.5, exclusive: rand() < 0.1 } }),
    () => ({ name: 'basic.cancel', args: { consumerTag: pick(['c1', 'c2', 'x']) } }),
    () => ({ name: 'basic.get', args: { queue: pick(QUEUES), noAck: rand() < 0.5 } }),
    () => ({ name: 'basic.ack', args: { deliveryTag: Math.floor(rand() * 5), multiple: rand() < 0.3 } }),
    () => ({ name: 'basic.nack', args: { deliveryTag: Math.floor(rand() * 5), multiple: rand() < 0.3, requeue: rand() < 0.5 } }),
    () => ({ name: 'basic.reject', args: { deliveryTag: Math.floor(rand() * 5), requeue: rand() < 0.5 } }),
    () => ({ name: 'basic.recover', args: { requeue: true } }),
    () => ({ name: 'confirm.select' }),
    () => ({ name: 'tx.select' }),
    () => ({ name: 'tx.commit' }),
    () => ({ name: 'tx.rollback' }),
    () => ({ name: 'channel.flow', args: { active: rand() < 0.8 } }),
  ];
  const out: Uint8Array[][] = [];
  for (let i = 0; i < 40; i++) {
    const c = ch();
    const unit: Uint8Array[] = [];
    out.push(unit);
    if (rand() < 0.35) {
      w.writeMethod(c, { name: 'basic.publish', args: { exchange: pick(['', 'amq.topic', 'x1', 'amq.fanout']), routingKey: pick(QUEUES.concat(['a.b'])), mandatory: rand() < 0.3 } });
      unit.push(w.take());
      const body = new Uint8Array(Math.floor(rand() * 40));
      const props = rand() < 0.5 ? {} : { deliveryMode: 2, priority: 3, expiration: pick(['0', '100', 'x']), headers: { CC: ['q1'], n: 1 } };
      w.writeContent(c, 60, props, body, rand() < 0.5 ? 8192 : 16);
      // header and body frames, one by one
      const content = w.take();
      let at = 0;
      while (at < content.length) {
        const size = new DataView(content.buffer, content.byteOffset + at + 3, 4).getUint32(0);
        unit.push(content.slice(at, at + size + 8));
        at += size + 8;
      }
    } else if (rand() < 0.03) {
      // close and reopen, so the channel is usable again
      w.writeMethod(c, { name: 'channel.close', args: { replyCode: 200, replyText: '', classId: 0, methodId: 0 } });
      unit.push(w.take());
      w.writeMethod(c, { name: 'channel.open' });
      unit.push(w.take());
    } else {
      w.writeMethod(c, pick(methods)());
      unit.push(w.take());
    }
  }
  return out;
}

function mutate(frame: Uint8Array, rand: () => number): Uint8Array {
  const f = frame.slice();
  switch (Math.floor(rand() * 8)) {
    case 0: // flip bytes anywhere
      for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) f[Math.floor(rand() * f.length)] = Math.floor(rand() * 256);
      return f;
    case 1: // flip bytes in the payload only (frame stays well-formed)
      if (f.length > 8) for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) f[7 + Math.floor(rand() * (f.length - 8))] = Math.floor(rand() * 256);
      return f;
    case 2: // truncate
      return f.subarray(0, Math.floor(rand() * f.length));
    case 3: // another frame type
      f[0] = [1, 2, 3, 8, 0, 4, 255][Math.floor(rand() * 7)]!;
      return f;
    case 4: // another channel
      f[1] = Math.floor(rand() * 256);
      f[2] = Math.floor(rand() * 256);
      return f;
    case 5: // lie about the size
      if (f.length >= 7) new DataView(f.buffer).setUint32(3, Math.floor(rand() * 2 ** 32));
      return f;
    case 6: // random bytes
      return Uint8Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256));
    default: // a class/method pair that may not exist
      if (f[0] === 1 && f.length > 11) {
        f[7] = 0;
        f[8] = Math.floor(rand() * 100);
        f[10] = Math.floor(rand() * 200);
      }
      return f;
  }
}

describe('fuzzing sessions', () => {
  it(`survives ${FRAMES} random and mutated frames without harming other connections`, () => {
    const rand = random(SEED);
    const clock = new ManualClock();
    const broker = new Broker({ clock });
    const internal: string[] = [];

    const healthy = new WireClient(broker);
    healthy.handshake();
    healthy.openChannel(1);
    healthy.send(1, { name: 'queue.declare', args: { queue: 'healthy', exclusive: true } });
    healthy.send(1, { name: 'basic.consume', args: { queue: 'healthy', consumerTag: 'h', noAck: true } });
    healthy.take();
    const checkHealthy = (round: number) => {
      healthy.publish(1, 'healthy', `ping ${round}`);
      const bodies = healthy.take().flatMap((r) => (r.type === 'body' ? [text(r.payload)] : []));
      expect(bodies, `healthy connection after ${round} frames (seed ${SEED})`).toEqual([`ping ${round}`]);
    };

    let fed = 0;
    let sessions = 0;
    while (fed < FRAMES) {
      const client = new WireClient(broker, { log: (line) => (line.includes('INTERNAL_ERROR') ? internal.push(line) : undefined) });
      sessions++;
      client.handshake({ frameMax: rand() < 0.5 ? 131072 : 8192 });
      client.openChannel(1);
      const units = validUnits(rand);
      const feed = (bytes: Uint8Array) => {
        // Sometimes one frame in two pieces.
        if (rand() < 0.2 && bytes.length > 2) {
          const cut = 1 + Math.floor(rand() * (bytes.length - 1));
          expect(() => client.raw(bytes.subarray(0, cut))).not.toThrow();
          expect(() => client.raw(bytes.subarray(cut))).not.toThrow();
        } else expect(() => client.raw(bytes)).not.toThrow();
        fed++;
        client.take();
        if (fed % 5000 === 0) checkHealthy(fed);
      };
      for (let i = 0; i < 100 && client.session.state === 'running' && fed < FRAMES; i++) {
        const unit = units[Math.floor(rand() * units.length)]!;
        for (const frame of unit) feed(rand() < 0.05 ? mutate(frame, rand) : frame);
        // Sometimes a whole unit of random bytes.
        if (rand() < 0.01) feed(Uint8Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)));
      }
      if (client.session.state === 'closing' && rand() < 0.5) client.send(0, { name: 'connection.close-ok' });
      if (rand() < 0.5) client.session.transportClosed();
      if (sessions % 50 === 0) clock.advance(31_000); // bounded waits for close-ok run out
    }
    clock.advance(31_000);
    checkHealthy(fed);
    expect(internal, `Warren bugs (seed ${SEED})`).toEqual([]);
  }, 120_000);
});
