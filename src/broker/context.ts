import type { Clock } from './clock.ts';
import type { DeadLetterReason, EventStream } from './events.ts';
import type { QueuedMessage } from './message.ts';
import type { Queue } from './queue.ts';
import type { Scheduler } from './scheduler.ts';
import type { Store } from './store.ts';

/** What a queue needs from the broker around it. */
export interface BrokerContext {
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly events: EventStream;
  readonly store: Store;
  deadLetter(queue: Queue, message: QueuedMessage, reason: DeadLetterReason): void;
  deleteQueue(queue: Queue, reason: 'client' | 'auto-delete' | 'owner-closed' | 'expired'): void;
}
