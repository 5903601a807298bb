// Where the broker restarted, read from the trace alone. A restart has no event of its
// own; it shows as connections closed with 320 "... reason 'shutdown'" and as durable
// queues declared again (recovered) while the trace still has them. One restart may show
// both signs: signs with no client activity between them count once.

import type { BrokerEvent } from '../broker/events.ts';

const CLIENT_ACTIVITY = new Set<BrokerEvent['type']>(['message.published', 'consumer.added', 'message.acked', 'binding.added']);

/** The seq of the first event of each restart, in order. */
export function restarts(trace: readonly BrokerEvent[]): number[] {
  const live = new Set<string>();
  const points: number[] = [];
  let quietSinceLast = false;
  const mark = (seq: number) => {
    if (!quietSinceLast) points.push(seq);
    quietSinceLast = true;
  };
  for (const e of trace) {
    if (CLIENT_ACTIVITY.has(e.type)) quietSinceLast = false;
    if (e.type === 'connection.closed' && e.replyCode === 320 && e.replyText.includes("reason 'shutdown'")) {
      mark(e.seq);
    } else if (e.type === 'queue.declared') {
      if (live.has(e.queue)) {
        mark(e.seq);
        // Non-durable queues vanished with the restart, without an event.
        live.clear();
      }
      live.add(e.queue);
    } else if (e.type === 'queue.deleted') {
      live.delete(e.queue);
    }
  }
  return points;
}
