// Consumers, basic.get and acknowledgements. RabbitMQ's answers: tests/fixtures/RABBITMQ-BEHAVIOUR.md
// (ack.errors, exclusive.consumer, recover, names.declare-ok-counts, lifecycle.single-active-consumer).
import { describe, expect, it } from 'vitest';
import { dec, drain, expectChannelError, expectConnectionError, publishAll, readyCount, setup } from './helpers.ts';

describe('basic.consume', () => {
  it('generates amq.ctag- tags, unique per consumer, and delivers to the tag', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('q');
    const a = ch.basicConsume('q');
    const b = ch.basicConsume('q');
    for (const t of [a, b]) expect(t).toMatch(/^amq\.ctag-[A-Za-z0-9_-]{22}$/);
    expect(a).not.toBe(b);
    publishAll(ch, 'q', ['m1', 'm2']);
    expect(sink.deliveries.map((d) => [d.consumerTag, d.body, d.deliveryTag])).toEqual([
      [a, 'm1', 1],
      [b, 'm2', 2],
    ]);
  });

  it('keeps a client-chosen tag, and delivers what was waiting at once, in order', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('q');
    publishAll(ch, 'q', ['m1', 'm2', 'm3']);
    expect(ch.basicConsume('q', { consumerTag: 'mine' })).toBe('mine');
    expect(sink.bodies('mine')).toEqual(['m1', 'm2', 'm3']);
  });

  it('refuses a tag already in use on the channel: 530, closing the connection', () => {
    const { ch } = setup();
    ch.queueDeclare('q');
    ch.basicConsume('q', { consumerTag: 't1' });
    expectConnectionError(ch, () => ch.basicConsume('q', { consumerTag: 't1' }), 530, "NOT_ALLOWED - attempt to reuse consumer tag 't1'");
  });

  it('allows the same tag on another channel', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    w.ch.basicConsume('q', { consumerTag: 't1' });
    expect(w.channel().ch.basicConsume('q', { consumerTag: 't1' })).toBe('t1');
  });

  it('no-ack consumers get everything at once, ignore prefetch, and nothing comes back on close', () => {
    const { ch, sink, channel } = setup();
    ch.queueDeclare('q');
    ch.basicQos(0, 1, false);
    ch.basicConsume('q', { noAck: true });
    publishAll(ch, 'q', ['a', 'b', 'c']);
    expect(sink.bodies()).toEqual(['a', 'b', 'c']);
    expect(ch.unacked.count).toBe(0);
    ch.close();
    expect(readyCount(channel().ch, 'q')).toBe(0);
  });
});

describe('exclusive consumers', () => {
  const inUse = "ACCESS_REFUSED - queue 'q' in vhost '/' in exclusive use";

  it('cannot join a queue that has consumers (403)', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    w.ch.basicConsume('q');
    const other = w.channel().ch;
    expectChannelError(other, () => other.basicConsume('q', { exclusive: true }), 403, inUse);
  });

  it('keep every other consumer out, on any channel (403)', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    w.ch.basicConsume('q', { exclusive: true });
    const other = w.channel().ch;
    expectChannelError(other, () => other.basicConsume('q'), 403, inUse);
    const third = w.channel().ch;
    expectChannelError(third, () => third.basicConsume('q', { exclusive: true }), 403, inUse);
    expectChannelError(w.ch, () => w.ch.basicConsume('q'), 403, inUse);
  });

  it('leave basic.get working (it finds the queue empty while they take everything)', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    w.ch.basicConsume('q', { exclusive: true });
    publishAll(w.ch, 'q', ['m']);
    expect(w.channel().ch.basicGet('q', true)).toBeNull();
    expect(w.sink.bodies()).toEqual(['m']);
  });

  it('free the queue when cancelled', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    const tag = w.ch.basicConsume('q', { exclusive: true });
    w.ch.basicCancel(tag);
    expect(w.channel().ch.basicConsume('q')).toMatch(/^amq\.ctag-/);
  });
});

describe('basic.cancel', () => {
  it('stops deliveries; what it holds stays unacked and can still be acked', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('q');
    const tag = ch.basicConsume('q');
    publishAll(ch, 'q', ['held']);
    ch.basicCancel(tag);
    publishAll(ch, 'q', ['later']);
    expect(sink.bodies()).toEqual(['held']);
    expect(ch.unacked.count).toBe(1);
    ch.basicAck(sink.last().deliveryTag);
    expect(ch.unacked.count).toBe(0);
    expect(drain(ch, 'q')).toEqual(['later']);
  });

  it('of an unknown tag is not an error', () => {
    const { ch } = setup();
    ch.basicCancel('never-existed');
    expect(ch.open).toBe(true);
  });
});

