import type { QueuedMessage } from './message.ts';

type Entry = [tag: number, message: QueuedMessage];

/**
 * A channel's unacked messages by delivery tag. Tags only grow, so one ring of (tag,
 * message) pairs in tag order suffices: settling leaves a hole (null), and holes at the
 * front are trimmed. Acks in order, the common case, touch only the front: O(1), no
 * allocation. Other tags are found by binary search. The ring is this class's own (not a
 * generic Deque) so that its two arrays keep one element kind each and stay fast.
 */
export class UnackedMessages {
  private tags: number[];
  private messages: (QueuedMessage | null)[];
  private mask: number;
  private head = 0;
  /** Slots in use from `head`, holes included. */
  private size = 0;
  /** Unacked messages (slots that are not holes). */
  count = 0;

  constructor() {
    this.tags = new Array<number>(16).fill(0);
    this.messages = new Array<QueuedMessage | null>(16).fill(null);
    this.mask = 15;
  }

  add(tag: number, message: QueuedMessage): void {
    if (this.size === this.tags.length) this.grow();
    const i = (this.head + this.size) & this.mask;
    this.tags[i] = tag;
    this.messages[i] = message;
    this.size++;
    this.count++;
  }

  has(tag: number): boolean {
    const at = this.positionOf(tag);
    return at >= 0 && this.messageAt(at) !== null;
  }

  /** Removes one unacked delivery; null when the tag is not unacked. */
  takeOne(tag: number): QueuedMessage | null {
    const head = this.head;
    if (this.size > 0 && this.tags[head] === tag) {
      // An ack of the oldest delivery: the front slot goes, with any holes behind it.
      const message = this.messages[head]!;
      this.messages[head] = null;
      this.head = (head + 1) & this.mask;
      this.size--;
      this.count--;
      this.trim();
      return message;
    }
    const at = this.positionOf(tag);
    if (at < 0) return null;
    const message = this.messageAt(at);
    if (message === null) return null;
    this.messages[(this.head + at) & this.mask] = null;
    this.count--;
    return message;
  }

  /**
   * Removes and reports the messages a settle covers: the one tag, or with `multiple`
   * every unacked tag up to it (tag 0 with multiple means all). Returns false, removing
   * nothing, when the tag is not unacked — RabbitMQ's "unknown delivery tag".
   */
  take(tag: number, multiple: boolean, each: (tag: number, message: QueuedMessage) => void): boolean {
    if (multiple && tag === 0) {
      for (const [t, m] of this.takeThrough(this.size - 1)) each(t, m);
      return true;
    }
    if (!multiple) {
      const message = this.takeOne(tag);
      if (message === null) return false;
      each(tag, message);
      return true;
    }
    const at = this.positionOf(tag);
    if (at < 0 || this.messageAt(at) === null) return false;
    for (const [t, m] of this.takeThrough(at)) each(t, m);
    return true;
  }

  /** Everything unacked, in tag order, leaving the channel with none. */
  takeAll(): Entry[] {
    return this.takeThrough(this.size - 1);
  }

  /** Puts settled messages back (tx.rollback), keeping tag order. */
  restore(entries: Entry[]): void {
    if (entries.length === 0) return;
    const all = [...this.takeAll(), ...entries].sort((a, b) => a[0] - b[0]);
    for (const [tag, message] of all) this.add(tag, message);
  }

  /** The unacked entries in slots 0..last, which are emptied (holes skipped). */
  private takeThrough(last: number): Entry[] {
    const taken: Entry[] = [];
    for (let at = 0; at <= last; at++) {
      const i = (this.head + at) & this.mask;
      const message = this.messages[i]!;
      if (message !== null) taken.push([this.tags[i]!, message]);
      this.messages[i] = null;
    }
    this.head = (this.head + last + 1) & this.mask;
    this.size -= last + 1;
    this.count -= taken.length;
    this.trim();
    return taken;
  }

  /** Slot of the tag from the front (binary search), or -1 when it has none. */
  private positionOf(tag: number): number {
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.tags[(this.head + mid) & this.mask]!;
      if (t === tag) return mid;
      if (t < tag) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private messageAt(at: number): QueuedMessage | null {
    return this.messages[(this.head + at) & this.mask]!;
  }

  private trim(): void {
    while (this.size > 0 && this.messages[this.head] === null) {
      this.head = (this.head + 1) & this.mask;
      this.size--;
    }
    if (this.size === 0) this.head = 0;
  }

  private grow(): void {
    const capacity = this.tags.length * 2;
    const tags = new Array<number>(capacity).fill(0);
    const messages = new Array<QueuedMessage | null>(capacity).fill(null);
    for (let at = 0; at < this.size; at++) {
      const i = (this.head + at) & this.mask;
      tags[at] = this.tags[i]!;
      messages[at] = this.messages[i]!;
    }
    this.tags = tags;
    this.messages = messages;
    this.mask = capacity - 1;
    this.head = 0;
  }
}
