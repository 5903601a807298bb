// The path one message's copy took through the message machine, read back from the
// broker's event trace: what the message lifecycle diagram (ui/message-diagram.ts) draws.
// Pure: no DOM. Every move is checked against the machine's own compiled table, so the
// path can never show a move the broker cannot make.

import type { BrokerEvent, EventOf } from '../broker/events.ts';
import { messageTransitions, type MessageEventType, type MessageState } from '../machines/message.ts';

/** One step of a path: the state reached, by which machine event (null: the start). */
export interface PathStep {
  state: MessageState;
  event: MessageEventType | null;
  /** The queue this step happened in, once the message is in one. */
  queue?: string;
  /** The broker event's sequence number. */
  seq: number;
  /** What happened, in plain words. */
  text: string;
}

export interface MessagePath {
  messageId: number;
  /** False when the trace holds no event of this message (reset, or never seen). */
  found: boolean;
  /** The queue whose copy this path follows, or null if the message reached none. */
  queue: string | null;
  /** Every queue a copy of this message reached, in order (fan-out, dead-lettering). */
  queues: string[];
  steps: PathStep[];
  /** The state the copy is in now (the last step's), or null. */
  state: MessageState | null;
}

/** A message of the trace, for a picker. */
export interface MessageSummary {
  id: number;
  exchange: string;
  routingKey: string;
  /** e.g. "#3 → 'tasks'" or "#4 → 'logs' (key 'info')". */
  label: string;
}

type MessageTraceEvent = Extract<BrokerEvent, { messageId: number }>;

const isMessageEvent = (e: BrokerEvent): e is MessageTraceEvent => 'messageId' in e;

function summary(e: EventOf<'message.published'>): MessageSummary {
  const label =
    e.exchange === '' ? `#${e.messageId} → '${e.routingKey}'` : `#${e.messageId} → '${e.exchange}' (key '${e.routingKey}')`;
  return { id: e.messageId, exchange: e.exchange, routingKey: e.routingKey, label };
}

/** The messages published in the trace, newest last. */
export function messageSummaries(trace: readonly BrokerEvent[]): MessageSummary[] {
  const out: MessageSummary[] = [];
  for (const e of trace) if (e.type === 'message.published') out.push(summary(e));
  return out;
}

/** The ids of the messages published in the trace, newest last. */
export function messageIds(trace: readonly BrokerEvent[]): number[] {
  return messageSummaries(trace).map((s) => s.id);
}

/**
 * The trace grouped by message, kept up to date incrementally (the trace only grows until
 * Reset replaces it), so a view redrawn every frame does not rescan 100,000 events.
 */
export class MessageTraceIndex {
  #trace: readonly BrokerEvent[] | undefined;
  #seen = 0;
  #byId = new Map<number, MessageTraceEvent[]>();
  #summaries: MessageSummary[] = [];

  update(trace: readonly BrokerEvent[]): void {
    if (trace !== this.#trace || trace.length < this.#seen) {
      this.#trace = trace;
      this.#seen = 0;
      this.#byId = new Map();
      this.#summaries = [];
    }
    for (let i = this.#seen; i < trace.length; i++) {
      const e = trace[i]!;
      if (!isMessageEvent(e)) continue;
      if (e.type === 'message.published') this.#summaries.push(summary(e));
      let list = this.#byId.get(e.messageId);
      if (list === undefined) this.#byId.set(e.messageId, (list = []));
      list.push(e);
    }
    this.#seen = trace.length;
  }

  /** The published messages, newest last. */
  get summaries(): readonly MessageSummary[] {
    return this.#summaries;
  }

  /** The events of one message, in order. */
  eventsOf(id: number): readonly BrokerEvent[] {
    return this.#byId.get(id) ?? [];
  }
}

/** The queues a copy of the message reached, in the order they were first seen. */
export function messageQueues(trace: readonly BrokerEvent[], messageId: number): string[] {
  const queues: string[] = [];
  const add = (q: string) => {
    if (!queues.includes(q)) queues.push(q);
  };
  for (const e of trace) {
    if (!isMessageEvent(e) || e.messageId !== messageId) continue;
    if (e.type === 'message.routed') e.queues.forEach(add);
    else if (e.type === 'message.enqueued' || e.type === 'message.rejected-by-queue') add(e.queue);
  }
  return queues;
}

const exchangeName = (name: string) => (name === '' ? 'the default exchange' : `exchange '${name}'`);
const deadLetterReason: Record<EventOf<'message.dead-lettered'>['reason'], string> = {
  rejected: 'it was rejected without requeue',
  expired: 'its TTL ran out',
  maxlen: 'the queue was over its max-length',
  delivery_limit: 'it went over the delivery limit',
};
const dropReason: Record<EventOf<'message.dropped'>['reason'], string> = {
  rejected: 'rejected without requeue, and the queue has no dead-letter exchange',
  maxlen: 'pushed out by max-length (drop-head)',
  delivery_limit: 'over the delivery limit',
  expired: 'its TTL ran out',
  'queue-deleted': 'its queue was deleted',
  purged: 'the queue was purged',
  'dead-letter-cycle': 'dead-lettering would have formed a cycle',
};
const requeueReason: Record<EventOf<'message.requeued'>['reason'], string> = {
  nack: 'after basic.nack with requeue',
  reject: 'after basic.reject with requeue',
  'channel-closed': 'because the channel closed before an ack',
  recover: 'after basic.recover',
  'consumer-cancelled': 'because its consumer was cancelled',
};

