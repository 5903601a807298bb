// Queues in the core: declare, redeclare, argument validation, exclusivity, auto-delete,
// purge and delete, against RabbitMQ 3.10's answers (tests/fixtures/RABBITMQ-BEHAVIOUR.md:
// queue.eq.*, exclusive.*, lifecycle.auto-delete, names.*, delete.conditional, missing.queue.ops).
import { describe, expect, it } from 'vitest';
import { Typed } from '../../../src/broker/index.ts';
import { drain, expectChannelError, publishAll, readyCount, setup } from './helpers.ts';

describe('queue.declare', () => {
  it('declares a named queue and reports it in declare-ok', () => {
    const { ch, broker } = setup();
    expect(ch.queueDeclare('hello')).toEqual({ queue: 'hello', messageCount: 0, consumerCount: 0 });
    expect(broker.vhost.queues.has('hello')).toBe(true);
  });

  it('names a queue declared as "" amq.gen- plus 22 url-safe characters, each time a new one', () => {
    const { ch } = setup();
    const names = [ch.queueDeclare('').queue, ch.queueDeclare('').queue, ch.queueDeclare('', { exclusive: true }).queue];
    for (const n of names) expect(n).toMatch(/^amq\.gen-[A-Za-z0-9_-]{22}$/);
    expect(new Set(names).size).toBe(3);
  });

  it('counts ready messages (not unacked ones) and consumers in declare-ok', () => {
    const { ch, channel } = setup();
    ch.queueDeclare('q');
    publishAll(ch, 'q', ['m1', 'm2', 'm3', 'm4']);
    const other = channel();
    other.ch.basicQos(0, 1, false);
    other.ch.basicConsume('q');
    expect(ch.queueDeclare('q', { passive: true })).toEqual({ queue: 'q', messageCount: 3, consumerCount: 1 });
    expect(ch.queueDeclare('q')).toEqual({ queue: 'q', messageCount: 3, consumerCount: 1 });
    expect(ch.queuePurge('q')).toBe(3);
    other.ch.close();
    expect(ch.queueDeclare('q', { passive: true })).toEqual({ queue: 'q', messageCount: 1, consumerCount: 0 });
  });

  it('answers passive declare of a missing queue with 404', () => {
    const { ch } = setup();
    expectChannelError(ch, () => ch.queueDeclare('nope', { passive: true }), 404, "NOT_FOUND - no queue 'nope' in vhost '/'");
  });

  it('ignores flags and arguments on a passive declare', () => {
    const { ch } = setup();
    ch.queueDeclare('q', { durable: true, arguments: { 'x-message-ttl': 1000 } });
    expect(ch.queueDeclare('q', { passive: true, durable: false, arguments: { 'x-message-ttl': 5 } }).queue).toBe('q');
    expect(ch.open).toBe(true);
  });

  it('makes a durable queue durable and an exclusive one never durable', () => {
    const { ch, broker } = setup();
    ch.queueDeclare('d', { durable: true });
    ch.queueDeclare('x', { durable: true, exclusive: true });
    expect(broker.vhost.queues.get('d')!.durable).toBe(true);
    expect(broker.vhost.queues.get('x')!.durable).toBe(false);
    // So redeclaring the exclusive queue as non-durable is equivalent, as in RabbitMQ.
    expect(ch.queueDeclare('x', { durable: false, exclusive: true }).queue).toBe('x');
  });
});

