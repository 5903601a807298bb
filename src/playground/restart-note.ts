// What the broker panel announces after Restart broker, from the broker's own
// `broker.restarted` event: which durable queues came back and with how many messages,
// so the learner hears the outcome instead of a general promise.

import type { EventOf } from '../broker/events.ts';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** A long list would drown the point in a screen reader. */
const LISTED = 5;

export function restartNote(restarted: Pick<EventOf<'broker.restarted'>, 'queues' | 'messages'> | undefined): string {
  const head = 'Broker restarted: connections were closed.';
  const gone = 'Non-durable queues and non-persistent messages are gone.';
  if (restarted === undefined) return `${head} ${gone}`;
  const { queues } = restarted;
  if (queues.length === 0) return `${head} No durable queue came back. ${gone}`;
  const listed = queues.slice(0, LISTED).map((q) => `${q.queue} (${q.messages === 0 ? 'empty' : plural(q.messages, 'message')})`);
  if (queues.length > LISTED) listed.push(`${queues.length - LISTED} more`);
  const came = queues.length === 1 ? '1 durable queue came back' : `${queues.length} durable queues came back with ${plural(restarted.messages, 'message')}`;
  return `${head} ${came}: ${listed.join(', ')}. ${gone}`;
}
