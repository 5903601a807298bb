// The one event stream the visualiser, the grader and the panels read.
import { describe, expect, it, vi } from 'vitest';
import { Broker, ManualClock, type BrokerEvent } from '../../../src/broker/index.ts';
import { publish, publishAll, RecordingSink, setup } from './helpers.ts';

/** The types of the events about one message, in order. */
const trail = (events: BrokerEvent[], messageId: number) =>
  events.filter((e) => 'messageId' in e && e.messageId === messageId).map((e) => e.type);

describe('the event stream', () => {
  it('numbers events 1, 2, 3, ... and stamps them with the injected clock', () => {
    const { ch, clock, events } = setup();
    const start = clock.now();
    ch.queueDeclare('q');
    clock.advance(250);
    publish(ch, '', 'q', 'm');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const declared = events.find((e) => e.type === 'queue.declared')!;
    const published = events.find((e) => e.type === 'message.published')!;
    expect([declared.time, published.time]).toEqual([start, start + 250]);
  });

  it('follows a message from publish to ack: published, routed (with the binding), enqueued, delivered, acked', () => {
    const { ch, sink, events } = setup();
    ch.queueDeclare('q');
    ch.queueBind('q', 'amq.topic', 'orders.*');
    const tag = ch.basicConsume('q');
    publish(ch, 'amq.topic', 'orders.new', 'm', {}, true);
    ch.basicAck(sink.last().deliveryTag);
    const id = events.find((e) => e.type === 'message.published')!;
    const messageId = (id as { messageId: number }).messageId;
    expect(trail(events, messageId)).toEqual(['message.published', 'message.routed', 'message.enqueued', 'message.delivered', 'message.acked']);
    const byType = Object.fromEntries(events.filter((e) => 'messageId' in e).map((e) => [e.type, e]));
    expect(byType['message.published']).toMatchObject({ exchange: 'amq.topic', routingKey: 'orders.new', mandatory: true, size: 1, connection: ch.connection.id, channel: ch.id });
    expect(byType['message.routed']).toMatchObject({
      queues: ['q'],
      bindings: [{ source: 'amq.topic', destination: 'q', destinationKind: 'queue', routingKey: 'orders.*' }],
    });
    expect(byType['message.enqueued']).toMatchObject({ queue: 'q', ready: 1 });
    expect(byType['message.delivered']).toMatchObject({ queue: 'q', consumerTag: tag, deliveryTag: 1, redelivered: false, noAck: false });
    expect(byType['message.acked']).toMatchObject({ queue: 'q', deliveryTag: 1 });
  });

  it('shows the exchange-to-exchange hop in routed', () => {
    const { ch, events } = setup();
    ch.exchangeDeclare('front', 'direct');
    ch.queueDeclare('q');
    ch.queueBind('q', 'amq.fanout', '');
    ch.exchangeBind('amq.fanout', 'front', 'k');
    publish(ch, 'front', 'k', 'm');
    const routed = events.find((e) => e.type === 'message.routed')!;
    expect(routed).toMatchObject({
      queues: ['q'],
      bindings: [
        { source: 'front', destination: 'amq.fanout', destinationKind: 'exchange', routingKey: 'k' },
        { source: 'amq.fanout', destination: 'q', destinationKind: 'queue', routingKey: '' },
      ],
    });
  });

  it('shows a requeue: nacked, requeued, then delivered again as redelivered', () => {
    const { ch, sink, events } = setup();
    ch.queueDeclare('q');
    ch.basicConsume('q');
    publish(ch, '', 'q', 'm');
    ch.basicNack(sink.last().deliveryTag, false, true);
    const messageId = sink.last().message.id;
    expect(trail(events, messageId)).toEqual([
      'message.published',
      'message.routed',
      'message.enqueued',
      'message.delivered',
      'message.nacked',
      'message.requeued',
      'message.delivered',
    ]);
    const delivered = events.filter((e) => e.type === 'message.delivered');
    expect(delivered.map((e) => [e.redelivered, e.deliveryTag])).toEqual([
      [false, 1],
      [true, 2],
    ]);
    expect(events.find((e) => e.type === 'message.requeued')).toMatchObject({ queue: 'q', reason: 'nack' });
  });

  it('shows rejection to a dead-letter exchange and expiry', () => {
    const { ch, clock, eventsOf } = setup();
    ch.queueDeclare('dlq');
    ch.queueDeclare('q', { arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dlq', 'x-message-ttl': 100 } });
    publishAll(ch, 'q', ['rejected', 'expires']);
    ch.basicReject(ch.basicGet('q', false)!.deliveryTag, false);
    clock.advance(100);
    expect(eventsOf('message.rejected').map((e) => [e.queue, e.requeue])).toEqual([['q', false]]);
    expect(eventsOf('message.expired').map((e) => e.queue)).toEqual(['q']);
    expect(eventsOf('message.dead-lettered').map((e) => [e.queue, e.reason, e.deadLetterExchange, e.routingKey])).toEqual([
      ['q', 'rejected', '', 'dlq'],
      ['q', 'expired', '', 'dlq'],
    ]);
    expect(eventsOf('message.enqueued').filter((e) => e.queue === 'dlq').length).toBe(2);
  });

  it('shows an unroutable mandatory message returned, and confirms', () => {
    const { ch, eventsOf } = setup();
    ch.confirmSelect();
    publish(ch, 'amq.direct', 'nowhere', 'm', {}, true);
    expect(eventsOf('message.unroutable').map((e) => [e.exchange, e.routingKey])).toEqual([['amq.direct', 'nowhere']]);
    expect(eventsOf('message.returned').map((e) => [e.replyCode, e.replyText])).toEqual([[312, 'NO_ROUTE']]);
    expect(eventsOf('message.confirmed').map((e) => [e.deliveryTag, e.multiple, e.ack])).toEqual([[1, false, true]]);
  });

  it('shows topology and consumers: declared, bound, unbound, deleted, consumer added and cancelled', () => {
    const { ch, events } = setup();
    ch.exchangeDeclare('x', 'direct', { durable: true });
    ch.queueDeclare('q', { arguments: { 'x-max-length': 5 } });
    ch.queueBind('q', 'x', 'k');
    const tag = ch.basicConsume('q', { exclusive: true });
    ch.basicCancel(tag);
    ch.queueUnbind('q', 'x', 'k');
    ch.queuePurge('q');
    ch.queueDelete('q');
    ch.exchangeDelete('x');
    const topology = events.filter((e) => !e.type.startsWith('channel.') && !e.type.startsWith('connection.'));
    expect(topology.map((e) => e.type)).toEqual([
      'exchange.declared',
      'queue.declared',
      'binding.added',
      'consumer.added',
      'consumer.activated',
      'consumer.cancelled',
      'binding.removed',
      'queue.purged',
      'queue.deleted',
      'exchange.deleted',
    ]);
    expect(topology[0]).toMatchObject({ exchange: 'x', exchangeType: 'direct', durable: true, autoDelete: false, internal: false });
    expect(topology[1]).toMatchObject({ queue: 'q', queueType: 'classic', durable: false, exclusive: false, arguments: { 'x-max-length': 5 } });
    expect(topology[2]).toMatchObject({ source: 'x', destination: 'q', destinationKind: 'queue', routingKey: 'k' });
    expect(topology[3]).toMatchObject({ queue: 'q', consumerTag: tag, exclusive: true, noAck: false, prefetch: 0 });
    expect(topology[5]).toMatchObject({ consumerTag: tag, by: 'client' });
    expect(topology[8]).toMatchObject({ queue: 'q', reason: 'client', messageCount: 0 });
  });

  it('marks a restart with one event after recovery: which durable queues came back, with how many messages', () => {
    const { broker, ch, events, eventsOf } = setup();
    ch.queueDeclare('tasks', { durable: true });
    ch.queueDeclare('scratch');
    ch.queueDeclare('empty', { durable: true });
    publishAll(ch, 'tasks', ['a', 'b'], { deliveryMode: 2 });
    publish(ch, '', 'tasks', 'transient');
    publish(ch, '', 'scratch', 'gone', { deliveryMode: 2 });
    broker.restart();
    expect(eventsOf('broker.restarted')).toMatchObject([{ queues: [{ queue: 'tasks', messages: 2 }, { queue: 'empty', messages: 0 }], messages: 2 }]);
    // After the forced closes and the recovered declarations: nothing of the restart follows it.
    const at = events.findIndex((e) => e.type === 'broker.restarted');
    expect(events.slice(0, at).filter((e) => e.type === 'connection.closed').map((e) => e.replyCode)).toEqual([320]);
    expect(events.slice(0, at).filter((e) => e.type === 'queue.declared').map((e) => e.queue)).toEqual(['tasks', 'scratch', 'empty', 'tasks', 'empty']);
    expect(events.at(-1)!.type).toBe('broker.restarted');
  });

  it('shows connections and channels opening and closing', () => {
    const clock = new ManualClock();
    const broker = new Broker({ clock });
    const events: BrokerEvent[] = [];
    broker.events.subscribe((e) => events.push(e));
    const conn = broker.connect();
    const ch = conn.openChannel(1, new RecordingSink());
    ch.close();
    conn.close();
    const states = events.filter((e) => e.type === 'connection.state' || e.type === 'channel.state');
    expect(states.length).toBeGreaterThan(0);
    const channelStates = events.filter((e) => e.type === 'channel.state');
    expect(channelStates.at(-1)).toMatchObject({ connection: conn.id, channel: 1, to: 'closed' });
    expect(events.filter((e) => e.type === 'connection.state').at(-1)).toMatchObject({ connection: conn.id, to: 'closed' });
  });

  it('builds no event at all while nobody listens, and stops when the last listener leaves', () => {
    const clock = new ManualClock();
    const broker = new Broker({ clock });
    const emit = vi.spyOn(broker.events, 'emit');
    expect(broker.events.active).toBe(false);
    const workload = () => {
      const conn = broker.connect();
      const ch = conn.openChannel(1, new RecordingSink());
      ch.queueDeclare('q', { arguments: { 'x-message-ttl': 10 } });
      ch.queueBind('q', 'amq.fanout', '');
      ch.basicConsume('q');
      publish(ch, 'amq.fanout', '', 'm');
      publish(ch, '', 'q', 'm2');
      ch.basicNack(1, false, true);
      ch.basicAck(0, true);
      clock.advance(20);
      conn.close();
    };
    workload();
    expect(emit).not.toHaveBeenCalled();
    const seen: BrokerEvent[] = [];
    const stop = broker.events.subscribe((e) => seen.push(e));
    expect(broker.events.active).toBe(true);
    workload();
    expect(seen.length).toBeGreaterThan(10);
    stop();
    expect(broker.events.active).toBe(false);
    emit.mockClear();
    workload();
    expect(emit).not.toHaveBeenCalled();
  });
});