describe('queue redeclare equivalence (406 inequivalent arg)', () => {
  const cases: [string, object, object, string][] = [
    ['durable false then true', { durable: false }, { durable: true }, "inequivalent arg 'durable' for queue 'q' in vhost '/': received 'true' but current is 'false'"],
    ['durable true then false', { durable: true }, { durable: false }, "inequivalent arg 'durable' for queue 'q' in vhost '/': received 'false' but current is 'true'"],
    ['auto_delete', {}, { autoDelete: true }, "inequivalent arg 'auto_delete' for queue 'q' in vhost '/': received 'true' but current is 'false'"],
    ['x-message-ttl changed', { arguments: { 'x-message-ttl': 1000 } }, { arguments: { 'x-message-ttl': 2000 } }, "inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received '2000' but current is '1000'"],
    ['x-message-ttl added', {}, { arguments: { 'x-message-ttl': 2000 } }, "inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received the value '2000' of type 'signedint' but current is none"],
    ['x-message-ttl removed', { arguments: { 'x-message-ttl': 1000 } }, {}, "inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received none but current is the value '1000' of type 'signedint'"],
    ['x-message-ttl int32 then int64', { arguments: { 'x-message-ttl': 1000 } }, { arguments: { 'x-message-ttl': 1099511627776 } }, "inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received '1099511627776' but current is '1000'"],
    ['x-max-length', { arguments: { 'x-max-length': 10 } }, { arguments: { 'x-max-length': 20 } }, "inequivalent arg 'x-max-length' for queue 'q' in vhost '/': received '20' but current is '10'"],
    ['x-dead-letter-exchange', { arguments: { 'x-dead-letter-exchange': 'dlx1' } }, { arguments: { 'x-dead-letter-exchange': 'dlx2' } }, "inequivalent arg 'x-dead-letter-exchange' for queue 'q' in vhost '/': received 'dlx2' but current is 'dlx1'"],
    ['x-dead-letter-exchange added', {}, { arguments: { 'x-dead-letter-exchange': 'dlx1' } }, "inequivalent arg 'x-dead-letter-exchange' for queue 'q' in vhost '/': received the value 'dlx1' of type 'longstr' but current is none"],
    ['x-max-priority', { arguments: { 'x-max-priority': 5 } }, { arguments: { 'x-max-priority': 10 } }, "inequivalent arg 'x-max-priority' for queue 'q' in vhost '/': received '10' but current is '5'"],
    ['x-expires', { arguments: { 'x-expires': 100000 } }, { arguments: { 'x-expires': 200000 } }, "inequivalent arg 'x-expires' for queue 'q' in vhost '/': received '200000' but current is '100000'"],
    ['x-overflow', { arguments: { 'x-overflow': 'drop-head' } }, { arguments: { 'x-overflow': 'reject-publish' } }, "inequivalent arg 'x-overflow' for queue 'q' in vhost '/': received 'reject-publish' but current is 'drop-head'"],
    ['x-queue-type classic then quorum', { durable: true }, { durable: true, arguments: { 'x-queue-type': 'quorum' } }, "inequivalent arg 'x-queue-type' for queue 'q' in vhost '/': received the value 'quorum' of type 'longstr' but current is none"],
  ];

  it.each(cases)('%s', (_, first, second, detail) => {
    const { ch, broker } = setup();
    ch.queueDeclare('q', first);
    expectChannelError(ch, () => ch.queueDeclare('q', second), 406, `PRECONDITION_FAILED - ${detail}`);
    expect(broker.vhost.queues.has('q')).toBe(true);
  });

  it('names the wire type of the value, e.g. a short', () => {
    const { ch } = setup();
    ch.queueDeclare('q');
    expectChannelError(
      ch,
      () => ch.queueDeclare('q', { arguments: { 'x-message-ttl': new Typed('int16', 2000) } }),
      406,
      "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received the value '2000' of type 'short' but current is none",
    );
  });

  it('treats integers of different widths with the same value as equal', () => {
    const { ch } = setup();
    ch.queueDeclare('q', { arguments: { 'x-message-ttl': new Typed('int16', 1000) } });
    ch.queueDeclare('q', { arguments: { 'x-message-ttl': 1000 } });
    ch.queueDeclare('q', { arguments: { 'x-message-ttl': 1000n } });
    expect(ch.open).toBe(true);
  });

  it('ignores arguments RabbitMQ does not compare, and x-queue-type classic equals none', () => {
    const { ch } = setup();
    ch.queueDeclare('q', { durable: true, arguments: { 'x-foo': 1 } });
    ch.queueDeclare('q', { durable: true, arguments: { 'x-foo': 2, 'x-queue-type': 'classic' } });
    expect(ch.open).toBe(true);
  });

  it('refuses exclusive on a queue that was not declared exclusive, and the reverse (405)', () => {
    const text = (q: string) =>
      `RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${q}' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.`;
    const a = setup();
    a.ch.queueDeclare('q');
    expectChannelError(a.ch, () => a.ch.queueDeclare('q', { exclusive: true }), 405, text('q'));
    const b = setup();
    b.ch.queueDeclare('q', { exclusive: true });
    expectChannelError(b.ch, () => b.ch.queueDeclare('q'), 405, text('q'));
  });
});

