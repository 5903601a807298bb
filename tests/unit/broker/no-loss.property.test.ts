// Property: whatever clients do — publish through fanout/topic/default exchanges, consume with
// random prefetch (ack or no-ack), basic.get, ack/nack/reject with or without requeue and
// multiple, recover, cancel, close channels, let TTLs run out, overflow length limits, dead-letter
// — no message copy is lost or duplicated. Every copy a queue accepts ends exactly once, with its
// event: acked, consumed (no-ack), dead-lettered, expired or dropped; refused copies are nacked to
// a confirming publisher; unroutable mandatory messages are returned. And no copy is ever delivered
// while a consumer still holds it unacked, nor beyond a consumer's prefetch.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Broker,
  ManualClock,
  type BrokerEvent,
  type Channel,
  type Connection,
  type QueuedMessage,
} from '../../../src/broker/index.ts';
import { enc, RecordingSink } from './helpers.ts';

// ---- the world: exchanges, queues and their limits ----

const DLX = 'dlx';
interface QueueSpec {
  name: string;
  durable?: boolean;
  args: Record<string, string | number>;
}
const QUEUES: QueueSpec[] = [
  { name: 'plain', args: {} },
  { name: 'ttl', args: { 'x-message-ttl': 50, 'x-dead-letter-exchange': DLX } },
  { name: 'drophead', args: { 'x-max-length': 3, 'x-dead-letter-exchange': DLX } },
  { name: 'quorum', durable: true, args: { 'x-queue-type': 'quorum', 'x-delivery-limit': 2, 'x-dead-letter-exchange': DLX } },
  { name: 'rejecting', args: { 'x-max-length': 2, 'x-overflow': 'reject-publish' } },
  { name: 'rejecting-dlx', args: { 'x-max-length': 2, 'x-overflow': 'reject-publish-dlx', 'x-dead-letter-exchange': DLX } },
  { name: 'dropping', args: { 'x-max-length-bytes': 6 } },
  { name: 'dlq', args: {} },
];
const HAS_DLX = new Set(QUEUES.filter((q) => q.args['x-dead-letter-exchange'] !== undefined).map((q) => q.name));
const REFUSAL_DEAD_LETTERED = new Set(['rejecting-dlx']);
const BINDINGS: [exchange: string, queue: string, key: string][] = [
  ['fan', 'plain', ''],
  ['fan', 'ttl', ''],
  ['fan', 'rejecting', ''],
  ['top', 'ttl', 'a.*'],
  ['top', 'drophead', 'a.*'],
  ['top', 'quorum', '#.b'],
  ['top', 'rejecting-dlx', '#.b'],
  ['top', 'dropping', 'a.#'],
  [DLX, 'dlq', ''],
];
const EXCHANGES = ['', 'fan', 'top'];
const KEYS = ['a.b', 'a.c', 'x.b', 'z', 'a', 'plain', 'quorum', 'dlq', 'nope'];
const EXPIRATIONS = [undefined, undefined, '0', '10', '100'];
const BODIES = ['x', 'yy', 'zzz'];

// ---- operations ----

type Op =
  | { op: 'publish'; slot: number; exchange: number; key: number; expiration: number; body: number; mandatory: boolean }
  | { op: 'consume'; slot: number; queue: number; prefetch: number; noAck: boolean }
  | { op: 'cancel'; slot: number; pick: number }
  | { op: 'get'; slot: number; queue: number; noAck: boolean }
  | { op: 'settle'; slot: number; pick: number; how: 'ack' | 'nack' | 'reject'; multiple: boolean; requeue: boolean }
  | { op: 'recover'; slot: number }
  | { op: 'close'; slot: number }
  | { op: 'purge'; queue: number }
  | { op: 'advance'; ms: number };

const SLOTS = 3;
const slot = fc.nat({ max: SLOTS - 1 });
const queueIndex = fc.nat({ max: QUEUES.length - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('publish' as const), slot, exchange: fc.nat({ max: EXCHANGES.length - 1 }), key: fc.nat({ max: KEYS.length - 1 }), expiration: fc.nat({ max: EXPIRATIONS.length - 1 }), body: fc.nat({ max: BODIES.length - 1 }), mandatory: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('consume' as const), slot, queue: queueIndex, prefetch: fc.nat({ max: 3 }), noAck: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const), slot, pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('get' as const), slot, queue: queueIndex, noAck: fc.boolean() }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('settle' as const), slot, pick: fc.nat(), how: fc.constantFrom('ack' as const, 'nack' as const, 'reject' as const), multiple: fc.boolean(), requeue: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('recover' as const), slot }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('close' as const), slot }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('purge' as const), queue: queueIndex }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 120 }) }) },
);

