/**
 * A double-ended queue over a ring buffer whose capacity is a power of two, doubled when
 * full. All end operations are O(1); `insertAt`/`removeAt` move the shorter side.
 *
 * Invariants: `buffer.length` is a power of two (`mask = length - 1`); the items are at
 * `(head + i) & mask` for i < size; every other slot is undefined, so removed items can
 * be garbage-collected.
 */
export class Deque<T> implements Iterable<T> {
  private buffer: (T | undefined)[];
  private mask: number;
  private head = 0;
  private size = 0;

  constructor(initialCapacity = 16) {
    let capacity = 4;
    while (capacity < initialCapacity) capacity *= 2;
    this.buffer = new Array<T | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
  }

  get length(): number {
    return this.size;
  }

  push(value: T): void {
    if (this.size === this.buffer.length) this.grow();
    this.buffer[(this.head + this.size) & this.mask] = value;
    this.size++;
  }

  pushFront(value: T): void {
    if (this.size === this.buffer.length) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.buffer[this.head] = value;
    this.size++;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const value = this.buffer[this.head];
    this.buffer[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.size--;
    return value;
  }

  pop(): T | undefined {
    if (this.size === 0) return undefined;
    const i = (this.head + this.size - 1) & this.mask;
    const value = this.buffer[i];
    this.buffer[i] = undefined;
    this.size--;
    return value;
  }

  peek(): T | undefined {
    return this.size === 0 ? undefined : this.buffer[this.head];
  }

  peekBack(): T | undefined {
    return this.size === 0 ? undefined : this.buffer[(this.head + this.size - 1) & this.mask];
  }

  /** The item at position i from the front, or undefined outside 0..length-1. */
  get(i: number): T | undefined {
    if (!(i >= 0 && i < this.size)) return undefined;
    return this.buffer[(this.head + i) & this.mask];
  }

  /** Replaces the item at position i (0..length-1). */
  set(i: number, value: T): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) throw new RangeError(`set index ${i} out of 0..${this.size - 1}`);
    this.buffer[(this.head + i) & this.mask] = value;
  }

  /** Inserts so that the value ends up at position i (0..length). */
  insertAt(i: number, value: T): void {
    const size = this.size;
    if (!Number.isInteger(i) || i < 0 || i > size) throw new RangeError(`insertAt index ${i} out of 0..${size}`);
    if (size === this.buffer.length) this.grow();
    const buf = this.buffer;
    const mask = this.mask;
    if (i < size - i) {
      // Move the i items before the gap one slot towards the front.
      this.head = (this.head - 1) & mask;
      const head = this.head;
      for (let k = 0; k < i; k++) buf[(head + k) & mask] = buf[(head + k + 1) & mask];
    } else {
      // Move the size - i items from the gap one slot towards the back.
      const head = this.head;
      for (let k = size; k > i; k--) buf[(head + k) & mask] = buf[(head + k - 1) & mask];
    }
    buf[(this.head + i) & mask] = value;
    this.size++;
  }

  /** Removes and returns the item at position i, or undefined outside 0..length-1. */
  removeAt(i: number): T | undefined {
    const size = this.size;
    if (!Number.isInteger(i) || i < 0 || i >= size) return undefined;
    const buf = this.buffer;
    const mask = this.mask;
    const head = this.head;
    const value = buf[(head + i) & mask];
    if (i < size - 1 - i) {
      for (let k = i; k > 0; k--) buf[(head + k) & mask] = buf[(head + k - 1) & mask];
      buf[head] = undefined;
      this.head = (head + 1) & mask;
    } else {
      for (let k = i; k < size - 1; k++) buf[(head + k) & mask] = buf[(head + k + 1) & mask];
      buf[(head + size - 1) & mask] = undefined;
    }
    this.size--;
    return value;
  }

  clear(): void {
    for (let k = 0; k < this.size; k++) this.buffer[(this.head + k) & this.mask] = undefined;
    this.head = 0;
    this.size = 0;
  }

  toArray(): T[] {
    const out = new Array<T>(this.size);
    for (let k = 0; k < this.size; k++) out[k] = this.buffer[(this.head + k) & this.mask] as T;
    return out;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let k = 0; k < this.size; k++) yield this.buffer[(this.head + k) & this.mask] as T;
  }

  private grow(): void {
    const old = this.buffer;
    const next = new Array<T | undefined>(old.length * 2).fill(undefined);
    for (let k = 0; k < this.size; k++) next[k] = old[(this.head + k) & this.mask];
    this.buffer = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}
