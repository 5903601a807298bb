// What closing a channel or connection does, and what survives a broker restart.
// RabbitMQ's answers: tests/fixtures/RABBITMQ-BEHAVIOUR.md (order.classic.close-3-unacked,
// exclusive.deleted-on-close, channel.open-twice).
import { describe, expect, it } from 'vitest';
import { AmqpError, Broker, ManualClock, MemoryStore, type ConnectionSink } from '../../../src/broker/index.ts';
import { dec, drain, enc, expectConnectionError, publish, publishAll, RecordingSink, setup } from './helpers.ts';

describe('closing a channel', () => {
  it('requeues its unacked messages (redelivered) to the other consumers and cancels its own', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    const a = w.channel();
    const b = w.channel();
    a.ch.basicQos(0, 2, false);
    const tagA = a.ch.basicConsume('q');
    publishAll(w.ch, 'q', ['m1', 'm2']);
    b.ch.basicConsume('q');
    a.ch.close();
    expect(b.sink.deliveries.map((d) => [d.body, d.redelivered])).toEqual([
      ['m1', true],
      ['m2', true],
    ]);
    expect(w.eventsOf('consumer.cancelled').map((e) => [e.consumerTag, e.by])).toEqual([[tagA, 'channel-closed']]);
    expect(a.sink.cancels).toEqual([]);
  });

  it('frees its channel number and leaves the connection open', () => {
    const w = setup();
    w.ch.close();
    expect(w.conn.channels.has(1)).toBe(false);
    expect(w.conn.open).toBe(true);
    expect(w.conn.openChannel(1, new RecordingSink()).id).toBe(1);
  });

  it('opening a channel number already open closes the connection (504)', () => {
    const w = setup();
    expectConnectionError(w.ch, () => w.conn.openChannel(1, new RecordingSink()), 504, "CHANNEL_ERROR - second 'channel.open' seen");
  });

  it('after a channel error leaves other channels of the connection untouched', () => {
    const w = setup();
    const other = w.channel();
    other.ch.queueDeclare('q');
    expect(() => w.ch.queueDeclare('nope', { passive: true })).toThrow(AmqpError);
    expect([w.ch.open, other.ch.open, w.conn.open]).toEqual([false, true, true]);
    expect(w.eventsOf('channel.closed').map((e) => [e.channel, e.replyCode, e.replyText])).toEqual([[1, 404, "NOT_FOUND - no queue 'nope' in vhost '/'"]]);
  });
});

describe('closing a connection', () => {
  it('closes every channel, requeues their unacked messages and deletes its exclusive queues', () => {
    const w = setup();
    w.ch.queueDeclare('shared');
    const client = w.connect();
    const c1 = w.channel(client);
    const c2 = w.channel(client);
    c1.ch.queueDeclare('mine', { exclusive: true });
    publishAll(w.ch, 'shared', ['a', 'b']);
    c1.ch.basicGet('shared', false);
    c2.ch.basicConsume('shared');
    client.close();
    expect([c1.ch.open, c2.ch.open, client.open]).toEqual([false, false, false]);
    expect(w.broker.vhost.queues.has('mine')).toBe(false);
    const back = [w.ch.basicGet('shared', true)!, w.ch.basicGet('shared', true)!];
    expect(back.map((g) => [dec(g.message.body), g.redelivered])).toEqual([
      ['a', true],
      ['b', true],
    ]);
    expect(w.broker.connections.has(client.id)).toBe(false);
  });

  it('deletes an auto-delete queue its consumer held', () => {
    const w = setup();
    const client = w.connect();
    const c = w.channel(client);
    c.ch.queueDeclare('ad', { autoDelete: true });
    c.ch.basicConsume('ad');
    client.close();
    expect(w.broker.vhost.queues.has('ad')).toBe(false);
  });

  it('on a connection error does the same and says why', () => {
    const w = setup();
    w.ch.queueDeclare('ex', { exclusive: true });
    expect(() => w.ch.basicPublish('', 'ex', {}, enc('m'), false, true)).toThrow(AmqpError);
    expect(w.conn.open).toBe(false);
    expect(w.broker.vhost.queues.has('ex')).toBe(false);
    expect(w.eventsOf('connection.closed').map((e) => [e.by, e.replyCode, e.replyText])).toEqual([['server', 540, 'NOT_IMPLEMENTED - immediate=true']]);
  });
});

