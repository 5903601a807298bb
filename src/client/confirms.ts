// Publisher confirms: the server numbers a confirm channel's publishes 1, 2, 3, ... and
// answers each with basic.ack or basic.nack, singly or "multiple" (everything up to a tag).
// Every publish holds a slot, with or without a callback, until it is settled.

/** Called with null once the server has the message, or an Error if it nacked it or the channel closed. */
export type ConfirmCallback = (err: Error | null, ok?: Record<string, never>) => void;

type Slot = ConfirmCallback | undefined;

export class ConfirmWindow {
  #next = 1;
  #unsettled = new Map<number, Slot>(); // insertion order is tag order
  #closedWithUnconfirmed = false;

  /** Takes the next tag for a publish. */
  push(callback?: ConfirmCallback): void {
    this.#unsettled.set(this.#next++, callback);
  }

  /** Settles `tag`, or every tag up to it when `multiple`; `error` null for ack. */
  settle(tag: number, multiple: boolean, error: Error | null): void {
    if (!multiple) {
      this.#take(tag, error);
      return;
    }
    // Deleting the entry being visited is safe in a Map iteration; callbacks that publish
    // add larger tags, which end the loop.
    for (const t of this.#unsettled.keys()) {
      if (t > tag) break;
      this.#take(t, error);
    }
  }

  /** The channel closed: every unsettled publish fails, and so will every later wait. */
  fail(error: Error): void {
    const slots = [...this.#unsettled.values()];
    this.#closedWithUnconfirmed ||= slots.length > 0;
    this.#unsettled.clear();
    for (const cb of slots) cb?.(error);
  }

  /** Resolves once every publish so far is acked; rejects on the first nack or on close. */
  wait(): Promise<void> {
    if (this.#closedWithUnconfirmed) return Promise.reject(new Error('channel closed'));
    const waits: Promise<void>[] = [];
    for (const [tag, cb] of this.#unsettled) {
      waits.push(
        new Promise<void>((resolve, reject) => {
          this.#unsettled.set(tag, (err) => {
            cb?.(err);
            if (err === null) resolve();
            else reject(err);
          });
        }),
      );
    }
    return Promise.all(waits).then(() => undefined);
  }

  #take(tag: number, error: Error | null): void {
    if (!this.#unsettled.has(tag)) return;
    const cb = this.#unsettled.get(tag);
    this.#unsettled.delete(tag);
    cb?.(error);
  }
}
