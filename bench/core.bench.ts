// Our broker core against smqp (npm) on the same work, in one run.
// Run: npm run bench   (prints msgs/s and the ratio to smqp; not a test)
//
// Each row runs in a fresh Node process (as JMH forks per benchmark): V8 compiles a
// function for the calls it has seen, so a row measured after another in the same process
// pays for the other's profile (auto-ack deliveries, say, slow the manual-ack path by
// 10-20% here). In its process a row warms both up, then alternates ours and smqp, best of 3 each.
import { spawnSync } from 'node:child_process';
import { Broker as SmqpBroker } from 'smqp';
import { Broker } from '../src/broker/index.ts';
import type { ChannelSink } from '../src/broker/index.ts';

const N = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const body = new TextEncoder().encode('hello, warren!!!'); // 16 bytes
const props = {};


function time(fn: () => number): number {
  const start = performance.now();
  const count = fn();
  const seconds = (performance.now() - start) / 1000;
  return count / seconds;
}

function sink(onDeliver: ChannelSink['deliver']): ChannelSink {
  return { deliver: onDeliver, returned() {}, confirm() {}, cancelled() {}, closed() {} };
}

function best(fn: () => number, runs = 3): number {
  let top = 0;
  for (let i = 0; i < runs; i++) top = Math.max(top, time(fn));
  return top;
}

// ---- one queue, auto-ack ----
function oursAutoAck(): number {
  const broker = new Broker();
  let received = 0;
  const ch = broker.connect().openChannel(1, sink(() => { received++; }));
  ch.queueDeclare('q');
  ch.basicConsume('q', { noAck: true });
  for (let i = 0; i < N; i++) ch.basicPublish('', 'q', props, body);
  if (received !== N) throw new Error(`ours auto-ack received ${received}`);
  return N;
}
function smqpAutoAck(): number {
  const broker = new SmqpBroker();
  let received = 0;
  broker.assertQueue('q');
  broker.consume('q', () => { received++; }, { noAck: true });
  for (let i = 0; i < N; i++) broker.sendToQueue('q', body);
  if (received !== N) throw new Error(`smqp auto-ack received ${received}`);
  return N;
}

/** The same work with one event listener attached: what watching the broker costs. */
function oursAutoAckObserved(): number {
  const broker = new Broker();
  let received = 0;
  let events = 0;
  broker.events.subscribe(() => { events++; });
  const ch = broker.connect().openChannel(1, sink(() => { received++; }));
  ch.queueDeclare('q');
  ch.basicConsume('q', { noAck: true });
  for (let i = 0; i < N; i++) ch.basicPublish('', 'q', props, body);
  if (received !== N || events < 4 * N) throw new Error(`observed run: ${received} received, ${events} events`);
  return N;
}

// ---- one queue, manual ack, prefetch 100 ----
function oursManualAck(): number {
  const broker = new Broker();
  let received = 0;
  // Acks are collected and sent after each publish, as a client's ack would arrive later.
  const tags: number[] = [];
  const ch = broker.connect().openChannel(1, sink((_t, tag) => { received++; tags.push(tag); }));
  ch.queueDeclare('q');
  ch.basicQos(0, 100, false);
  ch.basicConsume('q', { noAck: false });
  for (let i = 0; i < N; i++) {
    ch.basicPublish('', 'q', props, body);
    if (tags.length >= 100) {
      for (const t of tags) ch.basicAck(t);
      tags.length = 0;
    }
  }
  while (tags.length) {
    const batch = tags.splice(0);
    for (const t of batch) ch.basicAck(t);
  }
  if (received !== N) throw new Error(`ours manual ack received ${received}`);
  return N;
}
function smqpManualAck(): number {
  const broker = new SmqpBroker();
  let received = 0;
  const pending: { ack(): void }[] = [];
  broker.assertQueue('q');
  broker.consume('q', (_rk: string, msg: { ack(): void }) => { received++; pending.push(msg); }, { noAck: false, prefetch: 100 });
  for (let i = 0; i < N; i++) {
    broker.sendToQueue('q', body);
    if (pending.length >= 100) {
      for (const m of pending.splice(0)) m.ack();
    }
  }
  while (pending.length) for (const m of pending.splice(0)) m.ack();
  if (received !== N) throw new Error(`smqp manual ack received ${received}`);
  return N;
}

