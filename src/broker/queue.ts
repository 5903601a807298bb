import type { Consumer } from './consumer.ts';
import type { BrokerContext } from './context.ts';
import type { DeadLetterReason } from './events.ts';
import type { BindingTarget } from './exchanges/exchange.ts';
import { MessageStep, QueuedMessage } from './message.ts';
import type { QueueSettings } from './queue-arguments.ts';
import { ReadyMessages } from './ready-messages.ts';
import type { Connection } from './connection.ts';
import type { TimerHandle } from './scheduler.ts';
import type { FieldTable } from './types.ts';

export interface QueueOptions {
  durable: boolean;
  autoDelete: boolean;
  /** The connection an exclusive queue belongs to. */
  owner: Connection | null;
  arguments: FieldTable;
  settings: QueueSettings;
}

/** What happened to a message offered to a queue. */
export type EnqueueResult = 'enqueued' | 'rejected';

/**
 * A queue: ready messages in order, the consumers it dispatches to round-robin (only to
 * those with prefetch room), and its own limits (TTL, length, expiry, delivery limit).
 * Unacked messages live on the channel that holds them; the queue keeps only a count.
 */
export class Queue implements BindingTarget {
  readonly kind = 'queue' as const;
  readonly ready: ReadyMessages;
  unackedCount = 0;
  consumers: Consumer[] = [];
  /** Next consumer to try: the round-robin cursor. */
  private cursor = 0;
  private nextSeq = 1;
  private dispatching = false;
  private redispatch = false;
  private expiryTimer: TimerHandle | null = null;
  private expiryAt = 0;
  private idleTimer: TimerHandle | null = null;
  /** Ever had a consumer: auto-delete only applies after the first one leaves. */
  private hadConsumer = false;
  deleted = false;
  /** Routing marks a queue it already chose for the current message with this. */
  routeMark = 0;
  /** Read from the settings once: the hot path tests these plain booleans. */
  readonly quorum: boolean;
  private readonly lengthLimited: boolean;
  private readonly hasMessageTtl: boolean;
  private readonly persists: boolean;

  readonly name: string;
  readonly options: QueueOptions;
  private readonly ctx: BrokerContext;

  constructor(name: string, options: QueueOptions, ctx: BrokerContext) {
    this.name = name;
    this.options = options;
    this.ctx = ctx;
    const max = options.settings.maxPriority;
    const levels = max === undefined ? (options.settings.type === 'quorum' ? 2 : 1) : max + 1;
    this.ready = new ReadyMessages(levels, max === undefined ? quorumLane : (m) => Math.min(m.properties.priority ?? 0, max));
    const s = options.settings;
    this.quorum = s.type === 'quorum';
    this.lengthLimited = s.maxLength !== undefined || s.maxLengthBytes !== undefined;
    this.hasMessageTtl = s.messageTtl !== undefined;
    this.persists = options.durable;
    this.touch();
  }

  get settings(): QueueSettings {
    return this.options.settings;
  }
  get durable(): boolean {
    return this.options.durable;
  }
  get exclusive(): boolean {
    return this.options.owner !== null;
  }
  get messageCount(): number {
    return this.ready.length;
  }
  get consumerCount(): number {
    return this.consumers.length;
  }

  /** Offers a routed message. Applies the overflow rule before or after adding it. */
  enqueue(message: QueuedMessage): EnqueueResult {
    if (this.lengthLimited && this.refusesWhenFull(message)) return 'rejected';
    message.queue = this;
    message.seq = this.nextSeq++;
    message.step(MessageStep.enqueue);
    if (this.keeps(message)) this.ctx.store.putMessage(this.name, message);
    if (this.hasMessageTtl || message.properties.expiration !== undefined) this.enqueueWithTtl(message);
    // With nothing waiting, a consumer with room takes it straight away: the common case,
    // kept free of the ready list.
    else if (this.ready.length !== 0 || this.dispatching || this.ctx.events.active || !this.handOver(message)) {
      this.ready.push(message);
      this.enqueued(message);
      // Delivering first: a message a consumer takes at once never counts against the length limit.
      this.dispatch();
      if (this.lengthLimited) this.dropOverflow();
    }
    return 'enqueued';
  }

