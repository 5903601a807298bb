/**
 * Quorum queues, declared as RabbitMQ's current tutorials do (durable, x-queue-type:
 * quorum), for "Hello World!" and work queues, and the x-delivery-count header a quorum
 * queue adds when a message comes back.
 */
import { describe, expect, it } from 'vitest';
import { channel, crash, connect, consume, eventually, unique } from './support/amqp.ts';
import { useTarget } from './support/hooks.ts';
import { isPikaInstalled, pika, runPika, type PikaEvent } from './support/pika.ts';

const target = useTarget();
const itPika = it.runIf(isPikaInstalled());
const T = 20_000;

const QUORUM = { durable: true, arguments: { 'x-queue-type': 'quorum' } };
const bodies = (events: PikaEvent[]) => events.map((e) => e.body);
const text = (m: { content: Buffer }) => m.content.toString();


describe('quorum queues: "Hello World!"', () => {
  itPika('pika send.py --quorum → receive.py --quorum; amqplib redeclares it equivalently', async () => {
    const { url, port } = target();
    const q = unique('hello');
    await runPika('send.py', port, '--queue', q, '--quorum', 'Hello World!');
    const ch = await channel(await connect(url));
    expect(await ch.assertQueue(q, QUORUM)).toEqual({ queue: q, messageCount: 1, consumerCount: 0 });
    const received = await runPika('receive.py', port, '--queue', q, '--quorum', '--count', 1);
    const [m] = received.filter((e) => e.event === 'message');
    expect(m).toMatchObject({ body: 'Hello World!', redelivered: false, routing_key: q, delivery_count: null });
    await ch.deleteQueue(q);
  }, T);

  it('amqplib: hello world on a quorum queue', async () => {
    const { url } = target();
    const q = unique('hello');
    const sender = await channel(await connect(url));
    expect(await sender.assertQueue(q, QUORUM)).toEqual({ queue: q, messageCount: 0, consumerCount: 0 });
    sender.sendToQueue(q, Buffer.from('Hello World!'));
    const receiver = await channel(await connect(url));
    await receiver.assertQueue(q, QUORUM);
    const inbox = await consume(receiver, q, { noAck: true });
    const [m] = await inbox.waitFor(1);
    expect(text(m!)).toBe('Hello World!');
    expect(m!.fields.redelivered).toBe(false);
    expect(m!.properties.headers?.['x-delivery-count']).toBeUndefined();
    await receiver.deleteQueue(q);
  }, T);
});

describe('quorum queues: work queues', () => {
  itPika('pika: two worker.py --quorum share tasks fairly with prefetch 1', async () => {
    const { port } = target();
    const q = unique('task_queue');
    const w1 = pika('worker.py', port, '--queue', q, '--quorum', '--dot', 0.1, '--inactivity', 25);
    const w2 = pika('worker.py', port, '--queue', q, '--quorum', '--dot', 0.1, '--inactivity', 25);
    await Promise.all([w1.waitFor('ready'), w2.waitFor('ready')]);
    const tasks = ['slow.........', 'a', 'b', 'c', 'd', 'e'];
    await runPika('new_task.py', port, '--queue', q, '--quorum', ...tasks);
    await eventually(() => w1.named('done').length + w2.named('done').length >= tasks.length, 10_000, 'all tasks done');
    const slow = w1.named('received').some((e) => e.body === tasks[0]) ? w1 : w2;
    const fast = slow === w1 ? w2 : w1;
    expect(bodies(slow.named('received'))).toEqual([tasks[0]]);
    expect(bodies(fast.named('received'))).toEqual(tasks.slice(1));
  }, T);

  itPika("pika: a killed worker's task comes back redelivered with x-delivery-count 1", async () => {
    const { port } = target();
    const q = unique('task_queue');
    const dying = pika('worker.py', port, '--queue', q, '--quorum', '--hang');
    await dying.waitFor('ready');
    await runPika('new_task.py', port, '--queue', q, '--quorum', 'first task.');
    const first = await dying.waitFor('received');
    expect(first).toMatchObject({ body: 'first task.', redelivered: false, delivery_count: null });

    const other = pika('worker.py', port, '--queue', q, '--quorum', '--dot', 0.01, '--inactivity', 25);
    await other.waitFor('ready');
    await runPika('new_task.py', port, '--queue', q, '--quorum', 'second task.');
    await other.waitFor((e) => e.event === 'done' && e.body === 'second task.');
    expect(bodies(other.named('received'))).toEqual(['second task.']);

    await dying.kill();
    const again = await other.waitFor((e) => e.event === 'received' && e.body === 'first task.');
    expect(again).toMatchObject({ redelivered: true, delivery_count: 1 });
    await other.waitFor((e) => e.event === 'done' && e.body === 'first task.');
  }, T);

  it('amqplib: nack(requeue) twice → x-delivery-count 1 then 2, redelivered; a crashed consumer counts too', async () => {
    const { url } = target();
    const q = unique('task_queue');
    const conn = await connect(url);
    const ch = await channel(conn);
    await ch.assertQueue(q, QUORUM);
    await ch.prefetch(1);
    let nacks = 2;
    const inbox = await consume(ch, q, { noAck: false }, (m) => {
      if (nacks-- > 0) ch.nack(m, false, true);
    });
    ch.sendToQueue(q, Buffer.from('retry me'), { persistent: true });
    const got = await inbox.waitFor(3);
    expect(got.map((m) => [text(m), m.fields.redelivered, m.properties.headers?.['x-delivery-count']])).toEqual([
      ['retry me', false, undefined],
      ['retry me', true, 1],
      ['retry me', true, 2],
    ]);
    // The third delivery is held unacked; the consumer's connection dies.
    crash(conn);
    const other = await channel(await connect(url));
    await other.prefetch(1);
    const inbox2 = await consume(other, q, { noAck: false }, (m) => other.ack(m));
    const [m] = await inbox2.waitFor(1);
    expect([text(m!), m!.fields.redelivered, m!.properties.headers?.['x-delivery-count']]).toEqual(['retry me', true, 3]);
    await eventually(async () => (await other.checkQueue(q)).messageCount === 0, 3_000, 'queue empty');
    await other.deleteQueue(q);
  }, T);
});
