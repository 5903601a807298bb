// Direct reply-to (amq.rabbitmq.reply-to). RabbitMQ's answers: tests/fixtures/RABBITMQ-BEHAVIOUR.md
// (direct-reply-to).
import { describe, expect, it } from 'vitest';
import { DIRECT_REPLY_TO } from '../../../src/broker/index.ts';
import { expectChannelError, publish, setup } from './helpers.ts';

function rpcWorld() {
  const w = setup();
  const server = w.channel(w.connect());
  server.ch.queueDeclare('rpc');
  const client = w.channel(w.connect());
  const tag = client.ch.basicConsume(DIRECT_REPLY_TO, { noAck: true });
  return { ...w, server, client, tag };
}

describe('direct reply-to', () => {
  it('rewrites reply_to to a routable address and delivers the reply back to the requester', () => {
    const { server, client, tag } = rpcWorld();
    publish(client.ch, '', 'rpc', 'req', { replyTo: DIRECT_REPLY_TO, correlationId: 'c1' });
    const request = server.ch.basicGet('rpc', true)!;
    const replyTo = request.message.properties.replyTo!;
    expect(replyTo.startsWith(`${DIRECT_REPLY_TO}.`)).toBe(true);
    expect(replyTo.length).toBeGreaterThan(DIRECT_REPLY_TO.length + 10);
    expect(request.message.properties.correlationId).toBe('c1');

    publish(server.ch, '', replyTo, 'resp', { correlationId: 'c1' });
    expect(client.sink.deliveries.map((d) => [d.consumerTag, d.body, d.exchange, d.routingKey, d.redelivered, d.properties.correlationId])).toEqual([
      [tag, 'resp', '', replyTo, false, 'c1'],
    ]);
    expect(client.ch.unacked.count).toBe(0);
  });

  it('gives each requesting channel its own address', () => {
    const w = rpcWorld();
    const second = w.channel(w.connect());
    second.ch.basicConsume(DIRECT_REPLY_TO, { noAck: true });
    publish(w.client.ch, '', 'rpc', 'from-1', { replyTo: DIRECT_REPLY_TO });
    publish(second.ch, '', 'rpc', 'from-2', { replyTo: DIRECT_REPLY_TO });
    const r1 = w.server.ch.basicGet('rpc', true)!.message.properties.replyTo!;
    const r2 = w.server.ch.basicGet('rpc', true)!.message.properties.replyTo!;
    expect(r1).not.toBe(r2);
    publish(w.server.ch, '', r2, 'to-2');
    publish(w.server.ch, '', r1, 'to-1');
    expect([w.client.sink.bodies(), second.sink.bodies()]).toEqual([['to-1'], ['to-2']]);
  });

  it('drops a reply to an unknown or gone address without error', () => {
    const { server, client } = rpcWorld();
    publish(client.ch, '', 'rpc', 'req', { replyTo: DIRECT_REPLY_TO });
    const replyTo = server.ch.basicGet('rpc', true)!.message.properties.replyTo!;
    publish(server.ch, '', `${DIRECT_REPLY_TO}.bogus`, 'nobody');
    client.ch.close();
    publish(server.ch, '', replyTo, 'too late');
    expect(server.ch.open).toBe(true);
    expect(client.sink.deliveries).toEqual([]);
  });

  it('requires no-ack on the reply consumer (406)', () => {
    const { ch } = setup();
    expectChannelError(ch, () => ch.basicConsume(DIRECT_REPLY_TO, { noAck: false }), 406, 'PRECONDITION_FAILED - reply consumer cannot acknowledge');
  });

  it('allows one reply consumer per channel (406)', () => {
    const { ch } = setup();
    ch.basicConsume(DIRECT_REPLY_TO, { noAck: true });
    expectChannelError(ch, () => ch.basicConsume(DIRECT_REPLY_TO, { noAck: true }), 406, 'PRECONDITION_FAILED - reply consumer already set');
  });

  it('refuses a request with reply_to amq.rabbitmq.reply-to from a channel not consuming it (406)', () => {
    const { ch } = setup();
    ch.queueDeclare('rpc');
    expectChannelError(ch, () => publish(ch, '', 'rpc', 'req', { replyTo: DIRECT_REPLY_TO }), 406, 'PRECONDITION_FAILED - fast reply consumer does not exist');
  });

  it('stops replies after the reply consumer is cancelled', () => {
    const { server, client, tag } = rpcWorld();
    publish(client.ch, '', 'rpc', 'req', { replyTo: DIRECT_REPLY_TO });
    const replyTo = server.ch.basicGet('rpc', true)!.message.properties.replyTo!;
    client.ch.basicCancel(tag);
    publish(server.ch, '', replyTo, 'resp');
    expect(client.sink.deliveries).toEqual([]);
    expectChannelError(client.ch, () => publish(client.ch, '', 'rpc', 'again', { replyTo: DIRECT_REPLY_TO }), 406, 'PRECONDITION_FAILED - fast reply consumer does not exist');
  });
});

describe('direct reply-to on the event stream', () => {
  it('shows the reply consumer, the reply routed to the pseudo-queue and its delivery, and the cancel', () => {
    const w = rpcWorld();
    publish(w.client.ch, '', 'rpc', 'req', { replyTo: DIRECT_REPLY_TO, correlationId: 'c1' });
    const replyTo = w.server.ch.basicGet('rpc', true)!.message.properties.replyTo!;
    publish(w.server.ch, '', replyTo, 'resp', { correlationId: 'c1' });
    w.client.ch.basicCancel(w.tag);

    expect(w.eventsOf('consumer.added').filter((e) => e.queue === DIRECT_REPLY_TO).map((e) => [e.consumerTag, e.noAck])).toEqual([[w.tag, true]]);
    const reply = w.eventsOf('message.published').find((e) => e.routingKey === replyTo)!;
    const routed = w.eventsOf('message.routed').find((e) => e.messageId === reply.messageId)!;
    expect(routed.queues).toEqual([DIRECT_REPLY_TO]);
    const delivered = w.eventsOf('message.delivered').find((e) => e.messageId === reply.messageId)!;
    expect([delivered.queue, delivered.consumerTag, delivered.noAck]).toEqual([DIRECT_REPLY_TO, w.tag, true]);
    expect(w.eventsOf('consumer.cancelled').map((e) => [e.queue, e.consumerTag, e.by])).toEqual([[DIRECT_REPLY_TO, w.tag, 'client']]);
  });

  it('reports the reply consumer gone when its channel closes', () => {
    const w = rpcWorld();
    w.client.ch.close();
    expect(w.eventsOf('consumer.cancelled').map((e) => [e.queue, e.by])).toEqual([[DIRECT_REPLY_TO, 'channel-closed']]);
  });
});
