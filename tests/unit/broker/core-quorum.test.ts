// Quorum queues (x-queue-type quorum). RabbitMQ's answers: tests/fixtures/RABBITMQ-BEHAVIOUR.md
// (quorum.declare, quorum.redelivery, quorum.delivery-limit, quorum.global-qos, quorum.overflow,
// queue.eq.x-queue-type.*); the default delivery limit of 20 is RabbitMQ 4's.
import { describe, expect, it } from 'vitest';
import type { FieldTable } from '../../../src/broker/index.ts';
import { drain, expectChannelError, expectConnectionError, publish, publishAll, readyCount, setup } from './helpers.ts';

const quorum = (args: FieldTable = {}) => ({ durable: true, arguments: { 'x-queue-type': 'quorum', ...args } });

describe('declaring a quorum queue', () => {
  it('declares a durable one of type quorum', () => {
    const { ch, broker } = setup();
    expect(ch.queueDeclare('qq', quorum()).queue).toBe('qq');
    expect(broker.vhost.queues.get('qq')!.settings.type).toBe('quorum');
    ch.queueDeclare('qq', quorum());
    expect(ch.open).toBe(true);
  });

  it.each([
    ['non-durable', { durable: false }, 'non-durable'],
    ['exclusive', { exclusive: true }, 'exclusive-owner'],
    ['exclusive and non-durable', { durable: false, exclusive: true }, 'exclusive-owner'],
    ['auto-delete', { autoDelete: true }, 'auto-delete'],
    ['auto-delete and non-durable', { durable: false, autoDelete: true }, 'auto-delete'],
  ])('refuses %s (406 invalid property)', (_, flags, property) => {
    const { ch, broker } = setup();
    expectChannelError(ch, () => ch.queueDeclare('qq', { ...quorum(), ...flags }), 406, `PRECONDITION_FAILED - invalid property '${property}' for queue 'qq' in vhost '/'`);
    expect(broker.vhost.queues.has('qq')).toBe(false);
  });

  it.each([
    ['x-max-priority', 5],
    ['x-queue-mode', 'lazy'],
  ])('refuses %s, a classic-only argument (406)', (key, value) => {
    const { ch } = setup();
    expectChannelError(
      ch,
      () => ch.queueDeclare('qq', quorum({ [key]: value })),
      406,
      `PRECONDITION_FAILED - invalid arg '${key}' for queue 'qq' in vhost '/' of queue type rabbit_quorum_queue`,
    );
  });

  it('refuses a server-named quorum queue (406)', () => {
    const { ch } = setup();
    expectChannelError(ch, () => ch.queueDeclare('', quorum()), 406, 'PRECONDITION_FAILED - Cannot declare a server-named queue for type rabbit_quorum_queue');
  });

  it('accepts the arguments quorum queues know', () => {
    const { ch } = setup();
    for (const [i, args] of [
      { 'x-overflow': 'drop-head' },
      { 'x-overflow': 'reject-publish' },
      { 'x-overflow': 'reject-publish-dlx' },
      { 'x-message-ttl': 1000 },
      { 'x-expires': 60000 },
      { 'x-delivery-limit': 5 },
      { 'x-single-active-consumer': true },
    ].entries()) {
      ch.queueDeclare(`qq${i}`, quorum(args));
    }
    expect(ch.open).toBe(true);
  });

  it('is inequivalent to a classic declaration of the same name (406)', () => {
    const a = setup();
    a.ch.queueDeclare('qq', quorum());
    expectChannelError(
      a.ch,
      () => a.ch.queueDeclare('qq', { durable: true, arguments: { 'x-queue-type': 'classic' } }),
      406,
      "PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'qq' in vhost '/': received 'classic' but current is 'quorum'",
    );
    const b = setup();
    b.ch.queueDeclare('qq', quorum());
    expectChannelError(
      b.ch,
      () => b.ch.queueDeclare('qq', { durable: true }),
      406,
      "PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'qq' in vhost '/': received none but current is the value 'quorum' of type 'longstr'",
    );
  });
});

