/**
 * Errors as clients see them. The same reply code and text are asserted for every broker
 * (taken from RabbitMQ): amqplib's error message and code, and pika's
 * ChannelClosedByBroker reply_code and reply_text. A channel error closes the channel,
 * never the connection.
 */
import { describe, expect, it } from 'vitest';
import { channel, connect, unique, watched, within, type Channel, type ChannelModel } from './support/amqp.ts';
import { useTarget } from './support/hooks.ts';
import { isPikaInstalled, runPika } from './support/pika.ts';

const target = useTarget();
const itPika = it.runIf(isPikaInstalled());
const T = 15_000;

type AmqpError = Error & { code?: number; classId?: number; methodId?: number };

/** amqplib's text for a failed RPC: `Operation failed: <Method>; <code> (<NAME-WITH-DASHES>) with message "<reply text>"`. */
const rpcFailed = (method: string, code: number, name: string, replyText: string) =>
  `Operation failed: ${method}; ${code} (${name}) with message "${replyText}"`;
/** amqplib's text for a channel closed by the server outside an RPC (the 'error' event). */
const closedByServer = (code: number, name: string, replyText: string) =>
  `Channel closed by server: ${code} (${name}) with message "${replyText}"`;

async function rejection(p: Promise<unknown>): Promise<AmqpError> {
  try {
    await within(p, 5_000, 'the broker’s answer');
  } catch (err) {
    return err as AmqpError;
  }
  throw new Error('expected the broker to refuse, but it said ok');
}

/** The channel's 'error' event and 'close' (bounded). */
async function channelClosedWith(ch: Channel): Promise<AmqpError> {
  const w = watched(ch);
  await within(w.whenClosed, 5_000, 'channel close');
  expect(w.errors).toHaveLength(1);
  return w.errors[0]!;
}

/** After a channel error the connection must still work. */
async function connectionStillWorks(conn: ChannelModel): Promise<void> {
  const ch = await channel(conn);
  const { queue } = await ch.assertQueue('', { exclusive: true });
  expect(queue).toMatch(/^amq\.gen-/);
  expect(watched(conn).closed).toBe(false);
  await ch.close();
}

async function pikaError(scenario: string, name: string) {
  const events = await runPika('errors.py', target().port, scenario, name);
  const closed = events.find((e) => e.event === 'channel-closed');
  expect(closed, JSON.stringify(events)).toBeDefined();
  expect(closed!.channel_open).toBe(false);
  expect(closed!.connection_open).toBe(true);
  return { code: closed!.reply_code, text: closed!.reply_text };
}

describe('404 NOT_FOUND: passive declare of a missing queue', () => {
  const text = (q: string) => `NOT_FOUND - no queue '${q}' in vhost '/'`;

  it('amqplib checkQueue rejects with 404 and closes the channel', async () => {
    const conn = await connect(target().url);
    const ch = await channel(conn);
    const q = unique('missing');
    const err = await rejection(ch.checkQueue(q));
    expect(err.message).toBe(rpcFailed('QueueDeclare', 404, 'NOT-FOUND', text(q)));
    expect([err.code, err.classId, err.methodId]).toEqual([404, 50, 10]);
    const closed = await channelClosedWith(ch);
    expect(closed.message).toBe(closedByServer(404, 'NOT-FOUND', text(q)));
    await connectionStillWorks(conn);
  }, T);

  itPika('pika queue_declare(passive=True) raises ChannelClosedByBroker(404, ...)', async () => {
    const q = unique('missing');
    expect(await pikaError('passive-declare', q)).toEqual({ code: 404, text: text(q) });
  }, T);
});

