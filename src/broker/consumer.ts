import type { Channel } from './channel.ts';
import type { QueuedMessage } from './message.ts';
import type { Queue } from './queue.ts';
import type { FieldTable } from './types.ts';

/**
 * A subscription of one channel to one queue. It has room when its own prefetch and its
 * channel's global prefetch both allow one more unacked message (no-ack consumers always
 * have room while the channel's flow is on).
 */
export class Consumer {
  unacked = 0;
  private active = false;

  readonly tag: string;
  readonly queue: Queue;
  readonly channel: Channel;
  readonly noAck: boolean;
  readonly exclusive: boolean;
  /** basic.qos prefetch-count (global=false) in force when it subscribed; 0 is unlimited. */
  readonly prefetch: number;
  readonly args: FieldTable;

  constructor(tag: string, queue: Queue, channel: Channel, noAck: boolean, exclusive: boolean, prefetch: number, args: FieldTable) {
    this.tag = tag;
    this.queue = queue;
    this.channel = channel;
    this.noAck = noAck;
    this.exclusive = exclusive;
    this.prefetch = prefetch;
    this.args = args;
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Becomes able to receive: at once, or when it is a single active consumer's turn. */
  activate(): void {
    if (this.active) return;
    this.active = true;
    this.channel.consumerActivated(this);
  }

  hasRoom(): boolean {
    if (!this.active) return false;
    const ch = this.channel;
    if (!ch.flowActive) return false;
    if (this.noAck) return true;
    return (this.prefetch === 0 || this.unacked < this.prefetch) && ch.hasGlobalRoom();
  }

  deliver(message: QueuedMessage): void {
    this.channel.deliver(this, message);
  }
}