describe('quorum queue delivery', () => {
  it('counts returns in x-delivery-count: absent at first, then 1, 2 (nack or reject)', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('qq', quorum());
    ch.basicConsume('qq');
    publish(ch, '', 'qq', 'm', { headers: { h: 'v' } });
    ch.basicNack(sink.last().deliveryTag, false, true);
    ch.basicReject(sink.last().deliveryTag, true);
    expect(sink.deliveries.map((d) => [d.redelivered, d.properties.headers])).toEqual([
      [false, { h: 'v' }],
      [true, { h: 'v', 'x-delivery-count': 1 }],
      [true, { h: 'v', 'x-delivery-count': 2 }],
    ]);
  });

  it('dead-letters a message returned more often than x-delivery-limit, with reason delivery_limit', () => {
    const { ch } = setup();
    ch.queueDeclare('dlq');
    ch.queueDeclare('qq', quorum({ 'x-delivery-limit': 1, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dlq' }));
    publish(ch, '', 'qq', 'm1');
    ch.basicNack(ch.basicGet('qq', false)!.deliveryTag, false, true);
    const second = ch.basicGet('qq', false)!;
    expect(second.message.properties.headers).toEqual({ 'x-delivery-count': 1 });
    ch.basicNack(second.deliveryTag, false, true);
    expect(ch.basicGet('qq', false)).toBeNull();
    const dead = ch.basicGet('dlq', true)!;
    const death = (dead.message.properties.headers!['x-death'] as FieldTable[])[0]!;
    expect([death['reason'], death['queue'], dead.message.properties.headers!['x-first-death-reason']]).toEqual(['delivery_limit', 'qq', 'delivery_limit']);
    expect(readyCount(ch, 'qq')).toBe(0);
  });

  it('drops such a message when there is no dead-letter exchange', () => {
    const { ch, eventsOf } = setup();
    ch.queueDeclare('qq', quorum({ 'x-delivery-limit': 0 }));
    publish(ch, '', 'qq', 'm');
    ch.basicReject(ch.basicGet('qq', false)!.deliveryTag, true);
    expect(readyCount(ch, 'qq')).toBe(0);
    expect(eventsOf('message.dropped').map((e) => [e.queue, e.reason])).toEqual([['qq', 'delivery_limit']]);
  });

  it('has a default delivery limit of 20 (RabbitMQ 4): the 21st return drops the message', () => {
    const { ch } = setup();
    ch.queueDeclare('qq', quorum());
    publish(ch, '', 'qq', 'poison');
    let deliveries = 0;
    for (let g = ch.basicGet('qq', false); g; g = ch.basicGet('qq', false)) {
      deliveries++;
      ch.basicNack(g.deliveryTag, false, true);
    }
    expect(deliveries).toBe(21);
  });

  it('has no limit with a negative x-delivery-limit', () => {
    const { ch } = setup();
    ch.queueDeclare('qq', quorum({ 'x-delivery-limit': -1 }));
    publish(ch, '', 'qq', 'm');
    for (let i = 0; i < 50; i++) ch.basicNack(ch.basicGet('qq', false)!.deliveryTag, false, true);
    expect(readyCount(ch, 'qq')).toBe(1);
  });

  it('refuses a consumer on a channel with global prefetch: 540, closing the connection', () => {
    const { ch } = setup();
    ch.queueDeclare('qq', quorum());
    ch.basicQos(0, 5, true);
    expectConnectionError(ch, () => ch.basicConsume('qq'), 540, "NOT_IMPLEMENTED - queue 'qq' in vhost '/' does not support global qos");
  });

  it('takes per-consumer prefetch', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('qq', quorum());
    ch.basicQos(0, 1, false);
    ch.basicConsume('qq');
    publishAll(ch, 'qq', ['a', 'b']);
    expect(sink.bodies()).toEqual(['a']);
  });

  it('overflow reject-publish nacks once full; drop-head keeps the newest', () => {
    const a = setup();
    a.ch.queueDeclare('qq', quorum({ 'x-max-length': 2, 'x-overflow': 'reject-publish' }));
    a.ch.confirmSelect();
    publishAll(a.ch, 'qq', ['m1', 'm2', 'm3']);
    expect(a.sink.confirms.map((c) => c.ack)).toEqual([true, true, false]);
    expect(drain(a.ch, 'qq')).toEqual(['m1', 'm2']);
    const b = setup();
    b.ch.queueDeclare('qq', quorum({ 'x-max-length': 1 }));
    b.ch.confirmSelect();
    publishAll(b.ch, 'qq', ['m1', 'm2', 'm3']);
    expect(b.sink.confirms.map((c) => c.ack)).toEqual([true, true, true]);
    expect(drain(b.ch, 'qq')).toEqual(['m3']);
  });

  it('treats reject-publish-dlx as drop-head, as RabbitMQ does for quorum queues', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('qq', quorum({ 'x-max-length': 1, 'x-overflow': 'reject-publish-dlx' }));
    ch.confirmSelect();
    publishAll(ch, 'qq', ['m1', 'm2']);
    expect(sink.confirms.map((c) => c.ack)).toEqual([true, true]);
    expect(drain(ch, 'qq')).toEqual(['m2']);
  });

  it('serves priorities above 4 first, FIFO otherwise (RabbitMQ 4 quorum priorities)', () => {
    const { ch } = setup();
    ch.queueDeclare('qq', quorum());
    publish(ch, '', 'qq', 'normal-1', { priority: 4 });
    publish(ch, '', 'qq', 'high-1', { priority: 5 });
    publish(ch, '', 'qq', 'normal-2');
    publish(ch, '', 'qq', 'high-2', { priority: 9 });
    expect(drain(ch, 'qq')).toEqual(['high-1', 'high-2', 'normal-1', 'normal-2']);
  });
});

