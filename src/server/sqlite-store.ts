// The broker's Store on disk, in one SQLite database (node:sqlite, WAL mode).
//
// Writes go into one transaction that begins lazily with the first write after a flush and
// that `flush()` commits: the broker flushes before it sends publisher confirms, and the
// server after each read. A message acked in the same batch it was published in costs an
// INSERT and a DELETE that never reach the disk as a row. Field tables (arguments, message
// headers) are stored as AMQP field-table bytes (see sqlite-fields.ts), bodies as BLOBs.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { decodeProperties, encodeProperties } from '../amqp/index.ts';
import type { ExchangeType } from '../broker/exchange.ts';
import type { QueuedMessage } from '../broker/message.ts';
import type { Store, StoredBinding, StoredExchange, StoredMessage, StoredQueue, StoredState } from '../broker/store.ts';
import type { BasicProperties } from '../broker/types.ts';
import { decodeTable, encodeTable, tableKey } from './sqlite-fields.ts';

export interface SqliteStoreOptions {
  /** The database file inside the directory. Default `warren.db`. */
  file?: string;
  /**
   * 'full' (default): a flush fsyncs the WAL, so a confirmed message survives power loss,
   * which is what RabbitMQ promises when it confirms. 'normal': a flush survives the
   * process dying (kill -9) but not the machine; several times faster.
   */
  synchronous?: 'full' | 'normal';
  /** Commit by itself once this many writes wait, so a broker nobody flushes stays bounded. */
  maxBatch?: number;
}

