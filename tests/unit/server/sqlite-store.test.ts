// The SQLite store: every record round-trips through the file, a broker restarted over it
// keeps exactly the durable state, and what was flushed survives kill -9.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { Broker, QueuedMessage, Typed, type BasicProperties, type Channel, type FieldTable } from '../../../src/broker/index.ts';
import type { StoredBinding, StoredExchange, StoredQueue } from '../../../src/broker/store.ts';
import { SqliteStore } from '../../../src/server/sqlite-store.ts';
import { dbOf, open, tempDir, useTempStores } from './sqlite-temp.ts';

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const dec = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

useTempStores();

/** A table with every kind of field value, widths that the plain decoder would narrow included. */
const richTable = (): FieldTable => ({
  str: 'héllo',
  int: 42,
  negative: -7,
  long: 2 ** 40,
  double: 1.5,
  negZero: -0,
  big: 2n ** 60n,
  bool: true,
  nothing: null,
  bytes: new Uint8Array([0, 1, 254, 255]),
  date: new Date(1_700_000_000_000),
  int8: new Typed('int8', -5),
  uint8: new Typed('uint8', 200),
  int16: new Typed('int16', -3000),
  uint16: new Typed('uint16', 60000),
  uint32: new Typed('uint32', 4_000_000_000),
  int64: new Typed('int64', 1),
  float: new Typed('float', 0.5),
  integralDouble: new Typed('double', 3),
  decimal: new Typed('decimal', { scale: 2, value: 12345 }),
  farTimestamp: new Typed('timestamp', 2n ** 60n),
  notUtf8: new Typed('longstr', new Uint8Array([0xff, 0xfe, 0x41])),
  nested: { inner: { deeper: [1, 'two', new Typed('int16', 3), { x: new Uint8Array([9]) }] }, list: [] },
  array: [null, true, 2n ** 62n, [new Date(0)]],
});

function message(id: number, properties: BasicProperties, body: string, exchange = 'ex', routingKey = 'rk'): QueuedMessage {
  return new QueuedMessage(id, exchange, routingKey, properties, enc(body));
}

