import { Deque } from './deque.ts';
import type { QueuedMessage } from './message.ts';

/**
 * The ready messages of a queue, in delivery order. One lane for a plain queue; one lane
 * per priority level (0..max) for a priority queue, highest served first.
 */
export class ReadyMessages {
  private readonly lanes: Deque<QueuedMessage>[];
  private readonly top: number;
  length = 0;
  bytes = 0;

  private readonly laneOf: (m: QueuedMessage) => number;

  constructor(priorityLevels: number, laneOf: (m: QueuedMessage) => number) {
    this.laneOf = laneOf;
    this.lanes = Array.from({ length: Math.max(1, priorityLevels) }, () => new Deque<QueuedMessage>());
    this.top = this.lanes.length - 1;
  }

  push(message: QueuedMessage): void {
    (this.top === 0 ? this.lanes[0]! : this.lanes[this.laneOf(message)]!).push(message);
    this.length++;
    this.bytes += message.body.length;
  }

  /** Puts a returned message back where it was: before every message that arrived after it. */
  requeue(message: QueuedMessage): void {
    const lane = this.top === 0 ? this.lanes[0]! : this.lanes[this.laneOf(message)]!;
    let i = 0;
    while (i < lane.length && lane.get(i)!.seq < message.seq) i++;
    lane.insertAt(i, message);
    this.length++;
    this.bytes += message.body.length;
  }

  peek(): QueuedMessage | undefined {
    if (this.top === 0) return this.lanes[0]!.peek();
    for (let p = this.top; p >= 0; p--) {
      const lane = this.lanes[p]!;
      if (lane.length > 0) return lane.peek();
    }
    return undefined;
  }

  shift(): QueuedMessage | undefined {
    let message: QueuedMessage | undefined;
    if (this.top === 0) message = this.lanes[0]!.shift();
    else {
      for (let p = this.top; p >= 0 && !message; p--) {
        const lane = this.lanes[p]!;
        if (lane.length > 0) message = lane.shift();
      }
    }
    if (message) {
      this.length--;
      this.bytes -= message.body.length;
    }
    return message;
  }

  /** Empties the queue, returning what was in it (highest priority first). */
  drain(): QueuedMessage[] {
    const all: QueuedMessage[] = [];
    for (let p = this.top; p >= 0; p--) {
      const lane = this.lanes[p]!;
      for (const m of lane) all.push(m);
      lane.clear();
    }
    this.length = 0;
    this.bytes = 0;
    return all;
  }

  *[Symbol.iterator](): IterableIterator<QueuedMessage> {
    for (let p = this.top; p >= 0; p--) yield* this.lanes[p]!;
  }
}
