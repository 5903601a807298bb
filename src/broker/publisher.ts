import type { Channel } from './channel.ts';
import { DIRECT_REPLY_TO } from './direct-reply-to.ts';
import { channelError } from './errors.ts';
import type { EventStream } from './events.ts';
import { checkPublishedProperties, type Publishing } from './publishing.ts';
import type { BasicProperties } from './types.ts';
import type { VHost } from './vhost.ts';

interface PendingPublish {
  exchange: string;
  routingKey: string;
  mandatory: boolean;
  properties: BasicProperties;
  body: Uint8Array;
}

/**
 * A channel's publishes: sent at once, numbered for publisher confirms (confirm mode), or
 * held until tx.commit (tx mode). The channel checks it is open and turns errors into closes.
 */
export class Publisher {
  private publishSeq = 0;
  /** Publish tags awaiting a confirm: positive for ack, negative for nack. */
  private pendingConfirms: number[] = [];
  private txPublishes: PendingPublish[] = [];
  private readonly channel: Channel;
  private readonly vhost: VHost;
  private readonly publishing: Publishing;
  private readonly events: EventStream;

  constructor(channel: Channel, vhost: VHost) {
    this.channel = channel;
    this.vhost = vhost;
    this.publishing = vhost.publishing;
    this.events = vhost.events;
  }

  publish(exchange: string, routingKey: string, mandatory: boolean, properties: BasicProperties, body: Uint8Array): void {
    if (this.channel.mode === 'tx') {
      this.vhost.checkPublishable(exchange);
      checkPublishedProperties(properties);
      this.txPublishes.push({ exchange, routingKey, mandatory, properties, body });
      return;
    }
    this.publishNow(exchange, routingKey, mandatory, properties, body);
  }

  private publishNow(exchange: string, routingKey: string, mandatory: boolean, properties: BasicProperties, body: Uint8Array): void {
    const channel = this.channel;
    if (properties.replyTo === DIRECT_REPLY_TO) {
      if (channel.directReplyTag === null) throw channelError('PRECONDITION_FAILED', 'fast reply consumer does not exist');
      properties = { ...properties, replyTo: `${DIRECT_REPLY_TO}.${channel.directReplyToken}` };
    }
    const tag = channel.mode === 'confirm' ? ++this.publishSeq : 0;
    const outcome = this.publishing.publish(channel, exchange, routingKey, mandatory, properties, body);
    if (tag !== 0) {
      this.pendingConfirms.push(outcome === 'rejected' ? -tag : tag);
      this.vhost.confirmsPending(channel);
    }
  }

  /** tx.commit: the held publishes go out, in order. */
  commit(): void {
    const publishes = this.txPublishes;
    this.txPublishes = [];
    for (const p of publishes) this.publishNow(p.exchange, p.routingKey, p.mandatory, p.properties, p.body);
  }

  /** tx.rollback or the channel closed: the held publishes never happened. */
  discard(): void {
    this.txPublishes = [];
  }

  get holdsConfirms(): boolean {
    return this.pendingConfirms.length > 0;
  }

  /**
   * Sends the confirms held back until the store was flushed. Publishes are confirmed in
   * order, so a run of acks is one basic.ack with multiple set, as RabbitMQ does.
   */
  flushConfirms(): void {
    const pending = this.pendingConfirms;
    if (pending.length === 0) return;
    this.pendingConfirms = [];
    let runEnd = 0;
    let runLength = 0;
    for (const signedTag of pending) {
      if (signedTag > 0) {
        runEnd = signedTag;
        runLength++;
        continue;
      }
      if (runLength > 0) this.sendConfirm(runEnd, runLength > 1, true);
      runLength = 0;
      this.sendConfirm(-signedTag, false, false);
    }
    if (runLength > 0) this.sendConfirm(runEnd, runLength > 1, true);
  }

  private sendConfirm(tag: number, multiple: boolean, ack: boolean): void {
    const channel = this.channel;
    if (this.events.active) {
      this.events.emit({ type: 'message.confirmed', connection: channel.connection.id, channel: channel.id, deliveryTag: tag, multiple, ack });
    }
    channel.sink.confirm(tag, multiple, ack);
  }
}
