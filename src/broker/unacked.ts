import { Deque } from './deque.ts';
import type { QueuedMessage } from './message.ts';

/**
 * A channel's unacked messages by delivery tag. Tags only grow, so two parallel deques in
 * tag order suffice: settling marks a hole, and holes at the front are trimmed. Acks in
 * order (the common case) are O(1) and allocate nothing.
 */
export class UnackedMessages {
  private readonly tags = new Deque<number>();
  private readonly messages = new Deque<QueuedMessage | null>();
  count = 0;

  add(tag: number, message: QueuedMessage): void {
    this.tags.push(tag);
    this.messages.push(message);
    this.count++;
  }

  /** Index of the tag if it is still unacked, else -1. */
  private indexOf(tag: number): number {
    const tags = this.tags;
    let lo = 0;
    let hi = tags.length - 1;
    if (hi < 0) return -1;
    if (tags.get(0) === tag) return this.messages.get(0) ? 0 : -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const t = tags.get(mid)!;
      if (t === tag) return this.messages.get(mid) ? mid : -1;
      if (t < tag) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  has(tag: number): boolean {
    return this.indexOf(tag) >= 0;
  }

  /** Removes one unacked delivery; null when the tag is not unacked. */
  takeOne(tag: number): QueuedMessage | null {
    const index = this.indexOf(tag);
    if (index < 0) return null;
    const message = this.messages.get(index)!;
    this.messages.set(index, null);
    this.count--;
    this.trim();
    return message;
  }

  /**
   * Removes and reports the messages a settle covers: the one tag, or with `multiple`
   * every unacked tag up to it (tag 0 with multiple means all). Returns false, removing
   * nothing, when the tag is not unacked — RabbitMQ's "unknown delivery tag".
   */
  take(tag: number, multiple: boolean, each: (tag: number, message: QueuedMessage) => void): boolean {
    if (multiple && tag === 0) {
      this.takeUpTo(this.tags.length - 1, each);
      return true;
    }
    const index = this.indexOf(tag);
    if (index < 0) return false;
    if (multiple) this.takeUpTo(index, each);
    else {
      const message = this.messages.get(index)!;
      this.messages.set(index, null);
      this.count--;
      this.trim();
      each(tag, message);
    }
    return true;
  }

  private takeUpTo(index: number, each: (tag: number, message: QueuedMessage) => void): void {
    const taken: [number, QueuedMessage][] = [];
    for (let i = 0; i <= index; i++) {
      const m = this.messages.get(i);
      if (m) taken.push([this.tags.get(i)!, m]);
    }
    for (let i = 0; i <= index; i++) {
      this.tags.shift();
      this.messages.shift();
    }
    this.count -= taken.length;
    this.trim();
    for (const [t, m] of taken) each(t, m);
  }

  /** Everything unacked, in tag order, leaving the channel with none. */
  takeAll(): [number, QueuedMessage][] {
    const all: [number, QueuedMessage][] = [];
    this.takeUpTo(this.tags.length - 1, (t, m) => all.push([t, m]));
    return all;
  }

  /** Puts settled messages back (tx.rollback), keeping tag order. */
  restore(entries: [number, QueuedMessage][]): void {
    for (const [tag, message] of entries) {
      let i = this.tags.length;
      while (i > 0 && this.tags.get(i - 1)! > tag) i--;
      this.tags.insertAt(i, tag);
      this.messages.insertAt(i, message);
      this.count++;
    }
  }

  private trim(): void {
    while (this.messages.length > 0 && this.messages.peek() === null) {
      this.messages.shift();
      this.tags.shift();
    }
  }
}