// ---- the harness: clients that remember what they hold ----

interface Held {
  message: QueuedMessage;
  consumerTag: string | null;
}

class Client {
  readonly sink = new RecordingSink();
  readonly ch: Channel;
  /** Delivery tag -> what this client holds unacked. */
  readonly held = new Map<number, Held>();
  /** Consumer tag -> prefetch it subscribed with (0 = unlimited) and no-ack. */
  readonly consumers = new Map<string, { prefetch: number; noAck: boolean }>();
  /** Confirm mode: publish sequence number -> broker message id. */
  readonly published: number[] = [];
  readonly confirming: boolean;

  private readonly run: Run;

  constructor(conn: Connection, id: number, confirming: boolean, run: Run) {
    this.run = run;
    this.confirming = confirming;
    this.ch = conn.openChannel(id, this.sink);
    if (confirming) this.ch.confirmSelect();
    this.sink.onDeliver = (d) => {
      const consumer = this.consumers.get(d.consumerTag);
      this.run.checkNotHeld(d.message);
      if (consumer && !consumer.noAck) {
        this.held.set(d.deliveryTag, { message: d.message, consumerTag: d.consumerTag });
        this.run.holders.add(d.message);
        const holding = [...this.held.values()].filter((h) => h.consumerTag === d.consumerTag).length;
        if (consumer.prefetch > 0 && holding > consumer.prefetch) this.run.violations.push(`consumer ${d.consumerTag} holds ${holding} > prefetch ${consumer.prefetch}`);
      }
    };
  }

  /** Forgets held deliveries before the broker may hand them out again. */
  release(tags: number[]): void {
    for (const t of tags) {
      const h = this.held.get(t);
      if (h) this.run.holders.delete(h.message);
      this.held.delete(t);
    }
  }
}

class Run {
  readonly clock = new ManualClock();
  readonly broker = new Broker({ clock: this.clock });
  readonly events: BrokerEvent[] = [];
  readonly violations: string[] = [];
  /** Message copies some client holds unacked right now (by object identity). */
  readonly holders = new Set<QueuedMessage>();
  readonly clients: Client[] = [];
  readonly slots: Client[] = [];
  readonly connections: Connection[];
  private nextChannel = 1;

  constructor() {
    this.broker.events.subscribe((e) => this.events.push(e));
    this.connections = [this.broker.connect(), this.broker.connect()];
    const admin = this.connections[0]!.openChannel(100);
    admin.exchangeDeclare('fan', 'fanout');
    admin.exchangeDeclare('top', 'topic');
    admin.exchangeDeclare(DLX, 'fanout');
    for (const q of QUEUES) admin.queueDeclare(q.name, { durable: q.durable ?? false, arguments: q.args });
    for (const [x, q, k] of BINDINGS) admin.queueBind(q, x, k);
    admin.close();
    for (let s = 0; s < SLOTS; s++) this.slots.push(this.open(s));
  }

  open(s: number): Client {
    const client = new Client(this.connections[s % 2]!, this.nextChannel++, s === 0, this);
    this.clients.push(client);
    return client;
  }

  checkNotHeld(message: QueuedMessage): void {
    if (this.holders.has(message)) this.violations.push(`message ${message.id} in ${message.queue?.name} delivered while held unacked`);
  }

