// Prefetch (basic.qos), round-robin dispatch and where requeued messages go. RabbitMQ's
// answers: tests/fixtures/RABBITMQ-BEHAVIOUR.md (qos.*, roundrobin, order.classic.*).
import { describe, expect, it } from 'vitest';
import { expectConnectionError, publishAll, setup } from './helpers.ts';

const msgs = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

describe('per-consumer prefetch (basic.qos global=false)', () => {
  it('limits each consumer\'s unacked messages; an ack lets the next one through', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('q');
    ch.basicQos(0, 2, false);
    ch.basicConsume('q');
    publishAll(ch, 'q', msgs(5));
    expect(sink.bodies()).toEqual(['m1', 'm2']);
    ch.basicAck(sink.deliveries[0]!.deliveryTag);
    expect(sink.bodies()).toEqual(['m1', 'm2', 'm3']);
    ch.basicNack(sink.deliveries[1]!.deliveryTag, false, false);
    expect(sink.bodies()).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('applies per consumer: two consumers on one channel each get their own allowance', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('q');
    ch.basicQos(0, 2, false);
    const a = ch.basicConsume('q');
    const b = ch.basicConsume('q');
    publishAll(ch, 'q', msgs(6));
    expect([sink.bodies(a), sink.bodies(b)]).toEqual([
      ['m1', 'm3'],
      ['m2', 'm4'],
    ]);
  });

  it('binds only consumers created after it', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('q');
    const before = ch.basicConsume('q');
    ch.basicQos(0, 1, false);
    publishAll(ch, 'q', msgs(3));
    expect(sink.bodies(before)).toEqual(['m1', 'm2', 'm3']);
  });

  it('refuses prefetch_size: 540, closing the connection', () => {
    const { ch } = setup();
    expectConnectionError(ch, () => ch.basicQos(1, 1, false), 540, 'NOT_IMPLEMENTED - prefetch_size!=0 (1)');
  });
});

describe('global prefetch (basic.qos global=true)', () => {
  it('is shared by every consumer on the channel', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('q');
    ch.basicQos(0, 2, true);
    const a = ch.basicConsume('q');
    const b = ch.basicConsume('q');
    publishAll(ch, 'q', msgs(6));
    expect([sink.bodies(a), sink.bodies(b)]).toEqual([['m1'], ['m2']]);
    expect(ch.unacked.count).toBe(2);
    ch.basicAck(sink.deliveries[1]!.deliveryTag);
    expect(sink.deliveries.length).toBe(3);
  });

  it('spans queues: consumers of two queues share the limit', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('q1');
    ch.queueDeclare('q2');
    ch.basicQos(0, 1, true);
    ch.basicConsume('q1');
    ch.basicConsume('q2');
    publishAll(ch, 'q1', ['a']);
    publishAll(ch, 'q2', ['b']);
    expect(sink.bodies()).toEqual(['a']);
    ch.basicAck(sink.deliveries[0]!.deliveryTag);
    expect(sink.bodies()).toEqual(['a', 'b']);
  });

  it('raised later lets waiting messages through at once', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('q');
    ch.basicQos(0, 1, true);
    ch.basicConsume('q');
    publishAll(ch, 'q', msgs(4));
    expect(sink.deliveries.length).toBe(1);
    ch.basicQos(0, 3, true);
    expect(sink.deliveries.length).toBe(3);
  });
});

