// Message TTL, queue expiry, length limits and priorities, driven by a ManualClock. RabbitMQ's
// answers: tests/fixtures/RABBITMQ-BEHAVIOUR.md (overflow.classic, lifecycle.x-expires,
// priority.order, dlx.ttl0, routing.invalid-expiration).
import { describe, expect, it } from 'vitest';
import { drain, expectChannelError, publish, publishAll, readyCount, setup } from './helpers.ts';

describe('x-message-ttl', () => {
  it('expires a message exactly when its time in the queue is up', () => {
    const { ch, clock, eventsOf } = setup();
    ch.queueDeclare('q', { arguments: { 'x-message-ttl': 1000 } });
    publish(ch, '', 'q', 'm');
    clock.advance(999);
    expect(readyCount(ch, 'q')).toBe(1);
    clock.advance(1);
    expect(readyCount(ch, 'q')).toBe(0);
    expect(eventsOf('message.expired').map((e) => e.queue)).toEqual(['q']);
  });

  it('gives each message its own clock: later ones live on', () => {
    const { ch, clock } = setup();
    ch.queueDeclare('q', { arguments: { 'x-message-ttl': 1000 } });
    publish(ch, '', 'q', 'early');
    clock.advance(600);
    publish(ch, '', 'q', 'late');
    clock.advance(600);
    expect(drain(ch, 'q')).toEqual(['late']);
  });

  it('is never applied to a message while it is unacked, but once it is back and due, it is gone', () => {
    const { ch, clock } = setup();
    ch.queueDeclare('q', { arguments: { 'x-message-ttl': 1000 } });
    publish(ch, '', 'q', 'm');
    const got = ch.basicGet('q', false)!;
    clock.advance(5000);
    expect(ch.unacked.count).toBe(1);
    ch.basicNack(got.deliveryTag, false, true);
    expect(ch.basicGet('q', true)).toBeNull();
  });

  it('with TTL 0 delivers to a consumer that has room and expires the message otherwise', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('q', { arguments: { 'x-message-ttl': 0 } });
    publish(ch, '', 'q', 'nobody-listening');
    expect(readyCount(ch, 'q')).toBe(0);
    ch.basicQos(0, 1, false);
    ch.basicConsume('q');
    publish(ch, '', 'q', 'taken');
    publish(ch, '', 'q', 'no-room');
    expect(sink.bodies()).toEqual(['taken']);
    expect(readyCount(ch, 'q')).toBe(0);
    ch.basicAck(sink.last().deliveryTag);
    expect(sink.bodies()).toEqual(['taken']);
  });
});

describe('per-message expiration', () => {
  it('expires a message at the head when its expiration passes', () => {
    const { ch, clock } = setup();
    ch.queueDeclare('q');
    publish(ch, '', 'q', 'short', { expiration: '50' });
    clock.advance(49);
    expect(readyCount(ch, 'q')).toBe(1);
    clock.advance(1);
    expect(readyCount(ch, 'q')).toBe(0);
  });

  it('only expires at the head: a short-lived message behind a long-lived one is still counted', () => {
    const { ch, clock } = setup();
    ch.queueDeclare('q');
    publish(ch, '', 'q', 'long', { expiration: '5000' });
    publish(ch, '', 'q', 'short', { expiration: '50' });
    clock.advance(300);
    expect(readyCount(ch, 'q')).toBe(2);
    expect(ch.basicGet('q', true)!.message.body).toEqual(new TextEncoder().encode('long'));
    // The expired one is now at the head and is never handed out.
    expect(ch.basicGet('q', true)).toBeNull();
    expect(readyCount(ch, 'q')).toBe(0);
  });

  it('uses the lower of the queue TTL and the message expiration', () => {
    const { ch, clock } = setup();
    ch.queueDeclare('q', { arguments: { 'x-message-ttl': 100 } });
    publish(ch, '', 'q', 'message says 10s', { expiration: '10000' });
    publish(ch, '', 'q', 'message says 10ms', { expiration: '10' });
    clock.advance(10);
    expect(drain(ch, 'q')).toEqual(['message says 10s']);
    publish(ch, '', 'q', 'again', { expiration: '10000' });
    clock.advance(100);
    expect(readyCount(ch, 'q')).toBe(0);
  });

  it('accepts "0" and refuses values RabbitMQ cannot parse (406, channel closed)', () => {
    const ok = setup();
    ok.ch.queueDeclare('q');
    publish(ok.ch, '', 'q', 'zero', { expiration: '0' });
    expect(ok.ch.open).toBe(true);
    const cases: [string, string][] = [
      ['abc', 'no_integer'],
      ['-1', '{value_negative,-1}'],
      ['1.5', '{leftover_string,".5"}'],
      ['', 'no_integer'],
    ];
    for (const [expiration, term] of cases) {
      const { ch } = setup();
      ch.queueDeclare('q');
      expectChannelError(ch, () => publish(ch, '', 'q', 'm', { expiration }), 406, `PRECONDITION_FAILED - invalid expiration '${expiration}': ${term}`);
    }
  });
});