describe('queue argument validation (406 invalid arg)', () => {
  const invalid: [string, unknown, string][] = [
    ['x-message-ttl', -1, '{value_negative,-1}'],
    ['x-message-ttl', 'abc', '"expected integer, got longstr"'],
    ['x-message-ttl', new Typed('decimal', { scale: 1, value: 15 }), '"expected integer, got decimal"'],
    ['x-expires', 0, '{value_zero,0}'],
    ['x-expires', -5, '{value_negative,-5}'],
    ['x-max-priority', 300, '{max_value_exceeded,300}'],
    ['x-max-priority', -1, '{value_negative,-1}'],
    ['x-overflow', 'bogus', 'invalid_overflow'],
    ['x-max-length', -1, '{value_negative,-1}'],
    ['x-max-length-bytes', -1, '{value_negative,-1}'],
    ['x-single-active-consumer', 'yes', '{unacceptable_type,longstr}'],
    ['x-queue-type', 'bogus', `"unsupported queue type 'bogus'"`],
    ['x-queue-type', 1, '{unacceptable_type,signedint}'],
    ['x-queue-mode', 'foo', `"unsupported queue mode 'foo'"`],
    ['x-max-priority', '5', '"expected integer, got longstr"'],
    ['x-expires', 'abc', '"expected integer, got longstr"'],
    ['x-overflow', 1, '{unacceptable_type,signedint}'],
  ];

  it.each(invalid)('%s = %j', (key, value, term) => {
    const { ch, broker } = setup();
    expectChannelError(
      ch,
      () => ch.queueDeclare('q', { arguments: { [key]: value as never } }),
      406,
      `PRECONDITION_FAILED - invalid arg '${key}' for queue 'q' in vhost '/': ${term}`,
    );
    expect(broker.vhost.queues.has('q')).toBe(false);
  });

  it('x-dead-letter-routing-key without x-dead-letter-exchange', () => {
    const { ch } = setup();
    expectChannelError(
      ch,
      () => ch.queueDeclare('q', { arguments: { 'x-dead-letter-routing-key': 'rk' } }),
      406,
      "PRECONDITION_FAILED - invalid arg 'x-dead-letter-routing-key' for queue 'q' in vhost '/': routing_key_but_no_dlx_defined",
    );
  });

  it('x-dead-letter-exchange that is not a string, with its own wording', () => {
    const { ch } = setup();
    expectChannelError(
      ch,
      () => ch.queueDeclare('q', { arguments: { 'x-dead-letter-exchange': new Typed('int8', 5) } }),
      406,
      "PRECONDITION_FAILED - invalid type 'byte' for arg 'x-dead-letter-exchange' in queue 'q' in vhost '/'",
    );
  });

  it('x-delivery-limit on a classic queue, which only quorum queues take', () => {
    const { ch } = setup();
    expectChannelError(
      ch,
      () => ch.queueDeclare('q', { arguments: { 'x-delivery-limit': 'x' } }),
      406,
      "PRECONDITION_FAILED - invalid arg 'x-delivery-limit' for queue 'q' in vhost '/' of queue type rabbit_classic_queue",
    );
  });

  it('accepts unknown arguments and in-range values', () => {
    const { ch } = setup();
    ch.queueDeclare('q', {
      arguments: { 'x-foo': 'bar', 'x-message-ttl': 0, 'x-expires': 1, 'x-max-priority': 255, 'x-max-length': 0, 'x-overflow': 'reject-publish-dlx', 'x-dead-letter-exchange': 'missing-is-fine', 'x-queue-mode': 'lazy' },
    });
    expect(ch.open).toBe(true);
  });
});

describe('the queue name "" after a declare on the same channel', () => {
  it('means the last queue this channel declared (bind with "" key too, get, purge, delete)', () => {
    const { ch } = setup();
    const { queue } = ch.queueDeclare('');
    ch.queueBind('', 'amq.direct', '');
    ch.basicPublish('amq.direct', queue, {}, new TextEncoder().encode('via-bind'));
    expect(ch.basicGet('', true)?.message.routingKey).toBe(queue);
    publishAll(ch, queue, ['a', 'b']);
    expect(ch.queuePurge('')).toBe(2);
    expect(ch.queueDelete('')).toBe(0);
    expectChannelError(ch, () => ch.queueDeclare(queue, { passive: true }), 404, `NOT_FOUND - no queue '${queue}' in vhost '/'`);
  });

  it('is "no previously declared queue" (404) on a fresh channel', () => {
    const a = setup();
    expectChannelError(a.ch, () => a.ch.basicGet('', true), 404, 'NOT_FOUND - no previously declared queue');
    const b = setup();
    expectChannelError(b.ch, () => b.ch.queueBind('', 'amq.direct', 'k'), 404, 'NOT_FOUND - no previously declared queue');
    const c = setup();
    expectChannelError(c.ch, () => c.ch.queuePurge(''), 404, 'NOT_FOUND - no previously declared queue');
  });

  it('is still a missing queue for a passive declare', () => {
    const { ch } = setup();
    ch.queueDeclare('');
    expectChannelError(ch, () => ch.queueDeclare('', { passive: true }), 404, "NOT_FOUND - no queue '' in vhost '/'");
  });
});