describe('broker restart', () => {
  function durableWorld() {
    const clock = new ManualClock();
    const store = new MemoryStore();
    const broker = new Broker({ clock, store });
    const closed: AmqpError[] = [];
    const connSink: ConnectionSink = { blocked() {}, unblocked() {}, closed: (e) => closed.push(e) };
    const conn = broker.connect({ user: 'guest' }, connSink);
    const sink = new RecordingSink();
    const ch = conn.openChannel(1, sink);
    return { clock, store, broker, conn, ch, sink, closed };
  }

  it('closes every connection with 320 CONNECTION_FORCED', () => {
    const { broker, conn, ch, closed } = durableWorld();
    broker.restart();
    expect(closed.map((e) => [e.replyCode, e.replyText])).toEqual([[320, "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'"]]);
    expect([conn.open, ch.open]).toEqual([false, false]);
    expect(() => broker.connect()).toThrow(AmqpError);
  });

  it('keeps durable exchanges, queues and bindings; forgets transient ones', () => {
    const { broker, ch } = durableWorld();
    ch.exchangeDeclare('dx', 'topic', { durable: true });
    ch.exchangeDeclare('tx', 'fanout');
    ch.queueDeclare('dq', { durable: true, arguments: { 'x-max-length': 10 } });
    ch.queueDeclare('tq');
    ch.queueDeclare('xq', { durable: true, exclusive: true });
    ch.queueBind('dq', 'dx', 'a.*');
    ch.queueBind('tq', 'dx', 'a.*');
    ch.queueBind('dq', 'amq.fanout', '');
    ch.exchangeBind('dx', 'amq.topic', '#');
    const after = broker.restart();
    const vhost = after.vhost;
    expect([...vhost.exchanges.keys()].filter((n) => !n.startsWith('amq.') && n !== '')).toEqual(['dx']);
    expect(vhost.exchanges.get('dx')!.type).toBe('topic');
    expect([...vhost.queues.keys()]).toEqual(['dq']);
    expect(vhost.queues.get('dq')!.settings.maxLength).toBe(10);
    const bindings = (x: string) => [...vhost.exchanges.get(x)!.router.bindings()].map((b) => [b.destination.name, b.routingKey]);
    expect(bindings('dx')).toEqual([['dq', 'a.*']]);
    expect(bindings('amq.fanout')).toEqual([['dq', '']]);
    expect(bindings('amq.topic')).toEqual([['dx', '#']]);
    // And they route.
    const ch2 = after.connect().openChannel(1, new RecordingSink());
    publish(ch2, 'amq.topic', 'a.b', 'through-e2e');
    expect(drain(ch2, 'dq')).toEqual(['through-e2e']);
  });

  it('keeps the persistent messages of durable queues, in order, including unacked ones; drops the rest', () => {
    const { broker, ch } = durableWorld();
    ch.queueDeclare('dq', { durable: true });
    ch.queueDeclare('tq');
    publish(ch, '', 'dq', 'p1', { deliveryMode: 2 });
    publish(ch, '', 'dq', 'transient', { deliveryMode: 1 });
    publish(ch, '', 'dq', 'p2', { deliveryMode: 2, headers: { k: 'v' } });
    publish(ch, '', 'dq', 'acked', { deliveryMode: 2 });
    publish(ch, '', 'dq', 'p3', { deliveryMode: 2 });
    publish(ch, '', 'tq', 'in-transient-queue', { deliveryMode: 2 });
    // Take p1 and leave it unacked, ack 'acked'.
    const p1 = ch.basicGet('dq', false)!;
    expect(dec(p1.message.body)).toBe('p1');
    ch.basicGet('dq', true);
    ch.basicGet('dq', true);
    const acked = ch.basicGet('dq', false)!;
    ch.basicAck(acked.deliveryTag);
    const after = broker.restart();
    const ch2 = after.connect().openChannel(1, new RecordingSink());
    const got = [] as string[];
    for (let g = ch2.basicGet('dq', true); g; g = ch2.basicGet('dq', true)) got.push(dec(g.message.body));
    expect(got).toEqual(['p1', 'p3']);
    expect(after.vhost.queues.has('tq')).toBe(false);
  });

  it('keeps message properties and continues numbering events and messages', () => {
    const { broker, ch } = durableWorld();
    const seqs: number[] = [];
    broker.events.subscribe((e) => seqs.push(e.seq));
    ch.queueDeclare('dq', { durable: true });
    publish(ch, '', 'dq', 'p', { deliveryMode: 2, headers: { k: 'v' }, correlationId: 'c' });
    const before = broker.vhost.queues.get('dq')!.ready.peek()!.id;
    const after = broker.restart();
    const ch2 = after.connect().openChannel(1, new RecordingSink());
    publish(ch2, '', 'dq', 'new', { deliveryMode: 2 });
    const [old, fresh] = [ch2.basicGet('dq', true)!, ch2.basicGet('dq', true)!];
    expect(old.message.properties).toEqual({ deliveryMode: 2, headers: { k: 'v' }, correlationId: 'c' });
    expect(fresh.message.id).toBeGreaterThan(before);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});

describe('a restart and what a consumer had been handed', () => {
  it('brings back an unacked persistent message redelivered, and an untouched one not', () => {
    const { broker, ch } = setup();
    ch.queueDeclare('jobs', { durable: true });
    publishAll(ch, 'jobs', ['handed', 'waiting'], { deliveryMode: 2 });
    expect(ch.basicGet('jobs', false)!.redelivered).toBe(false);
    const after = broker.restart();
    const again = after.connect().openChannel(1);
    const first = again.basicGet('jobs', true)!;
    const second = again.basicGet('jobs', true)!;
    expect([new TextDecoder().decode(first.message.body), first.redelivered]).toEqual(['handed', true]);
    expect([new TextDecoder().decode(second.message.body), second.redelivered]).toEqual(['waiting', false]);
  });
});