/**
 * The path of `messageId`'s copy in `queue` (default: the first queue it reached) through
 * the message machine. `trace` may hold other messages' events too.
 */
export function messagePath(trace: readonly BrokerEvent[], messageId: number, queue?: string): MessagePath {
  const events = trace.filter((e): e is MessageTraceEvent => isMessageEvent(e) && e.messageId === messageId);
  const queues = messageQueues(events, messageId);
  const target = queue !== undefined && queues.includes(queue) ? queue : (queues[0] ?? null);
  let steps: PathStep[] = [];
  let state: MessageState | null = null;
  let mandatory = false;
  let lastDeadLetter: EventOf<'message.dead-lettered'> | undefined;
  let settledBy = '';
  // Read through a function: `move` changes `state` where the compiler cannot see it.
  const current = (): MessageState | null => state;

  /** Takes the machine's move if it is legal from the current state; returns whether it did. */
  const move = (event: MessageEventType, seq: number, text: string, inQueue?: string): boolean => {
    if (state === null) return false;
    const next = messageTransitions[state][event];
    if (next === undefined) return false;
    state = next;
    steps.push(inQueue === undefined ? { state, event, seq, text } : { state, event, queue: inQueue, seq, text });
    return true;
  };

  for (const e of events) {
    switch (e.type) {
      case 'message.published':
        mandatory = e.mandatory;
        state = 'published';
        steps = [{ state, event: null, seq: e.seq, text: `Published to ${exchangeName(e.exchange)} with routing key '${e.routingKey}'${e.mandatory ? ' (mandatory)' : ''}.` }];
        continue;
      case 'message.routed':
        if (target !== null && e.queues.includes(target)) {
          const by = e.exchange === '' ? 'The default exchange' : `Exchange '${e.exchange}'`;
          const copies = e.queues.length > 1 ? ` (one copy in each of ${e.queues.length} queues)` : '';
          move('route.matched', e.seq, `${by} routed it to queue '${target}'${copies}.`, target);
        }
        continue;
      case 'message.unroutable':
        if (move('route.none', e.seq, `No binding of ${exchangeName(e.exchange)} matched routing key '${e.routingKey}'.`) && !mandatory) {
          move('drop', e.seq, 'Not mandatory, so the broker silently discarded it.');
        }
        continue;
      case 'message.returned':
        move('return', e.seq, `Returned to the publisher with basic.return (${e.replyCode} ${e.replyText}).`);
        continue;
      case 'message.dead-lettered':
        // The source queue's copy moves to deadLettered; new copies start in the DLX's queues.
        lastDeadLetter = e;
        if (e.queue === target) {
          move('deadLetter', e.seq, `Dead-lettered because ${deadLetterReason[e.reason]}${settledBy}: republished to ${exchangeName(e.deadLetterExchange)} with routing key '${e.routingKey}'.`, e.queue);
          settledBy = '';
        }
        continue;
    }
    if (e.queue !== target) continue;
    switch (e.type) {
      case 'message.enqueued':
      case 'message.rejected-by-queue':
        if (current() !== 'routed' && lastDeadLetter !== undefined) {
          // A dead-lettered copy: a new life in this queue.
          const dl = lastDeadLetter;
          state = 'published';
          steps = [{ state, event: null, seq: dl.seq, text: `Dead-lettered from queue '${dl.queue}' and republished to ${exchangeName(dl.deadLetterExchange)} with routing key '${dl.routingKey}'.` }];
          move('route.matched', e.seq, `The dead-letter exchange routed it to queue '${e.queue}'.`, e.queue);
        }
        if (e.type === 'message.enqueued') move('enqueue', e.seq, `Queue '${e.queue}' accepted it (${e.ready} ready).`, e.queue);
        else move('reject', e.seq, `Queue '${e.queue}' is full (max-length, reject-publish) and refused it.`, e.queue);
        break;
      case 'message.delivered': {
        const how = e.consumerTag === null ? 'Fetched with basic.get' : `Delivered to consumer '${e.consumerTag}'`;
        const tag = `delivery tag ${e.deliveryTag}${e.redelivered ? ', redelivered' : ''}`;
        if (e.noAck) move('deliver.noAck', e.seq, `${how}, auto-ack (${tag}): the queue forgets it.`, e.queue);
        else move('deliver', e.seq, `${how} (${tag}); waiting for an ack.`, e.queue);
        break;
      }
      case 'message.acked':
        move('ack', e.seq, `Acknowledged (basic.ack, delivery tag ${e.deliveryTag}).`, e.queue);
        break;
      case 'message.nacked':
      case 'message.rejected':
        // No move of its own: the requeue, dead-letter or drop that follows is the move.
        settledBy = ` (basic.${e.type === 'message.nacked' ? 'nack' : 'reject'}, delivery tag ${e.deliveryTag})`;
        break;
      case 'message.requeued':
        move('requeue', e.seq, `Requeued ${requeueReason[e.reason]}: back at its position, flagged redelivered.`, e.queue);
        settledBy = '';
        break;
      case 'message.expired':
        move('expire', e.seq, 'Expired: its time-to-live ran out in the queue.', e.queue);
        break;
      case 'message.dropped':
        move('drop', e.seq, `Dropped: ${dropReason[e.reason]}${settledBy}.`, e.queue);
        settledBy = '';
        break;
    }
  }
  return { messageId, found: events.length > 0, queue: target, queues, steps, state };
}