describe('operations on missing queues', () => {
  it.each([
    ['basic.consume', (w: ReturnType<typeof setup>) => w.ch.basicConsume('nope')],
    ['basic.get', (w: ReturnType<typeof setup>) => w.ch.basicGet('nope', false)],
    ['queue.bind', (w: ReturnType<typeof setup>) => w.ch.queueBind('nope', 'amq.direct', 'k')],
    ['queue.purge', (w: ReturnType<typeof setup>) => w.ch.queuePurge('nope')],
  ])('%s: 404', (_, op) => {
    const w = setup();
    expectChannelError(w.ch, () => op(w), 404, "NOT_FOUND - no queue 'nope' in vhost '/'");
  });

  it('queue.bind names the missing exchange first when both are missing', () => {
    const { ch } = setup();
    expectChannelError(ch, () => ch.queueBind('nope.q', 'nope.x', 'k'), 404, "NOT_FOUND - no exchange 'nope.x' in vhost '/'");
  });

  it('queue.unbind and queue.delete succeed (delete reports 0 messages)', () => {
    const { ch } = setup();
    ch.queueUnbind('nope', 'amq.direct', 'k');
    ch.queueUnbind('nope', 'nope.x', 'k');
    expect(ch.queueDelete('nope')).toBe(0);
    expect(ch.queueDelete('nope', { ifUnused: true, ifEmpty: true })).toBe(0);
    expect(ch.open).toBe(true);
  });
});

describe('exclusive queues', () => {
  const locked = (q: string) =>
    `RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${q}' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.`;

  it.each([
    ['queue.declare', (ch: import('../../../src/broker/index.ts').Channel) => ch.queueDeclare('ex', { exclusive: true })],
    ['queue.declare non-exclusive', (ch: import('../../../src/broker/index.ts').Channel) => ch.queueDeclare('ex')],
    ['queue.declare passive', (ch: import('../../../src/broker/index.ts').Channel) => ch.queueDeclare('ex', { passive: true })],
    ['basic.consume', (ch: import('../../../src/broker/index.ts').Channel) => ch.basicConsume('ex')],
    ['basic.get', (ch: import('../../../src/broker/index.ts').Channel) => ch.basicGet('ex', true)],
    ['queue.delete', (ch: import('../../../src/broker/index.ts').Channel) => ch.queueDelete('ex')],
    ['queue.bind', (ch: import('../../../src/broker/index.ts').Channel) => ch.queueBind('ex', 'amq.direct', 'k')],
    ['queue.purge', (ch: import('../../../src/broker/index.ts').Channel) => ch.queuePurge('ex')],
  ])('refuse %s from another connection (405 RESOURCE_LOCKED)', (_, op) => {
    const w = setup();
    w.ch.queueDeclare('ex', { exclusive: true });
    const other = w.channel(w.connect()).ch;
    expectChannelError(other, () => op(other), 405, locked('ex'));
    expect(w.broker.vhost.queues.has('ex')).toBe(true);
  });

  it('accept publishes from anyone, and unbinding what is not bound', () => {
    const w = setup();
    w.ch.queueDeclare('ex', { exclusive: true });
    const other = w.channel(w.connect()).ch;
    other.basicPublish('', 'ex', {}, new TextEncoder().encode('from-b'));
    other.queueUnbind('ex', 'amq.direct', 'k');
    expect(other.open).toBe(true);
    expect(drain(w.ch, 'ex')).toEqual(['from-b']);
  });

  it('refuse unbinding an existing binding from another connection', () => {
    const w = setup();
    w.ch.queueDeclare('ex', { exclusive: true });
    w.ch.queueBind('ex', 'amq.direct', 'k');
    const other = w.channel(w.connect()).ch;
    expectChannelError(other, () => other.queueUnbind('ex', 'amq.direct', 'k'), 405, locked('ex'));
  });

  it('are deleted when the owning connection closes, with their bindings', () => {
    const w = setup();
    w.ch.queueDeclare('ex', { exclusive: true });
    w.ch.queueBind('ex', 'amq.fanout', '');
    publishAll(w.ch, 'ex', ['m']);
    const other = w.channel(w.connect()).ch;
    w.conn.close();
    expectChannelError(other, () => other.queueDeclare('ex', { passive: true }), 404, "NOT_FOUND - no queue 'ex' in vhost '/'");
    expect([...w.broker.vhost.exchanges.get('amq.fanout')!.router.bindings()]).toEqual([]);
    expect(w.eventsOf('queue.deleted').map((e) => [e.queue, e.reason, e.messageCount])).toEqual([['ex', 'owner-closed', 1]]);
  });

  it('outlive the channel that declared them', () => {
    const w = setup();
    w.ch.queueDeclare('ex', { exclusive: true });
    w.ch.close();
    const { ch } = w.channel();
    expect(ch.queueDeclare('ex', { passive: true }).queue).toBe('ex');
  });
});

