import type { DeadLetterReason } from './events.ts';
import type { QueuedMessage } from './message.ts';
import { plain } from './field-types.ts';
import { senderKeysOf } from './sender-selected.ts';
import { Typed, type BasicProperties, type FieldTable, type FieldValue } from './types.ts';

/**
 * The properties a dead-lettered message carries on, as RabbitMQ writes them: an `x-death`
 * entry per (queue, reason) with a count, most recent first; `x-first-death-*` set once;
 * `x-last-death-*` (RabbitMQ 3.13+) every time; per-message `expiration` moved into the
 * entry as `original-expiration` so the message does not expire again.
 */
export function deadLetterProperties(
  message: QueuedMessage,
  queue: string,
  reason: DeadLetterReason,
  nowMs: number,
): BasicProperties {
  const { expiration, ...rest } = message.properties;
  const headers: FieldTable = { ...(rest.headers ?? {}) };
  const deaths = Array.isArray(headers['x-death']) ? [...(headers['x-death'] as FieldTable[])] : [];
  const index = deaths.findIndex((d) => plain(d['queue']) === queue && plain(d['reason']) === reason);
  let entry: FieldTable;
  if (index >= 0) {
    const previous = deaths.splice(index, 1)[0]!;
    // Only the count moves: `time` stays that of the first death for this (queue, reason).
    entry = { ...previous, count: new Typed('int64', Number(plain(previous['count'])) + 1) };
  } else {
    entry = {
      count: new Typed('int64', 1),
      reason,
      queue,
      time: timestamp(nowMs),
      exchange: message.exchange,
      'routing-keys': routingKeysOf(message),
    };
    if (expiration !== undefined) entry['original-expiration'] = expiration;
  }
  deaths.unshift(entry);
  headers['x-death'] = deaths;
  if (headers['x-first-death-reason'] === undefined) {
    headers['x-first-death-reason'] = reason;
    headers['x-first-death-queue'] = queue;
    headers['x-first-death-exchange'] = message.exchange;
  }
  headers['x-last-death-reason'] = reason;
  headers['x-last-death-queue'] = queue;
  headers['x-last-death-exchange'] = message.exchange;
  return { ...rest, headers };
}

const timestamp = (ms: number): Typed => new Typed('timestamp', Math.floor(ms / 1000));

/** The routing key plus the CC keys it was routed by (never BCC), as RabbitMQ lists them in `routing-keys`. */
function routingKeysOf(message: QueuedMessage): FieldValue[] {
  const keys = senderKeysOf(message);
  return keys === null ? [message.routingKey] : [message.routingKey, ...keys.extra.slice(0, keys.ccCount)];
}

/**
 * RabbitMQ drops a dead-lettered message rather than loop forever: when the queue it would
 * reach is already in its x-death history and no death in that history was a rejection.
 */
export function isDeadLetterCycle(properties: BasicProperties, targetQueue: string): boolean {
  const deaths = properties.headers?.['x-death'];
  if (!Array.isArray(deaths)) return false;
  const entries = deaths as FieldTable[];
  if (!entries.some((d) => plain(d['queue']) === targetQueue)) return false;
  return !entries.some((d) => plain(d['reason']) === 'rejected');
}
