// Warren's amqplib-compatible client (src/client/node.ts) against a real RabbitMQ node, and,
// for error texts, against amqplib itself on the same node: the RabbitMQ tutorials' shapes
// (hello world, work queues, publish/subscribe, routing), errors, confirms.

import amqplib from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage, type GetMessage } from '../../src/client/node.ts';
import { isRabbitMQInstalled, startRabbitMQ, type RunningRabbitMQ } from '../support/rabbitmq.ts';

const installed = isRabbitMQInstalled();
let rabbit: RunningRabbitMQ | undefined;
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  if (installed) rabbit = await startRabbitMQ();
}, 90_000);

afterEach(async () => {
  for (const c of open.splice(0)) await c.close().catch(() => undefined);
});

afterAll(async () => {
  await rabbit?.stop();
}, 30_000);

/** Rejects after `ms`, so no test waits forever on a message that never comes. */
function within<T>(promise: Promise<T>, ms = 5000, what = 'the broker'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function connect(): Promise<ChannelModel> {
  const conn = await within(amqp.connect(rabbit!.url), 10_000, 'connect');
  conn.on('error', () => {});
  open.push(conn);
  return conn;
}

async function connectAmqplib() {
  const conn = await amqplib.connect(rabbit!.url);
  conn.on('error', () => {});
  open.push(conn);
  return conn;
}

/** Collects `n` messages from a consumer callback. */
function collector<T>(n: number) {
  const items: T[] = [];
  let done!: (v: T[]) => void;
  const all = new Promise<T[]>((resolve) => (done = resolve));
  return {
    items,
    all: within(all, 5000, `${n} messages`),
    push(item: T) {
      items.push(item);
      if (items.length === n) done(items);
    },
  };
}

describe.skipIf(!installed)('client against RabbitMQ', () => {
  it('hello world: sendToQueue, then consume', async () => {
    const conn = await connect();
    const ch = await conn.createChannel();
    expect(await ch.assertQueue('hello', { durable: false })).toEqual({ queue: 'hello', messageCount: 0, consumerCount: 0 });
    expect(ch.sendToQueue('hello', Buffer.from('Hello World!'))).toBe(true);
    const got = collector<ConsumeMessage>(1);
    const { consumerTag } = await ch.consume('hello', (msg) => msg && got.push(msg), { noAck: true });
    const [msg] = await got.all;
    expect(msg!.content.toString()).toBe('Hello World!');
    expect(msg!.fields).toMatchObject({ consumerTag, deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'hello' });
    expect(msg!.properties.headers).toEqual({});
    await ch.deleteQueue('hello');
  });

  it('work queues: prefetch 1 and manual acks share tasks fairly, and unacked work is redelivered', async () => {
    const conn = await connect();
    const producer = await conn.createChannel();
    await producer.assertQueue('task_queue', { durable: true });
    await producer.purgeQueue('task_queue');
    const done = collector<string>(6);
    const workers = await Promise.all(
      ['w1', 'w2'].map(async (name) => {
        const ch = await conn.createChannel();
        await ch.prefetch(1);
        let busy = 0;
        await ch.consume('task_queue', (msg) => {
          if (!msg) return;
          busy++;
          expect(busy).toBe(1); // prefetch 1: never two unacked at once
          setTimeout(() => {
            busy--;
            done.push(`${name}:${msg.content.toString()}`);
            ch.ack(msg);
          }, 20);
        });
        return ch;
      }),
    );
    for (let i = 1; i <= 6; i++) producer.sendToQueue('task_queue', Buffer.from(`task ${i}`), { persistent: true });
    const results = await done.all;
    expect(results.filter((r) => r.startsWith('w1:')).length).toBeGreaterThan(0);
    expect(results.filter((r) => r.startsWith('w2:')).length).toBeGreaterThan(0);
    expect(results.map((r) => r.split(':')[1]).sort()).toEqual(['task 1', 'task 2', 'task 3', 'task 4', 'task 5', 'task 6']);
    for (const w of workers) await w.close();

    // A message taken but not acked goes back, marked redelivered.
    producer.sendToQueue('task_queue', Buffer.from('again'));
    const ch = await conn.createChannel();
    const first = await within(waitForGet(ch, 'task_queue'));
    expect(first.fields.redelivered).toBe(false);
    await ch.close();
    const ch2 = await conn.createChannel();
    const second = await within(waitForGet(ch2, 'task_queue'));
    expect(second.fields.redelivered).toBe(true);
    ch2.ack(second);
    await ch2.deleteQueue('task_queue');
  });

  it('publish/subscribe: a fanout exchange copies each message to every bound queue', async () => {
    const conn = await connect();
    const ch = await conn.createChannel();
    expect(await ch.assertExchange('logs', 'fanout', { durable: false })).toEqual({ exchange: 'logs' });
    const got = collector<string>(4);
    for (const name of ['a', 'b']) {
      const q = await ch.assertQueue('', { exclusive: true });
      expect(q.queue).toMatch(/^amq\.gen-/);
      await ch.bindQueue(q.queue, 'logs', '');
      await ch.consume(q.queue, (msg) => msg && got.push(`${name} ${msg.content.toString()}`), { noAck: true });
    }
    ch.publish('logs', '', Buffer.from('one'));
    ch.publish('logs', '', Buffer.from('two'));
    expect((await got.all).sort()).toEqual(['a one', 'a two', 'b one', 'b two']);
    await ch.deleteExchange('logs');
  });

  it('routing and topics: only matching bindings get the message', async () => {
    const conn = await connect();
    const ch = await conn.createChannel();
    await ch.assertExchange('topic_logs', 'topic', { durable: false });
    const q = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(q.queue, 'topic_logs', 'kern.*');
    await ch.bindQueue(q.queue, 'topic_logs', '*.critical');
    for (const key of ['kern.info', 'app.critical', 'app.info', 'kern.disk.full']) ch.publish('topic_logs', key, Buffer.from(key));
    const got = collector<string>(2);
    await ch.consume(q.queue, (msg) => msg && got.push(msg.fields.routingKey), { noAck: true });
    expect(await got.all).toEqual(['kern.info', 'app.critical']);
    await new Promise((r) => setTimeout(r, 100));
    expect(got.items.length).toBe(2);
    await ch.unbindQueue(q.queue, 'topic_logs', 'kern.*');
    await ch.deleteExchange('topic_logs');
  });

  it('404 NOT_FOUND: the same error text, code and ids as amqplib, and the channel closes', async () => {
    const results = [];
    for (const client of ['warren', 'amqplib'] as const) {
      const conn = client === 'warren' ? await connect() : await connectAmqplib();
      const ch = await conn.createChannel();
      const events: string[] = [];
      ch.on('error', (e: Error & { code?: number; classId?: number; methodId?: number }) => events.push(`error ${e.message} ${e.code} ${e.classId} ${e.methodId}`));
      ch.on('close', () => events.push('close'));
      const rejection = await ch.checkQueue('nope').catch((e: Error & { code?: number }) => `${e.message} ${e.code}`);
      const bind = await (await conn.createChannel()).bindQueue('nope', 'amq.direct', 'x').catch((e: Error) => e.message);
      const afterClose = await ch.assertQueue('x').catch((e: Error) => `${e.name}: ${e.message}`);
      results.push({ rejection, events, bind, afterClose });
    }
    const [warren, reference] = results;
    expect(warren).toEqual(reference);
    expect(warren!.rejection).toBe(`Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no queue 'nope' in vhost '/'" 404`);
    expect(warren!.afterClose).toBe('IllegalOperationError: Channel closed');
  });

  it('406 PRECONDITION_FAILED on an inequivalent redeclare reads as amqplib\'s', async () => {
    const texts = [];
    for (const client of ['warren', 'amqplib'] as const) {
      const conn = client === 'warren' ? await connect() : await connectAmqplib();
      const ch = await conn.createChannel();
      ch.on('error', () => {});
      await ch.assertQueue(`pre-${client}`, { durable: false });
      const text = await ch.assertQueue(`pre-${client}`, { durable: true }).then(() => 'declared', (e: Error) => e.message);
      texts.push(text.replace(client, 'X'));
      const ch2 = await conn.createChannel();
      await ch2.deleteQueue(`pre-${client}`);
    }
    expect(texts[0]).toBe(texts[1]);
    expect(texts[0]).toBe(
      `Operation failed: QueueDeclare; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'pre-X' in vhost '/': received 'true' but current is 'false'"`,
    );
  });

  it('login and vhost errors read as amqplib\'s', async () => {
    const badPass = rabbit!.url.replace('guest:guest', 'guest:wrong');
    const badVhost = `${rabbit!.url}/no-such-vhost`;
    for (const url of [badPass, badVhost]) {
      const ours = await amqp.connect(url).then(() => 'connected', (e: Error) => e.message);
      const theirs = await amqplib.connect(url).then(() => 'connected', (e: Error) => e.message);
      expect(ours).toBe(theirs);
    }
  });

  it('dead-lettering: x-death headers have the same shape as amqplib\'s', async () => {
    const seen = [];
    for (const client of ['warren', 'amqplib'] as const) {
      const conn = client === 'warren' ? await connect() : await connectAmqplib();
      // amqplib's channel has the same methods; one static type keeps the test short.
      const ch = (await conn.createChannel()) as unknown as Channel;
      await ch.assertExchange('dlx', 'fanout', { durable: false });
      const dead = await ch.assertQueue('', { exclusive: true });
      await ch.bindQueue(dead.queue, 'dlx', '');
      await ch.assertQueue('work-dl', { durable: false, deadLetterExchange: 'dlx' });
      ch.sendToQueue('work-dl', Buffer.from('bad job'), { headers: { attempt: 1 } });
      const m = await within(waitForGet(ch, 'work-dl'));
      ch.reject(m, false);
      const d = await within(waitForGet(ch, dead.queue));
      const headers = d.properties.headers as { 'x-death': { queue: string; time: { value: number } }[] };
      const death = headers['x-death'][0]!;
      expect(death.time.value).toBeGreaterThan(1_600_000_000);
      seen.push({ ...headers, 'x-death': [{ ...death, time: { ...death.time, value: 0 } }] });
      await ch.deleteQueue('work-dl');
      await ch.deleteExchange('dlx');
    }
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[0]).toMatchObject({ attempt: 1, 'x-death': [{ count: 1, reason: 'rejected', queue: 'work-dl', exchange: '', time: { '!': 'timestamp', value: 0 } }] });
  });

  it('publisher confirms: callbacks and waitForConfirms', async () => {
    const conn = await connect();
    const ch = await conn.createConfirmChannel();
    const q = await ch.assertQueue('', { exclusive: true });
    const results: (Error | null)[] = [];
    for (let i = 0; i < 50; i++) ch.sendToQueue(q.queue, Buffer.from(`m${i}`), { persistent: true }, (err) => results.push(err));
    await within(ch.waitForConfirms());
    expect(results.length).toBe(50);
    expect(results.every((r) => r === null)).toBe(true);
    expect((await ch.checkQueue(q.queue)).messageCount).toBe(50);
  });

  it('get, purge, mandatory returns, server-side cancel and a body bigger than frame-max', async () => {
    const conn = await connect();
    const ch = await conn.createChannel();
    const q = await ch.assertQueue('', { exclusive: true });
    expect(await ch.get(q.queue)).toBe(false);
    const big = Buffer.alloc(300_000, 7);
    ch.sendToQueue(q.queue, big, { headers: { n: 1 }, contentType: 'application/octet-stream', messageId: 'big' });
    const m = await within(waitForGet(ch, q.queue));
    expect(Buffer.compare(m.content, big)).toBe(0);
    expect(m.properties).toMatchObject({ headers: { n: 1 }, contentType: 'application/octet-stream', messageId: 'big' });
    expect(m.fields.messageCount).toBe(0);
    ch.nack(m, false, true);
    expect(await ch.purgeQueue(q.queue)).toEqual({ messageCount: 1 });

    const returned = new Promise<string>((resolve) => ch.on('return', (r) => resolve(`${r.fields.replyCode} ${r.fields.replyText} ${r.content.toString()}`)));
    ch.publish('', 'no-such-queue', Buffer.from('lost'), { mandatory: true });
    expect(await within(returned)).toBe('312 NO_ROUTE lost');

    const q2 = await ch.assertQueue('cancel-me', { durable: false });
    const got = collector<ConsumeMessage | null>(1);
    await ch.consume(q2.queue, (msg) => got.push(msg));
    const other = await conn.createChannel();
    await other.deleteQueue(q2.queue);
    expect(await got.all).toEqual([null]);
  });

  it('closing the connection closes its channels; later use throws IllegalOperationError', async () => {
    const conn = await amqp.connect(rabbit!.url);
    const ch = await conn.createChannel();
    const events: string[] = [];
    ch.on('close', () => events.push('channel close'));
    conn.on('close', () => events.push('close'));
    await conn.close();
    expect(events).toEqual(['channel close', 'close']);
    expect(() => ch.sendToQueue('q', Buffer.from('x'))).toThrow('Channel closed');
    await expect(conn.createChannel()).rejects.toThrow('Connection closed (by client)');
  });
});

/** Polls with get() until a message is there (callers bound it with within()). */
async function waitForGet(ch: Channel, queue: string): Promise<GetMessage> {
  for (;;) {
    const m = await ch.get(queue);
    if (m !== false) return m;
    await new Promise((r) => setTimeout(r, 20));
  }
}
