import { describe, expect, it } from 'vitest';
import { Broker } from '../../../src/broker/index.ts';
import { WireClient, closeArgs, text, type Received } from './wire-client.ts';

function open(broker = new Broker(), options: { frameMax?: number } = {}): WireClient {
  const client = new WireClient(broker, { log: () => {} });
  client.handshake(options);
  client.openChannel(1);
  return client;
}

/** Deliveries as [consumerTag or get, deliveryTag, body], reassembled from frames. */
function contents(frames: Received[]): { method: string; args: Record<string, unknown>; body: string; bodyFrames: number[] }[] {
  const out: { method: string; args: Record<string, unknown>; body: string; bodyFrames: number[] }[] = [];
  for (const f of frames) {
    if (f.type === 'method' && ['basic.deliver', 'basic.get-ok', 'basic.return'].includes(f.method.name)) {
      out.push({ method: f.method.name, args: f.method.args as Record<string, unknown>, body: '', bodyFrames: [] });
    } else if (f.type === 'body') {
      const last = out[out.length - 1]!;
      last.body += text(f.payload);
      last.bodyFrames.push(f.payload.length);
    }
  }
  return out;
}

describe('channels', () => {
  it('publishes, consumes and acks a message whose body spans frames, both ways', () => {
    const broker = new Broker();
    const client = open(broker, { frameMax: 8192 });
    client.send(1, { name: 'queue.declare', args: { queue: 'hello' } });
    expect(client.methods()).toEqual([{ name: 'queue.declare-ok', args: { queue: 'hello', messageCount: 0, consumerCount: 0 } }]);
    client.send(1, { name: 'basic.qos', args: { prefetchCount: 1 } });
    client.send(1, { name: 'basic.consume', args: { queue: 'hello', consumerTag: 'c1' } });
    expect(client.names()).toEqual(['basic.qos-ok', 'basic.consume-ok']);

    const body = 'x'.repeat(20_000);
    client.publish(1, 'hello', body, { frameMax: 8192, properties: { contentType: 'text/plain', headers: { n: 1 } } });
    const frames = client.take();
    const [delivery] = contents(frames);
    expect(delivery?.args).toEqual({ consumerTag: 'c1', deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'hello' });
    expect(delivery?.body).toBe(body);
    expect(delivery?.bodyFrames).toEqual([8184, 8184, 3632]); // split by the negotiated frame-max
    const header = frames.find((f) => f.type === 'header');
    expect(header).toEqual({ type: 'header', channel: 1, bodySize: 20_000, properties: { contentType: 'text/plain', headers: { n: 1 } } });

    client.send(1, { name: 'basic.ack', args: { deliveryTag: 1 } });
    expect(client.take()).toEqual([]);
    expect(broker.vhost.queues.get('hello')!.messageCount).toBe(0);
    expect(broker.vhost.queues.get('hello')!.unackedCount).toBe(0);
  });

  it('writes consume-ok before the deliveries the consume caused', () => {
    const client = open();
    client.send(1, { name: 'queue.declare', args: { queue: 'q' } });
    client.publish(1, 'q', 'm1');
    client.publish(1, 'q', 'm2');
    client.methods();
    client.send(1, { name: 'basic.consume', args: { queue: 'q', consumerTag: 'c' } });
    expect(client.names()).toEqual(['basic.consume-ok', 'basic.deliver', 'basic.deliver']);
  });

  it('answers basic.get with get-ok and content, or get-empty', () => {
    const client = open();
    client.send(1, { name: 'queue.declare', args: { queue: 'q' } });
    client.publish(1, 'q', 'only');
    client.methods();
    client.send(1, { name: 'basic.get', args: { queue: 'q', noAck: true } });
    const [got] = contents(client.take());
    expect(got).toMatchObject({ method: 'basic.get-ok', body: 'only', args: { deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'q', messageCount: 0 } });
    client.send(1, { name: 'basic.get', args: { queue: 'q' } });
    expect(client.methods()).toEqual([{ name: 'basic.get-empty', args: { clusterId: '' } }]);
  });

  it('honours nowait: no reply at all', () => {
    const client = open();
    client.batch((w) => {
      w.writeMethod(1, { name: 'exchange.declare', args: { exchange: 'x', type: 'fanout', nowait: true } });
      w.writeMethod(1, { name: 'queue.declare', args: { queue: 'q', nowait: true } });
      w.writeMethod(1, { name: 'queue.bind', args: { queue: 'q', exchange: 'x', nowait: true } });
      w.writeMethod(1, { name: 'basic.consume', args: { queue: 'q', consumerTag: 'c', nowait: true } });
      w.writeMethod(1, { name: 'confirm.select', args: { nowait: true } });
      w.writeMethod(1, { name: 'basic.cancel', args: { consumerTag: 'c', nowait: true } });
      w.writeMethod(1, { name: 'queue.purge', args: { queue: 'q', nowait: true } });
      w.writeMethod(1, { name: 'queue.delete', args: { queue: 'q', nowait: true } });
      w.writeMethod(1, { name: 'exchange.delete', args: { exchange: 'x', nowait: true } });
    });
    expect(client.take()).toEqual([]);
  });

  it('confirms a read full of publishes with one basic.ack multiple, sent with the rest', () => {
    const client = open();
    client.send(1, { name: 'confirm.select' });
    client.send(1, { name: 'queue.declare', args: { queue: 'q' } });
    client.methods();
    const sendsBefore = client.sends.length;
    client.batch((w) => {
      for (let i = 0; i < 3; i++) {
        w.writeMethod(1, { name: 'basic.publish', args: { routingKey: 'q' } });
        w.writeContent(1, 60, {}, new Uint8Array([i]), 131072);
      }
    });
    expect(client.sends.length).toBe(sendsBefore + 1);
    expect(client.methods()).toEqual([{ name: 'basic.ack', args: { deliveryTag: 3, multiple: true } }]);
  });

  it('confirms publishes read together with the channel.close before its close-ok', () => {
    const client = open();
    client.send(1, { name: 'confirm.select' });
    client.send(1, { name: 'queue.declare', args: { queue: 'q' } });
    client.methods();
    client.batch((w) => {
      for (let i = 0; i < 2; i++) {
        w.writeMethod(1, { name: 'basic.publish', args: { routingKey: 'q' } });
        w.writeContent(1, 60, {}, new Uint8Array([i]), 131072);
      }
      w.writeMethod(1, { name: 'channel.close', args: { replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 } });
    });
    expect(client.methods()).toEqual([
      { name: 'basic.ack', args: { deliveryTag: 2, multiple: true } },
      { name: 'channel.close-ok', args: {} },
    ]);
  });

  it('confirms publishes read together with the connection.close before its close-ok', () => {
    const client = open();
    client.send(1, { name: 'confirm.select' });
    client.send(1, { name: 'queue.declare', args: { queue: 'q' } });
    client.methods();
    client.batch((w) => {
      w.writeMethod(1, { name: 'basic.publish', args: { routingKey: 'q' } });
      w.writeContent(1, 60, {}, new Uint8Array([1]), 131072);
      w.writeMethod(0, { name: 'connection.close', args: { replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 } });
    });
    expect(client.methods()).toEqual([
      { name: 'basic.ack', args: { deliveryTag: 1, multiple: false } },
      { name: 'connection.close-ok', args: {} },
    ]);
  });

  it('does not let a small queued message keep its whole read chunk alive', () => {
    const broker = new Broker();
    const client = open(broker);
    client.send(1, { name: 'queue.declare', args: { queue: 'q' } });
    client.methods();
    client.batch((w) => {
      for (let i = 0; i < 50; i++) {
        w.writeMethod(1, { name: 'basic.publish', args: { routingKey: 'q' } });
        w.writeContent(1, 60, {}, new TextEncoder().encode(`message ${i}`), 131072);
      }
    });
    const queued = [...broker.vhost.queues.get('q')!.ready];
    expect(queued).toHaveLength(50);
    for (const m of queued) expect(m.body.buffer.byteLength).toBe(m.body.length);
    expect(text(queued[49]!.body)).toBe('message 49');
  });

  it('returns an unroutable mandatory message with 312 NO_ROUTE and its content', () => {
    const client = open();
    client.publish(1, 'nowhere', 'lost', { exchange: 'amq.direct', mandatory: true });
    const [returned] = contents(client.take());
    expect(returned).toMatchObject({ method: 'basic.return', body: 'lost', args: { replyCode: 312, replyText: 'NO_ROUTE', exchange: 'amq.direct', routingKey: 'nowhere' } });
  });

  it('delivers to consumers on other connections in the same read, one send each', () => {
    const broker = new Broker();
    const consumer = open(broker);
    consumer.send(1, { name: 'queue.declare', args: { queue: 'work' } });
    consumer.send(1, { name: 'basic.consume', args: { queue: 'work', noAck: true } });
    consumer.methods();
    const producer = open(broker);
    const before = consumer.sends.length;
    producer.batch((w) => {
      for (let i = 0; i < 5; i++) {
        w.writeMethod(1, { name: 'basic.publish', args: { routingKey: 'work' } });
        w.writeContent(1, 60, {}, new TextEncoder().encode(`m${i}`), 131072);
      }
    });
    expect(consumer.sends.length).toBe(before + 1);
    expect(contents(consumer.take()).map((d) => d.body)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('tells the consumer its queue was deleted (basic.cancel, consumer_cancel_notify)', () => {
    const broker = new Broker();
    const client = open(broker);
    client.send(1, { name: 'queue.declare', args: { queue: 'q' } });
    client.send(1, { name: 'basic.consume', args: { queue: 'q', consumerTag: 'c' } });
    client.methods();
    client.openChannel(2);
    client.send(2, { name: 'queue.delete', args: { queue: 'q' } });
    expect(client.take()).toEqual([
      { type: 'method', channel: 1, method: { name: 'basic.cancel', args: { consumerTag: 'c', nowait: true } } },
      { type: 'method', channel: 2, method: { name: 'queue.delete-ok', args: { messageCount: 0 } } },
    ]);
  });

  it('closes a channel on request, requeueing its unacked messages', () => {
    const broker = new Broker();
    const client = open(broker);
    client.send(1, { name: 'queue.declare', args: { queue: 'q' } });
    client.publish(1, 'q', 'm');
    client.send(1, { name: 'basic.get', args: { queue: 'q' } });
    client.take();
    client.send(1, { name: 'channel.close', args: { replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 } });
    expect(client.names()).toEqual(['channel.close-ok']);
    expect(broker.vhost.queues.get('q')!.messageCount).toBe(1);
    client.openChannel(1); // the number is free again
  });

  it('closes the connection on request and forgets its exclusive queues', () => {
    const broker = new Broker();
    const client = open(broker);
    client.send(1, { name: 'queue.declare', args: { queue: 'mine', exclusive: true } });
    client.methods();
    client.send(0, { name: 'connection.close', args: { replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 } });
    expect(client.names()).toEqual(['connection.close-ok']);
    expect(client.closed).toBe(true);
    expect(broker.vhost.queues.has('mine')).toBe(false);
    expect(broker.connections.size).toBe(0);
  });

  it('tells the event stream who ended a connection: the client (with its text), or nobody (the transport went away)', () => {
    const broker = new Broker();
    const ends: unknown[] = [];
    broker.events.subscribe((e) => {
      if (e.type === 'connection.closed') ends.push([e.by, e.replyCode, e.replyText]);
    });
    const polite = open(broker);
    polite.send(0, { name: 'connection.close', args: { replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 } });
    const killed = open(broker);
    killed.session.transportClosed();
    expect(ends).toEqual([
      ['client', 200, 'bye'],
      ['lost', 0, 'client unexpectedly closed TCP connection'],
    ]);
  });

  it('answers access.request, channel.flow and tx like RabbitMQ', () => {
    const client = open();
    client.send(1, { name: 'access.request', args: { realm: '/data' } });
    client.send(1, { name: 'channel.flow', args: { active: true } });
    client.send(1, { name: 'tx.select' });
    client.send(1, { name: 'tx.commit' });
    client.send(1, { name: 'tx.rollback' });
    expect(client.methods()).toEqual([
      { name: 'access.request-ok', args: { ticket: 1 } },
      { name: 'channel.flow-ok', args: { active: true } },
      { name: 'tx.select-ok', args: {} },
      { name: 'tx.commit-ok', args: {} },
      { name: 'tx.rollback-ok', args: {} },
    ]);
  });

  it('names the failing publish in a close caused by its content', () => {
    const client = open();
    client.publish(1, 'k', 'm', { exchange: 'nope' });
    expect(client.methods()).toEqual([{ name: 'channel.close', args: closeArgs(404, "NOT_FOUND - no exchange 'nope' in vhost '/'", 60, 40) }]);
  });
});