// 2: queues.stopped_cleanly (a broker killed mid-run is told apart from a clean stop).
const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS exchanges (
  name TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  auto_delete INTEGER NOT NULL,
  internal INTEGER NOT NULL,
  arguments BLOB NOT NULL
);
-- stopped_cleanly: 1 once the broker stopped the queue cleanly; a new run sets it back to 0
CREATE TABLE IF NOT EXISTS queues (
  name TEXT PRIMARY KEY,
  auto_delete INTEGER NOT NULL,
  arguments BLOB NOT NULL,
  stopped_cleanly INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS bindings (
  source TEXT NOT NULL,
  destination_kind TEXT NOT NULL,
  destination TEXT NOT NULL,
  routing_key TEXT NOT NULL,
  -- binding identity: the arguments encoded with keys sorted; arguments as declared
  arguments_key BLOB NOT NULL,
  arguments BLOB NOT NULL,
  UNIQUE (source, destination_kind, destination, routing_key, arguments_key)
);
-- seq is the rowid: it grows with every insert, so it is the order messages entered their queues
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY,
  queue TEXT NOT NULL,
  id INTEGER NOT NULL,
  exchange TEXT NOT NULL,
  routing_key TEXT NOT NULL,
  properties BLOB NOT NULL,
  headers BLOB,
  body BLOB NOT NULL,
  delivery_count INTEGER NOT NULL,
  redelivered INTEGER NOT NULL DEFAULT 0,
  UNIQUE (queue, id)
);
`;

/** A schema-1 store predates the marker: its flags were as trustworthy as Warren made them then. */
const FROM_SCHEMA_1 = 'ALTER TABLE queues ADD COLUMN stopped_cleanly INTEGER NOT NULL DEFAULT 1;';

interface Statements {
  begin: StatementSync;
  commit: StatementSync;
  putExchange: StatementSync;
  deleteExchange: StatementSync;
  putQueue: StatementSync;
  deleteQueue: StatementSync;
  deleteQueueMessages: StatementSync;
  putBinding: StatementSync;
  deleteBinding: StatementSync;
  putMessage: StatementSync;
  deleteMessage: StatementSync;
  markDelivered: StatementSync;
  queueStopped: StatementSync;
  startRun: StatementSync;
}

export class SqliteStore implements Store {
  readonly path: string;
  private readonly db: DatabaseSync;
  private readonly st: Statements;
  private readonly maxBatch: number;
  /** Writes in the open transaction. */
  private pending = 0;
  private closed = false;
  /** Fan-out puts one message (same id, same properties) in many queues: encoded once. */
  private lastId = -1;
  private lastProperties: BasicProperties | null = null;
  private lastEncoded: [Uint8Array, Uint8Array | null] = [new Uint8Array(0), null];

  constructor(dir: string, options: SqliteStoreOptions = {}) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, options.file ?? 'warren.db');
    this.maxBatch = options.maxBatch ?? 10_000;
    const db = new DatabaseSync(this.path, { timeout: 0 });
    this.db = db;
    try {
      // Exclusive locking: one broker per database (a second opener fails fast), and WAL
      // needs no shared-memory file.
      db.exec('PRAGMA locking_mode = EXCLUSIVE');
      db.exec('PRAGMA journal_mode = WAL');
      // FULL: a commit fsyncs the WAL, so a confirm means "on disk" (power loss included), as
      // in RabbitMQ; NORMAL would survive kill -9 (the OS has the pages) but not a crash of the machine.
      db.exec(`PRAGMA synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
      const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
      if (version > SCHEMA_VERSION) {
        throw new Error(`${this.path} was written by a newer Warren (store schema ${version}; this one reads ${SCHEMA_VERSION})`);
      }
      // A write takes the exclusive lock now, not at the first publish.
      const migration = version === 1 ? FROM_SCHEMA_1 : '';
      db.exec(`BEGIN IMMEDIATE; ${SCHEMA} ${migration} PRAGMA user_version = ${SCHEMA_VERSION}; COMMIT`);
    } catch (error) {
      db.close();
      if (error instanceof Error && /locked|busy/i.test(error.message)) {
        throw new Error(`the store ${this.path} is in use by another broker (${error.message})`, { cause: error });
      }
      throw error;
    }
    this.st = {
      begin: db.prepare('BEGIN'),
      commit: db.prepare('COMMIT'),
      putExchange: db.prepare(
        `INSERT INTO exchanges (name, type, auto_delete, internal, arguments) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET type = excluded.type, auto_delete = excluded.auto_delete,
           internal = excluded.internal, arguments = excluded.arguments`,
      ),
      deleteExchange: db.prepare('DELETE FROM exchanges WHERE name = ?'),
      // A queue declared now is in use: not stopped cleanly until queueStopped says so.
      putQueue: db.prepare(
        `INSERT INTO queues (name, auto_delete, arguments, stopped_cleanly) VALUES (?, ?, ?, 0)
         ON CONFLICT (name) DO UPDATE SET auto_delete = excluded.auto_delete, arguments = excluded.arguments,
           stopped_cleanly = 0`,
      ),
      deleteQueue: db.prepare('DELETE FROM queues WHERE name = ?'),
      deleteQueueMessages: db.prepare('DELETE FROM messages WHERE queue = ?'),
      putBinding: db.prepare(
        `INSERT OR IGNORE INTO bindings (source, destination_kind, destination, routing_key, arguments_key, arguments)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      deleteBinding: db.prepare(
        'DELETE FROM bindings WHERE source = ? AND destination_kind = ? AND destination = ? AND routing_key = ? AND arguments_key = ?',
      ),
      // A message put again keeps its place (its seq): only its fields change.
      putMessage: db.prepare(
        `INSERT INTO messages (queue, id, exchange, routing_key, properties, headers, body, delivery_count, redelivered)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (queue, id) DO UPDATE SET exchange = excluded.exchange, routing_key = excluded.routing_key,
           properties = excluded.properties, headers = excluded.headers, body = excluded.body,
           delivery_count = excluded.delivery_count, redelivered = excluded.redelivered`,
      ),
      deleteMessage: db.prepare('DELETE FROM messages WHERE queue = ? AND id = ?'),
      markDelivered: db.prepare('UPDATE messages SET delivery_count = ?, redelivered = 1 WHERE queue = ? AND id = ?'),
      queueStopped: db.prepare('UPDATE queues SET stopped_cleanly = 1 WHERE name = ?'),
      startRun: db.prepare('UPDATE queues SET stopped_cleanly = 0 WHERE stopped_cleanly = 1'),
    };
  }

  load(): StoredState {
    const db = this.db;
    const exchanges = (db.prepare('SELECT name, type, auto_delete, internal, arguments FROM exchanges ORDER BY rowid').all() as unknown as ExchangeRow[])
      .map((r): StoredExchange => ({
        name: r.name, type: r.type as ExchangeType, autoDelete: r.auto_delete !== 0, internal: r.internal !== 0, arguments: decodeTable(r.arguments),
      }));
    const queueRows = db.prepare('SELECT name, auto_delete, arguments, stopped_cleanly FROM queues ORDER BY rowid').all() as unknown as QueueRow[];
    const queues = queueRows.map((r): StoredQueue => ({ name: r.name, autoDelete: r.auto_delete !== 0, arguments: decodeTable(r.arguments) }));
    const uncleanQueues = queueRows.filter((r) => r.stopped_cleanly === 0).map((r) => r.name);
    const bindings = (db.prepare('SELECT source, destination_kind, destination, routing_key, arguments FROM bindings ORDER BY rowid').all() as unknown as BindingRow[])
      .map((r): StoredBinding => ({
        source: r.source, destination: r.destination, destinationKind: r.destination_kind as StoredBinding['destinationKind'],
        routingKey: r.routing_key, arguments: decodeTable(r.arguments),
      }));
    const messages: StoredMessage[] = [];
    const rows = db.prepare('SELECT queue, id, exchange, routing_key, properties, headers, body, delivery_count, redelivered FROM messages ORDER BY seq');
    rows.setReturnArrays(true); // a third faster than objects, for what may be millions of rows
    for (const row of rows.iterate()) {
      const [queue, id, exchange, routingKey, props, headers, body, deliveryCount, redelivered] = row as unknown as MessageRow;
      const properties = decodeProperties(props);
      if (headers !== null) properties.headers = decodeTable(headers);
      messages.push({ queue, id, exchange, routingKey, properties, body, deliveryCount, redelivered: redelivered !== 0 });
    }
    // A new run: committed now, so that a broker killed before its first flush counts as killed.
    if (uncleanQueues.length < queueRows.length) {
      this.write().startRun.run();
      this.flush();
    }
    return { exchanges, queues, bindings, messages, uncleanQueues };
  }

  putExchange(x: StoredExchange): void {
    this.write().putExchange.run(x.name, x.type, x.autoDelete ? 1 : 0, x.internal ? 1 : 0, encodeTable(x.arguments));
  }

  deleteExchange(name: string): void {
    this.write().deleteExchange.run(name);
  }

  /** Keeps the queue's messages: recovery declares every stored queue again. */
  putQueue(q: StoredQueue): void {
    this.write().putQueue.run(q.name, q.autoDelete ? 1 : 0, encodeTable(q.arguments));
  }

  /** Also forgets the queue's messages. */
  deleteQueue(name: string): void {
    const st = this.write();
    st.deleteQueue.run(name);
    st.deleteQueueMessages.run(name);
  }

  putBinding(b: StoredBinding): void {
    this.write().putBinding.run(b.source, b.destinationKind, b.destination, b.routingKey, tableKey(b.arguments), encodeTable(b.arguments));
  }

  deleteBinding(b: StoredBinding): void {
    this.write().deleteBinding.run(b.source, b.destinationKind, b.destination, b.routingKey, tableKey(b.arguments));
  }

  putMessage(queue: string, m: QueuedMessage): void {
    const st = this.write();
    const [properties, headers] = this.encodeProperties(m.id, m.properties);
    st.putMessage.run(queue, m.id, m.exchange, m.routingKey, properties, headers, m.body, m.deliveryCount, m.redelivered ? 1 : 0);
  }

  deleteMessage(queue: string, m: QueuedMessage): void {
    this.write().deleteMessage.run(queue, m.id);
  }

  /** Two columns of one row, by primary key: no re-encoding of the message. */
  markDelivered(queue: string, m: QueuedMessage, deliveryCount: number): void {
    this.write().markDelivered.run(deliveryCount, queue, m.id);
  }

  queueStopped(queue: string): void {
    this.write().queueStopped.run(queue);
  }

  /** Commits the open transaction: what was written is durable when this returns. */
  flush(): void {
    if (!this.closed && this.db.isTransaction) this.st.commit.run();
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.lastProperties = null;
    this.db.close();
  }

  /** The statements, inside a transaction (begun here if none is open). */
  private write(): Statements {
    if (this.closed) throw new Error(`the store ${this.path} is closed`);
    if (!this.db.isTransaction) {
      this.st.begin.run();
      this.pending = 0;
    } else if (this.pending >= this.maxBatch) {
      this.st.commit.run();
      this.st.begin.run();
      this.pending = 0;
    }
    this.pending++;
    return this.st;
  }

  /** Properties without headers in the content-header codec, headers as a field table. */
  private encodeProperties(id: number, p: BasicProperties): [Uint8Array, Uint8Array | null] {
    if (id === this.lastId && p === this.lastProperties) return this.lastEncoded;
    let encoded: [Uint8Array, Uint8Array | null];
    if (p.headers === undefined) encoded = [encodeProperties(p), null];
    else {
      const { headers, ...rest } = p;
      encoded = [encodeProperties(rest), encodeTable(headers)];
    }
    this.lastId = id;
    this.lastProperties = p;
    this.lastEncoded = encoded;
    return encoded;
  }
}

interface ExchangeRow { name: string; type: string; auto_delete: number; internal: number; arguments: Uint8Array }
interface QueueRow { name: string; auto_delete: number; arguments: Uint8Array; stopped_cleanly: number }
interface BindingRow { source: string; destination_kind: string; destination: string; routing_key: string; arguments: Uint8Array }
/** queue, id, exchange, routing_key, properties, headers, body, delivery_count, redelivered */
type MessageRow = [string, number, string, string, Uint8Array, Uint8Array | null, Uint8Array, number, number];
