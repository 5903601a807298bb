// `npm run broker`: Warren as an AMQP 0-9-1 server for pika, amqplib and the RabbitMQ
// tutorials. Ctrl-C or SIGTERM closes every connection as RabbitMQ does on shutdown (320
// CONNECTION_FORCED), flushes the store and exits 0.

import { mkdirSync } from 'node:fs';
import { hostname, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { Broker } from '../broker/broker.ts';
import { MemoryStore, type Store } from '../broker/store.ts';
import { startServer, type RunningServer } from './tcp.ts';

const HELP = `Usage: npm run broker -- [options]

Runs Warren as an AMQP 0-9-1 broker: point pika, amqplib or any RabbitMQ client at it.

Options:
  --host <address>   where to listen (default 127.0.0.1, this machine only)
  --port <number>    the AMQP port (default 5672; 0 picks a free one)
  --data-dir <dir>   where durable queues and persistent messages are kept (default ./data)
  --help             show this help

Log in as guest/guest, from this machine (as with RabbitMQ).`;

function fail(message: string, code = 1): never {
  process.stderr.write(`warren: ${message}\n`);
  process.exit(code);
}

function options(): { host: string; port: number; dataDir: string } {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '5672' },
        'data-dir': { type: 'string', default: './data' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    fail(`${(error as Error).message}. See --help.`, 2);
  }
  if (parsed.help) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const port = Number(parsed.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a number from 0 to 65535, got '${parsed.port}'.`, 2);
  return { host: parsed.host, port, dataDir: parsed['data-dir'] };
}

/** SqliteStore in `dir`; memory (and a line saying so) when it is not available. */
async function openStore(dir: string): Promise<{ store: Store; where: string }> {
  let SqliteStore;
  try {
    ({ SqliteStore } = await import('./sqlite-store.ts'));
  } catch (error) {
    return { store: new MemoryStore(), where: `data in memory only (no SQLite store: ${(error as Error).message})` };
  }
  try {
    mkdirSync(dir, { recursive: true });
    return { store: new SqliteStore(dir), where: `data in ${dir}` };
  } catch (error) {
    fail(`cannot keep data in ${dir}: ${(error as Error).message}`);
  }
}

/** RabbitMQ raises its memory alarm at 40% of RAM; we also watch V8's heap limit. */
function memoryPressure(): () => number {
  const rssLimit = 0.4 * totalmem();
  const heapLimit = 0.8 * getHeapStatistics().heap_size_limit;
  return () => {
    const m = process.memoryUsage();
    return Math.max(m.rss / rssLimit, m.heapUsed / heapLimit);
  };
}

async function main(): Promise<void> {
  const { host, port, dataDir } = options();
  const { store, where } = await openStore(dataDir);
  const broker = new Broker({ store });
  let server: RunningServer;
  try {
    server = await startServer({
      broker,
      host,
      port,
      clusterName: `warren@${hostname()}`,
      memory: { probe: memoryPressure(), highWatermark: 1, lowWatermark: 0.95 },
      log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
    });
  } catch (error) {
    store.close();
    const code = (error as NodeJS.ErrnoException).code;
    const at = `${host}:${port}`;
    if (code === 'EADDRINUSE') fail(`port ${port} on ${host} is already in use (another broker, maybe RabbitMQ, listens there). Try --port ${port + 1}.`);
    if (code === 'EACCES') fail(`not allowed to listen on ${at} (ports below 1024 need privileges). Try --port 5672.`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') fail(`cannot listen on ${at}: no such local address.`);
    fail(`cannot listen on ${at}: ${(error as Error).message}`);
  }

  process.stdout.write(`Warren broker listening on ${server.url} (guest/guest) — ${where}\nPress Ctrl-C to stop.\n`);

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) {
      process.stderr.write(`warren: ${signal} again, exiting without waiting for clients.\n`);
      process.exit(1);
    }
    stopping = true;
    const n = server.sessions.size;
    process.stdout.write(`\nShutting down: closing ${n} connection${n === 1 ? '' : 's'}...\n`);
    await server.close('shutdown');
    broker.stop('shutdown');
    store.close();
    process.stdout.write('Stopped.\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

await main();
