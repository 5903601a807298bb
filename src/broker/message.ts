import { MESSAGE_EVENT, MESSAGE_STATE, messageIndexed, type MessageState } from '../machines/message.ts';
import type { BasicProperties } from './types.ts';
import type { Consumer } from './consumer.ts';
import type { Queue } from './queue.ts';

/**
 * A message as it sits in one queue. Content (exchange, routing key, properties, body) is
 * shared by reference between the copies a fan-out makes; the rest is this queue's own.
 * One object per queue per message is the only allocation routing makes.
 */
/** The message machine's events by name, as numbers for `QueuedMessage.step`. */
export const MessageStep = MESSAGE_EVENT;
const NEXT = messageIndexed.next;
const EVENT_COUNT = messageIndexed.events.length;

export class QueuedMessage {
  /** The broker's number for the published message; copies share it. */
  id: number;
  exchange: string;
  routingKey: string;
  properties: BasicProperties;
  body: Uint8Array;
  /** Order of arrival in this queue: requeued messages go back to their place by it. */
  seq = 0;
  /** Clock time at which it expires; 0 for never. */
  expiresAt = 0;
  /** Times it was handed out and came back (quorum queues report it as x-delivery-count). */
  deliveryCount = 0;
  redelivered = false;
  queue: Queue | null = null;
  /** The consumer holding it unacked, for per-consumer prefetch; null for basic.get. */
  consumer: Consumer | null = null;
  /** Where it is in its life, numbered (see `state`); moves only as the message machine allows. */
  stateIndex: number = MESSAGE_STATE.published;

  constructor(id: number, exchange: string, routingKey: string, properties: BasicProperties, body: Uint8Array) {
    this.id = id;
    this.exchange = exchange;
    this.routingKey = routingKey;
    this.properties = properties;
    this.body = body;
  }

  /** Where it is in its life (src/machines/message.ts). */
  get state(): MessageState {
    return messageIndexed.states[this.stateIndex]!;
  }

  /**
   * Moves along the message machine, e.g. `step(MessageStep.ack)`; an illegal move is a
   * broker bug and throws. Numbered so that each step is one typed-array read: the core
   * takes four steps per message.
   */
  step(event: number): void {
    const next = NEXT[this.stateIndex * EVENT_COUNT + event]!;
    if (next < 0) throw new Error(`illegal message transition: ${this.state} --${messageIndexed.events[event]}-->`);
    this.stateIndex = next;
  }

  get persistent(): boolean {
    return this.properties.deliveryMode === 2;
  }

  /** A copy for another queue: same content, fresh per-queue state. */
  copy(): QueuedMessage {
    return new QueuedMessage(this.id, this.exchange, this.routingKey, this.properties, this.body);
  }
}