describe('406 PRECONDITION_FAILED: redeclare with an inequivalent arg', () => {
  const durableText = (q: string) =>
    `PRECONDITION_FAILED - inequivalent arg 'durable' for queue '${q}' in vhost '/': received 'true' but current is 'false'`;
  const queueTypeText = (q: string) =>
    `PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue '${q}' in vhost '/': received none but current is the value 'quorum' of type 'longstr'`;

  it("amqplib: durable false, then durable true → 406 inequivalent arg 'durable'", async () => {
    const conn = await connect(target().url);
    const ch = await channel(conn);
    const q = unique('hello');
    await ch.assertQueue(q, { durable: false, autoDelete: true });
    const err = await rejection(ch.assertQueue(q, { durable: true, autoDelete: true }));
    expect(err.message).toBe(rpcFailed('QueueDeclare', 406, 'PRECONDITION-FAILED', durableText(q)));
    expect([err.code, err.classId, err.methodId]).toEqual([406, 50, 10]);
    await channelClosedWith(ch);
    await connectionStillWorks(conn);
    const cleanup = await channel(conn);
    await cleanup.deleteQueue(q);
  }, T);

  itPika("pika: durable false, then durable true → ChannelClosedByBroker(406, inequivalent arg 'durable')", async () => {
    const q = unique('hello');
    expect(await pikaError('inequivalent-durable', q)).toEqual({ code: 406, text: durableText(q) });
  }, T);

  it("amqplib: a quorum queue redeclared without x-queue-type → 406 inequivalent arg 'x-queue-type'", async () => {
    const conn = await connect(target().url);
    const ch = await channel(conn);
    const q = unique('task_queue');
    await ch.assertQueue(q, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    const err = await rejection(ch.assertQueue(q, { durable: true }));
    expect(err.message).toBe(rpcFailed('QueueDeclare', 406, 'PRECONDITION-FAILED', queueTypeText(q)));
    await channelClosedWith(ch);
    const cleanup = await channel(conn);
    await cleanup.deleteQueue(q);
  }, T);

  itPika("pika: a quorum queue redeclared without x-queue-type → ChannelClosedByBroker(406, ...)", async () => {
    const q = unique('task_queue');
    expect(await pikaError('quorum-then-classic', q)).toEqual({ code: 406, text: queueTypeText(q) });
  }, T);
});

describe('406 PRECONDITION_FAILED: unknown delivery tag', () => {
  const text = (tag: number) => `PRECONDITION_FAILED - unknown delivery tag ${tag}`;

  it('amqplib ack of a tag never delivered → channel error event 406, connection survives', async () => {
    const conn = await connect(target().url);
    const ch = await channel(conn);
    ch.ack({ fields: { deliveryTag: 5 } } as Parameters<Channel['ack']>[0]);
    const err = await channelClosedWith(ch);
    expect(err.message).toBe(closedByServer(406, 'PRECONDITION-FAILED', text(5)));
    expect([err.code, err.classId, err.methodId]).toEqual([406, 60, 80]);
    await connectionStillWorks(conn);
  }, T);

  it('amqplib: acking the same message twice → 406 unknown delivery tag 1', async () => {
    const conn = await connect(target().url);
    const ch = await channel(conn);
    const { queue } = await ch.assertQueue('', { exclusive: true });
    ch.sendToQueue(queue, Buffer.from('once'));
    const m = await within(
      (async () => {
        for (;;) {
          const got = await ch.get(queue, { noAck: false });
          if (got) return got;
        }
      })(),
      5_000,
      'basic.get',
    );
    ch.ack(m);
    ch.ack(m);
    const err = await channelClosedWith(ch);
    expect(err.message).toBe(closedByServer(406, 'PRECONDITION-FAILED', text(1)));
    await connectionStillWorks(conn);
  }, T);

  itPika('pika basic_ack of an unknown tag → ChannelClosedByBroker(406, unknown delivery tag)', async () => {
    expect(await pikaError('unknown-delivery-tag', '7')).toEqual({ code: 406, text: text(7) });
  }, T);
});

describe('404 NOT_FOUND: publish to a missing exchange', () => {
  const text = (x: string) => `NOT_FOUND - no exchange '${x}' in vhost '/'`;

  it('amqplib publish → channel error event 404', async () => {
    const conn = await connect(target().url);
    const ch = await channel(conn);
    const x = unique('nope');
    ch.publish(x, 'key', Buffer.from('lost'));
    const err = await channelClosedWith(ch);
    expect(err.message).toBe(closedByServer(404, 'NOT-FOUND', text(x)));
    expect([err.code, err.classId, err.methodId]).toEqual([404, 60, 40]);
    await connectionStillWorks(conn);
  }, T);

  itPika('pika basic_publish → ChannelClosedByBroker(404, no exchange)', async () => {
    const x = unique('nope');
    expect(await pikaError('publish-missing-exchange', x)).toEqual({ code: 404, text: text(x) });
  }, T);
});

describe('direct reply-to misuse (amqplib)', () => {
  it('consume amq.rabbitmq.reply-to with acks → 406 reply consumer cannot acknowledge', async () => {
    const conn = await connect(target().url);
    const ch = await channel(conn);
    const err = await rejection(ch.consume('amq.rabbitmq.reply-to', () => {}, { noAck: false }));
    expect(err.message).toBe(rpcFailed('BasicConsume', 406, 'PRECONDITION-FAILED', 'PRECONDITION_FAILED - reply consumer cannot acknowledge'));
    await connectionStillWorks(conn);
  }, T);

  it('publish with reply_to amq.rabbitmq.reply-to without consuming it → 406 fast reply consumer does not exist', async () => {
    const conn = await connect(target().url);
    const ch = await channel(conn);
    const { queue } = await ch.assertQueue('', { exclusive: true });
    ch.sendToQueue(queue, Buffer.from('request'), { replyTo: 'amq.rabbitmq.reply-to' });
    const err = await channelClosedWith(ch);
    expect(err.message).toBe(closedByServer(406, 'PRECONDITION-FAILED', 'PRECONDITION_FAILED - fast reply consumer does not exist'));
    expect([err.code, err.classId, err.methodId]).toEqual([406, 60, 40]);
  }, T);
});