// ---- topic routing with B bindings ----
// The bindings vary, the queues do not: B distinct patterns spread over 10 queues, so the
// figure is the cost of matching, not of touching B different queues.
function topicKeys(bindings: number): string[] {
  return Array.from({ length: 1000 }, (_, i) => `svc${(i * 7919) % bindings}.eu.error`);
}
function oursTopic(bindings: number, messages: number): number {
  const broker = new Broker();
  let received = 0;
  const ch = broker.connect().openChannel(1, sink(() => { received++; }));
  ch.exchangeDeclare('logs', 'topic');
  for (let i = 0; i < 10; i++) {
    ch.queueDeclare(`q${i}`);
    ch.basicConsume(`q${i}`, { noAck: true });
  }
  for (let i = 0; i < bindings; i++) ch.queueBind(`q${i % 10}`, 'logs', i % 2 ? `svc${i}.*.error` : `svc${i}.#`);
  const keys = topicKeys(bindings);
  const start = performance.now();
  for (let i = 0; i < messages; i++) ch.basicPublish('logs', keys[i % 1000]!, props, body);
  const rate = messages / ((performance.now() - start) / 1000);
  if (received !== messages) throw new Error(`ours topic received ${received}`);
  return rate;
}
function smqpTopic(bindings: number, messages: number): number {
  const broker = new SmqpBroker();
  let received = 0;
  broker.assertExchange('logs', 'topic');
  for (let i = 0; i < 10; i++) {
    broker.assertQueue(`q${i}`);
    broker.consume(`q${i}`, () => { received++; }, { noAck: true });
  }
  for (let i = 0; i < bindings; i++) broker.bindQueue(`q${i % 10}`, 'logs', i % 2 ? `svc${i}.*.error` : `svc${i}.#`);
  const keys = topicKeys(bindings);
  const start = performance.now();
  for (let i = 0; i < messages; i++) broker.publish('logs', keys[i % 1000]!, body);
  const rate = messages / ((performance.now() - start) / 1000);
  if (received !== messages) throw new Error(`smqp topic received ${received}`);
  return rate;
}

// ---- fanout to 100 queues ----
function oursFanout(messages: number): number {
  const broker = new Broker();
  let received = 0;
  const ch = broker.connect().openChannel(1, sink(() => { received++; }));
  ch.exchangeDeclare('all', 'fanout');
  for (let i = 0; i < 100; i++) {
    ch.queueDeclare(`f${i}`);
    ch.queueBind(`f${i}`, 'all', '');
    ch.basicConsume(`f${i}`, { noAck: true });
  }
  for (let i = 0; i < messages; i++) ch.basicPublish('all', '', props, body);
  if (received !== messages * 100) throw new Error(`ours fanout received ${received}`);
  return messages;
}
function smqpFanout(messages: number): number {
  const broker = new SmqpBroker();
  let received = 0;
  broker.assertExchange('all', 'fanout');
  for (let i = 0; i < 100; i++) {
    broker.assertQueue(`f${i}`);
    broker.bindQueue(`f${i}`, 'all', '#');
    broker.consume(`f${i}`, () => { received++; }, { noAck: true });
  }
  for (let i = 0; i < messages; i++) broker.publish('all', '', body);
  if (received !== messages * 100) throw new Error(`smqp fanout received ${received}`);
  return messages;
}

// ---- memory per queued message ----
function heap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
/**
 * Bytes the broker keeps per queued message. `ownBody` false: every message shares one
 * body and one properties object, so what is measured is the broker's own bookkeeping
 * (the "overhead"); true: each message brings its own 16-byte body and properties, as
 * messages off a socket do.
 */
function oursMemory(ownBody: boolean): number {
  const broker = new Broker();
  const ch = broker.connect().openChannel(1);
  ch.queueDeclare('mem');
  const before = heap();
  for (let i = 0; i < N; i++) ch.basicPublish('', 'mem', ownBody ? {} : props, ownBody ? body.slice() : body);
  const after = heap();
  if (ch.queueDeclare('mem', { passive: true }).messageCount !== N) throw new Error('not all queued');
  return (after - before) / N;
}
function smqpMemory(ownBody: boolean): number {
  const broker = new SmqpBroker();
  broker.assertQueue('mem');
  const before = heap();
  for (let i = 0; i < N; i++) broker.sendToQueue('mem', ownBody ? body.slice() : body, ownBody ? {} : props);
  const after = heap();
  if (broker.getQueue('mem')!.messageCount !== N) throw new Error('not all queued');
  return (after - before) / N;
}

