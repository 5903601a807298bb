import { describe, expect, it } from 'vitest';
import { Broker } from '../../../src/broker/index.ts';
import { bindingRows, exchangeRows, queueRows } from '../../../src/playground/broker-rows.ts';

describe('the broker tables list what rabbitmqctl would', () => {
  it('queues with type, durability and counts; exchanges; bindings with the default exchange\'s', () => {
    const broker = new Broker();
    const conn = broker.connect();
    const vhost = broker.vhost;
    vhost.declareQueue(conn, 'tasks', { durable: true });
    vhost.declareQueue(conn, 'hello', { durable: false, autoDelete: true });
    vhost.declareQueue(conn, 'votes', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    vhost.declareExchange('logs', 'fanout', { durable: false });
    vhost.bindQueue(conn, 'hello', 'logs', '', {});

    expect(queueRows(vhost)).toEqual([
      { name: 'hello', type: 'classic', durable: false, exclusive: false, autoDelete: true, ready: 0, unacked: 0, consumers: 0 },
      { name: 'tasks', type: 'classic', durable: true, exclusive: false, autoDelete: false, ready: 0, unacked: 0, consumers: 0 },
      { name: 'votes', type: 'quorum', durable: true, exclusive: false, autoDelete: false, ready: 0, unacked: 0, consumers: 0 },
    ]);
    expect(exchangeRows(vhost).map((x) => x.name)).toEqual(['', 'amq.direct', 'amq.fanout', 'amq.headers', 'amq.match', 'amq.topic', 'logs']);
    expect(exchangeRows(vhost).at(-1)).toEqual({ name: 'logs', type: 'fanout', durable: false });
    expect(bindingRows(vhost)).toEqual([
      { source: '', destination: 'hello', destinationKind: 'queue', routingKey: 'hello' },
      { source: '', destination: 'tasks', destinationKind: 'queue', routingKey: 'tasks' },
      { source: '', destination: 'votes', destinationKind: 'queue', routingKey: 'votes' },
      { source: 'logs', destination: 'hello', destinationKind: 'queue', routingKey: '' },
    ]);
  });
});