describe('basic.get', () => {
  it('returns the head and the count of ready messages left, then null when empty', () => {
    const { ch } = setup();
    ch.queueDeclare('q');
    publishAll(ch, 'q', ['m1', 'm2', 'm3']);
    const first = ch.basicGet('q', false)!;
    expect([dec(first.message.body), first.deliveryTag, first.redelivered, first.messageCount]).toEqual(['m1', 1, false, 2]);
    expect(ch.basicGet('q', true)!.messageCount).toBe(1);
    expect(ch.basicGet('q', true)!.messageCount).toBe(0);
    expect(ch.basicGet('q', true)).toBeNull();
    expect(ch.unacked.count).toBe(1);
  });

  it('with no-ack removes the message for good; without, it comes back when the channel closes', () => {
    const { ch, channel } = setup();
    ch.queueDeclare('q');
    publishAll(ch, 'q', ['gone', 'kept']);
    ch.basicGet('q', true);
    ch.basicGet('q', false);
    ch.close();
    expect(drain(channel().ch, 'q')).toEqual(['kept']);
  });
});

describe('acknowledgements', () => {
  function threeUnacked() {
    const w = setup();
    w.ch.queueDeclare('q');
    publishAll(w.ch, 'q', ['m1', 'm2', 'm3']);
    const tags = [1, 2, 3].map(() => w.ch.basicGet('q', false)!.deliveryTag);
    return { ...w, tags };
  }

  it('ack removes the message; the rest stay unacked and come back on close', () => {
    const { ch, tags, channel } = threeUnacked();
    ch.basicAck(tags[1]!);
    expect(ch.unacked.count).toBe(2);
    ch.close();
    expect(drain(channel().ch, 'q')).toEqual(['m1', 'm3']);
  });

  it('ack multiple settles every unacked tag up to and including the one given', () => {
    const { ch, tags, channel } = threeUnacked();
    ch.basicAck(tags[1]!, true);
    expect(ch.unacked.count).toBe(1);
    ch.close();
    expect(drain(channel().ch, 'q')).toEqual(['m3']);
  });

  it('ack multiple with tag 0 settles everything outstanding (and nothing outstanding is fine)', () => {
    const { ch, channel } = threeUnacked();
    ch.basicAck(0, true);
    expect(ch.unacked.count).toBe(0);
    ch.basicAck(0, true);
    ch.basicNack(0, true, true);
    expect(ch.open).toBe(true);
    ch.close();
    expect(readyCount(channel().ch, 'q')).toBe(0);
  });

  it('nack multiple with requeue puts them all back, in their order, redelivered', () => {
    const { ch, tags } = threeUnacked();
    ch.basicNack(tags[2]!, true, true);
    const again = [1, 2, 3].map(() => ch.basicGet('q', true)!);
    expect(again.map((g) => [dec(g.message.body), g.redelivered])).toEqual([
      ['m1', true],
      ['m2', true],
      ['m3', true],
    ]);
  });

  it('reject with requeue puts one back redelivered; without requeue drops it', () => {
    const { ch, tags } = threeUnacked();
    ch.basicReject(tags[0]!, true);
    ch.basicReject(tags[1]!, false);
    expect(ch.unacked.count).toBe(1);
    const back = ch.basicGet('q', true)!;
    expect([dec(back.message.body), back.redelivered]).toEqual(['m1', true]);
    expect(ch.basicGet('q', true)).toBeNull();
  });

  it('basic.recover requeues everything unacked, redelivered to the consumer with new tags', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('q');
    ch.basicConsume('q');
    publishAll(ch, 'q', ['m1', 'm2', 'm3']);
    ch.basicRecover(true);
    expect(sink.deliveries.map((d) => [d.body, d.redelivered, d.deliveryTag])).toEqual([
      ['m1', false, 1],
      ['m2', false, 2],
      ['m3', false, 3],
      ['m1', true, 4],
      ['m2', true, 5],
      ['m3', true, 6],
    ]);
  });

  it('basic.recover requeue=false is refused: 540, closing the connection', () => {
    const { ch } = setup();
    expectConnectionError(ch, () => ch.basicRecover(false), 540, 'NOT_IMPLEMENTED - requeue=false');
  });

  it.each([
    ['ack of an unknown tag', (ch: import('../../../src/broker/index.ts').Channel) => ch.basicAck(5), 5],
    ['ack multiple of an unknown tag', (ch: import('../../../src/broker/index.ts').Channel) => ch.basicAck(7, true), 7],
    ['ack of tag 0 without multiple', (ch: import('../../../src/broker/index.ts').Channel) => ch.basicAck(0), 0],
    ['nack of an unknown tag', (ch: import('../../../src/broker/index.ts').Channel) => ch.basicNack(3), 3],
    ['reject of an unknown tag', (ch: import('../../../src/broker/index.ts').Channel) => ch.basicReject(4), 4],
  ])('%s: 406 and the channel closes, its unacked messages requeued', (_, op, tag) => {
    const w = setup();
    w.ch.queueDeclare('q');
    publishAll(w.ch, 'q', ['m']);
    w.ch.basicGet('q', false);
    expectChannelError(w.ch, () => op(w.ch), 406, `PRECONDITION_FAILED - unknown delivery tag ${tag}`);
    expect(readyCount(w.channel().ch, 'q')).toBe(1);
  });

  it('acking twice is an unknown delivery tag (406)', () => {
    const { ch } = setup();
    ch.queueDeclare('q');
    publishAll(ch, 'q', ['m']);
    const { deliveryTag } = ch.basicGet('q', false)!;
    ch.basicAck(deliveryTag);
    expectChannelError(ch, () => ch.basicAck(deliveryTag), 406, 'PRECONDITION_FAILED - unknown delivery tag 1');
  });

  it('acking on another channel, or a no-ack delivery, is an unknown delivery tag (406)', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    publishAll(w.ch, 'q', ['m1', 'm2']);
    w.ch.basicGet('q', false);
    const other = w.channel().ch;
    expectChannelError(other, () => other.basicAck(1), 406, 'PRECONDITION_FAILED - unknown delivery tag 1');
    const third = w.channel().ch;
    const got = third.basicGet('q', true)!;
    expectChannelError(third, () => third.basicAck(got.deliveryTag), 406, 'PRECONDITION_FAILED - unknown delivery tag 1');
  });

  it('on a closed channel are refused and change nothing: the message was already requeued', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    publishAll(w.ch, 'q', ['m']);
    const { deliveryTag } = w.ch.basicGet('q', false)!;
    w.ch.close();
    expect(() => w.ch.basicAck(deliveryTag)).toThrow("CHANNEL_ERROR - expected 'channel.open'");
    const got = w.channel().ch.basicGet('q', true)!;
    expect([dec(got.message.body), got.redelivered]).toEqual(['m', true]);
  });
});

