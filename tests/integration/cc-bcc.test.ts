/**
 * Sender-selected distribution (CC and BCC headers) as amqplib sees it, on Warren and on
 * RabbitMQ alike (npm run test:rabbitmq). The corners are recorded in
 * tests/fixtures/RABBITMQ-BEHAVIOUR.md (cc-bcc.*). Left out here because RabbitMQ 3.10 (the
 * node these tests start) and 4.x differ: the CC header after a dead-letter routing key
 * (3.10 drops it), and a mandatory publish answered only by a direct reply-to address
 * (3.10 also returns it).
 */
import { describe, expect, it } from 'vitest';
import {
  channel,
  confirmChannel,
  connect,
  eventually,
  unique,
  watched,
  within,
  type Channel,
  type ConfirmChannel,
  type ConsumeMessage,
} from './support/amqp.ts';
import { useTarget } from './support/hooks.ts';

const target = useTarget();
const T = 15_000;

type Headers = Record<string, unknown>;
type Message = { body: string; routingKey: string; headers: Headers };

/** A confirm channel: once a publish is confirmed, every queue it reached holds it. */
async function publisher(): Promise<{ ch: ConfirmChannel; n: (name: string) => string }> {
  const conn = await connect(target().url);
  const ch = await confirmChannel(conn);
  const prefix = unique('ccbcc');
  return { ch, n: (name) => `${prefix}.${name}` };
}

async function published(ch: ConfirmChannel, exchange: string, key: string, body: string, options: object = {}): Promise<void> {
  ch.publish(exchange, key, Buffer.from(body), options);
  await within(ch.waitForConfirms(), 5_000, 'publish confirmed');
}

/** Every message ready in a queue (basic.get, no-ack). */
async function take(ch: Channel, queue: string): Promise<Message[]> {
  const out: Message[] = [];
  for (;;) {
    const m = await within(ch.get(queue, { noAck: true }), 5_000, `get ${queue}`);
    if (m === false) return out;
    out.push({ body: m.content.toString(), routingKey: m.fields.routingKey, headers: (m.properties.headers ?? {}) as Headers });
  }
}

const bodies = async (ch: Channel, queue: string) => (await take(ch, queue)).map((m) => m.body);

/** Waits until the queue holds `count` messages (dead-lettering happens after the publish). */
async function holds(ch: Channel, queue: string, count: number): Promise<void> {
  await eventually(async () => (await ch.checkQueue(queue)).messageCount >= count, 5_000, `${count} message(s) in ${queue}`);
}

/** A direct exchange with one queue per key, bound with that key; returns the queue names. */
async function directWith(ch: Channel, exchange: string, keys: string[], n: (name: string) => string): Promise<Record<string, string>> {
  await ch.assertExchange(exchange, 'direct', { durable: false, autoDelete: false });
  const queues: Record<string, string> = {};
  for (const k of keys) {
    queues[k] = n(`q-${k}`);
    await ch.assertQueue(queues[k], { durable: false });
    await ch.bindQueue(queues[k], exchange, k);
  }
  return queues;
}