// RabbitMQ's answers: order.quorum.nack-2nd-of-5, order.quorum.close-3-unacked, quorum.redelivery.
describe('where a returned message goes in a quorum queue', () => {
  const bodies = (ch: import('../../../src/broker/index.ts').Channel, queue: string, n: number) =>
    Array.from({ length: n }, () => ch.basicGet(queue, false)!).map((r) => ({ tag: r.deliveryTag, body: new TextDecoder().decode(r.message.body), redelivered: r.redelivered }));

  it('sends a nacked message to the back, behind the messages waiting', () => {
    const { ch, channel } = setup();
    ch.queueDeclare('qq', quorum());
    publishAll(ch, 'qq', ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']);
    const got = bodies(ch, 'qq', 5);
    ch.basicNack(got[1]!.tag, false, true);
    const other = channel().ch;
    expect(bodies(other, 'qq', 4).map((m) => [m.body, m.redelivered])).toEqual([
      ['m6', false], ['m7', false], ['m8', false], ['m2', true],
    ]);
  });

  it('puts messages back in front when their channel closes', () => {
    const { ch, channel } = setup();
    ch.queueDeclare('qq', quorum());
    publishAll(ch, 'qq', ['m1', 'm2', 'm3', 'm4', 'm5']);
    bodies(ch, 'qq', 3);
    ch.close();
    expect(bodies(channel().ch, 'qq', 5).map((m) => [m.body, m.redelivered])).toEqual([
      ['m1', true], ['m2', true], ['m3', true], ['m4', false], ['m5', false],
    ]);
  });

  it('counts every return in x-delivery-count and shows it on every basic.get', () => {
    const { ch, channel } = setup();
    ch.queueDeclare('qq', quorum());
    publishAll(ch, 'qq', ['m1']);
    const first = ch.basicGet('qq', false)!;
    expect(first.message.properties.headers?.['x-delivery-count']).toBe(0);
    ch.basicReject(first.deliveryTag, true);
    expect(ch.basicGet('qq', false)!.message.properties.headers?.['x-delivery-count']).toBe(1);
    ch.close();
    const again = channel().ch.basicGet('qq', false)!;
    expect(again.redelivered).toBe(true);
    expect(again.message.properties.headers?.['x-delivery-count']).toBe(2);
  });
});
