// A tiny typed event emitter with Node's semantics where learner code can tell: listeners
// run synchronously in the order added, `once` listeners are removed before they run, and
// emitting 'error' with no listener throws the error (as Node's EventEmitter does). No
// node:events, so it runs in a browser Web Worker.

// Event name -> listener argument list.
export type EventMap = { [event: string]: unknown[] };

type Listener<A extends unknown[]> = (...args: A) => void;

interface Entry {
  // Listeners of every event share the map; emit() calls each with its event's arguments.
  fn: (...args: any[]) => void; // eslint-disable-line @typescript-eslint/no-explicit-any
  once: boolean;
}

export class Emitter<E extends EventMap> {
  #listeners = new Map<keyof E, Entry[]>();

  /** Calls `listener` every time `event` happens. */
  on<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    return this.#add(event, listener, false);
  }

  /** Same as `on`. */
  addListener<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    return this.#add(event, listener, false);
  }

  /** Calls `listener` the next time `event` happens, then forgets it. */
  once<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    return this.#add(event, listener, true);
  }

  /** Stops calling `listener` for `event`. */
  off<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    const list = this.#listeners.get(event);
    if (list === undefined) return this;
    // Node removes the most recently added match.
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i]!.fn === listener) {
        const next = list.slice();
        next.splice(i, 1);
        this.#listeners.set(event, next);
        break;
      }
    }
    return this;
  }

  /** Same as `off`. */
  removeListener<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    return this.off(event, listener);
  }

  /** Forgets every listener for `event`, or for all events. */
  removeAllListeners(event?: keyof E & string): this {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
    return this;
  }

  /** How many listeners `event` has. */
  listenerCount(event: keyof E & string): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /** Runs the listeners of `event` with `args`; false if it had none. An unheard 'error' throws. */
  emit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    const list = this.#listeners.get(event);
    if (list === undefined || list.length === 0) {
      if (event === 'error') throw args[0] instanceof Error ? args[0] : new Error(`Unhandled error: ${String(args[0])}`);
      return false;
    }
    // Lists are copied on write, so listeners added or removed while emitting do not
    // change this round.
    for (const entry of list) {
      if (entry.once) this.#remove(event, entry);
      entry.fn(...args);
    }
    return true;
  }

  #remove(event: keyof E, entry: Entry): void {
    const list = this.#listeners.get(event);
    if (list !== undefined) this.#listeners.set(event, list.filter((e) => e !== entry));
  }

  #add<K extends keyof E & string>(event: K, fn: Listener<E[K]>, once: boolean): this {
    const list = this.#listeners.get(event) ?? [];
    this.#listeners.set(event, [...list, { fn, once }]);
    return this;
  }
}
