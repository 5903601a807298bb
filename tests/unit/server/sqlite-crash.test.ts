// The SQLite store's part in crash recovery: which queues were stopped cleanly (a run begins
// at load() and is written at once), and deliveries marked for quorum queues. A "crash" here
// closes the database under the store without committing, as the process dying would.
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { QueuedMessage } from '../../../src/broker/index.ts';
import { crash, open, tempDir, useTempStores } from './sqlite-temp.ts';

useTempStores();

const queue = (name: string) => ({ name, autoDelete: false, arguments: {} });
const message = (id: number, body: string) => new QueuedMessage(id, '', 'q', { deliveryMode: 2 }, new TextEncoder().encode(body));

describe('SqliteStore: clean and unclean stops', () => {
  it('a queue is unclean until queueStopped; each load starts a new run', () => {
    const dir = tempDir();
    let store = open(dir);
    store.putQueue(queue('a'));
    store.putQueue(queue('b'));
    store.queueStopped('a');
    store.close();

    store = open(dir);
    expect(store.load().uncleanQueues).toEqual(['b']);
    store.close(); // closed without the broker stopping the queues: the run was not clean
    store = open(dir);
    expect(store.load().uncleanQueues).toEqual(['a', 'b']);
  });

  it('writes the new run at once: killed before its first flush, it still counts as killed', () => {
    const dir = tempDir();
    let store = open(dir);
    store.putQueue(queue('q'));
    store.queueStopped('q');
    store.close();

    store = open(dir);
    expect(store.load().uncleanQueues).toEqual([]);
    crash(store);
    expect(open(dir).load().uncleanQueues).toEqual(['q']);
  });

  it('declaring a queue again (or deleting it) forgets that it stopped cleanly', () => {
    const dir = tempDir();
    const store = open(dir);
    store.putQueue(queue('q'));
    store.putQueue(queue('gone'));
    store.queueStopped('q');
    store.queueStopped('gone');
    store.putQueue(queue('q'));
    store.deleteQueue('gone');
    store.putQueue(queue('gone'));
    expect(store.load().uncleanQueues).toEqual(['q', 'gone']);
  });

  it('markDelivered writes the count and the flag, flushed with the other writes', () => {
    const dir = tempDir();
    let store = open(dir);
    store.putQueue(queue('q'));
    const [m1, m2] = [message(1, 'one'), message(2, 'two')];
    store.putMessage('q', m1);
    store.putMessage('q', m2);
    store.flush();
    store.markDelivered('q', m2, 3);
    store.markDelivered('q', message(9, 'not stored'), 1); // nothing to mark
    store.flush();
    crash(store);

    store = open(dir);
    const messages = store.load().messages;
    expect(messages.map((m) => [new TextDecoder().decode(m.body), m.redelivered, m.deliveryCount])).toEqual([
      ['one', false, 0],
      ['two', true, 3],
    ]);
  });

  it('a mark not yet flushed is lost with the crash', () => {
    const dir = tempDir();
    let store = open(dir);
    store.putQueue(queue('q'));
    const m = message(1, 'one');
    store.putMessage('q', m);
    store.flush();
    store.markDelivered('q', m, 1);
    crash(store);
    store = open(dir);
    expect(store.load().messages.map((s) => [s.redelivered, s.deliveryCount])).toEqual([[false, 0]]);
  });

  it('a store written by schema 1 (no marker yet) is trusted as it was, then marked like any other', () => {
    const dir = tempDir();
    const db = new DatabaseSync(join(dir, 'warren.db'));
    db.exec(`
      CREATE TABLE queues (name TEXT PRIMARY KEY, auto_delete INTEGER NOT NULL, arguments BLOB NOT NULL);
      INSERT INTO queues VALUES ('old', 0, X'00000000');
      PRAGMA user_version = 1;
    `);
    db.close();

    let store = open(dir);
    expect(store.load()).toMatchObject({ queues: [queue('old')], uncleanQueues: [] });
    crash(store);
    store = open(dir);
    expect(store.load().uncleanQueues).toEqual(['old']);
    store.close();
    const check = new DatabaseSync(join(dir, 'warren.db'));
    expect((check.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(2);
    check.close();
  });
});
