/**
 * A broker process killed with SIGKILL, then started again on the same data: what durable
 * queues give back, and with which redelivered flag (RabbitMQ 3.10, observed: see
 * tests/fixtures/RABBITMQ-BEHAVIOUR.md, "Recovery after SIGKILL"). Classic queues mark every
 * recovered message redelivered; quorum queues exactly those they had delivered, counted.
 * Then a clean stop (SIGTERM) is trusted again.
 *
 * Warren: `node src/server/cli.ts` in its own process (what `npm run broker` runs), killed.
 * RabbitMQ: a throw-away node whose beam is killed (tests/support/rabbitmq.ts). The tests
 * share one broker and run in order. (durability.test.ts restarts brokers cleanly.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { channel, closeAllAmqp, confirmChannel, connect, consume, sleep, unique, within, type Channel, type ChannelModel } from './support/amqp.ts';
import { startKillable, type KillableBroker } from './support/killable.ts';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS, TARGET } from './target.ts';

let running: KillableBroker | undefined;
beforeAll(async () => {
  running = await startKillable();
}, START_TIMEOUT_MS);
afterEach(closeAllAmqp, 15_000);
afterAll(async () => {
  await closeAllAmqp();
  await running?.stop();
}, STOP_TIMEOUT_MS);
function broker(): KillableBroker {
  if (!running) throw new Error('the broker did not start (see the beforeAll error)');
  return running;
}

const T = 2 * START_TIMEOUT_MS + 30_000; // a test restarts the broker
const PERSISTENT = { persistent: true };

type Back = [body: string, redelivered: boolean, deliveryCount: unknown];

/**
 * m1..m6 in `queue`: a consumer with prefetch 3 takes m1..m3 and is cancelled, m1 acked, m2
 * and m3 left unacked; m4 fetched with basic.get and nacked back (ready, redelivered); m5 and
 * m6 never delivered.
 */
async function handleSome(conn: ChannelModel, queue: string): Promise<void> {
  const ch = await channel(conn);
  await ch.prefetch(3);
  const inbox = await consume(ch, queue, { noAck: false });
  const got = await inbox.waitFor(3);
  await ch.cancel(inbox.consumerTag);
  expect(inbox.bodies).toEqual(['m1', 'm2', 'm3']);
  ch.ack(got[0]!);
  const m4 = await within(ch.get(queue, { noAck: false }), 5_000, `basic.get ${queue}`);
  expect(m4 && m4.content.toString()).toBe('m4');
  ch.nack(m4 as Exclude<typeof m4, false>, false, true);
}

/**
 * Every message of `queue` after the restart, through a consumer that acks: RabbitMQ may take
 * a moment to elect a quorum queue's leader (until then it closes the connection with 541)
 * and to return what the dead consumer held, so this retries and waits, bounded.
 */
async function consumeAll(url: string, queue: string, expected: number): Promise<Back[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const conn = await connect(url);
    try {
      const ch = await channel(conn);
      const inbox = await consume(ch, queue, { noAck: false }, (m) => ch.ack(m));
      await inbox.waitFor(expected, 15_000);
      await sleep(200); // nothing more should come
      return inbox.messages.map((m) => [m.content.toString(), m.fields.redelivered, m.properties.headers?.['x-delivery-count'] ?? null]);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(500);
    } finally {
      await within(conn.close(), 3_000, 'connection.close').catch(() => undefined);
    }
  }
}

/**
 * A confirmed publish on `conn`, after everything else it sent: Warren confirms only after
 * its store is flushed, so the acks, nacks and deliveries before it are on disk.
 */
async function barrier(pub: Channel & { waitForConfirms(): Promise<void> }, queue: string, body: string): Promise<void> {
  pub.sendToQueue(queue, Buffer.from(body), PERSISTENT);
  await within(pub.waitForConfirms(), 5_000, 'confirm of the last publish');
}

describe('recovery after the broker process was killed (SIGKILL)', () => {
  const classic = unique('crash-classic');
  const untouched = unique('crash-untouched');
  const quorum = unique('crash-quorum');

  it('classic queues bring every message back redelivered; quorum queues exactly the delivered ones, counted', async () => {
    const b = broker();
    const conn = await connect(b.url);
    const pub = await confirmChannel(conn);
    await pub.assertQueue(quorum, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    // RabbitMQ 3.10 saves its directory of Ra servers every 500 ms (ra_directory's dets
    // table, auto_save 500): a quorum queue declared less than that before a SIGKILL cannot
    // be restarted (it stays without a leader). Not what this test is about: let it save.
    if (TARGET === 'rabbitmq') await sleep(1_500);
    await pub.assertQueue(classic, { durable: true });
    await pub.assertQueue(untouched, { durable: true });
    for (const q of [classic, quorum]) for (let i = 1; i <= 6; i++) pub.sendToQueue(q, Buffer.from(`m${i}`), PERSISTENT);
    pub.sendToQueue(untouched, Buffer.from('u1'), PERSISTENT);
    await within(pub.waitForConfirms(), 5_000, 'confirms');
    await handleSome(conn, classic);
    await handleSome(conn, quorum);
    await barrier(pub, untouched, 'u2');

    await b.kill('SIGKILL');
    await b.start();

    // RabbitMQ does not sync a classic queue's acks: an acked message may come back after a
    // crash (3.10's v2 index did, for an ack 200 ms before the kill). Warren's acks are
    // flushed before the next confirm, so m1 stays gone.
    const ackedMaybeBack = (back: Back[]) => (TARGET === 'rabbitmq' ? back.filter(([body]) => body !== 'm1') : back);
    const classicBack = await consumeAll(b.url, classic, 5);
    expect(ackedMaybeBack(classicBack)).toEqual([
      ['m2', true, null],
      ['m3', true, null],
      ['m4', true, null],
      ['m5', true, null],
      ['m6', true, null],
    ]);
    expect(await consumeAll(b.url, untouched, 2)).toEqual([
      ['u1', true, null],
      ['u2', true, null],
    ]);
    // In which order RabbitMQ hands back what the dead consumer held depends on when it
    // notices: compared by body.
    const quorumBack = ackedMaybeBack(await consumeAll(b.url, quorum, 5)).sort(([a], [b]) => a.localeCompare(b));
    expect(quorumBack).toEqual([
      ['m2', true, 1],
      ['m3', true, 1],
      ['m4', true, 1],
      ['m5', false, null],
      ['m6', false, null],
    ]);
  }, T);

  it('after that, a clean stop (SIGTERM) is trusted again: only the unacked message comes back redelivered', async () => {
    const b = broker();
    const conn = await connect(b.url);
    const pub = await confirmChannel(conn);
    for (const body of ['y1', 'y2']) pub.sendToQueue(classic, Buffer.from(body), PERSISTENT);
    await within(pub.waitForConfirms(), 5_000, 'confirms');
    const ch = await channel(conn);
    const held = await within(ch.get(classic, { noAck: false }), 5_000, 'basic.get');
    expect(held && held.content.toString()).toBe('y1');
    await barrier(pub, untouched, 'u3');

    await b.kill('SIGTERM');
    await b.start();

    expect(await consumeAll(b.url, classic, 2)).toEqual([
      ['y1', true, null],
      ['y2', false, null],
    ]);
    expect(await consumeAll(b.url, untouched, 1)).toEqual([['u3', false, null]]);
    const after = await channel(await connect(b.url));
    for (const q of [classic, untouched, quorum]) await after.deleteQueue(q);
  }, T);
});