describe('CC and BCC add routing keys', () => {
  it('direct exchange: each key reaches its queue once; consumers see CC but not BCC', async () => {
    const { ch, n } = await publisher();
    const x = n('d');
    const q = await directWith(ch, x, ['k1', 'k2', 'k3', 'k4'], n);
    const all = n('all');
    await ch.assertQueue(all, { durable: false });
    for (const k of ['k1', 'k2', 'k3']) await ch.bindQueue(all, x, k);
    await published(ch, x, 'k1', 'm', { CC: 'k2', BCC: ['k3'], headers: { other: 'v' } });
    for (const queue of [q['k1']!, q['k2']!, q['k3']!, all]) {
      expect(await take(ch, queue)).toEqual([{ body: 'm', routingKey: 'k1', headers: { CC: ['k2'], other: 'v' } }]);
    }
    expect(await bodies(ch, q['k4']!)).toEqual([]);
  }, T);

  it('default exchange: CC and BCC name more queues; missing ones are skipped', async () => {
    const { ch, n } = await publisher();
    const [q1, q2, q3] = [n('q1'), n('q2'), n('q3')];
    for (const q of [q1, q2, q3]) await ch.assertQueue(q, { durable: false });
    await published(ch, '', q1, 'm', { CC: [q2, n('missing')], BCC: [q3, q1] });
    await published(ch, '', n('missing'), 'via-cc', { CC: [q2] });
    expect([await bodies(ch, q1), await bodies(ch, q2), await bodies(ch, q3)]).toEqual([['m'], ['m', 'via-cc'], ['m']]);
  }, T);

  it('topic exchange: every key is matched against the patterns', async () => {
    const { ch, n } = await publisher();
    const t = n('t');
    await ch.assertExchange(t, 'topic', { durable: false });
    const q: Record<string, string> = {};
    for (const pattern of ['a.*', 'b.#', 'c']) {
      q[pattern] = n(`t-${pattern}`);
      await ch.assertQueue(q[pattern], { durable: false });
      await ch.bindQueue(q[pattern], t, pattern);
    }
    await published(ch, t, 'x.y', 'm', { CC: ['b.y.z'], BCC: ['a.y'] });
    expect([await bodies(ch, q['a.*']!), await bodies(ch, q['b.#']!), await bodies(ch, q['c']!)]).toEqual([['m'], ['m'], []]);
  }, T);

  it('mandatory: returned only when no key routes, and without its BCC', async () => {
    const { ch, n } = await publisher();
    const x = n('d');
    const q = await directWith(ch, x, ['k2'], n);
    const returned: { body: string; headers: unknown }[] = [];
    ch.on('return', (m: ConsumeMessage) => returned.push({ body: m.content.toString(), headers: m.properties.headers }));
    await published(ch, x, 'none', 'cc-routes', { mandatory: true, CC: ['k2'] });
    await published(ch, x, 'none', 'bcc-routes', { mandatory: true, BCC: ['k2'] });
    await published(ch, x, 'none', 'nothing-routes', { mandatory: true, CC: ['nope'], BCC: ['nope2'], headers: { h: 'v' } });
    expect(await bodies(ch, q['k2']!)).toEqual(['cc-routes', 'bcc-routes']);
    // basic.return comes before the confirm.
    expect(returned).toEqual([{ body: 'nothing-routes', headers: { CC: ['nope'], h: 'v' } }]);
  }, T);

  it('every key goes on through exchange-to-exchange bindings and to the alternate exchange', async () => {
    const { ch, n } = await publisher();
    const [x, y] = [n('x'), n('y')];
    await ch.assertExchange(x, 'direct', { durable: false });
    await ch.assertExchange(y, 'direct', { durable: false });
    await ch.bindExchange(y, x, 'k1');
    const yq = n('yq');
    await ch.assertQueue(yq, { durable: false });
    await ch.bindQueue(yq, y, 'k3');
    await published(ch, x, 'k1', 'bcc-k3', { BCC: ['k3'] });
    await published(ch, x, 'k3', 'k3-alone');
    expect(await bodies(ch, yq)).toEqual(['bcc-k3']);

    const [ae, z] = [n('ae'), n('z')];
    const aeq = (await directWith(ch, ae, ['k5'], n))['k5']!;
    await ch.assertExchange(z, 'direct', { durable: false, alternateExchange: ae });
    const zq = n('zq');
    await ch.assertQueue(zq, { durable: false });
    await ch.bindQueue(zq, z, 'k1');
    const returned: string[] = [];
    ch.on('return', (m: ConsumeMessage) => returned.push(m.content.toString()));
    await published(ch, z, 'none', 'ae-by-cc', { mandatory: true, CC: ['k5'] });
    await published(ch, z, 'k1', 'z-routes', { mandatory: true, CC: ['k5'] });
    await published(ch, z, 'none', 'ae-nothing', { mandatory: true, CC: ['k6'] });
    expect([await bodies(ch, zq), await bodies(ch, aeq), returned]).toEqual([['z-routes'], ['ae-by-cc'], ['ae-nothing']]);
  }, T);

  it('elements that are not strings are skipped', async () => {
    const { ch, n } = await publisher();
    const x = n('d');
    const q = await directWith(ch, x, ['k1', 'k2'], n);
    await published(ch, x, 'none', 'mixed', { headers: { CC: [5, 'k2', { a: 1 }, true, null] } });
    expect([await bodies(ch, q['k1']!), await bodies(ch, q['k2']!)]).toEqual([[], ['mixed']]);
  }, T);
});

