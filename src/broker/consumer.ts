import { type ConsumerEventType, type ConsumerState, nextConsumerState } from '../machines/consumer.ts';
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
  /** Moves only as the consumer machine allows (src/machines/consumer.ts). */
  state: ConsumerState = 'subscribing';
  /** How it will be (or was) cancelled, as the consumer machine's event. */
  cancelledBy: 'cancel.client' | 'cancel.server' | 'channel.closed' = 'cancel.client';

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
    return this.state === 'active';
  }

  step(event: ConsumerEventType): void {
    this.state = nextConsumerState(this.state, event);
  }

  /** Subscribed: receives at once, or waits its turn on a single-active-consumer queue. */
  subscribed(standby: boolean): void {
    this.step(standby ? 'consume.standby' : 'consume.ok');
    if (!standby) this.channel.consumerActivated(this);
  }

  /** A waiting single-active consumer takes over. */
  activate(): void {
    this.step('activate');
    this.channel.consumerActivated(this);
  }

  hasRoom(): boolean {
    if (this.state !== 'active') return false;
    const ch = this.channel;
    if (!ch.flowActive) return false;
    if (this.noAck) return true;
    return (this.prefetch === 0 || this.unacked < this.prefetch) && ch.hasGlobalRoom();
  }

  deliver(message: QueuedMessage): void {
    this.channel.deliver(this, message);
  }
}
