import type { Channel } from './channel.ts';
import { channelError } from './errors.ts';
import type { EventStream } from './events.ts';
import type { QueuedMessage } from './message.ts';

export type Settle = { kind: 'ack' } | { kind: 'reject'; requeue: boolean; method: 'nack' | 'reject' };
export const ACK: Settle = { kind: 'ack' };

/** A settle made in tx mode, applied at tx.commit. */
export interface HeldSettle {
  tag: number;
  message: QueuedMessage;
  settle: Settle;
}

/**
 * A channel's answers to its deliveries: ack, nack, reject (held until tx.commit in tx
 * mode) and requeueing everything unacked (basic.recover, channel close).
 */
export class Settlement {
  private held: HeldSettle[] = [];
  private readonly channel: Channel;
  private readonly events: EventStream;

  constructor(channel: Channel, events: EventStream) {
    this.channel = channel;
    this.events = events;
  }

  settle(deliveryTag: number, multiple: boolean, settle: Settle): void {
    // Annotated so that `channel.fail` (which never returns) narrows `message`.
    const channel: Channel = this.channel;
    const inTx = channel.mode === 'tx';
    if (!multiple) {
      // The common case, kept free of closures: one tag, one message.
      const message = channel.unacked.takeOne(deliveryTag);
      if (message === null) channel.fail(channelError('PRECONDITION_FAILED', `unknown delivery tag ${deliveryTag}`));
      if (inTx) this.held.push({ tag: deliveryTag, message, settle });
      else this.apply(deliveryTag, message, settle);
      return;
    }
    const found = channel.unacked.take(deliveryTag, multiple, (tag, message) => {
      if (inTx) this.held.push({ tag, message, settle });
      else this.apply(tag, message, settle);
    });
    if (!found) channel.fail(channelError('PRECONDITION_FAILED', `unknown delivery tag ${deliveryTag}`));
  }

  private apply(tag: number, message: QueuedMessage, settle: Settle): void {
    const channel = this.channel;
    const queue = message.queue!;
    if (this.events.active) {
      const base = { messageId: message.id, queue: queue.name, deliveryTag: tag, connection: channel.connection.id, channel: channel.id };
      if (settle.kind === 'ack') this.events.emit({ type: 'message.acked', ...base });
      else this.events.emit({ type: settle.method === 'nack' ? 'message.nacked' : 'message.rejected', ...base, requeue: settle.requeue });
    }
    const consumer = message.consumer;
    if (consumer !== null) {
      consumer.unacked--;
      channel.consumerUnacked--;
    }
    if (settle.kind === 'reject' && settle.requeue) {
      if (this.events.active) this.events.emit({ type: 'message.requeued', messageId: message.id, queue: queue.name, reason: settle.method });
      queue.requeue(message, true);
      return;
    }
    if (settle.kind === 'ack') queue.acked(message);
    else queue.refused(message);
    // The freed prefetch slot may let this consumer (or, with a global limit, any other
    // consumer of the channel) take more.
    if (channel.globalPrefetch !== 0) channel.dispatchAll();
    else queue.dispatch();
  }

  /** tx.commit: takes the held settles; apply them with `applyHeld` after the publishes. */
  takeHeld(): HeldSettle[] {
    const held = this.held;
    this.held = [];
    return held;
  }

  applyHeld(held: HeldSettle[]): void {
    for (const s of held) this.apply(s.tag, s.message, s.settle);
  }

  /** tx.rollback: the held deliveries are unacked again. */
  rollback(): void {
    this.channel.unacked.restore(this.held.map((s) => [s.tag, s.message]));
    this.held = [];
  }

  /** Every unacked message goes back to its queue, redelivered. */
  requeueAll(reason: 'channel-closed' | 'recover'): void {
    const channel = this.channel;
    for (const [, message] of channel.unacked.takeAll()) {
      const consumer = message.consumer;
      if (consumer) {
        consumer.unacked--;
        channel.consumerUnacked--;
      }
      if (this.events.active) this.events.emit({ type: 'message.requeued', messageId: message.id, queue: message.queue!.name, reason });
      message.queue!.requeue(message, false);
    }
  }
}
