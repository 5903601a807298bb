// The client against Warren's own broker in memory: Broker + AmqpSession (src/server) on
// one end of an in-memory transport pair, the client on the other. No sockets, no timers
// beyond the test's own bounds.

import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../../src/broker/index.ts';
import { connect, messagePortTransport, setTransportFactory, transportPair, type ChannelModel, type ConsumeMessage } from '../../../src/client/index.ts';
import { serveMessagePort } from '../../../src/server/message-port.ts';
import { AmqpSession } from '../../../src/server/session.ts';

const open: ChannelModel[] = [];
let broker: Broker;

/** connect() reaches a fresh session on `broker` over an in-memory pair. */
function useBroker(): void {
  broker = new Broker();
  setTransportFactory(() => {
    const [client, server] = transportPair();
    const session = new AmqpSession(broker, {
      send: (bytes) => server.send(bytes),
      close: () => server.close(),
      peer: { address: '127.0.0.1:40000', isLoopback: true },
    });
    server.onData((chunk) => session.receive(chunk));
    server.onClose(() => session.transportClosed());
    return client;
  });
}

async function connectNew(url = 'amqp://localhost'): Promise<ChannelModel> {
  const conn = await connect(url);
  conn.on('error', () => {});
  open.push(conn);
  return conn;
}

afterEach(async () => {
  for (const c of open.splice(0)) await c.close().catch(() => undefined);
  setTransportFactory(undefined);
});

/** Resolves with `n` items pushed, or rejects after `ms`. */
function collector<T>(n: number, ms = 2000) {
  const items: T[] = [];
  let done!: (v: T[]) => void;
  const all = new Promise<T[]>((resolve, reject) => {
    done = resolve;
    setTimeout(() => reject(new Error(`got ${items.length} of ${n} items in ${ms} ms`)), ms);
  });
  return { items, all, push: (item: T) => (items.push(item), items.length === n && done(items)) };
}

describe('client against the in-memory broker session', () => {
  it('over a MessageChannel, as the playground worker talks to the page', async () => {
    broker = new Broker();
    setTransportFactory(() => {
      const { port1, port2 } = new MessageChannel();
      // The server's PortLike types postMessage's transfer list as required-or-undefined,
      // which the DOM MessagePort type does not accept; the objects fit at run time.
      serveMessagePort(broker, port2 as unknown as Parameters<typeof serveMessagePort>[1]);
      return messagePortTransport(port1);
    });
    const conn = await connectNew();
    const ch = await conn.createChannel();
    await ch.assertQueue('hello', { durable: false });
    ch.sendToQueue('hello', Buffer.from('over a port'));
    const got = collector<string>(1);
    await ch.consume('hello', (msg) => msg && got.push(msg.content.toString()), { noAck: true });
    expect(await got.all).toEqual(['over a port']);
    const closed = new Promise<void>((resolve) => conn.on('close', () => resolve()));
    await conn.close();
    await closed;
    open.length = 0;
  });

  it('hello world', async () => {
    useBroker();
    const conn = await connectNew();
    const ch = await conn.createChannel();
    expect(await ch.assertQueue('hello', { durable: false })).toEqual({ queue: 'hello', messageCount: 0, consumerCount: 0 });
    ch.sendToQueue('hello', Buffer.from('Hello World!'));
    const got = collector<ConsumeMessage>(1);
    await ch.consume('hello', (msg) => msg && got.push(msg), { noAck: true });
    const [msg] = await got.all;
    expect(msg!.content.toString()).toBe('Hello World!');
    expect(msg!.fields).toMatchObject({ deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'hello' });
  });

  it('work queue with prefetch 1 and acks', async () => {
    useBroker();
    const conn = await connectNew();
    const producer = await conn.createChannel();
    await producer.assertQueue('tasks');
    const done = collector<string>(6);
    for (const name of ['w1', 'w2']) {
      const ch = await conn.createChannel();
      await ch.prefetch(1);
      let busy = 0;
      await ch.consume('tasks', (msg) => {
        if (!msg) return;
        if (++busy > 1) done.push('prefetch broken');
        setTimeout(() => {
          busy--;
          done.push(`${name}:${msg.content.toString()}`);
          ch.ack(msg);
        }, 5);
      });
    }
    for (let i = 1; i <= 6; i++) producer.sendToQueue('tasks', Buffer.from(`t${i}`), { persistent: true });
    const results = await done.all;
    expect(results.map((r) => r.split(':')[1]).sort()).toEqual(['t1', 't2', 't3', 't4', 't5', 't6']);
    expect(new Set(results.map((r) => r.split(':')[0]))).toEqual(new Set(['w1', 'w2']));
  });

  it('publish/subscribe through a fanout exchange', async () => {
    useBroker();
    const conn = await connectNew();
    const ch = await conn.createChannel();
    await ch.assertExchange('logs', 'fanout', { durable: false });
    const got = collector<string>(2);
    for (const name of ['a', 'b']) {
      const { queue } = await ch.assertQueue('', { exclusive: true });
      expect(queue).toMatch(/^amq\.gen-/);
      await ch.bindQueue(queue, 'logs', '');
      await ch.consume(queue, (msg) => msg && got.push(`${name} ${msg.content.toString()}`), { noAck: true });
    }
    ch.publish('logs', '', Buffer.from('hi'));
    expect((await got.all).sort()).toEqual(['a hi', 'b hi']);
  });

  it('a 404 reads as amqplib\'s against RabbitMQ', async () => {
    useBroker();
    const conn = await connectNew();
    const ch = await conn.createChannel();
    const errors: string[] = [];
    ch.on('error', (e) => errors.push(`${e.message} ${(e as { code?: number }).code}`));
    const closed = new Promise<void>((resolve) => ch.on('close', () => resolve()));
    await expect(ch.checkQueue('nope')).rejects.toThrow(`Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no queue 'nope' in vhost '/'"`);
    await closed;
    expect(errors).toEqual([`Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no queue 'nope' in vhost '/'" 404`]);
    expect(() => ch.sendToQueue('q', Buffer.from('x'))).toThrow('Channel closed');
  });

  it('publisher confirms', async () => {
    useBroker();
    const conn = await connectNew();
    const ch = await conn.createConfirmChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    const results: (Error | null)[] = [];
    for (let i = 0; i < 20; i++) ch.sendToQueue(queue, Buffer.from(`m${i}`), {}, (err) => results.push(err));
    await ch.waitForConfirms();
    expect(results).toEqual(Array(20).fill(null));
    expect((await ch.checkQueue(queue)).messageCount).toBe(20);
  });
});