  apply(o: Op): void {
    switch (o.op) {
      case 'publish': {
        const c = this.slots[o.slot]!;
        const expiration = EXPIRATIONS[o.expiration];
        const before = this.lastPublishedId();
        c.ch.basicPublish(EXCHANGES[o.exchange]!, KEYS[o.key]!, expiration === undefined ? {} : { expiration }, enc(BODIES[o.body]!), o.mandatory);
        if (c.confirming) c.published.push(this.lastPublishedId());
        expect(this.lastPublishedId()).toBeGreaterThan(before);
        return;
      }
      case 'consume': {
        const c = this.slots[o.slot]!;
        c.ch.basicQos(0, o.prefetch, false);
        const tag = c.ch.basicConsume(QUEUES[o.queue]!.name, { noAck: o.noAck });
        // Deliveries made during basicConsume arrive before the tag is known here.
        c.consumers.set(tag, { prefetch: o.prefetch, noAck: o.noAck });
        this.adoptEarlyDeliveries(c, tag);
        return;
      }
      case 'cancel': {
        const c = this.slots[o.slot]!;
        const tags = [...c.consumers.keys()];
        if (tags.length === 0) return;
        const tag = tags[o.pick % tags.length]!;
        c.ch.basicCancel(tag);
        return;
      }
      case 'get': {
        const c = this.slots[o.slot]!;
        const got = c.ch.basicGet(QUEUES[o.queue]!.name, o.noAck);
        if (!got) return;
        this.checkNotHeld(got.message);
        if (!o.noAck) {
          c.held.set(got.deliveryTag, { message: got.message, consumerTag: null });
          this.holders.add(got.message);
        }
        return;
      }
      case 'settle': {
        const c = this.slots[o.slot]!;
        const tags = [...c.held.keys()].sort((a, b) => a - b);
        if (tags.length === 0) return;
        const tag = tags[o.pick % tags.length]!;
        const multiple = o.multiple && o.how !== 'reject';
        c.release(multiple ? tags.filter((t) => t <= tag) : [tag]);
        if (o.how === 'ack') c.ch.basicAck(tag, multiple);
        else if (o.how === 'nack') c.ch.basicNack(tag, multiple, o.requeue);
        else c.ch.basicReject(tag, o.requeue);
        return;
      }
      case 'recover': {
        const c = this.slots[o.slot]!;
        c.release([...c.held.keys()]);
        c.ch.basicRecover(true);
        return;
      }
      case 'close': {
        const c = this.slots[o.slot]!;
        c.release([...c.held.keys()]);
        c.ch.close();
        this.slots[o.slot] = this.open(o.slot);
        return;
      }
      case 'purge':
        this.slots[0]!.ch.queuePurge(QUEUES[o.queue]!.name);
        return;
      case 'advance':
        this.clock.advance(o.ms);
        return;
    }
  }

  /** basicConsume delivers at once; those deliveries were recorded before the tag was known. */
  private adoptEarlyDeliveries(c: Client, tag: string): void {
    const consumer = c.consumers.get(tag)!;
    for (const d of c.sink.deliveries) {
      if (d.consumerTag !== tag || consumer.noAck || c.held.has(d.deliveryTag)) continue;
      if (!c.ch.unacked.has(d.deliveryTag)) continue;
      this.checkNotHeld(d.message);
      c.held.set(d.deliveryTag, { message: d.message, consumerTag: tag });
      this.holders.add(d.message);
    }
    const holding = [...c.held.values()].filter((h) => h.consumerTag === tag).length;
    if (consumer.prefetch > 0 && holding > consumer.prefetch) this.violations.push(`consumer ${tag} holds ${holding} > prefetch ${consumer.prefetch} at subscribe`);
  }

  private lastPublishedId(): number {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (e.type === 'message.published') return e.messageId;
    }
    return 0;
  }

  /** Ack everything clients hold (consumers may be handed more), then get-and-ack what is left. */
  drain(): void {
    for (let round = 0; round < 1000; round++) {
      const holding = this.slots.filter((c) => c.held.size > 0);
      if (holding.length === 0) break;
      for (const c of holding) {
        c.release([...c.held.keys()]);
        c.ch.basicAck(0, true);
      }
    }
    for (const c of this.slots) for (const tag of [...c.consumers.keys()]) c.ch.basicCancel(tag);
    const ch = this.slots[1]!.ch;
    for (let found = true; found; ) {
      found = false;
      for (const q of QUEUES) {
        for (let g = ch.basicGet(q.name, false); g; g = ch.basicGet(q.name, false)) {
          found = true;
          this.checkNotHeld(g.message);
          ch.basicAck(g.deliveryTag);
        }
      }
    }
  }
}

// ---- the accounting ----

type Key = string;
const key = (messageId: number, queue: string): Key => `${messageId}@${queue}`;

function bump<K>(map: Map<K, number>, k: K): void {
  map.set(k, (map.get(k) ?? 0) + 1);
}