describe('single active consumer (x-single-active-consumer)', () => {
  it('delivers only to the first consumer; the next takes over when it cancels', () => {
    const w = setup();
    w.ch.queueDeclare('q', { arguments: { 'x-single-active-consumer': true } });
    const a = w.channel();
    const b = w.channel();
    const ta = a.ch.basicConsume('q', { noAck: true });
    b.ch.basicConsume('q', { noAck: true });
    publishAll(w.ch, 'q', ['m1', 'm2', 'm3', 'm4']);
    expect([a.sink.bodies(), b.sink.bodies()]).toEqual([['m1', 'm2', 'm3', 'm4'], []]);
    a.ch.basicCancel(ta);
    publishAll(w.ch, 'q', ['after-cancel-1', 'after-cancel-2']);
    expect(b.sink.bodies()).toEqual(['after-cancel-1', 'after-cancel-2']);
    expect(w.eventsOf('consumer.activated').length).toBe(2);
  });

  it('hands the active consumer\'s unacked messages, redelivered, to the next one when its channel closes', () => {
    const w = setup();
    w.ch.queueDeclare('q', { arguments: { 'x-single-active-consumer': true } });
    const c = w.channel();
    const d = w.channel();
    c.ch.basicConsume('q');
    d.ch.basicConsume('q');
    publishAll(w.ch, 'q', ['m1', 'm2', 'm3']);
    c.ch.basicAck(c.sink.deliveries[0]!.deliveryTag);
    c.ch.close();
    expect(d.sink.deliveries.map((x) => [x.body, x.redelivered])).toEqual([
      ['m2', true],
      ['m3', true],
    ]);
  });

  it('refuses an exclusive consumer, even on an idle queue (403)', () => {
    const { ch } = setup();
    ch.queueDeclare('q', { arguments: { 'x-single-active-consumer': true } });
    expectChannelError(ch, () => ch.basicConsume('q', { exclusive: true }), 403, "ACCESS_REFUSED - queue 'q' in vhost '/' in exclusive use");
  });
});
