// One broker, many sessions: what one session reads often makes others write (a publish
// delivers to consumers on other connections). Sessions of one broker share a group that
// batches every session's output of one read into one send per session: after the
// outermost read returns, confirms are flushed (they wait for the store) and then each
// session that wrote sends once. Output made outside any read (a timer, broker.stop)
// goes out in a microtask.

import type { Broker } from '../broker/broker.ts';

export interface Flushable {
  /** Set by the group while the session waits in its dirty list. */
  queuedForFlush: boolean;
  flush(): void;
}

export class FlushGroup {
  readonly #broker: Broker;
  #depth = 0;
  #dirty: Flushable[] = [];
  #spare: Flushable[] = [];
  #scheduled = false;

  constructor(broker: Broker) {
    this.#broker = broker;
    // Confirms wait for flushAll (one store flush per read) instead of one flush each.
    broker.batchConfirms = true;
  }

  enter(): void {
    this.#depth++;
  }

  exit(): void {
    if (--this.#depth === 0) this.flushAll();
  }

  /** A session wrote output; it will be sent at the end of the current read. */
  dirty(session: Flushable): void {
    if (session.queuedForFlush) return;
    session.queuedForFlush = true;
    this.#dirty.push(session);
    if (this.#depth === 0 && !this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#flushLater);
    }
  }

  readonly #flushLater = (): void => {
    this.#scheduled = false;
    if (this.#depth === 0) this.flushAll();
  };

  flushAll(): void {
    // Held open while flushing: a send that re-enters a read (an in-memory peer answering
    // at once) adds to the list instead of starting a nested flush.
    this.#depth++;
    try {
      while (true) {
        // A failing store or transport must not escape into the read that flushed (and
        // from there into a socket's 'data' handler): report it and go on.
        try {
          this.#broker.flushConfirms();
        } catch (error) {
          report('flushing the store for confirms', error);
        }
        const batch = this.#dirty;
        if (batch.length === 0) break;
        this.#dirty = this.#spare;
        for (let i = 0; i < batch.length; i++) {
          const session = batch[i]!;
          session.queuedForFlush = false;
          try {
            session.flush();
          } catch (error) {
            report('sending', error);
          }
        }
        batch.length = 0;
        this.#spare = batch;
      }
    } finally {
      this.#depth--;
    }
  }
}

function report(what: string, error: unknown): void {
  console.error(`warren: error while ${what}:`, error);
}

const groups = new WeakMap<Broker, FlushGroup>();

export function flushGroupOf(broker: Broker): FlushGroup {
  let group = groups.get(broker);
  if (group === undefined) {
    group = new FlushGroup(broker);
    groups.set(broker, group);
  }
  return group;
}