  /** Full, with overflow reject-publish(-dlx): the message is refused (and maybe dead-lettered). */
  private refusesWhenFull(message: QueuedMessage): boolean {
    const overflow = this.options.settings.overflow;
    if (overflow === 'drop-head' || !this.isFull(message.body.length)) return false;
    if (this.ctx.events.active) {
      this.ctx.events.emit({ type: 'message.rejected-by-queue', messageId: message.id, queue: this.name, reason: 'maxlen' });
    }
    message.queue = this;
    message.step(MessageStep.reject);
    if (overflow === 'reject-publish-dlx') this.ctx.deadLetter(this, message, 'maxlen');
    return true;
  }

  private enqueueWithTtl(message: QueuedMessage): void {
    const ttl = this.ttlOf(message)!;
    // A zero TTL means "deliver now or never": a consumer with room may still take it below.
    message.expiresAt = ttl === 0 ? 0 : this.ctx.clock.now() + ttl;
    this.ready.push(message);
    this.enqueued(message);
    this.dispatch();
    if (this.lengthLimited) this.dropOverflow();
    if (ttl === 0) {
      message.expiresAt = this.ctx.clock.now();
      if (message.state === 'ready') this.expireHead();
    } else if (message.state === 'ready') this.armExpiry();
  }

  /**
   * Whether the store holds this message: persistent messages in a durable queue, and every
   * message of a quorum queue (its log keeps all it accepted, whatever the delivery mode).
   */
  keeps(message: QueuedMessage): boolean {
    return this.persists && (this.quorum || message.persistent);
  }

  private enqueued(message: QueuedMessage): void {
    if (this.ctx.events.active) {
      this.ctx.events.emit({ type: 'message.enqueued', messageId: message.id, queue: this.name, ready: this.ready.length });
    }
  }

  /**
   * Gives a message that never waited to the next consumer with room; false when none has
   * room. Marked as dispatching, so that a consumer publishing from inside the delivery
   * queues behind it, as in `dispatch`.
   */
  private handOver(message: QueuedMessage): boolean {
    const consumer = this.nextConsumerWithRoom();
    if (consumer === undefined) return false;
    this.dispatching = true;
    try {
      consumer.channel.deliver(consumer, message);
    } finally {
      this.dispatching = false;
    }
    if (this.redispatch) this.dispatch();
    return true;
  }

  private isFull(incomingBytes: number): boolean {
    const { maxLength, maxLengthBytes } = this.options.settings;
    return (
      (maxLength !== undefined && this.ready.length >= maxLength) ||
      (maxLengthBytes !== undefined && this.ready.bytes + incomingBytes > maxLengthBytes)
    );
  }

  /** Overflow drop-head: the oldest ready messages go until the queue fits its limits. */
  private dropOverflow(): void {
    const { maxLength, maxLengthBytes, overflow } = this.options.settings;
    if (overflow !== 'drop-head') return;
    while (
      this.ready.length > 0 &&
      ((maxLength !== undefined && this.ready.length > maxLength) ||
        (maxLengthBytes !== undefined && this.ready.bytes > maxLengthBytes))
    ) {
      this.discard(this.ready.shift()!, 'maxlen');
    }
  }

  private ttlOf(message: QueuedMessage): number | undefined {
    const queueTtl = this.options.settings.messageTtl;
    const expiration = message.properties.expiration;
    const messageTtl = expiration === undefined ? undefined : Number(expiration);
    if (messageTtl === undefined) return queueTtl;
    return queueTtl === undefined ? messageTtl : Math.min(queueTtl, messageTtl);
  }

  /**
   * Hands ready messages to consumers with room, round-robin. Re-entrant calls (a consumer
   * publishing from inside a delivery) only ask for another pass.
   */
  dispatch(): void {
    if (this.ready.length === 0 || this.consumers.length === 0) return;
    if (this.dispatching) {
      this.redispatch = true;
      return;
    }
    this.dispatching = true;
    try {
      do {
        this.redispatch = false;
        this.dispatchPass();
      } while (this.redispatch);
    } finally {
      this.dispatching = false;
    }
  }

  private dispatchPass(): void {
    while (this.ready.length > 0 && this.consumers.length > 0) {
      const head = this.ready.peek()!;
      if (head.expiresAt !== 0 && head.expiresAt <= this.ctx.clock.now()) {
        this.expireHead();
        continue;
      }
      const chosen = this.nextConsumerWithRoom();
      if (chosen === undefined) return;
      this.ready.shift();
      chosen.channel.deliver(chosen, head);
    }
  }