function fmt(n: number): string {
  return n >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

/** Alternates ours and smqp, best of `runs` each after one warm-up run, so both meet the same machine. */
function race(ours: () => number, smqp: () => number, runs = 3): [number, number] {
  ours();
  smqp();
  let a = 0;
  let b = 0;
  for (let i = 0; i < runs; i++) {
    a = Math.max(a, time(ours));
    b = Math.max(b, time(smqp));
  }
  return [a, b];
}

/** Ours routes N messages (a 100k run is over in ~20 ms, too short to measure steadily). */
function topicRow(bindings: number): [number, number] {
  // Warm both up first, so the row does not pay for compiling the routing code.
  oursTopic(bindings, N / 10);
  smqpTopic(10, 2_000);
  const ours = Math.max(oursTopic(bindings, N), oursTopic(bindings, N), oursTopic(bindings, N));
  return [ours, smqpTopic(bindings, Math.max(1000, N / 10 / (bindings >= 1000 ? 20 : 1)))];
}

type Row = { name: string; unit: 'msgs/s' | 'bytes'; run: () => [number, number] };
const ROWS: Record<string, Row> = {
  'auto-ack': { name: 'one queue, auto-ack', unit: 'msgs/s', run: () => race(oursAutoAck, smqpAutoAck) },
  'manual-ack': { name: 'one queue, manual ack, prefetch 100', unit: 'msgs/s', run: () => race(oursManualAck, smqpManualAck) },
  'topic-10': { name: 'topic routing, 10 bindings', unit: 'msgs/s', run: () => topicRow(10) },
  'topic-1000': { name: 'topic routing, 1,000 bindings', unit: 'msgs/s', run: () => topicRow(1_000) },
  'topic-10000': { name: 'topic routing, 10,000 bindings', unit: 'msgs/s', run: () => topicRow(10_000) },
  fanout: { name: 'fanout to 100 queues (publishes/s)', unit: 'msgs/s', run: () => [best(() => oursFanout(N / 20)), best(() => smqpFanout(N / 100), 1)] },
  memory: { name: 'broker overhead per queued message', unit: 'bytes', run: () => [oursMemory(false), smqpMemory(false)] },
  'memory-own-body': { name: 'bytes per queued msg, own 16 B body', unit: 'bytes', run: () => [oursMemory(true), smqpMemory(true)] },
  // Ours only: the auto-ack row again with one listener on the event stream.
  observed: { name: 'auto-ack, one event listener', unit: 'msgs/s', run: () => [best(oursAutoAckObserved), 0] },
};

/** Runs one row in a fresh process and reads back its two figures. */
function fork(key: string): [number, number] {
  const child = spawnSync(process.execPath, ['--expose-gc', import.meta.filename, key], { encoding: 'utf8', env: process.env });
  const line = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !line.startsWith('[')) throw new Error(`bench row ${key} failed:\n${child.stderr || child.stdout}`);
  return JSON.parse(line) as [number, number];
}

const only = process.argv[2];
if (only !== undefined) {
  const row = ROWS[only];
  if (!row) throw new Error(`unknown row '${only}'; rows: ${Object.keys(ROWS).join(', ')}`);
  console.log(JSON.stringify(row.run()));
} else {
  console.log(`Warren core vs smqp — ${N.toLocaleString('en-US')} messages, Node ${process.version}, each row in its own process`);
  const figures: Record<string, [number, number]> = {};
  for (const [key, row] of Object.entries(ROWS)) {
    const [ours, smqp] = (figures[key] = fork(key));
    if (key === 'observed') continue;
    const ratio = row.unit === 'msgs/s' ? ours / smqp : smqp / ours;
    console.log(`${row.name.padEnd(36)} ours ${fmt(ours).padStart(12)} ${row.unit.padEnd(6)}  smqp ${fmt(smqp).padStart(12)}  ${ratio.toFixed(1)}x`);
  }
  const memOurs = figures.memory![0];
  console.log('');
  console.log(`event stream: ${fmt(figures['auto-ack']![0])} msgs/s with no listener, ${fmt(figures.observed![0])} msgs/s with one (every step becomes an event object)`);
  console.log(`topic cost 10 -> 10,000 bindings: ${(figures['topic-10']![0] / figures['topic-10000']![0]).toFixed(2)}x per message (target <= 2x)`);
  console.log(`targets: >= 10x smqp on one queue and topic routing; <= 200 bytes overhead per queued message (ours: ${memOurs.toFixed(0)})`);
}
