// The Activity feed's sentences: what a learner reads for each broker event.
import { describe, expect, it } from 'vitest';
import type { BrokerEvent, EventBody } from '../../../src/broker/events.ts';
import { activityLine, isActivity, shortName, type ActivityContext } from '../../../src/playground/activity.ts';

let seq = 0;
const ev = (body: EventBody): BrokerEvent => ({ ...body, seq: ++seq, time: 0 }) as BrokerEvent;
const say = (body: EventBody, context?: ActivityContext) => activityLine(ev(body), context);
const conn = { connection: 2, channel: 1 };

describe('activity sentences: a message from publish to ack', () => {
  it('published', () => {
    expect(say({ type: 'message.published', messageId: 3, exchange: 'logs', routingKey: 'info', mandatory: false, properties: {}, size: 5, ...conn })).toBe(
      "#3 published to exchange 'logs' (routing key 'info') by connection 2",
    );
    expect(say({ type: 'message.published', messageId: 1, exchange: '', routingKey: 'hello', mandatory: true, properties: {}, size: 5, ...conn })).toBe(
      "#1 published to the default exchange (routing key 'hello', mandatory) by connection 2",
    );
  });

  it('routed, with the exchange type and server-named queues shortened', () => {
    const routed: EventBody = {
      type: 'message.routed', messageId: 3, exchange: 'logs', routingKey: 'info', queues: ['amq.gen-XaBcDeFgHiJk', 'amq.gen-YbCdEfGh'],
      bindings: [{ source: 'logs', destination: 'amq.gen-XaBcDeFgHiJk', destinationKind: 'queue', routingKey: '' }],
    };
    expect(say(routed, { exchangeType: () => 'fanout' })).toBe('#3 routed by \'logs\' (fanout) to amq.gen-XaBc…, amq.gen-YbCd…');
    expect(say({ type: 'message.routed', messageId: 1, exchange: '', routingKey: 'hello', queues: ['hello'], bindings: [] })).toBe("#1 routed by the default exchange to 'hello'");
    expect(
      say({ type: 'message.routed', messageId: 4, exchange: 'a', routingKey: 'k', queues: ['q'], bindings: [{ source: 'a', destination: 'b', destinationKind: 'exchange', routingKey: 'k' }] }),
    ).toBe("#4 routed by 'a' to 'q' via 'b'");
    const many = Array.from({ length: 7 }, (_, i) => `q${i}`);
    expect(say({ type: 'message.routed', messageId: 5, exchange: 'x', routingKey: '', queues: many, bindings: [] })).toBe("#5 routed by 'x' to 'q0', 'q1', 'q2', 'q3', 'q4', 2 more");
  });

  it('unroutable: dropped, or returned when mandatory', () => {
    const body: EventBody = { type: 'message.unroutable', messageId: 4, exchange: 'logs', routingKey: 'x' };
    expect(say(body)).toBe("#4 unroutable: exchange 'logs' has no matching binding, dropped");
    expect(say(body, { mandatory: (id) => id === 4 })).toBe("#4 unroutable: exchange 'logs' has no matching binding, returned (mandatory)");
    expect(say({ type: 'message.returned', messageId: 4, exchange: 'logs', routingKey: 'x', replyCode: 312, replyText: 'NO_ROUTE', ...conn })).toBe('#4 returned to connection 2: 312 NO_ROUTE');
  });

  it('delivered, to a consumer or by basic.get', () => {
    const base = { type: 'message.delivered', messageId: 3, queue: 'tasks', deliveryTag: 1, deliveryCount: 1, ...conn } as const;
    expect(say({ ...base, consumerTag: 'amq.ctag-AbCdEfGhIj', redelivered: true, noAck: false })).toBe("#3 delivered to amq.ctag-AbCd… from 'tasks' (delivery tag 1, redelivered)");
    expect(say({ ...base, consumerTag: 'worker-1', redelivered: false, noAck: true })).toBe("#3 delivered to 'worker-1' from 'tasks' (delivery tag 1, auto-ack)");
    expect(say({ ...base, consumerTag: null, redelivered: false, noAck: false })).toBe("#3 fetched from 'tasks' with basic.get by connection 2 (delivery tag 1)");
  });

  it('acked, nacked, rejected', () => {
    expect(say({ type: 'message.acked', messageId: 3, queue: 'tasks', deliveryTag: 1, ...conn })).toBe('#3 acked');
    expect(say({ type: 'message.nacked', messageId: 3, queue: 'tasks', deliveryTag: 1, requeue: true, ...conn })).toBe('#3 nacked, requeued');
    expect(say({ type: 'message.rejected', messageId: 3, queue: 'tasks', deliveryTag: 1, requeue: false, ...conn })).toBe('#3 rejected, not requeued');
  });

  it('requeued: only when no nack or reject said so already', () => {
    expect(say({ type: 'message.requeued', messageId: 3, queue: 'tasks', reason: 'nack' })).toBeNull();
    expect(say({ type: 'message.requeued', messageId: 3, queue: 'tasks', reason: 'reject' })).toBeNull();
    expect(say({ type: 'message.requeued', messageId: 3, queue: 'tasks', reason: 'channel-closed' })).toBe("#3 requeued to 'tasks' (its channel closed unacked)");
  });

  it('dead-lettered, expired, dropped, refused', () => {
    expect(say({ type: 'message.dead-lettered', messageId: 3, queue: 'jobs', reason: 'rejected', deadLetterExchange: 'dlx', routingKey: 'jobs' })).toBe(
      "#3 dead-lettered from 'jobs' (rejected) to exchange 'dlx'",
    );
    expect(say({ type: 'message.dead-lettered', messageId: 3, queue: 'jobs.wait', reason: 'expired', deadLetterExchange: '', routingKey: 'jobs' })).toBe(
      "#3 dead-lettered from 'jobs.wait' (expired) to the default exchange",
    );
    expect(say({ type: 'message.expired', messageId: 3, queue: 'jobs.wait' })).toBe("#3 expired in 'jobs.wait'");
    expect(say({ type: 'message.dropped', messageId: 3, queue: 'jobs', reason: 'maxlen' })).toBe("#3 dropped from 'jobs' (queue full)");
    expect(say({ type: 'message.rejected-by-queue', messageId: 3, queue: 'jobs', reason: 'maxlen' })).toBe("#3 refused by 'jobs' (queue full)");
  });

  it('publisher confirms, one line each', () => {
    expect(say({ type: 'message.confirmed', deliveryTag: 3, multiple: false, ack: true, ...conn })).toBe('confirmed to connection 2 (delivery tag 3)');
    expect(say({ type: 'message.confirmed', deliveryTag: 5, multiple: true, ack: false, ...conn })).toBe('nack-confirmed to connection 2 (delivery tags up to 5)');
  });
});