describe('x-expires', () => {
  it('deletes a queue that nobody used for that long', () => {
    const { ch, clock, eventsOf } = setup();
    ch.queueDeclare('q', { arguments: { 'x-expires': 300 } });
    clock.advance(299);
    expect(ch.queueDeclare('q', { passive: true }).queue).toBe('q');
    clock.advance(300);
    expectChannelError(ch, () => ch.queueDeclare('q', { passive: true }), 404, "NOT_FOUND - no queue 'q' in vhost '/'");
    expect(eventsOf('queue.deleted').map((e) => [e.queue, e.reason])).toEqual([['q', 'expired']]);
  });

  it('restarts the countdown on declare and basic.get, and never expires a queue with a consumer', () => {
    const { ch, clock, broker } = setup();
    ch.queueDeclare('q', { arguments: { 'x-expires': 300 } });
    clock.advance(200);
    ch.queueDeclare('q', { arguments: { 'x-expires': 300 } });
    clock.advance(200);
    ch.basicGet('q', true);
    clock.advance(200);
    expect(broker.vhost.queues.has('q')).toBe(true);
    const tag = ch.basicConsume('q');
    clock.advance(10_000);
    expect(broker.vhost.queues.has('q')).toBe(true);
    ch.basicCancel(tag);
    clock.advance(299);
    expect(broker.vhost.queues.has('q')).toBe(true);
    clock.advance(1);
    expect(broker.vhost.queues.has('q')).toBe(false);
  });

  it('is not reset by messages arriving', () => {
    const { ch, clock, broker } = setup();
    ch.queueDeclare('q', { arguments: { 'x-expires': 300 } });
    clock.advance(200);
    publish(ch, '', 'q', 'm');
    clock.advance(100);
    expect(broker.vhost.queues.has('q')).toBe(false);
  });
});

