import type { Clock } from './clock.ts';
import { deadLetterProperties, isDeadLetterCycle } from './dead-letter.ts';
import type { DeadLetterReason, EventStream } from './events.ts';
import type { Exchange } from './exchange.ts';
import { MessageStep, QueuedMessage } from './message.ts';
import type { Queue } from './queue.ts';
import { empty, type Routing } from './routing.ts';
import { deadLetterKeys, recordSenderKeys } from './sender-selected.ts';

/** Republishes a queue's dead messages through its dead-letter exchange, with x-death. */
export class DeadLetterRouting {
  private readonly routing: Routing;
  private readonly exchanges: Map<string, Exchange>;
  private readonly events: EventStream;
  private readonly clock: Clock;

  constructor(routing: Routing, exchanges: Map<string, Exchange>, events: EventStream, clock: Clock) {
    this.routing = routing;
    this.exchanges = exchanges;
    this.events = events;
    this.clock = clock;
  }

  deadLetter(queue: Queue, message: QueuedMessage, reason: DeadLetterReason): void {
    const dlxName = queue.settings.deadLetterExchange!;
    const deadLetterKey = queue.settings.deadLetterRoutingKey;
    const routingKey = deadLetterKey ?? message.routingKey;
    // A message refused at the door (reject-publish-dlx) was never in the queue.
    if (message.state !== 'rejected') message.step(MessageStep.deadLetter);
    if (this.events.active) {
      this.events.emit({ type: 'message.dead-lettered', messageId: message.id, queue: queue.name, reason, deadLetterExchange: dlxName, routingKey });
    }
    const exchange = this.exchanges.get(dlxName);
    if (!exchange) return;
    const properties = deadLetterProperties(message, queue.name, reason, this.clock.now());
    const keys = deadLetterKeys(message, deadLetterKey !== undefined);
    const level = this.routing.acquire();
    try {
      this.routing.route(exchange, routingKey, keys === null ? null : keys.extra, properties.headers, level, null);
      const targets = level.queues.filter((q) => !isDeadLetterCycle(properties, q.name));
      for (const dropped of level.queues) {
        if (!targets.includes(dropped) && this.events.active) {
          this.events.emit({ type: 'message.dropped', messageId: message.id, queue: dropped.name, reason: 'dead-letter-cycle' });
        }
      }
      // Enqueueing may dead-letter again, which routes at the next level; this one is done.
      empty(level.queues);
      for (const target of targets) {
        const copy = new QueuedMessage(message.id, dlxName, routingKey, properties, message.body);
        if (keys !== null) recordSenderKeys(copy, keys);
        copy.step(MessageStep['route.matched']);
        target.enqueue(copy);
      }
    } finally {
      this.routing.release(level);
    }
  }
}