describe('CC or BCC that is not an array: 406 PRECONDITION_FAILED', () => {
  const text = (header: string, type: string) => `PRECONDITION_FAILED - invalid message: {unacceptable_type_in_header,"${header}",${type}}`;
  const closedByServer = (replyText: string) => `Channel closed by server: 406 (PRECONDITION-FAILED) with message "${replyText}"`;

  // amqplib sends a small integer as a byte ('b'); Warren's server reads it back as a plain
  // number, so the integer case uses amqplib's explicit type.
  it.each([
    ['CC', 'k2', 'longstr'],
    ['BCC', 'k2', 'longstr'],
    ['CC', { '!': 'int', value: 5 }, 'signedint'],
    ['CC', 2 ** 40, 'long'],
    ['CC', 1.5, 'double'],
    ['CC', true, 'bool'],
    ['CC', { a: 'b' }, 'table'],
    ['CC', null, 'void'],
    ['CC', Buffer.from('k2'), 'binary'],
  ])('%s = %j closes the channel (type %s), not the connection', async (header, value, type) => {
    const conn = await connect(target().url);
    const ch = await channel(conn);
    const { queue } = await ch.assertQueue('', { exclusive: true });
    ch.sendToQueue(queue, Buffer.from('bad'), { headers: { [header]: value } });
    const w = watched(ch);
    await within(w.whenClosed, 5_000, 'channel close');
    expect(w.errors.map((e) => [e.code, e.message])).toEqual([[406, closedByServer(text(header, type))]]);
    const other = await channel(conn);
    expect((await other.checkQueue(queue)).messageCount).toBe(0);
  }, T);

  it('CC is checked before BCC', async () => {
    const conn = await connect(target().url);
    const ch = await channel(conn);
    ch.publish('amq.direct', 'x', Buffer.from('bad'), { headers: { BCC: 'b', CC: true } });
    const w = watched(ch);
    await within(w.whenClosed, 5_000, 'channel close');
    expect(w.errors[0]?.message).toBe(closedByServer(text('CC', 'bool')));
  }, T);
});

