/**
 * The RabbitMQ tutorials (1–7), run with real clients against the target broker
 * (WARREN_TARGET=warren|rabbitmq, see target.ts): amqplib in this process, and pika
 * programs (tests/integration/pika/*.py) as child processes, each pattern also across the
 * two clients. Classic queues here; quorum queues in quorum.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { channel, crash, confirmChannel, connect, consume, eventually, unique, within, type ConsumeMessage } from './support/amqp.ts';
import { useTarget } from './support/hooks.ts';
import { isPikaInstalled, pika, runPika, type PikaEvent } from './support/pika.ts';

const target = useTarget();
const itPika = it.runIf(isPikaInstalled());
const T = 20_000; // per-test timeout

const SERVER_NAMED = /^amq\.gen-[A-Za-z0-9_-]{22}$/;
const bodies = (events: PikaEvent[]) => events.map((e) => e.body);
const text = (m: { content: Buffer }) => m.content.toString();


describe('1 "Hello World!"', () => {
  itPika('pika send.py puts messages on a queue; receive.py consumes them (auto-ack)', async () => {
    const { port } = target();
    const q = unique('hello');
    const sent = await runPika('send.py', port, '--queue', q, 'Hello World!', 'and again');
    expect(bodies(sent)).toEqual(['Hello World!', 'and again']);
    const received = await runPika('receive.py', port, '--queue', q, '--count', 2);
    const messages = received.filter((e) => e.event === 'message');
    expect(bodies(messages)).toEqual(['Hello World!', 'and again']);
    expect(messages[0]).toMatchObject({ redelivered: false, exchange: '', routing_key: q, delivery_count: null });
  }, T);

  it('amqplib: sendToQueue, then a consumer on another connection (noAck)', async () => {
    const { url } = target();
    const q = unique('hello');
    const sender = await channel(await connect(url));
    const ok = await sender.assertQueue(q, { durable: false });
    expect(ok).toEqual({ queue: q, messageCount: 0, consumerCount: 0 });
    sender.sendToQueue(q, Buffer.from('Hello World!'));

    const receiver = await channel(await connect(url));
    await receiver.assertQueue(q, { durable: false });
    const inbox = await consume(receiver, q, { noAck: true });
    const [m] = await inbox.waitFor(1);
    expect(text(m!)).toBe('Hello World!');
    expect(m!.fields).toMatchObject({ exchange: '', routingKey: q, redelivered: false, consumerTag: inbox.consumerTag });
    expect(inbox.consumerTag).toMatch(/^amq\.ctag-[A-Za-z0-9_-]{22}$/);
  }, T);

  itPika('across clients: amqplib → pika receive.py, and pika send.py → amqplib', async () => {
    const { url, port } = target();
    const q1 = unique('hello');
    const ch = await channel(await connect(url));
    await ch.assertQueue(q1, { durable: false }); // amqplib's default is durable: true; pika's is false
    ch.sendToQueue(q1, Buffer.from('from amqplib'));
    const received = await runPika('receive.py', port, '--queue', q1, '--count', 1);
    expect(bodies(received.filter((e) => e.event === 'message'))).toEqual(['from amqplib']);

    const q2 = unique('hello');
    await ch.assertQueue(q2, { durable: false });
    const inbox = await consume(ch, q2, { noAck: true });
    await runPika('send.py', port, '--queue', q2, 'from pika');
    await inbox.waitFor(1);
    expect(inbox.bodies).toEqual(['from pika']);
  }, T);
});

describe('2 Work queues (round-robin, then manual ack + prefetch 1)', () => {
  itPika('pika: without prefetch, two worker.py get the tasks round-robin (1,3,5 / 2,4,6)', async () => {
    const { port } = target();
    const q = unique('task_queue');
    const first = pika('worker.py', port, '--queue', q, '--prefetch', 0, '--dot', 0.01, '--inactivity', 25);
    await first.waitFor('ready');
    const second = pika('worker.py', port, '--queue', q, '--prefetch', 0, '--dot', 0.01, '--inactivity', 25);
    await second.waitFor('ready');
    await runPika('new_task.py', port, '--queue', q, 't1', 't2', 't3', 't4', 't5', 't6');
    await Promise.all([first.waitForCount('done', 3), second.waitForCount('done', 3)]);
    expect(bodies(first.named('received'))).toEqual(['t1', 't3', 't5']);
    expect(bodies(second.named('received'))).toEqual(['t2', 't4', 't6']);
  }, T);

  it('amqplib: without prefetch, two consumers get the messages round-robin (m1,m3,m5 / m2,m4,m6)', async () => {
    const { url } = target();
    const q = unique('task_queue');
    const producer = await channel(await connect(url));
    await producer.assertQueue(q, { durable: true });
    const consumers = [];
    for (let i = 0; i < 2; i++) {
      const ch = await channel(await connect(url));
      consumers.push(await consume(ch, q, { noAck: false }, (m) => ch.ack(m)));
    }
    for (let i = 1; i <= 6; i++) producer.sendToQueue(q, Buffer.from(`m${i}`), { persistent: true });
    await Promise.all(consumers.map((c) => c.waitFor(3)));
    expect(consumers.map((c) => c.bodies)).toEqual([['m1', 'm3', 'm5'], ['m2', 'm4', 'm6']]);
  }, T);

  itPika('pika: two worker.py share tasks fairly — a busy worker gets no new task until it acks', async () => {
    const { port } = target();
    const q = unique('task_queue');
    const w1 = pika('worker.py', port, '--queue', q, '--dot', 0.1, '--inactivity', 25);
    const w2 = pika('worker.py', port, '--queue', q, '--dot', 0.1, '--inactivity', 25);
    await Promise.all([w1.waitFor('ready'), w2.waitFor('ready')]);
    const tasks = ['slow.........', 'a', 'b', 'c', 'd', 'e'];
    await runPika('new_task.py', port, '--queue', q, ...tasks);
    await eventually(() => w1.named('done').length + w2.named('done').length >= tasks.length, 10_000, 'all tasks done');
    const slow = w1.named('received').some((e) => e.body === tasks[0]) ? w1 : w2;
    const fast = slow === w1 ? w2 : w1;
    // Round-robin without prefetch would have given the slow worker 'b' and 'd'.
    expect(bodies(slow.named('received'))).toEqual([tasks[0]]);
    expect(bodies(fast.named('received'))).toEqual(tasks.slice(1));
    expect([...slow.named('received'), ...fast.named('received')].every((e) => e.redelivered === false)).toBe(true);
  }, T);

  itPika("pika: a killed worker's unacked task is redelivered to the other worker (redelivered=true)", async () => {
    const { port } = target();
    const q = unique('task_queue');
    const dying = pika('worker.py', port, '--queue', q, '--hang');
    await dying.waitFor('ready');
    await runPika('new_task.py', port, '--queue', q, 'first task.');
    await dying.waitFor('hanging');

    const other = pika('worker.py', port, '--queue', q, '--dot', 0.01, '--inactivity', 25);
    await other.waitFor('ready');
    await runPika('new_task.py', port, '--queue', q, 'second task.');
    await other.waitFor((e) => e.event === 'done' && e.body === 'second task.');
    // The first task stays with the (hung) worker that holds it unacked.
    expect(bodies(other.named('received'))).toEqual(['second task.']);

    await dying.kill(); // SIGKILL: no basic.reject, no channel.close, just a dropped socket
    const again = await other.waitFor((e) => e.event === 'received' && e.body === 'first task.');
    expect(again).toMatchObject({ redelivered: true, delivery_count: null }); // classic queue: no x-delivery-count
    await other.waitFor((e) => e.event === 'done' && e.body === 'first task.');
    expect(bodies(dying.named('received'))).toEqual(['first task.']);
  }, T);

  it('amqplib: two workers with prefetch 1 share tasks fairly (a busy worker gets nothing new until it acks)', async () => {
    const { url } = target();
    const q = unique('task_queue');
    const producer = await channel(await connect(url));
    await producer.assertQueue(q, { durable: true });

    const worker = async (delayFor: (body: string) => number) => {
      const conn = await connect(url);
      const ch = await channel(conn);
      await ch.assertQueue(q, { durable: true });
      await ch.prefetch(1);
      const acked: string[] = [];
      const inbox = await consume(ch, q, { noAck: false }, (m) => {
        setTimeout(() => {
          ch.ack(m);
          acked.push(text(m));
        }, delayFor(text(m)));
      });
      return { conn, ch, inbox, acked };
    };
    const tasks = ['slow', 'a', 'b', 'c', 'd'];
    const w1 = await worker((b) => (b === 'slow' ? 800 : 0));
    const w2 = await worker((b) => (b === 'slow' ? 800 : 0));
    for (const t of tasks) producer.sendToQueue(q, Buffer.from(t), { persistent: true });
    await eventually(() => w1.inbox.messages.length + w2.inbox.messages.length >= tasks.length, 5_000, 'all tasks delivered');
    const [slow, fast] = w1.inbox.bodies.includes('slow') ? [w1, w2] : [w2, w1];
    expect(slow.inbox.bodies).toEqual(['slow']);
    expect(fast.inbox.bodies).toEqual(['a', 'b', 'c', 'd']);
    expect(fast.inbox.messages.map((m) => m.properties.deliveryMode)).toEqual([2, 2, 2, 2]);
    await eventually(() => slow.acked.length === 1, 5_000, 'the slow task acked');
  }, T);

  it("amqplib: a crashed worker's unacked task is redelivered to the other worker (redelivered=true)", async () => {
    const { url } = target();
    const q = unique('task_queue');
    const hold = await connect(url);
    const holdCh = await channel(hold);
    await holdCh.assertQueue(q, { durable: true });
    await holdCh.prefetch(1);
    const held = await consume(holdCh, q, { noAck: false });
    holdCh.sendToQueue(q, Buffer.from('one'), { persistent: true });
    holdCh.sendToQueue(q, Buffer.from('two'), { persistent: true });
    await held.waitFor(1);
    expect(held.bodies).toEqual(['one']); // prefetch 1: 'two' waits

    const otherCh = await channel(await connect(url));
    await otherCh.prefetch(1);
    const other = await consume(otherCh, q, { noAck: false }, (m) => otherCh.ack(m));
    await other.waitFor(1);
    expect(other.bodies).toEqual(['two']);
    crash(hold);
    await other.waitFor(2);
    expect(other.bodies).toEqual(['two', 'one']);
    expect(other.messages.map((m) => m.fields.redelivered)).toEqual([false, true]);
    await eventually(async () => (await otherCh.checkQueue(q)).messageCount === 0, 3_000, 'queue empty');
  }, T);
});

describe('3 Publish/Subscribe (fanout, exclusive server-named queues)', () => {
  itPika('pika emit_log.py → two receive_logs.py: each gets every message on its own amq.gen- queue', async () => {
    const { port } = target();
    const ex = unique('logs');
    const r1 = pika('receive_logs.py', port, '--exchange', ex, '--count', 3);
    const r2 = pika('receive_logs.py', port, '--exchange', ex, '--count', 3);
    const [ready1, ready2] = await Promise.all([r1.waitFor('ready'), r2.waitFor('ready')]);
    expect(ready1.queue).toMatch(SERVER_NAMED);
    expect(ready2.queue).toMatch(SERVER_NAMED);
    expect(ready1.queue).not.toBe(ready2.queue);
    await runPika('emit_log.py', port, '--exchange', ex, 'info: one', 'warning: two', 'error: three');
    for (const r of [r1, r2]) {
      await r.success();
      expect(bodies(r.named('message'))).toEqual(['info: one', 'warning: two', 'error: three']);
      expect(r.named('message')[0]).toMatchObject({ exchange: ex, routing_key: '' });
    }
  }, T);

  it('amqplib: exclusive server-named queues bound to a fanout; an exclusive queue dies with its connection', async () => {
    const { url } = target();
    const ex = unique('logs');
    const subscribe = async () => {
      const conn = await connect(url);
      const ch = await channel(conn);
      await ch.assertExchange(ex, 'fanout', { durable: false });
      const { queue, messageCount, consumerCount } = await ch.assertQueue('', { exclusive: true });
      expect(queue).toMatch(SERVER_NAMED);
      expect([messageCount, consumerCount]).toEqual([0, 0]);
      await ch.bindQueue(queue, ex, '');
      return { conn, queue, inbox: await consume(ch, queue, { noAck: true }) };
    };
    const s1 = await subscribe();
    const s2 = await subscribe();
    const pub = await channel(await connect(url));
    await pub.assertExchange(ex, 'fanout', { durable: false });
    for (const m of ['one', 'two', 'three']) pub.publish(ex, 'ignored-by-fanout', Buffer.from(m));
    for (const s of [s1, s2]) {
      await s.inbox.waitFor(3);
      expect(s.inbox.bodies).toEqual(['one', 'two', 'three']);
      expect(s.inbox.messages[0]!.fields).toMatchObject({ exchange: ex, routingKey: 'ignored-by-fanout' });
    }

    await s1.conn.close();
    const probe = await connect(url);
    const error = await eventually(
      async () => {
        const ch = await channel(probe);
        try {
          await ch.checkQueue(s1.queue);
          await ch.close();
          return undefined;
        } catch (err) {
          return err as Error & { code?: number };
        }
      },
      3_000,
      'exclusive queue deleted after its connection closed',
    );
    expect(error.code).toBe(404);
    expect(error.message).toContain(`NOT_FOUND - no queue '${s1.queue}' in vhost '/'`);
  }, T);

  itPika('across clients: amqplib publishes on the fanout, pika receive_logs.py subscribes', async () => {
    const { url, port } = target();
    const ex = unique('logs');
    const r = pika('receive_logs.py', port, '--exchange', ex, '--count', 2);
    await r.waitFor('ready');
    const pub = await channel(await connect(url));
    await pub.assertExchange(ex, 'fanout', { durable: false });
    pub.publish(ex, '', Buffer.from('a'));
    pub.publish(ex, '', Buffer.from('b'));
    await r.success();
    expect(bodies(r.named('message'))).toEqual(['a', 'b']);
  }, T);
});

describe('4 Routing (direct exchange)', () => {
  itPika('pika emit_log_direct.py → receive_logs_direct.py bound to [error] and to [info warning error]', async () => {
    const { port } = target();
    const ex = unique('direct_logs');
    // Each receiver's last message is the 'end' sentinel both are bound to: anything
    // misrouted would show up before it (one publisher channel keeps order).
    const errorsOnly = pika('receive_logs_direct.py', port, '--exchange', ex, '--count', 3, 'error');
    const all = pika('receive_logs_direct.py', port, '--exchange', ex, '--count', 6, 'info', 'warning', 'error');
    await Promise.all([errorsOnly.waitFor('ready'), all.waitFor('ready')]);
    await runPika('emit_log_direct.py', port, '--exchange', ex,
      'info', 'i1', 'debug', 'nobody', 'warning', 'w1', 'error', 'e1', 'info', 'i2', 'error', 'e2', 'error', 'end');
    await errorsOnly.success();
    await all.success();
    expect(bodies(errorsOnly.named('message'))).toEqual(['e1', 'e2', 'end']);
    expect(bodies(all.named('message'))).toEqual(['i1', 'w1', 'e1', 'i2', 'e2', 'end']);
    expect(all.named('message').map((e) => e.routing_key)).toEqual(['info', 'warning', 'error', 'info', 'error', 'error']);
  }, T);

  it('amqplib: several bindings per queue, the same key bound by two queues', async () => {
    const { url } = target();
    const ex = unique('direct_logs');
    const ch = await confirmChannel(await connect(url));
    await ch.assertExchange(ex, 'direct', { durable: false });
    const q1 = (await ch.assertQueue('', { exclusive: true })).queue;
    const q2 = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.bindQueue(q1, ex, 'orange');
    await ch.bindQueue(q1, ex, 'black');
    await ch.bindQueue(q2, ex, 'black');
    await ch.bindQueue(q2, ex, 'green');
    for (const key of ['orange', 'black', 'green', 'red']) ch.publish(ex, key, Buffer.from(key));
    await within(ch.waitForConfirms(), 5_000, 'confirms');
    const drain = async (q: string) => {
      const out: string[] = [];
      for (let m = await ch.get(q, { noAck: true }); m; m = await ch.get(q, { noAck: true })) out.push(text(m));
      return out;
    };
    expect(await drain(q1)).toEqual(['orange', 'black']);
    expect(await drain(q2)).toEqual(['black', 'green']);
  }, T);
});

describe('5 Topics', () => {
  itPika('pika emit_log_topic.py → receive_logs_topic.py with *, # and multi-word keys', async () => {
    const { port } = target();
    const ex = unique('topic_logs');
    const keys: [string, string][] = [
      ['kern.critical', 'k-crit'], ['anonymous.info', 'anon'], ['cron.critical', 'cron-crit'],
      ['kern.info.extra', 'k-deep'], ['kern', 'k-bare'], ['critical', 'crit-bare'],
    ];
    const expected: Record<string, string[]> = {
      '*.critical': ['k-crit', 'cron-crit'],
      'kern.*': ['k-crit'],
      '#': ['k-crit', 'anon', 'cron-crit', 'k-deep', 'k-bare', 'crit-bare'],
      'kern.#': ['k-crit', 'k-deep', 'k-bare'],
    };
    // 'kern.critical' → 'end' matches every binding and comes last: a misrouted message shows before it.
    const receivers = Object.entries(expected).map(([binding, want]) => ({
      binding,
      want: [...want, 'end'],
      proc: pika('receive_logs_topic.py', port, '--exchange', ex, '--count', want.length + 1, binding),
    }));
    await Promise.all(receivers.map((r) => r.proc.waitFor('ready')));
    await runPika('emit_log_topic.py', port, '--exchange', ex, ...keys.flat(), 'kern.critical', 'end');
    for (const r of receivers) {
      await r.proc.success();
      expect({ binding: r.binding, got: bodies(r.proc.named('message')) }).toEqual({ binding: r.binding, got: r.want });
    }
  }, T);

  it('amqplib: the tutorial bindings *.orange.*, *.*.rabbit and lazy.# (one copy per queue)', async () => {
    const { url } = target();
    const ex = unique('topic_logs');
    const ch = await confirmChannel(await connect(url));
    await ch.assertExchange(ex, 'topic', { durable: false });
    const q1 = (await ch.assertQueue('', { exclusive: true })).queue;
    const q2 = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.bindQueue(q1, ex, '*.orange.*');
    await ch.bindQueue(q2, ex, '*.*.rabbit');
    await ch.bindQueue(q2, ex, 'lazy.#');
    const keys = [
      'quick.orange.rabbit', 'lazy.orange.elephant', 'quick.orange.fox', 'lazy.brown.fox', 'lazy.pink.rabbit',
      'quick.brown.fox', 'orange', 'quick.orange.new.rabbit', 'lazy.orange.new.rabbit', 'lazy', 'quick.orange.',
    ];
    for (const key of keys) ch.publish(ex, key, Buffer.from(key));
    await within(ch.waitForConfirms(), 5_000, 'confirms');
    const drain = async (q: string) => {
      const out: string[] = [];
      for (let m = await ch.get(q, { noAck: true }); m; m = await ch.get(q, { noAck: true })) out.push(text(m));
      return out;
    };
    expect(await drain(q1)).toEqual(['quick.orange.rabbit', 'lazy.orange.elephant', 'quick.orange.fox', 'quick.orange.']);
    expect(await drain(q2)).toEqual([
      'quick.orange.rabbit', 'lazy.orange.elephant', 'lazy.brown.fox', 'lazy.pink.rabbit', 'lazy.orange.new.rabbit', 'lazy',
    ]);
  }, T);
});

describe('6 RPC (reply_to + correlation_id)', () => {
  itPika('pika rpc_server.py + rpc_client.py with an exclusive callback queue', async () => {
    const { port } = target();
    const q = unique('rpc_queue');
    const server = pika('rpc_server.py', port, '--queue', q, '--count', 4);
    await server.waitFor('ready');
    const client = await runPika('rpc_client.py', port, '--queue', q, 0, 1, 10, 20);
    const replies = client.filter((e) => e.event === 'reply');
    expect(replies.map((e) => [e.n, e.result])).toEqual([[0, 0], [1, 1], [10, 55], [20, 6765]]);
    expect(client.filter((e) => e.event === 'stray')).toEqual([]);
    const callbackQueue = client.find((e) => e.event === 'ready')!.callback_queue;
    expect(callbackQueue).toMatch(SERVER_NAMED);
    await server.success();
    const requests = server.named('request');
    expect(requests.map((e) => e.reply_to)).toEqual(Array(4).fill(callbackQueue));
    expect(requests.map((e) => e.correlation_id)).toEqual(replies.map((e) => e.correlation_id));
  }, T);

  itPika('amqplib client (concurrent calls matched by correlationId) → pika rpc_server.py', async () => {
    const { url, port } = target();
    const q = unique('rpc_queue');
    const server = pika('rpc_server.py', port, '--queue', q, '--count', 3);
    await server.waitFor('ready');
    const ch = await channel(await connect(url));
    const { queue: callback } = await ch.assertQueue('', { exclusive: true });
    const pending = new Map<string, (v: string) => void>();
    await consume(ch, callback, { noAck: true }, (m) => pending.get(m.properties.correlationId)?.(text(m)));
    const call = (n: number) =>
      within(
        new Promise<string>((resolve) => {
          const id = `call-${n}-${Math.random()}`;
          pending.set(id, resolve);
          ch.sendToQueue(q, Buffer.from(String(n)), { replyTo: callback, correlationId: id });
        }),
        5_000,
        `fib(${n}) reply`,
      );
    expect(await Promise.all([call(7), call(12), call(3)])).toEqual(['13', '144', '2']);
    await server.success();
  }, T);

  itPika('direct reply-to: pika rpc_client.py --direct-reply-to → amqplib server sees amq.rabbitmq.reply-to.*', async () => {
    const { url, port } = target();
    const q = unique('rpc_queue');
    const ch = await channel(await connect(url));
    await ch.assertQueue(q, { durable: false });
    await ch.prefetch(1);
    const seen: { replyTo: string; correlationId: string }[] = [];
    await consume(ch, q, { noAck: false }, (m) => {
      const { replyTo, correlationId } = m.properties;
      seen.push({ replyTo, correlationId });
      const n = Number(text(m));
      ch.sendToQueue(replyTo, Buffer.from(String(n * n)), { correlationId });
      ch.ack(m);
    });
    const client = await runPika('rpc_client.py', port, '--queue', q, '--direct-reply-to', 4, 9);
    expect(client.find((e) => e.event === 'ready')!.callback_queue).toBe('amq.rabbitmq.reply-to');
    expect(client.filter((e) => e.event === 'reply').map((e) => [e.n, e.result])).toEqual([[4, 16], [9, 81]]);
    expect(seen).toHaveLength(2);
    for (const s of seen) {
      expect(s.replyTo.startsWith('amq.rabbitmq.reply-to.')).toBe(true);
      expect(s.replyTo.length).toBeGreaterThan('amq.rabbitmq.reply-to.'.length + 8);
    }
  }, T);

  itPika('direct reply-to: amqplib client consumes amq.rabbitmq.reply-to (noAck) → pika rpc_server.py', async () => {
    const { url, port } = target();
    const q = unique('rpc_queue');
    const server = pika('rpc_server.py', port, '--queue', q, '--count', 2);
    await server.waitFor('ready');
    const ch = await channel(await connect(url));
    const replies = await consume(ch, 'amq.rabbitmq.reply-to', { noAck: true });
    ch.sendToQueue(q, Buffer.from('6'), { replyTo: 'amq.rabbitmq.reply-to', correlationId: 'c-6' });
    ch.sendToQueue(q, Buffer.from('15'), { replyTo: 'amq.rabbitmq.reply-to', correlationId: 'c-15' });
    await replies.waitFor(2);
    expect(replies.messages.map((m) => [m.properties.correlationId, text(m)])).toEqual([['c-6', '8'], ['c-15', '610']]);
    expect(replies.messages[0]!.fields.routingKey.startsWith('amq.rabbitmq.reply-to.')).toBe(true);
    expect(replies.messages[0]!.fields.exchange).toBe('');
    await server.success();
    const requests = server.named('request');
    expect(requests.every((e) => String(e.reply_to).startsWith('amq.rabbitmq.reply-to.'))).toBe(true);
  }, T);
});

describe('7 Publisher confirms', () => {
  itPika('pika publish_confirms.py: each publish confirmed; unroutable mandatory returned (312 NO_ROUTE); reject-publish nacked', async () => {
    const { url, port } = target();
    const q = unique('confirms');
    const full = unique('confirms-full');
    const events = await runPika('publish_confirms.py', port, '--queue', q, '--count', 25, '--unroutable', '--reject-publish', full);
    expect(events.find((e) => e.event === 'confirmed')).toMatchObject({ count: 25 });
    expect(events.find((e) => e.event === 'unroutable')).toMatchObject({
      count: 1, reply_code: 312, reply_text: 'NO_ROUTE', routing_key: `${q}.nobody`, body: 'lost',
    });
    expect(events.find((e) => e.event === 'nacked')).toMatchObject({ queue: full });
    const ch = await channel(await connect(url));
    expect((await ch.checkQueue(q)).messageCount).toBe(25);
    expect((await ch.checkQueue(full)).messageCount).toBe(1);
    await ch.deleteQueue(q);
    await ch.deleteQueue(full);
  }, T);

  it('amqplib confirm channel: callbacks + waitForConfirms; basic.return before the ack; nack on reject-publish', async () => {
    const { url } = target();
    const q = unique('confirms');
    const ch = await confirmChannel(await connect(url));
    await ch.assertQueue(q, { durable: true });
    let acked = 0;
    let nacked = 0;
    for (let i = 0; i < 500; i++) {
      ch.sendToQueue(q, Buffer.from(`m${i}`), { persistent: true }, (err) => (err ? nacked++ : acked++));
    }
    await within(ch.waitForConfirms(), 5_000, 'waitForConfirms');
    expect([acked, nacked]).toEqual([500, 0]);
    expect((await ch.checkQueue(q)).messageCount).toBe(500);

    const order: string[] = [];
    let returned: ConsumeMessage | undefined;
    ch.on('return', (m: ConsumeMessage) => {
      returned = m;
      order.push('return');
    });
    ch.publish('', `${q}.nobody`, Buffer.from('lost'), { mandatory: true }, (err) => order.push(err ? 'nack' : 'ack'));
    await within(ch.waitForConfirms(), 5_000, 'waitForConfirms (unroutable)');
    expect(order).toEqual(['return', 'ack']);
    expect(returned!.fields).toMatchObject({ replyCode: 312, replyText: 'NO_ROUTE', exchange: '', routingKey: `${q}.nobody` });

    const full = unique('confirms-full');
    await ch.assertQueue(full, { arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    const publish = (body: string) =>
      new Promise<string>((resolve) => ch.sendToQueue(full, Buffer.from(body), {}, (err) => resolve(err ? 'nack' : 'ack')));
    expect(await within(Promise.all([publish('fits'), publish('overflows')]), 5_000, 'confirms')).toEqual(['ack', 'nack']);
    await ch.deleteQueue(q);
    await ch.deleteQueue(full);
  }, T);
});