describe('auto-delete queues', () => {
  it('are not deleted before any consumer came', () => {
    const { ch, clock } = setup();
    ch.queueDeclare('ad', { autoDelete: true });
    clock.advance(60_000);
    expect(ch.queueDeclare('ad', { passive: true }).queue).toBe('ad');
  });

  it('are deleted when the last consumer cancels, not before', () => {
    const { ch } = setup();
    ch.queueDeclare('ad', { autoDelete: true });
    const a = ch.basicConsume('ad');
    const b = ch.basicConsume('ad');
    ch.basicCancel(a);
    expect(ch.queueDeclare('ad', { passive: true })).toMatchObject({ consumerCount: 1 });
    ch.basicCancel(b);
    expectChannelError(ch, () => ch.queueDeclare('ad', { passive: true }), 404, "NOT_FOUND - no queue 'ad' in vhost '/'");
  });

  it('are deleted when the consumer\'s channel closes', () => {
    const w = setup();
    w.ch.queueDeclare('ad', { autoDelete: true });
    const c = w.channel();
    c.ch.basicConsume('ad');
    c.ch.close();
    expect(w.broker.vhost.queues.has('ad')).toBe(false);
  });
});

describe('queue.purge and queue.delete', () => {
  it('purge drops ready messages, returns how many, and keeps unacked ones', () => {
    const { ch } = setup();
    ch.queueDeclare('q');
    publishAll(ch, 'q', ['a', 'b', 'c']);
    const got = ch.basicGet('q', false)!;
    expect(ch.queuePurge('q')).toBe(2);
    expect(readyCount(ch, 'q')).toBe(0);
    ch.basicNack(got.deliveryTag, false, true);
    expect(drain(ch, 'q')).toEqual(['a']);
  });

  it('delete reports the ready messages it dropped', () => {
    const { ch } = setup();
    ch.queueDeclare('q');
    publishAll(ch, 'q', ['a', 'b']);
    expect(ch.queueDelete('q')).toBe(2);
  });

  it('delete if-unused refuses a queue with consumers (406 "in use")', () => {
    const { ch, broker } = setup();
    ch.queueDeclare('q');
    ch.basicConsume('q');
    expectChannelError(ch, () => ch.queueDelete('q', { ifUnused: true }), 406, "PRECONDITION_FAILED - queue 'q' in vhost '/' in use");
    expect(broker.vhost.queues.has('q')).toBe(true);
  });

  it('delete if-empty refuses a queue with messages (406 "not empty")', () => {
    const { ch, broker } = setup();
    ch.queueDeclare('q');
    publishAll(ch, 'q', ['m']);
    expectChannelError(ch, () => ch.queueDelete('q', { ifEmpty: true }), 406, "PRECONDITION_FAILED - queue 'q' in vhost '/' not empty");
    expect(broker.vhost.queues.has('q')).toBe(true);
  });

  it('delete if-unused and if-empty pass for an idle empty queue', () => {
    const { ch, broker } = setup();
    ch.queueDeclare('q');
    expect(ch.queueDelete('q', { ifUnused: true, ifEmpty: true })).toBe(0);
    expect(broker.vhost.queues.has('q')).toBe(false);
  });

  it('delete cancels the consumers with basic.cancel and removes the bindings', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    w.ch.queueBind('q', 'amq.direct', 'k');
    const c1 = w.channel();
    const c2 = w.channel();
    const t1 = c1.ch.basicConsume('q', { consumerTag: 'one' });
    const t2 = c2.ch.basicConsume('q', { consumerTag: 'two' });
    w.ch.queueDelete('q');
    expect(c1.sink.cancels).toEqual([t1]);
    expect(c2.sink.cancels).toEqual([t2]);
    expect(c1.ch.consumers.size).toBe(0);
    expect([...w.broker.vhost.exchanges.get('amq.direct')!.router.bindings()]).toEqual([]);
    // The cancelled tag is free again on that channel.
    w.ch.queueDeclare('q');
    expect(c1.ch.basicConsume('q', { consumerTag: 'one' })).toBe('one');
  });
});