describe('SqliteStore records', () => {
  it('creates the directory and its database file', () => {
    const dir = join(tempDir(), 'nested', 'data');
    const store = open(dir);
    expect(existsSync(join(dir, 'warren.db'))).toBe(true);
    expect(store.path).toBe(join(dir, 'warren.db'));
    expect(store.load()).toEqual({ exchanges: [], queues: [], bindings: [], messages: [], uncleanQueues: [] });
  });

  it('round-trips every kind of record, field tables with their exact types, through a reopen', () => {
    const dir = tempDir();
    const exchanges: StoredExchange[] = [
      { name: 'logs', type: 'fanout', autoDelete: false, internal: false, arguments: {} },
      { name: 'inner', type: 'topic', autoDelete: true, internal: true, arguments: richTable() },
      { name: 'hdr', type: 'headers', autoDelete: false, internal: false, arguments: { 'alternate-exchange': 'logs' } },
    ];
    const queues: StoredQueue[] = [
      { name: 'q1', autoDelete: false, arguments: { 'x-max-length': 10, 'x-queue-type': 'classic', rich: richTable() } },
      { name: 'q2', autoDelete: true, arguments: {} },
    ];
    const bindings: StoredBinding[] = [
      { source: 'logs', destination: 'q1', destinationKind: 'queue', routingKey: '', arguments: {} },
      { source: 'hdr', destination: 'q2', destinationKind: 'queue', routingKey: '', arguments: { 'x-match': 'all', n: new Typed('int8', 1) } },
      { source: 'logs', destination: 'inner', destinationKind: 'exchange', routingKey: 'a.#', arguments: richTable() },
    ];
    const properties: BasicProperties = {
      contentType: 'application/json', contentEncoding: 'gzip', headers: richTable(), deliveryMode: 2, priority: 7,
      correlationId: 'c-1', replyTo: 'amq.rabbitmq.reply-to', expiration: '60000', messageId: 'm-1', timestamp: 1_700_000_000,
      type: 'order.created', userId: 'guest', appId: 'warren', clusterId: 'c',
    };
    const withBody = message(1, properties, 'first');
    withBody.deliveryCount = 3;
    const binary = new QueuedMessage(2, '', 'q2', { deliveryMode: 2 }, new Uint8Array([0, 255, 0, 10]));
    const empty = message(3, { deliveryMode: 2, headers: {} }, '');

    const store = open(dir);
    for (const x of exchanges) store.putExchange(x);
    for (const q of queues) store.putQueue(q);
    for (const b of bindings) store.putBinding(b);
    store.putMessage('q1', withBody);
    store.putMessage('q2', binary);
    store.putMessage('q1', empty);
    store.close();

    const state = open(dir).load();
    expect(state.exchanges).toStrictEqual(exchanges);
    expect(state.queues).toStrictEqual(queues);
    expect(state.bindings).toStrictEqual(bindings);
    expect(state.messages).toHaveLength(3);
    const [m1, m2, m3] = state.messages;
    expect({ ...m1!.properties }).toStrictEqual(properties);
    expect(m1).toMatchObject({ queue: 'q1', id: 1, exchange: 'ex', routingKey: 'rk', deliveryCount: 3 });
    expect(dec(m1!.body)).toBe('first');
    expect(m2).toMatchObject({ queue: 'q2', id: 2, exchange: '', routingKey: 'q2', deliveryCount: 0 });
    expect(m2!.properties).toEqual({ deliveryMode: 2 });
    expect(m2!.body).toStrictEqual(new Uint8Array([0, 255, 0, 10]));
    expect(m3).toMatchObject({ queue: 'q1', id: 3 });
    expect(m3!.properties).toEqual({ deliveryMode: 2, headers: {} });
    expect(m3!.body).toHaveLength(0);
  });

  it('updates in place and deletes: exchanges, queues (with their messages) and bindings by identity', () => {
    const dir = tempDir();
    const store = open(dir);
    store.putExchange({ name: 'x', type: 'direct', autoDelete: false, internal: false, arguments: {} });
    store.putExchange({ name: 'gone', type: 'direct', autoDelete: false, internal: false, arguments: {} });
    store.putExchange({ name: 'x', type: 'topic', autoDelete: true, internal: false, arguments: { a: 1 } });
    store.deleteExchange('gone');
    store.deleteExchange('never-there');
    store.putQueue({ name: 'keep', autoDelete: false, arguments: {} });
    store.putQueue({ name: 'drop', autoDelete: false, arguments: {} });
    store.putMessage('keep', message(1, { deliveryMode: 2 }, 'k1'));
    store.putMessage('drop', message(2, { deliveryMode: 2 }, 'd1'));
    // Declaring a queue again (recovery does) keeps its messages.
    store.putQueue({ name: 'keep', autoDelete: false, arguments: { 'x-max-length': 5 } });
    store.deleteQueue('drop');
    const b = (routingKey: string, args: FieldTable): StoredBinding => ({ source: 'x', destination: 'keep', destinationKind: 'queue', routingKey, arguments: args });
    store.putBinding(b('k', { a: 1, b: { c: 2, d: 3 } }));
    store.putBinding(b('k', { b: { d: 3, c: 2 }, a: 1 })); // the same binding: key order does not matter
    store.putBinding(b('k', { a: new Typed('int64', 1), b: { c: 2, d: 3 } })); // another: types matter, as in RabbitMQ
    store.putBinding(b('other', {}));
    store.deleteBinding(b('k', { b: { d: 3, c: 2 }, a: 1 }));
    store.flush();
    const state = store.load();
    expect(state.exchanges).toStrictEqual([{ name: 'x', type: 'topic', autoDelete: true, internal: false, arguments: { a: 1 } }]);
    expect(state.queues).toStrictEqual([{ name: 'keep', autoDelete: false, arguments: { 'x-max-length': 5 } }]);
    expect(state.messages.map((m) => [m.queue, dec(m.body)])).toEqual([['keep', 'k1']]);
    expect(state.bindings.map((x) => [x.routingKey, x.arguments])).toStrictEqual([
      ['k', { a: new Typed('int64', 1), b: { c: 2, d: 3 } }],
      ['other', {}],
    ]);
    store.putQueue({ name: 'drop', autoDelete: false, arguments: {} });
    expect(store.load().messages.filter((m) => m.queue === 'drop')).toEqual([]);
  });

  it('loads messages in the order they entered their queues; keyed by (queue, id)', () => {
    const store = open(tempDir());
    const ids = [5, 1, 9, 3, 7, 2];
    const msgs = ids.map((id) => message(id, { deliveryMode: 2 }, `m${id}`));
    // A fan-out: one message (one id, shared properties) in two queues.
    const shared = message(100, { deliveryMode: 2, headers: { fan: 'out' } }, 'fan');
    for (const [i, m] of msgs.entries()) store.putMessage(i % 2 === 0 ? 'a' : 'b', m);
    store.putMessage('a', shared);
    store.putMessage('b', shared.copy());
    store.flush();
    store.deleteMessage('a', msgs[2]!); // id 9 from a only
    store.deleteMessage('b', msgs[2]!); // not in b: nothing happens
    const again = message(9, { deliveryMode: 2 }, 'again');
    store.putMessage('a', again); // re-enters a: now last
    store.putMessage('b', msgs[1]!); // put twice: keeps its place
    store.close();
    const messages = open(store.path.slice(0, -'/warren.db'.length)).load().messages;
    const of = (q: string) => messages.filter((m) => m.queue === q).map((m) => dec(m.body));
    expect(of('a')).toEqual(['m5', 'm7', 'fan', 'again']);
    expect(of('b')).toEqual(['m1', 'm3', 'm2', 'fan']);
    expect(messages.filter((m) => m.id === 100).map((m) => m.properties.headers)).toEqual([{ fan: 'out' }, { fan: 'out' }]);
  });

  it('cancels a message acked in the batch it was published in', () => {
    const dir = tempDir();
    const store = open(dir);
    store.putQueue({ name: 'q', autoDelete: false, arguments: {} });
    const kept = message(1, { deliveryMode: 2 }, 'kept');
    store.putMessage('q', kept);
    for (let id = 2; id < 1000; id++) {
      const m = message(id, { deliveryMode: 2 }, 'x'.repeat(100));
      store.putMessage('q', m);
      store.deleteMessage('q', m);
    }
    store.flush();
    expect(store.load().messages.map((m) => m.id)).toEqual([1]);
  });

  it('commits by itself when a batch reaches maxBatch, and only flush otherwise', () => {
    const dir = tempDir();
    const store = open(dir, { maxBatch: 10, synchronous: 'normal' });
    const db = dbOf(store);
    for (let id = 1; id <= 25; id++) store.putMessage('q', message(id, { deliveryMode: 2 }, 'm'));
    expect(db.isTransaction).toBe(true);
    db.exec('ROLLBACK'); // what a crash now would lose: the writes since the last commit
    expect(store.load().messages.map((m) => m.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    store.putMessage('q', message(26, { deliveryMode: 2 }, 'm'));
    store.flush();
    expect(db.isTransaction).toBe(false);
    store.flush(); // nothing open: a no-op
    expect(store.load().messages).toHaveLength(21);
  });

  it('lets only one store open a database at a time', () => {
    const dir = tempDir();
    const first = open(dir);
    expect(() => new SqliteStore(dir)).toThrow(/in use by another broker/);
    first.close();
    expect(open(dir).load().queues).toEqual([]);
  });

  it('refuses a database written by a newer schema', () => {
    const dir = tempDir();
    open(dir).close();
    const db = new DatabaseSync(join(dir, 'warren.db'));
    db.exec('PRAGMA user_version = 99');
    db.close();
    expect(() => new SqliteStore(dir)).toThrow(/newer Warren \(store schema 99/);
  });

  it('throws on writes after close; close twice is fine', () => {
    const store = open(tempDir());
    store.close();
    store.close();
    store.flush();
    expect(() => store.putQueue({ name: 'q', autoDelete: false, arguments: {} })).toThrow(/closed/);
  });
});

describe('a broker restarted over a SqliteStore', () => {
  const persistent = (headers: FieldTable = {}): BasicProperties => ({ deliveryMode: 2, headers });

  function declareWorld(ch: Channel): void {
    ch.exchangeDeclare('orders', 'topic', { durable: true, arguments: { 'alternate-exchange': 'unrouted' } });
    ch.exchangeDeclare('unrouted', 'fanout', { durable: true });
    ch.exchangeDeclare('scratch', 'direct', { durable: false });
    ch.queueDeclare('jobs', { durable: true, arguments: { 'x-max-priority': new Typed('uint8', 5), 'x-queue-mode': 'lazy' } });
    ch.queueDeclare('lost', { durable: true });
    ch.queueDeclare('temp', { durable: false });
    ch.queueDeclare('mine', { durable: true, exclusive: true }); // exclusive is never durable
    ch.queueBind('jobs', 'orders', 'order.*');
    ch.queueBind('lost', 'unrouted', '');
    ch.queueBind('temp', 'orders', 'temp.#'); // transient queue: not stored
    ch.queueBind('jobs', 'scratch', 'x'); // transient exchange: not stored
    ch.exchangeBind('unrouted', 'orders', 'audit.#', { note: new Typed('int16', 7) });
  }

  it('keeps durable exchanges, queues, bindings and persistent messages (in order, headers intact), drops the rest', () => {
    const dir = tempDir();
    let store = open(dir);
    let broker = new Broker({ store });
    let ch = broker.connect().openChannel(1);
    declareWorld(ch);
    const headers = (i: number): FieldTable => ({ i, kind: new Typed('int8', i % 3), at: new Date(1_600_000_000_000 + i * 1000), big: 2n ** 55n + BigInt(i), tags: ['a', { deep: new Uint8Array([i]) }] });
    for (let i = 0; i < 10; i++) ch.basicPublish('orders', 'order.new', persistent(headers(i)), enc(`job-${i}`));
    ch.basicPublish('orders', 'order.new', { deliveryMode: 1 }, enc('transient-message'));
    ch.basicPublish('orders', 'order.new', {}, enc('no-delivery-mode'));
    ch.basicPublish('orders', 'nowhere', persistent(), enc('to-alternate'));
    ch.basicPublish('', 'temp', persistent(), enc('in-transient-queue'));
    ch.basicPublish('', 'mine', persistent(), enc('in-exclusive-queue'));
    // Take three: ack two, leave one unacked (it is still in the queue for a restart).
    const got = [0, 1, 2].map(() => ch.basicGet('jobs', false)!);
    ch.basicAck(got[0]!.deliveryTag);
    ch.basicAck(got[2]!.deliveryTag);
    expect(dec(ch.basicGet('lost', true)!.message.body)).toBe('to-alternate'); // no-ack: consumed
    ch.basicPublish('orders', 'nowhere', persistent({ second: true }), enc('to-alternate-2'));
    broker.stop();
    store.close();

    store = open(dir);
    broker = new Broker({ store });
    ch = broker.connect().openChannel(1);
    const vhost = broker.vhost;
    expect([...vhost.queues.keys()].sort()).toEqual(['jobs', 'lost']);
    expect(vhost.exchanges.has('orders') && vhost.exchanges.has('unrouted')).toBe(true);
    expect(vhost.exchanges.has('scratch')).toBe(false);
    expect(vhost.exchanges.get('orders')!.args).toStrictEqual({ 'alternate-exchange': 'unrouted' });
    expect(vhost.queues.get('jobs')!.options.arguments).toStrictEqual({ 'x-max-priority': new Typed('uint8', 5), 'x-queue-mode': 'lazy' });
    expect(vhost.queues.get('jobs')!.durable).toBe(true);

    const drain = (queue: string) => {
      const out: { body: string; properties: BasicProperties; redelivered: boolean }[] = [];
      for (let g = ch.basicGet(queue, true); g; g = ch.basicGet(queue, true)) {
        out.push({ body: dec(g.message.body), properties: g.message.properties, redelivered: g.redelivered });
      }
      return out;
    };
    const jobs = drain('jobs');
    expect(jobs.map((m) => m.body)).toEqual(['job-1', ...[3, 4, 5, 6, 7, 8, 9].map((i) => `job-${i}`)]);
    expect(jobs.map((m) => m.properties.headers)).toStrictEqual([1, 3, 4, 5, 6, 7, 8, 9].map(headers));
    expect(drain('lost').map((m) => m.body)).toEqual(['to-alternate-2']);

    // The bindings came back: routing works as before, the transient ones are gone.
    ch.basicPublish('orders', 'order.paid', persistent(), enc('routed'));
    ch.basicPublish('orders', 'audit.x', persistent(), enc('via-exchange-binding'));
    expect(drain('jobs').map((m) => m.body)).toEqual(['routed']);
    expect(drain('lost').map((m) => m.body)).toEqual(['via-exchange-binding']);
    const stored = store.load();
    expect(stored.bindings.map((b) => `${b.source}->${b.destination}:${b.routingKey}`).sort()).toEqual([
      'orders->jobs:order.*', 'orders->unrouted:audit.#', 'unrouted->lost:',
    ]);
    expect(stored.bindings.find((b) => b.destination === 'unrouted')!.arguments).toStrictEqual({ note: new Typed('int16', 7) });
    broker.stop();
  });

  it('survives a second restart: recovery does not forget what it recovered', () => {
    const dir = tempDir();
    let store = open(dir);
    let broker = new Broker({ store });
    const ch = broker.connect().openChannel(1);
    ch.queueDeclare('q', { durable: true });
    for (const body of ['a', 'b', 'c']) ch.basicPublish('', 'q', { deliveryMode: 2 }, enc(body));
    broker.stop();
    store.close();
    for (let round = 0; round < 2; round++) {
      store = open(dir);
      broker = new Broker({ store });
      broker.stop();
      store.close();
    }
    store = open(dir);
    expect(store.load().messages.map((m) => dec(m.body))).toEqual(['a', 'b', 'c']);
    // New ids continue after the recovered ones, so keys never collide.
    broker = new Broker({ store });
    const ch2 = broker.connect().openChannel(1);
    ch2.basicPublish('', 'q', { deliveryMode: 2 }, enc('d'));
    broker.stop();
    const ids = store.load().messages.map((m) => m.id);
    expect(new Set(ids).size).toBe(4);
    expect(store.load().messages.map((m) => dec(m.body))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('deletes a durable queue with its messages, and an exchange with its bindings', () => {
    const dir = tempDir();
    const store = open(dir);
    const broker = new Broker({ store });
    const ch = broker.connect().openChannel(1);
    ch.exchangeDeclare('x', 'direct', { durable: true });
    ch.queueDeclare('q', { durable: true });
    ch.queueBind('q', 'x', 'k');
    ch.basicPublish('x', 'k', { deliveryMode: 2 }, enc('m'));
    ch.queuePurge('q');
    ch.basicPublish('x', 'k', { deliveryMode: 2 }, enc('m2'));
    broker.stop();
    expect(store.load().messages).toHaveLength(1);
    const broker2 = new Broker({ store });
    const ch2 = broker2.connect().openChannel(1);
    ch2.exchangeDelete('x');
    ch2.queueDelete('q');
    broker2.stop();
    expect(store.load()).toEqual({ exchanges: [], queues: [], bindings: [], messages: [], uncleanQueues: [] });
  });
});

describe('kill -9', () => {
  it('keeps what was flushed and loses only what was not', async () => {
    const dir = tempDir();
    const script = join(dir, 'child.ts');
    const src = (file: string) => JSON.stringify(pathToFileURL(resolve(file)).href);
    writeFileSync(script, `
      import { Broker } from ${src('src/broker/index.ts')};
      import { SqliteStore } from ${src('src/server/sqlite-store.ts')};
      const store = new SqliteStore(process.argv[2]);
      const broker = new Broker({ store });
      const ch = broker.connect().openChannel(1);
      ch.queueDeclare('jobs', { durable: true });
      ch.queueDeclare('temp', { durable: false });
      const enc = (s) => new TextEncoder().encode(s);
      for (let i = 0; i < 200; i++) ch.basicPublish('', 'jobs', { deliveryMode: 2, headers: { i } }, enc('job-' + i));
      ch.basicPublish('', 'temp', { deliveryMode: 2 }, enc('temp'));
      store.flush();
      for (let i = 200; i < 210; i++) ch.basicPublish('', 'jobs', { deliveryMode: 2 }, enc('unflushed-' + i));
      process.stdout.write('ready\\n');
      setInterval(() => {}, 1000);
    `);
    const node = resolve('node_modules/.bin/node');
    const child = spawn(existsSync(node) ? node : process.execPath, [script, join(dir, 'data')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, signal) => done(signal)));
    try {
      await new Promise<void>((ready, fail) => {
        const timer = setTimeout(() => fail(new Error(`child not ready in 15 s; stderr: ${stderr}`)), 15_000);
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('ready')) {
            clearTimeout(timer);
            ready();
          }
        });
        child.on('exit', (code) => {
          clearTimeout(timer);
          fail(new Error(`child exited (${code}) before ready; stderr: ${stderr}`));
        });
      });
    } finally {
      child.kill('SIGKILL');
    }
    const signal = await Promise.race([exited, new Promise<string>((done) => setTimeout(() => done('timeout'), 10_000))]);
    expect(signal).toBe('SIGKILL');

    const store = open(join(dir, 'data'));
    const state = store.load();
    expect(state.queues.map((q) => q.name)).toEqual(['jobs']);
    expect(state.messages.map((m) => dec(m.body))).toEqual(Array.from({ length: 200 }, (_, i) => `job-${i}`));
    expect(state.messages.map((m) => m.properties.headers)).toEqual(Array.from({ length: 200 }, (_, i) => ({ i })));
    const broker = new Broker({ store });
    expect(broker.vhost.queues.get('jobs')!.messageCount).toBe(200);
    broker.stop();
  }, 30_000);
});
