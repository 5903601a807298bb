/**
 * Durable queues and persistent messages survive a broker restart (work queues tutorial:
 * "durable=True" + "delivery_mode=Persistent"). Warren: the server and broker are stopped
 * and a new Broker is started over the same SqliteStore directory on the same port.
 * RabbitMQ: the node's application is restarted (rabbitmqctl stop_app / start_app).
 *
 * The tests in this file run in order and share one broker that is restarted several times.
 * A broker killed instead (SIGKILL): crash-recovery.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { channel, confirmChannel, connect, unique, watched, within, type Channel } from './support/amqp.ts';
import { useTarget } from './support/hooks.ts';
import { isPikaInstalled, pika, runPika } from './support/pika.ts';
import { START_TIMEOUT_MS } from './target.ts';

const target = useTarget({ durable: true });
const itPika = it.runIf(isPikaInstalled());
const T = START_TIMEOUT_MS + 20_000; // each test restarts the broker

const SHUTDOWN = `Connection closed: 320 (CONNECTION-FORCED) with message "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'"`;

async function drain(ch: Channel, q: string): Promise<{ body: string; redelivered: boolean; persistent: boolean }[]> {
  const out: { body: string; redelivered: boolean; persistent: boolean }[] = [];
  for (;;) {
    const m = await within(ch.get(q, { noAck: true }), 5_000, `basic.get ${q}`);
    if (!m) return out;
    out.push({ body: m.content.toString(), redelivered: m.fields.redelivered, persistent: m.properties.deliveryMode === 2 });
  }
}

async function queueMissing(url: string, q: string): Promise<string> {
  const ch = await channel(await connect(url));
  try {
    await within(ch.checkQueue(q), 5_000, 'checkQueue');
  } catch (err) {
    return (err as Error).message;
  }
  return 'still there';
}

describe('durability across a broker restart', () => {
  it('amqplib: persistent messages in a durable queue survive; transient ones, non-durable queues and exclusive queues do not; clients get 320', async () => {
    const t = target();
    const durable = unique('task_queue');
    const transientQ = unique('transient');
    const dx = unique('durable-x');
    const routed = unique('routed');
    const conn = await connect(t.url);
    const ch = await confirmChannel(conn);
    await ch.assertQueue(durable, { durable: true });
    await ch.assertQueue(transientQ, { durable: false });
    const { queue: exclusive } = await ch.assertQueue('', { exclusive: true, durable: false });
    await ch.assertExchange(dx, 'direct', { durable: true });
    await ch.assertQueue(routed, { durable: true });
    await ch.bindQueue(routed, dx, 'k');
    ch.sendToQueue(durable, Buffer.from('p1'), { persistent: true });
    ch.sendToQueue(durable, Buffer.from('t1'), { persistent: false });
    ch.sendToQueue(durable, Buffer.from('p2'), { persistent: true });
    ch.sendToQueue(transientQ, Buffer.from('gone'), { persistent: true });
    await within(ch.waitForConfirms(), 5_000, 'confirms before the restart');

    await t.restart();
    const closeError = await within(watched(conn).whenClosed, 5_000, 'connection closed by the restart');
    expect(closeError?.message).toBe(SHUTDOWN);
    expect((closeError as { code?: number }).code).toBe(320);

    const after = await channel(await connect(t.url));
    expect(await after.checkQueue(durable)).toEqual({ queue: durable, messageCount: 2, consumerCount: 0 });
    expect(await drain(after, durable)).toEqual([
      { body: 'p1', redelivered: false, persistent: true },
      { body: 'p2', redelivered: false, persistent: true },
    ]);
    expect(await queueMissing(t.url, transientQ)).toContain(`404 (NOT-FOUND) with message "NOT_FOUND - no queue '${transientQ}' in vhost '/'"`);
    expect(await queueMissing(t.url, exclusive)).toContain(`NOT_FOUND - no queue '${exclusive}' in vhost '/'`);

    // The durable exchange and its binding came back too.
    const pub = await confirmChannel(await connect(t.url));
    await pub.checkExchange(dx);
    pub.publish(dx, 'k', Buffer.from('via durable exchange'), { persistent: true });
    await within(pub.waitForConfirms(), 5_000, 'confirm');
    expect(await drain(pub, routed)).toEqual([{ body: 'via durable exchange', redelivered: false, persistent: true }]);
    await pub.deleteQueue(durable);
    await pub.deleteQueue(routed);
    await pub.deleteExchange(dx);
  }, T);

  it('amqplib: a message delivered but unacked when the broker stops comes back redelivered', async () => {
    const t = target();
    const q = unique('task_queue');
    const conn = await connect(t.url);
    const ch = await confirmChannel(conn);
    await ch.assertQueue(q, { durable: true });
    ch.sendToQueue(q, Buffer.from('in flight'), { persistent: true });
    ch.sendToQueue(q, Buffer.from('waiting'), { persistent: true });
    await within(ch.waitForConfirms(), 5_000, 'confirms');
    const got = await within(ch.get(q, { noAck: false }), 5_000, 'basic.get');
    expect(got && got.content.toString()).toBe('in flight');

    await t.restart();
    await within(watched(conn).whenClosed, 5_000, 'connection closed by the restart');
    const after = await channel(await connect(t.url));
    expect(await drain(after, q)).toEqual([
      { body: 'in flight', redelivered: true, persistent: true },
      { body: 'waiting', redelivered: false, persistent: true },
    ]);
    await after.deleteQueue(q);
  }, T);

  itPika('pika: new_task.py before the restart, worker.py after it; a quorum queue keeps its messages too', async () => {
    const t = target();
    const classic = unique('task_queue');
    const quorum = unique('task_queue');
    await runPika('new_task.py', t.port, '--queue', classic, 'one.', 'two..', 'three');
    await runPika('new_task.py', t.port, '--queue', quorum, '--quorum', 'q-one', 'q-two');
    // new_task.py publishes without confirms: wait until the broker has them all.
    const probe = await channel(await connect(t.url));
    for (const [q, n] of [[classic, 3], [quorum, 2]] as const) {
      const deadline = Date.now() + 5_000;
      while ((await probe.checkQueue(q)).messageCount < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    }

    await t.restart();

    const worker = pika('worker.py', t.port, '--queue', classic, '--dot', 0.01, '--count', 3);
    await worker.success();
    expect(worker.named('received').map((e) => [e.body, e.redelivered])).toEqual([['one.', false], ['two..', false], ['three', false]]);
    const qWorker = pika('worker.py', t.port, '--queue', quorum, '--quorum', '--dot', 0.01, '--count', 2);
    await qWorker.success();
    expect(qWorker.named('received').map((e) => [e.body, e.redelivered, e.delivery_count])).toEqual([
      ['q-one', false, null],
      ['q-two', false, null],
    ]);
    const ch = await channel(await connect(t.url));
    expect((await ch.checkQueue(classic)).messageCount).toBe(0);
    await ch.deleteQueue(classic);
    await ch.deleteQueue(quorum);
  }, T);
});