function account(run: Run): string[] {
  const problems: string[] = [...run.violations];
  const arrived = new Map<Key, number>();
  const ended = new Map<Key, number>();
  const deadLettered = new Map<number, number>();
  const intoDlq = new Map<number, number>();
  const refused = new Set<number>();
  const published = new Map<number, { mandatory: boolean }>();
  const routed = new Set<number>();
  const unroutable = new Set<number>();
  const returned = new Set<number>();
  for (const e of run.events) {
    switch (e.type) {
      case 'message.published':
        published.set(e.messageId, { mandatory: e.mandatory });
        break;
      case 'message.routed':
        if (e.queues.length > 0) routed.add(e.messageId);
        break;
      case 'message.unroutable':
        unroutable.add(e.messageId);
        break;
      case 'message.returned':
        if (returned.has(e.messageId)) problems.push(`message ${e.messageId} returned twice`);
        returned.add(e.messageId);
        break;
      case 'message.enqueued':
        bump(arrived, key(e.messageId, e.queue));
        if (e.queue === 'dlq') bump(intoDlq, e.messageId);
        break;
      case 'message.rejected-by-queue':
        bump(arrived, key(e.messageId, e.queue));
        refused.add(e.messageId);
        if (!REFUSAL_DEAD_LETTERED.has(e.queue)) bump(ended, key(e.messageId, e.queue));
        break;
      case 'message.acked':
        bump(ended, key(e.messageId, e.queue));
        break;
      case 'message.delivered':
        if (e.noAck) bump(ended, key(e.messageId, e.queue));
        break;
      case 'message.dead-lettered':
        bump(ended, key(e.messageId, e.queue));
        bump(deadLettered, e.messageId);
        break;
      case 'message.expired':
        // With a dead-letter exchange the copy ends in its message.dead-lettered event.
        if (!HAS_DLX.has(e.queue)) bump(ended, key(e.messageId, e.queue));
        break;
      case 'message.dropped':
        if (e.reason !== 'dead-letter-cycle') bump(ended, key(e.messageId, e.queue));
        break;
    }
  }

  for (const [k, n] of arrived) {
    const m = ended.get(k) ?? 0;
    if (m !== n) problems.push(`copy ${k}: arrived ${n} time(s), ended ${m} time(s)`);
  }
  for (const [k, m] of ended) if (!arrived.has(k)) problems.push(`copy ${k} ended ${m} time(s) without arriving`);

  // Every dead-lettered copy reaches the dead-letter queue (the DLX is a fanout to it).
  for (const [id, n] of deadLettered) if ((intoDlq.get(id) ?? 0) !== n) problems.push(`message ${id}: dead-lettered ${n}, into dlq ${intoDlq.get(id) ?? 0}`);

  // Every publish is routed or unroutable; unroutable mandatory ones are returned, no others.
  for (const [id, p] of published) {
    if (routed.has(id) === unroutable.has(id)) problems.push(`message ${id}: routed=${routed.has(id)} unroutable=${unroutable.has(id)}`);
    if (returned.has(id) !== (unroutable.has(id) && p.mandatory)) problems.push(`message ${id}: returned=${returned.has(id)}`);
  }

  // Confirms: each publish on a confirming channel settled exactly once, nack iff a queue refused it.
  for (const c of run.clients.filter((x) => x.confirming)) {
    const outcome = new Map<number, boolean>();
    let last = 0;
    for (const conf of c.sink.confirms) {
      const tags = conf.multiple ? Array.from({ length: conf.deliveryTag - last }, (_, i) => last + i + 1) : [conf.deliveryTag];
      for (const t of tags) {
        if (outcome.has(t)) problems.push(`publish ${t} confirmed twice`);
        outcome.set(t, conf.ack);
      }
      last = Math.max(last, conf.deliveryTag);
    }
    c.published.forEach((id, i) => {
      const ack = outcome.get(i + 1);
      if (ack === undefined) problems.push(`publish ${i + 1} (message ${id}) never confirmed`);
      else if (ack === refused.has(id)) problems.push(`publish ${i + 1} (message ${id}) ${ack ? 'acked' : 'nacked'} but refused=${refused.has(id)}`);
    });
  }

  // Nothing is left anywhere.
  for (const q of run.broker.vhost.queues.values()) {
    if (q.messageCount !== 0 || q.unackedCount !== 0) problems.push(`queue ${q.name}: ${q.messageCount} ready, ${q.unackedCount} unacked after draining`);
  }
  return problems;
}

describe('no message is lost or duplicated', () => {
  it('under random publish/consume/ack/nack/reject/get/close/TTL/overflow/dead-letter sequences', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 20, maxLength: 200, size: 'max' }), (ops) => {
        const run = new Run();
        for (const o of ops) run.apply(o);
        run.drain();
        const problems = account(run);
        expect(problems).toEqual([]);
        // The run did something: at least every publish was seen.
        expect(run.events.filter((e) => e.type === 'message.published').length).toBe(ops.filter((o) => o.op === 'publish').length);
      }),
      { numRuns: 200 },
    );
  });

  it('the accounting notices a lost message (the check can fail)', () => {
    const run = new Run();
    run.apply({ op: 'publish', slot: 1, exchange: 1, key: 0, expiration: 0, body: 0, mandatory: false });
    // Pretend the broker took in a copy that then vanished without an event.
    run.events.push({ type: 'message.enqueued', messageId: 999, queue: 'plain', ready: 1, seq: 0, time: 0 });
    run.drain();
    expect(account(run)).toContain('copy 999@plain: arrived 1 time(s), ended 0 time(s)');
  });
});
