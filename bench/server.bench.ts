// Warren's AMQP 0-9-1 server against RabbitMQ, through the same client (amqplib), in one run.
// Run: npm run bench:server   (prints msgs/s and the ratio Warren/RabbitMQ; not a test)
//
// Each scenario publishes BENCH_MESSAGES (100,000) small messages on one connection and
// consumes them on another, timed from the first publish to the last delivery (and, with
// confirms, the last confirm):
//   (a) auto-ack consumer
//   (b) manual ack, prefetch 100, one basic.ack per message
//   (c) publisher confirms: publish in a confirm channel, wait for every confirm; auto-ack consumer
// Warren runs in this process (startServer on a free loopback port, fresh Broker); RabbitMQ
// is a throw-away node (tests/support/rabbitmq.ts) when rabbitmq-server is installed.
// Each scenario: one warm-up run of a tenth of the messages, then the best of BENCH_RUNS (3).
// Every wait is bounded (BENCH_TIMEOUT_MS per run, 120 s); everything started is stopped.
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import { Broker } from '../src/broker/index.ts';
import { freePort } from '../tests/support/free-port.ts';
import { isRabbitMQInstalled, startRabbitMQ } from '../tests/support/rabbitmq.ts';

const N = Number(process.env.BENCH_MESSAGES ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 120_000);
const body = Buffer.from('hello, warren!!!'); // 16 bytes

type Scenario = 'auto-ack' | 'manual ack, prefetch 100' | 'publisher confirms';
const SCENARIOS: Scenario[] = ['auto-ack', 'manual ack, prefetch 100', 'publisher confirms'];

interface RunningBroker {
  name: string;
  url: string;
  stop(): Promise<void>;
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function startWarren(): Promise<RunningBroker | string> {
  const tcp = fileURLToPath(new URL('../src/server/tcp.ts', import.meta.url));
  if (!existsSync(tcp)) return 'src/server/tcp.ts does not exist yet';
  const { startServer } = (await import(tcp)) as {
    startServer(o: { host: string; port: number; broker: Broker }): Promise<{ close(): Promise<void> | void }> | { close(): Promise<void> | void };
  };
  const broker = new Broker();
  const port = await freePort();
  const server = await startServer({ host: '127.0.0.1', port, broker });
  return {
    name: 'Warren',
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    async stop() {
      broker.stop();
      await within(Promise.resolve(server.close()), 10_000, 'Warren server close');
    },
  };
}

async function startRabbit(): Promise<RunningBroker | string> {
  if (!isRabbitMQInstalled()) return 'rabbitmq-server is not installed';
  const rabbit = await startRabbitMQ();
  return { name: 'RabbitMQ', url: rabbit.url, stop: () => rabbit.stop() };
}

async function publishAll(ch: Channel | ConfirmChannel, queue: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    if (!ch.sendToQueue(queue, body)) await once(ch, 'drain');
  }
}

/** One run: fresh queue, consumer connection + publisher connection; returns msgs/s. */
async function run(url: string, scenario: Scenario, count: number): Promise<number> {
  const consumerConn: ChannelModel = await amqp.connect(url);
  const publisherConn: ChannelModel = await amqp.connect(url);
  try {
    const cch = await consumerConn.createChannel();
    const { queue } = await cch.assertQueue('', { exclusive: false, autoDelete: false, durable: false });
    const manual = scenario === 'manual ack, prefetch 100';
    if (manual) await cch.prefetch(100);
    let received = 0;
    let resolveDone!: () => void;
    const allReceived = new Promise<void>((r) => (resolveDone = r));
    await cch.consume(
      queue,
      (m) => {
        if (m === null) return;
        if (manual) cch.ack(m);
        if (++received === count) resolveDone();
      },
      { noAck: !manual },
    );

    const confirms = scenario === 'publisher confirms';
    const pch = confirms ? await publisherConn.createConfirmChannel() : await publisherConn.createChannel();
    const start = performance.now();
    const published = (async () => {
      await publishAll(pch, queue, count);
      if (confirms) await (pch as ConfirmChannel).waitForConfirms();
    })();
    await within(Promise.all([published, allReceived]), TIMEOUT_MS, `${scenario}: ${count} messages (${received} received)`);
    const seconds = (performance.now() - start) / 1000;
    await cch.deleteQueue(queue);
    return count / seconds;
  } finally {
    await within(Promise.allSettled([publisherConn.close(), consumerConn.close()]), 10_000, 'close connections').catch(() => undefined);
  }
}

async function measure(broker: RunningBroker): Promise<Map<Scenario, number>> {
  const out = new Map<Scenario, number>();
  for (const scenario of SCENARIOS) {
    await run(broker.url, scenario, Math.max(1, Math.floor(N / 10))); // warm-up
    let best = 0;
    for (let i = 0; i < RUNS; i++) {
      (globalThis as { gc?: () => void }).gc?.();
      best = Math.max(best, await run(broker.url, scenario, N));
    }
    out.set(scenario, best);
    console.log(`  ${broker.name.padEnd(8)} ${scenario.padEnd(26)} ${Math.round(best).toLocaleString('en-US').padStart(9)} msgs/s`);
  }
  return out;
}

const fmt = (n: number | undefined) => (n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US'));

async function main(): Promise<number> {
  console.log(`bench:server — amqplib, ${N.toLocaleString('en-US')} messages of ${body.length} bytes, publisher and consumer on separate connections, best of ${RUNS}`);
  const results = new Map<string, Map<Scenario, number>>();
  for (const start of [startWarren, startRabbit]) {
    const label = start === startWarren ? 'Warren' : 'RabbitMQ';
    let broker: RunningBroker | string;
    try {
      broker = await start();
    } catch (err) {
      console.log(`  ${label}: could not start: ${(err as Error).message}`);
      continue;
    }
    if (typeof broker === 'string') {
      console.log(`  ${label}: skipped (${broker})`);
      continue;
    }
    try {
      results.set(broker.name, await measure(broker));
    } catch (err) {
      console.log(`  ${broker.name}: failed: ${(err as Error).message}`);
    } finally {
      await broker.stop();
    }
  }

  const warren = results.get('Warren');
  const rabbit = results.get('RabbitMQ');
  console.log('');
  console.log(`| scenario | Warren msgs/s | RabbitMQ msgs/s | Warren/RabbitMQ (target ≥ 1.5×) |`);
  console.log(`| --- | ---: | ---: | ---: |`);
  for (const s of SCENARIOS) {
    const w = warren?.get(s);
    const r = rabbit?.get(s);
    const ratio = w !== undefined && r !== undefined ? `${(w / r).toFixed(2)}×${w / r >= 1.5 ? '' : ' (below target)'}` : 'n/a';
    console.log(`| ${s} | ${fmt(w)} | ${fmt(r)} | ${ratio} |`);
  }
  return warren === undefined && rabbit === undefined ? 1 : 0;
}

process.exitCode = await main();