  /** Round-robin: the first consumer with room from the cursor on, which moves past it. */
  private nextConsumerWithRoom(): Consumer | undefined {
    const consumers = this.consumers;
    const n = consumers.length;
    if (n === 1) {
      const only = consumers[0]!;
      return only.hasRoom() ? only : undefined;
    }
    for (let i = 0; i < n; i++) {
      const index = (this.cursor + i) % n;
      const c = consumers[index]!;
      if (c.hasRoom()) {
        this.cursor = (index + 1) % n;
        return c;
      }
    }
    return undefined;
  }

  /** basic.get: the head message, or undefined when there is none. */
  take(): QueuedMessage | undefined {
    this.touch();
    for (;;) {
      const head = this.ready.shift();
      if (!head) return undefined;
      if (head.expiresAt !== 0 && head.expiresAt <= this.ctx.clock.now()) {
        this.ready.requeue(head);
        this.expireHead();
        continue;
      }
      return head;
    }
  }

  /**
   * A delivered message came back, marked redelivered. A classic queue puts it back in its
   * original place. A quorum queue (as RabbitMQ's does) counts every return, sends a
   * message the consumer refused (nack/reject) to the back so a poison message cannot
   * block the queue, puts other returns (channel closed, recover) back in their place, and
   * gives up on a message past its delivery limit.
   */
  requeue(message: QueuedMessage, refused: boolean): void {
    this.unackedCount--;
    message.consumer = null;
    if (this.deleted) return;
    message.redelivered = true;
    const quorum = this.quorum;
    if (quorum || refused) message.deliveryCount++;
    const limit = this.options.settings.deliveryLimit;
    if (limit !== undefined && message.deliveryCount > limit) {
      this.discard(message, 'delivery_limit');
      return;
    }
    message.step(MessageStep.requeue);
    if (quorum && refused) {
      message.seq = this.nextSeq++;
      this.ready.push(message);
    } else this.ready.requeue(message);
    this.dispatch();
    if (message.expiresAt !== 0) this.armExpiry();
  }

  /** A message delivered with no-ack (or fetched with basic.get no-ack) is gone from the queue. */
  consumed(message: QueuedMessage): void {
    if (this.keeps(message)) this.ctx.store.deleteMessage(this.name, message);
  }

  /** An unacked message was acked: the queue is done with it. */
  acked(message: QueuedMessage): void {
    this.unackedCount--;
    message.consumer = null;
    if (this.deleted) return;
    message.step(MessageStep.ack);
    if (this.keeps(message)) this.ctx.store.deleteMessage(this.name, message);
  }

  /** An unacked message was rejected (or nacked) without requeue. */
  refused(message: QueuedMessage): void {
    this.unackedCount--;
    message.consumer = null;
    if (this.deleted) return;
    this.discard(message, 'rejected');
  }

  /** Dead-letters the message if the queue has a dead-letter exchange, else drops it. */
  private discard(message: QueuedMessage, reason: DeadLetterReason): void {
    if (this.keeps(message)) this.ctx.store.deleteMessage(this.name, message);
    if (this.options.settings.deadLetterExchange !== undefined) {
      this.ctx.deadLetter(this, message, reason);
    } else {
      message.step(reason === 'expired' ? MessageStep.expire : MessageStep.drop);
      if (this.ctx.events.active) {
        this.ctx.events.emit({
          type: reason === 'expired' ? 'message.expired' : 'message.dropped',
          messageId: message.id,
          queue: this.name,
          ...(reason === 'expired' ? {} : { reason }),
        } as never);
      }
    }
  }

  /** Removes expired messages from the head (RabbitMQ expires only at the head). */
  private expireHead(): void {
    const now = this.ctx.clock.now();
    for (;;) {
      const head = this.ready.peek();
      if (!head || head.expiresAt === 0 || head.expiresAt > now) break;
      this.ready.shift();
      if (this.ctx.events.active && this.options.settings.deadLetterExchange !== undefined) {
        this.ctx.events.emit({ type: 'message.expired', messageId: head.id, queue: this.name });
      }
      this.discard(head, 'expired');
    }
    this.armExpiry();
  }

  /** Keeps one scheduler timer armed for the head message's expiry. */
  private armExpiry(): void {
    const head = this.ready.peek();
    const at = head?.expiresAt ?? 0;
    if (at === this.expiryAt) return;
    if (this.expiryTimer) this.ctx.scheduler.cancel(this.expiryTimer);
    this.expiryTimer = null;
    this.expiryAt = at;
    if (at !== 0) {
      this.expiryTimer = this.ctx.scheduler.schedule(at, () => {
        this.expiryTimer = null;
        this.expiryAt = 0;
        this.expireHead();
      });
    }
  }

