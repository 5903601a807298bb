// A broker that dies without stopping (kill -9, a crash): what its durable queues give back.
// RabbitMQ 3.10, observed (tests/fixtures/RABBITMQ-BEHAVIOUR.md, "Recovery after SIGKILL"):
// a classic queue marks every recovered message redelivered, delivered or not; a quorum queue
// marks exactly the ones it had handed out, counting the return in x-delivery-count.
// A crash here is a new Broker over the same MemoryStore, the old one never stopped.
import { describe, expect, it } from 'vitest';
import { Broker, ManualClock, MemoryStore, type Channel, type QueuedMessage } from '../../../src/broker/index.ts';
import { RecordingSink, enc } from './helpers.ts';

const PERSISTENT = { deliveryMode: 2 };
const quorum = { durable: true, arguments: { 'x-queue-type': 'quorum' } };

/** Counts what the broker tells the store about deliveries. */
class CountingStore extends MemoryStore {
  marked: string[] = [];
  override markDelivered(queue: string, m: QueuedMessage, deliveryCount: number): void {
    this.marked.push(`${queue}/${new TextDecoder().decode(m.body)}#${deliveryCount}`);
    super.markDelivered(queue, m, deliveryCount);
  }
}

/** A broker over `store` (a restart: it recovers what the store holds) and a channel on it. */
function start(store: MemoryStore): { broker: Broker; ch: Channel; sink: RecordingSink } {
  return client(new Broker({ clock: new ManualClock(), store }));
}

function client(broker: Broker): { broker: Broker; ch: Channel; sink: RecordingSink } {
  const sink = new RecordingSink();
  return { broker, ch: broker.connect().openChannel(1, sink), sink };
}

/**
 * m1..m6 persistent (and t7 transient) in `queue`; a consumer with prefetch 3 takes m1..m3
 * and is cancelled, m1 acked, m2 and m3 left unacked; m4 fetched with basic.get and nacked
 * back (ready again, redelivered); m5 and m6 never delivered.
 */
function handleSome(ch: Channel, sink: RecordingSink, queue: string): void {
  for (let i = 1; i <= 6; i++) ch.basicPublish('', queue, PERSISTENT, enc(`m${i}`));
  ch.basicPublish('', queue, { deliveryMode: 1 }, enc('t7'));
  ch.basicQos(0, 3, false);
  const tag = ch.basicConsume(queue, { noAck: false });
  ch.basicCancel(tag);
  const got = sink.take();
  expect(got.map((d) => d.body)).toEqual(['m1', 'm2', 'm3']);
  ch.basicAck(got[0]!.deliveryTag);
  const m4 = ch.basicGet(queue, false)!;
  expect(m4.message.body).toEqual(enc('m4'));
  ch.basicNack(m4.deliveryTag, false, true);
}

/** Everything in the queue, by a consumer: [body, redelivered, x-delivery-count]. */
function consumeAll(ch: Channel, sink: RecordingSink, queue: string): [string, boolean, unknown][] {
  sink.take();
  const tag = ch.basicConsume(queue, { noAck: true });
  ch.basicCancel(tag);
  return sink.take().map((d) => [d.body, d.redelivered, d.properties.headers?.['x-delivery-count'] ?? null]);
}

describe('recovery after the broker was killed', () => {
  it('classic queues: every recovered message comes back redelivered, even never-delivered ones and queues nobody used', () => {
    const store = new MemoryStore();
    const before = start(store);
    before.ch.queueDeclare('jobs', { durable: true });
    before.ch.queueDeclare('untouched', { durable: true });
    handleSome(before.ch, before.sink, 'jobs');
    before.ch.basicPublish('', 'untouched', PERSISTENT, enc('u1'));
    before.ch.basicPublish('', 'untouched', PERSISTENT, enc('u2'));

    const after = start(store); // the old broker was never stopped
    expect(consumeAll(after.ch, after.sink, 'jobs')).toEqual([
      ['m2', true, null],
      ['m3', true, null],
      ['m4', true, null],
      ['m5', true, null],
      ['m6', true, null],
    ]);
    expect(consumeAll(after.ch, after.sink, 'untouched')).toEqual([
      ['u1', true, null],
      ['u2', true, null],
    ]);
  });

  it('quorum queues: exactly the delivered ones come back redelivered, with the return counted', () => {
    const store = new CountingStore();
    const before = start(store);
    before.ch.queueDeclare('qq', quorum);
    handleSome(before.ch, before.sink, 'qq');
    // Told once per unacked delivery (not for t7, which nobody took), with the count a
    // return would give.
    expect(store.marked).toEqual(['qq/m1#1', 'qq/m2#1', 'qq/m3#1', 'qq/m4#1']);

    const after = start(store);
    // A quorum queue keeps every message it accepted: the transient t7 comes back too.
    expect(consumeAll(after.ch, after.sink, 'qq')).toEqual([
      ['m2', true, 1],
      ['m3', true, 1],
      ['m4', true, 1],
      ['m5', false, null],
      ['m6', false, null],
      ['t7', false, null],
    ]);
  });

  it('a quorum message delivered again after a return is counted again', () => {
    const store = new MemoryStore();
    const before = start(store);
    before.ch.queueDeclare('qq', quorum);
    before.ch.basicPublish('', 'qq', PERSISTENT, enc('poison'));
    const first = before.ch.basicGet('qq', false)!;
    before.ch.basicNack(first.deliveryTag, false, true);
    expect(before.ch.basicGet('qq', false)!.message.deliveryCount).toBe(1); // held when killed

    const after = start(store);
    expect(consumeAll(after.ch, after.sink, 'qq')).toEqual([['poison', true, 2]]);
  });

  it('classic queues never tell the store of deliveries (the hot path stays free)', () => {
    const store = new CountingStore();
    const { ch, sink } = start(store);
    ch.queueDeclare('jobs', { durable: true });
    handleSome(ch, sink, 'jobs');
    expect(store.marked).toEqual([]);
  });

  it('a clean stop after a crash recovery is trusted again; a run that starts and is killed is not', () => {
    const store = new MemoryStore();
    const first = start(store);
    first.ch.queueDeclare('jobs', { durable: true });
    first.ch.basicPublish('', 'jobs', PERSISTENT, enc('old'));

    const second = start(store); // crash: 'old' is now redelivered
    second.ch.basicPublish('', 'jobs', PERSISTENT, enc('new'));
    const third = client(second.broker.restart()); // a clean stop, then a restart
    expect(third.broker.vhost.queues.get('jobs')!.messageCount).toBe(2);
    expect(consumeAll(third.ch, third.sink, 'jobs')).toEqual([
      ['old', true, null],
      ['new', false, null],
    ]);

    third.ch.basicPublish('', 'jobs', PERSISTENT, enc('again'));
    third.broker.stop();
    start(store); // a run that does nothing and is killed
    const fifth = start(store);
    expect(consumeAll(fifth.ch, fifth.sink, 'jobs')).toEqual([['again', true, null]]);
  });
});