describe('activity sentences: topology, consumers, connections, restarts', () => {
  it('queues', () => {
    const q = { type: 'queue.declared', queueType: 'classic', exclusive: false, autoDelete: false, arguments: {} } as const;
    expect(say({ ...q, queue: 'tasks', durable: true })).toBe("queue 'tasks' declared (durable)");
    expect(say({ ...q, queue: 'hello', durable: false })).toBe("queue 'hello' declared");
    expect(say({ ...q, queue: 'amq.gen-XaBcDeFg', durable: false, exclusive: true, autoDelete: true })).toBe('queue amq.gen-XaBc… declared (exclusive, auto-delete)');
    expect(say({ ...q, queueType: 'quorum', queue: 'orders', durable: true })).toBe("queue 'orders' declared (quorum, durable)");
    expect(say({ type: 'queue.deleted', queue: 'tasks', reason: 'client', messageCount: 2 })).toBe("queue 'tasks' deleted, 2 messages dropped");
    expect(say({ type: 'queue.deleted', queue: 'hello', reason: 'restart', messageCount: 0 })).toBe("queue 'hello' gone after the restart (not durable)");
    expect(say({ type: 'queue.purged', queue: 'tasks', messageCount: 1 })).toBe("queue 'tasks' purged (1 message)");
  });

  it('exchanges and bindings', () => {
    expect(say({ type: 'exchange.declared', exchange: 'logs', exchangeType: 'fanout', durable: false, autoDelete: false, internal: false, arguments: {} })).toBe(
      "exchange 'logs' declared (fanout)",
    );
    expect(say({ type: 'exchange.deleted', exchange: 'logs' })).toBe("exchange 'logs' deleted");
    expect(say({ type: 'binding.added', source: 'logs', destination: 'amq.gen-XaBcDe', destinationKind: 'queue', routingKey: '', arguments: {} })).toBe(
      "queue amq.gen-XaBc… bound to 'logs' (empty routing key)",
    );
    expect(say({ type: 'binding.removed', source: 'topic_logs', destination: 'q', destinationKind: 'queue', routingKey: '*.info', arguments: {} })).toBe(
      "queue 'q' unbound from 'topic_logs' (routing key '*.info')",
    );
  });

  it('consumers', () => {
    const c = { type: 'consumer.added', queue: 'tasks', consumerTag: 'amq.ctag-AbCdEfGh', exclusive: false, ...conn } as const;
    expect(say({ ...c, noAck: false, prefetch: 1 })).toBe("consumer amq.ctag-AbCd… added on 'tasks' (prefetch 1)");
    expect(say({ ...c, noAck: true, prefetch: 0 })).toBe("consumer amq.ctag-AbCd… added on 'tasks' (auto-ack)");
    expect(say({ ...c, noAck: false, prefetch: 0 })).toBe("consumer amq.ctag-AbCd… added on 'tasks' (no prefetch limit)");
    expect(say({ type: 'consumer.cancelled', queue: 'tasks', consumerTag: 'amq.ctag-AbCdEfGh', by: 'channel-closed', ...conn })).toBe(
      "consumer amq.ctag-AbCd… on 'tasks' cancelled (its channel closed)",
    );
  });

  it('connections and channels: closes only, normal channel closes left out', () => {
    expect(say({ type: 'connection.closed', connection: 2, replyCode: 200, replyText: 'OK', by: 'client' })).toBe('connection 2 closed');
    expect(
      say({ type: 'connection.closed', connection: 2, replyCode: 320, replyText: "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'", by: 'server' }),
    ).toBe("connection 2 closed by the broker: 320 CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'");
    expect(say({ type: 'connection.closed', connection: 3, replyCode: 0, replyText: 'client unexpectedly closed TCP connection', by: 'lost' })).toBe(
      'connection 3 lost: client unexpectedly closed TCP connection',
    );
    expect(say({ type: 'channel.closed', ...conn, replyCode: 404, replyText: "NOT_FOUND - no queue 'nope' in vhost '/'" })).toBe(
      "channel 1 of connection 2 closed: 404 NOT_FOUND - no queue 'nope' in vhost '/'",
    );
    expect(say({ type: 'channel.closed', ...conn, replyCode: 200, replyText: 'OK' })).toBeNull();
    expect(say({ type: 'connection.blocked', connection: 2, reason: 'low on memory' })).toBe('connection 2 blocked: low on memory');
    expect(say({ type: 'connection.unblocked', connection: 2 })).toBe('connection 2 unblocked');
  });

  it('broker restarted', () => {
    expect(say({ type: 'broker.restarted', queues: [{ queue: 'tasks', messages: 0 }], messages: 0 })).toBe('broker restarted: 1 durable queue came back');
    expect(say({ type: 'broker.restarted', queues: [{ queue: 'a', messages: 2 }, { queue: 'b', messages: 1 }], messages: 3 })).toBe(
      'broker restarted: 2 durable queues came back with 3 messages',
    );
    expect(say({ type: 'broker.restarted', queues: [], messages: 0 })).toBe('broker restarted: no durable queue came back');
  });

  it('leaves out noise, and isActivity agrees with activityLine', () => {
    const noise: EventBody[] = [
      { type: 'frame', connection: 1, direction: 'in', channel: 0, frameType: 'heartbeat', size: 8 },
      { type: 'connection.state', connection: 1, from: 'opening', to: 'open' },
      { type: 'channel.state', connection: 1, channel: 1, from: 'opening', to: 'open' },
      { type: 'message.enqueued', messageId: 1, queue: 'hello', ready: 1 },
      { type: 'consumer.activated', queue: 'hello', consumerTag: 'amq.ctag-AbCdEfGh' },
    ];
    for (const body of noise) {
      expect(isActivity(ev(body))).toBe(false);
      expect(say(body)).toBeNull();
    }
    expect(isActivity(ev({ type: 'message.acked', messageId: 1, queue: 'q', deliveryTag: 1, ...conn }))).toBe(true);
  });

  it('shortens only server-generated names', () => {
    expect(shortName('hello')).toBe("'hello'");
    expect(shortName('amq.gen-abc')).toBe('amq.gen-abc');
    expect(shortName('amq.ctag-0123456789')).toBe('amq.ctag-0123…');
  });
});
