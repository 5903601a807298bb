// Questions about queues, asked of the final state or of the trace.

import type { BrokerEvent } from '../broker/events.ts';
import type { BrokerState, QueueState } from './state.ts';

export function findQueue(state: BrokerState, name: string): QueueState | undefined {
  return state.queues.find((q) => q.name === name);
}

/** True if `name` exists with every given property, e.g. `queueExists(state, 'hello', { durable: true })`. */
export function queueExists(state: BrokerState, name: string, props: Partial<Pick<QueueState, 'durable' | 'exclusive' | 'autoDelete' | 'type'>> = {}): boolean {
  const queue = findQueue(state, name);
  if (queue === undefined) return false;
  return Object.entries(props).every(([key, value]) => queue[key as keyof typeof props] === value);
}

/** The ids of the messages that entered `queue`, in order, each once. */
export function messagesEnqueued(trace: readonly BrokerEvent[], queue: string): number[] {
  const ids = new Set<number>();
  for (const e of trace) if (e.type === 'message.enqueued' && e.queue === queue) ids.add(e.messageId);
  return [...ids];
}

/** The ids of the messages from `queue` that a consumer acked. */
export function messagesAcked(trace: readonly BrokerEvent[], queue: string): Set<number> {
  const ids = new Set<number>();
  for (const e of trace) if (e.type === 'message.acked' && e.queue === queue) ids.add(e.messageId);
  return ids;
}