  addConsumer(consumer: Consumer): void {
    this.consumers.push(consumer);
    this.hadConsumer = true;
    this.cancelIdleTimer();
    consumer.subscribed(this.options.settings.singleActiveConsumer && this.consumers.length > 1);
    this.dispatch();
  }

  removeConsumer(consumer: Consumer): void {
    const i = this.consumers.indexOf(consumer);
    if (i < 0) return;
    this.consumers.splice(i, 1);
    if (this.cursor > i) this.cursor--;
    if (this.cursor >= this.consumers.length) this.cursor = 0;
    if (this.options.settings.singleActiveConsumer && consumer.isActive && this.consumers.length > 0) {
      this.consumers[0]!.activate();
    }
    if (consumer.state !== 'cancelled') consumer.step(consumer.cancelledBy);
    if (this.consumers.length === 0) {
      if (this.options.autoDelete && this.hadConsumer) {
        this.ctx.deleteQueue(this, 'auto-delete');
        return;
      }
      this.touch();
    }
    this.dispatch();
  }

  /** Marks the queue as used now, restarting its x-expires countdown. */
  touch(): void {
    const expires = this.options.settings.expires;
    if (expires === undefined || this.consumers.length > 0 || this.deleted) return;
    this.cancelIdleTimer();
    this.idleTimer = this.ctx.scheduler.schedule(this.ctx.clock.now() + expires, () => {
      this.idleTimer = null;
      if (this.consumers.length === 0) this.ctx.deleteQueue(this, 'expired');
    });
  }

  private cancelIdleTimer(): void {
    if (this.idleTimer) this.ctx.scheduler.cancel(this.idleTimer);
    this.idleTimer = null;
  }

  /** Drops every ready message; returns how many. */
  purge(): number {
    const dropped = this.ready.drain();
    for (const m of dropped) {
      m.step(MessageStep.drop);
      if (this.keeps(m)) this.ctx.store.deleteMessage(this.name, m);
      if (this.ctx.events.active) this.ctx.events.emit({ type: 'message.dropped', messageId: m.id, queue: this.name, reason: 'purged' });
    }
    this.armExpiry();
    return dropped.length;
  }

  /** Stops timers and forgets messages; the vhost has already unlinked it. */
  dispose(): number {
    this.deleted = true;
    const count = this.ready.length;
    for (const m of this.ready.drain()) {
      m.step(MessageStep.drop);
      if (this.ctx.events.active) this.ctx.events.emit({ type: 'message.dropped', messageId: m.id, queue: this.name, reason: 'queue-deleted' });
    }
    if (this.expiryTimer) this.ctx.scheduler.cancel(this.expiryTimer);
    this.cancelIdleTimer();
    return count;
  }

  /**
   * Shutdown: writes the redelivered flag of ready persistent messages to the store, then
   * tells it the queue stopped cleanly, so that the next start trusts those flags.
   */
  rememberRedelivered(): void {
    if (!this.durable) return;
    for (const m of this.ready) if (m.redelivered && this.keeps(m)) this.ctx.store.putMessage(this.name, m);
    this.ctx.store.queueStopped(this.name);
  }

  /**
   * Puts back a message recovered from the store after a restart. After a crash
   * (`unclean`), a classic queue cannot tell which messages it had handed out, so, as
   * RabbitMQ's do, it marks them all redelivered; a quorum queue knows (the store was told
   * of each delivery) and keeps the stored flag.
   */
  restore(message: QueuedMessage, unclean = false): void {
    if (unclean && !this.quorum) message.redelivered = true;
    message.queue = this;
    message.seq = this.nextSeq++;
    message.step(MessageStep['route.matched']);
    message.step(MessageStep.enqueue);
    const ttl = this.ttlOf(message);
    message.expiresAt = ttl === undefined ? 0 : this.ctx.clock.now() + ttl;
    this.ready.push(message);
    this.armExpiry();
  }
}

/** Quorum queues have two priorities: above 4 is "high", the rest "normal". */
const quorumLane = (m: QueuedMessage): number => ((m.properties.priority ?? 0) > 4 ? 1 : 0);

export { QueuedMessage };