describe('x-max-length and x-max-length-bytes', () => {
  it('drop-head (the default) drops the oldest ready messages', () => {
    const { ch, eventsOf } = setup();
    ch.queueDeclare('q', { arguments: { 'x-max-length': 2 } });
    publishAll(ch, 'q', ['m1', 'm2', 'm3', 'm4']);
    expect(drain(ch, 'q')).toEqual(['m3', 'm4']);
    expect(eventsOf('message.dropped').map((e) => e.reason)).toEqual(['maxlen', 'maxlen']);
  });

  it('counts only ready messages: unacked ones do not take room', () => {
    const { ch } = setup();
    ch.queueDeclare('q', { arguments: { 'x-max-length': 1 } });
    publishAll(ch, 'q', ['m1']);
    ch.basicGet('q', false);
    publishAll(ch, 'q', ['m2']);
    expect(drain(ch, 'q')).toEqual(['m2']);
  });

  it('limits by body bytes: aaa, bbb, cc into 5 bytes keeps bbb and cc', () => {
    const { ch } = setup();
    ch.queueDeclare('q', { arguments: { 'x-max-length-bytes': 5 } });
    publishAll(ch, 'q', ['aaa', 'bbb', 'cc']);
    expect(drain(ch, 'q')).toEqual(['bbb', 'cc']);
  });

  it('with x-max-length 0 keeps nothing, and a publisher confirm still acks', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('q', { arguments: { 'x-max-length': 0 } });
    ch.confirmSelect();
    publish(ch, '', 'q', 'm');
    expect(sink.confirms).toEqual([{ deliveryTag: 1, multiple: false, ack: true }]);
    expect(readyCount(ch, 'q')).toBe(0);
  });

  it('drop-head with a consumer waiting delivers first, so nothing is dropped', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('q', { arguments: { 'x-max-length': 0 } });
    ch.basicConsume('q', { noAck: true });
    publishAll(ch, 'q', ['m1', 'm2', 'm3']);
    expect(sink.bodies()).toEqual(['m1', 'm2', 'm3']);
  });

  it('reject-publish refuses new messages when full: nack to a confirming publisher', () => {
    const { ch, sink, eventsOf } = setup();
    ch.queueDeclare('q', { arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    ch.confirmSelect();
    publishAll(ch, 'q', ['m1', 'm2', 'm3']);
    expect(sink.confirms).toEqual([
      { deliveryTag: 1, multiple: false, ack: true },
      { deliveryTag: 2, multiple: false, ack: false },
      { deliveryTag: 3, multiple: false, ack: false },
    ]);
    expect(drain(ch, 'q')).toEqual(['m1']);
    expect(eventsOf('message.rejected-by-queue').length).toBe(2);
  });

  it('reject-publish without confirms drops silently and keeps the channel open', () => {
    const { ch } = setup();
    ch.queueDeclare('q', { arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    publishAll(ch, 'q', ['m1', 'm2']);
    expect(ch.open).toBe(true);
    expect(drain(ch, 'q')).toEqual(['m1']);
  });

  it('reject-publish nacks a message routed to several queues if any one refuses it', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('full', { arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' } });
    ch.queueDeclare('open');
    ch.queueBind('full', 'amq.fanout', '');
    ch.queueBind('open', 'amq.fanout', '');
    ch.confirmSelect();
    publish(ch, 'amq.fanout', '', 'm');
    expect(sink.confirms).toEqual([{ deliveryTag: 1, multiple: false, ack: false }]);
    expect(drain(ch, 'open')).toEqual(['m']);
  });

  it('reject-publish-dlx nacks and dead-letters the refused message (reason maxlen)', () => {
    const { ch, sink } = setup();
    ch.exchangeDeclare('dlx', 'fanout');
    ch.queueDeclare('dlq');
    ch.queueBind('dlq', 'dlx', '');
    ch.queueDeclare('q', { arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish-dlx', 'x-dead-letter-exchange': 'dlx' } });
    ch.confirmSelect();
    publishAll(ch, 'q', ['m1', 'm2', 'm3']);
    expect(sink.confirms.map((c) => c.ack)).toEqual([true, false, false]);
    expect(drain(ch, 'q')).toEqual(['m1']);
    const dead = [ch.basicGet('dlq', true)!, ch.basicGet('dlq', true)!];
    expect(dead.map((d) => new TextDecoder().decode(d.message.body))).toEqual(['m2', 'm3']);
    const death = (dead[0]!.message.properties.headers!['x-death'] as Record<string, unknown>[])[0]!;
    expect(death['reason']).toBe('maxlen');
    expect(death['queue']).toBe('q');
  });
});

describe('x-max-priority', () => {
  it('delivers higher priorities first, FIFO within one priority, above-max as max', () => {
    const { ch } = setup();
    ch.queueDeclare('q', { arguments: { 'x-max-priority': 10 } });
    publish(ch, '', 'q', 'p0', { priority: 0 });
    publish(ch, '', 'q', 'none');
    publish(ch, '', 'q', 'p5', { priority: 5 });
    publish(ch, '', 'q', 'p9', { priority: 9 });
    publish(ch, '', 'q', 'p5b', { priority: 5 });
    publish(ch, '', 'q', 'p20', { priority: 20 });
    expect(drain(ch, 'q')).toEqual(['p20', 'p9', 'p5', 'p5b', 'p0', 'none']);
  });

  it('puts a requeued message back in its place within its priority', () => {
    const { ch } = setup();
    ch.queueDeclare('q', { arguments: { 'x-max-priority': 5 } });
    publish(ch, '', 'q', 'hi-1', { priority: 5 });
    publish(ch, '', 'q', 'hi-2', { priority: 5 });
    publish(ch, '', 'q', 'lo', { priority: 1 });
    const first = ch.basicGet('q', false)!;
    publish(ch, '', 'q', 'hi-3', { priority: 5 });
    ch.basicReject(first.deliveryTag, true);
    expect(drain(ch, 'q')).toEqual(['hi-1', 'hi-2', 'hi-3', 'lo']);
  });

  it('is ignored by a queue without x-max-priority: plain FIFO', () => {
    const { ch } = setup();
    ch.queueDeclare('q');
    publish(ch, '', 'q', 'low', { priority: 0 });
    publish(ch, '', 'q', 'high', { priority: 9 });
    expect(drain(ch, 'q')).toEqual(['low', 'high']);
  });
});