describe('dead-lettering a CC/BCC message', () => {
  /** src (bound to direct x by k1) dead-letters to direct dlx, with a dead-letter queue per key. */
  async function deadLetterWorld(args: Record<string, unknown> = {}) {
    const { ch, n } = await publisher();
    const [x, dlx, src] = [n('x'), n('dlx'), n('src')];
    await ch.assertExchange(x, 'direct', { durable: false });
    const dlq = await directWith(ch, dlx, ['k1', 'k2', 'k3'], n);
    await ch.assertQueue(src, { durable: false, arguments: { 'x-dead-letter-exchange': dlx, ...args } });
    await ch.bindQueue(src, x, 'k1');
    return { ch, n, x, dlx, src, dlq };
  }

  async function rejectOne(ch: Channel, queue: string): Promise<void> {
    const m = await within(ch.get(queue, { noAck: false }), 5_000, `get ${queue}`);
    if (m === false) throw new Error(`nothing in ${queue}`);
    ch.reject(m, false);
  }

  const routingKeys = (m: Message | undefined) => ((m?.headers['x-death'] as Headers[] | undefined)?.[0]?.['routing-keys']);

  it('without a dead-letter routing key: routed by every key, BCC included; x-death lists the key and CC', async () => {
    const { ch, x, src, dlq } = await deadLetterWorld();
    await published(ch, x, 'k1', 'm', { CC: ['k2'], BCC: ['k3'] });
    await rejectOne(ch, src);
    for (const k of ['k1', 'k2', 'k3']) {
      await holds(ch, dlq[k]!, 1);
      const [m, ...more] = await take(ch, dlq[k]!);
      expect(more).toEqual([]);
      expect(m!.routingKey).toBe('k1');
      expect(m!.headers['CC']).toEqual(['k2']);
      expect(m!.headers['BCC']).toBeUndefined();
      expect(routingKeys(m)).toEqual(['k1', 'k2']);
    }
  }, T);

  it('with a dead-letter routing key: that key alone; x-death still lists the original key and CC', async () => {
    const { ch, x, src, dlq } = await deadLetterWorld({ 'x-dead-letter-routing-key': 'k1' });
    await published(ch, x, 'k1', 'm', { CC: ['k2'], BCC: ['k3'] });
    await rejectOne(ch, src);
    await holds(ch, dlq['k1']!, 1);
    expect(routingKeys((await take(ch, dlq['k1']!))[0])).toEqual(['k1', 'k2']);
    expect([await bodies(ch, dlq['k2']!), await bodies(ch, dlq['k3']!)]).toEqual([[], []]);
  }, T);

  it('a BCC key still routes the second time the message is dead-lettered', async () => {
    const { ch, n } = await publisher();
    const [x, dlx, dlx2, src, hop] = [n('x'), n('dlx'), n('dlx2'), n('src'), n('hop')];
    for (const e of [x, dlx, dlx2]) await ch.assertExchange(e, 'direct', { durable: false });
    await ch.assertQueue(src, { durable: false, arguments: { 'x-dead-letter-exchange': dlx } });
    await ch.bindQueue(src, x, 'k1');
    await ch.assertQueue(hop, { durable: false, arguments: { 'x-dead-letter-exchange': dlx2 } });
    await ch.bindQueue(hop, dlx, 'k1');
    const last = (await directWith(ch, dlx2, ['k3'], n))['k3']!;
    await published(ch, x, 'k1', 'twice', { BCC: ['k3'] });
    await rejectOne(ch, src);
    await holds(ch, hop, 1);
    await rejectOne(ch, hop);
    await holds(ch, last, 1);
    expect(await bodies(ch, last)).toEqual(['twice']);
  }, T);

  it('to the default exchange: the CC and BCC queues get it, and a rejected message its own queue too', async () => {
    const { ch, n } = await publisher();
    const [src, a, b] = [n('src'), n('a'), n('b')];
    await ch.assertQueue(src, { durable: false, arguments: { 'x-dead-letter-exchange': '' } });
    await ch.assertQueue(a, { durable: false });
    await ch.assertQueue(b, { durable: false });
    await published(ch, '', src, 'm', { CC: [a], BCC: [b] });
    expect([await bodies(ch, a), await bodies(ch, b)]).toEqual([['m'], ['m']]);
    await rejectOne(ch, src);
    for (const q of [src, a, b]) {
      await holds(ch, q, 1);
      const got = await take(ch, q);
      expect(got.map((m) => [m.body, routingKeys(m)])).toEqual([['m', [src, a]]]);
    }
  }, T);
});

describe('direct reply-to addresses in CC', () => {
  it('the requester gets the reply, and the queue the routing key names gets it too', async () => {
    const conn = await connect(target().url);
    const requester = await channel(conn);
    const replies: string[] = [];
    await requester.consume('amq.rabbitmq.reply-to', (m) => m && replies.push(m.content.toString()), { noAck: true });
    const rq = unique('ccbcc.rq');
    await requester.assertQueue(rq, { durable: false, autoDelete: true });
    requester.sendToQueue(rq, Buffer.from('request'), { replyTo: 'amq.rabbitmq.reply-to' });
    const { ch, n } = await publisher();
    await holds(ch, rq, 1);
    const request = await within(ch.get(rq, { noAck: true }), 5_000, 'the request');
    if (request === false) throw new Error('no request');
    const address = request.properties.replyTo as string;
    const other = n('other');
    await ch.assertQueue(other, { durable: false });
    await published(ch, '', other, 'reply', { CC: [address] });
    await eventually(() => replies.length > 0, 5_000, 'the reply');
    expect(replies).toEqual(['reply']);
    expect(await bodies(ch, other)).toEqual(['reply']);
  }, T);
});