describe('round-robin dispatch', () => {
  it('alternates between two consumers with prefetch 1 as they ack', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    const a = w.channel();
    const b = w.channel();
    for (const c of [a, b]) {
      c.ch.basicQos(0, 1, false);
      c.ch.basicConsume('q');
    }
    publishAll(w.ch, 'q', msgs(10));
    expect([a.sink.bodies(), b.sink.bodies()]).toEqual([['m1'], ['m2']]);
    for (let i = 0; i < 4; i++) {
      a.ch.basicAck(a.sink.last().deliveryTag);
      b.ch.basicAck(b.sink.last().deliveryTag);
    }
    expect(a.sink.bodies()).toEqual(['m1', 'm3', 'm5', 'm7', 'm9']);
    expect(b.sink.bodies()).toEqual(['m2', 'm4', 'm6', 'm8', 'm10']);
  });

  it('skips a consumer that is full: the one with room gets the message', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    const a = w.channel();
    const b = w.channel();
    for (const c of [a, b]) {
      c.ch.basicQos(0, 1, false);
      c.ch.basicConsume('q');
    }
    publishAll(w.ch, 'q', msgs(3));
    a.ch.basicAck(a.sink.last().deliveryTag);
    a.ch.basicAck(a.sink.last().deliveryTag);
    publishAll(w.ch, 'q', ['m4']);
    expect(a.sink.bodies()).toEqual(['m1', 'm3', 'm4']);
    expect(b.sink.bodies()).toEqual(['m2']);
  });

  it('alternates without prefetch too, when both consumers are there before the messages', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    const a = w.channel();
    const b = w.channel();
    a.ch.basicConsume('q');
    b.ch.basicConsume('q');
    publishAll(w.ch, 'q', msgs(6));
    expect([a.sink.bodies(), b.sink.bodies()]).toEqual([
      ['m1', 'm3', 'm5'],
      ['m2', 'm4', 'm6'],
    ]);
  });

  it('gives everything already queued to the first consumer without prefetch', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    publishAll(w.ch, 'q', msgs(6));
    const a = w.channel();
    const b = w.channel();
    a.ch.basicConsume('q');
    b.ch.basicConsume('q');
    expect([a.sink.bodies().length, b.sink.bodies().length]).toEqual([6, 0]);
  });
});

describe('requeue order and the redelivered flag', () => {
  const read = (ch: import('../../../src/broker/index.ts').Channel, q: string) => {
    const out: [string, boolean][] = [];
    for (let g = ch.basicGet(q, false); g; g = ch.basicGet(q, false)) out.push([new TextDecoder().decode(g.message.body), g.redelivered]);
    return out;
  };

  it('puts a nacked message back in its original position (nack the 2nd of 5 unacked)', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    publishAll(w.ch, 'q', msgs(8));
    const tags = [1, 2, 3, 4, 5].map(() => w.ch.basicGet('q', false)!.deliveryTag);
    w.ch.basicNack(tags[1]!, false, true);
    const other = w.channel().ch;
    expect(read(other, 'q')).toEqual([
      ['m2', true],
      ['m6', false],
      ['m7', false],
      ['m8', false],
    ]);
    other.close();
    w.ch.close();
    expect(read(w.channel().ch, 'q')).toEqual(msgs(8).map((m) => [m, true]));
  });

  it('requeues a closed channel\'s unacked messages ahead of the rest, in order', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    publishAll(w.ch, 'q', msgs(5));
    for (let i = 0; i < 3; i++) w.ch.basicGet('q', false);
    w.ch.close();
    expect(read(w.channel().ch, 'q')).toEqual([
      ['m1', true],
      ['m2', true],
      ['m3', true],
      ['m4', false],
      ['m5', false],
    ]);
  });

  it('redelivers a nacked message to the consumer after the ones it already has', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('q');
    ch.basicConsume('q');
    publishAll(ch, 'q', msgs(5));
    ch.basicNack(sink.deliveries[1]!.deliveryTag, false, true);
    expect(sink.deliveries.map((d) => [d.body, d.redelivered, d.deliveryTag])).toEqual([
      ['m1', false, 1],
      ['m2', false, 2],
      ['m3', false, 3],
      ['m4', false, 4],
      ['m5', false, 5],
      ['m2', true, 6],
    ]);
  });

  it('puts back out-of-order requeues by their original position, not the order they came back', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    publishAll(w.ch, 'q', msgs(4));
    const tags = [1, 2, 3].map(() => w.ch.basicGet('q', false)!.deliveryTag);
    w.ch.basicReject(tags[2]!, true);
    w.ch.basicReject(tags[0]!, true);
    w.ch.basicReject(tags[1]!, true);
    expect(read(w.channel().ch, 'q').map(([m]) => m)).toEqual(['m1', 'm2', 'm3', 'm4']);
  });
});
