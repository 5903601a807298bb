import { channelError } from './errors.ts';
import { plain, rabbitTypeOf } from './field-types.ts';
import type { QueuedMessage } from './message.ts';
import { Typed, type BasicProperties, type FieldTable, type FieldValue } from './types.ts';

/**
 * Sender-selected distribution (https://www.rabbitmq.com/docs/sender-selected): a message
 * is routed by its routing key and by every key in its `CC` and `BCC` headers; `BCC` is
 * removed before anyone sees the message. What RabbitMQ does in the corners is recorded in
 * tests/fixtures/RABBITMQ-BEHAVIOUR.md (cc-bcc.*).
 */
export interface SenderKeys {
  /** The CC keys, then the BCC keys: routed by along with the routing key. */
  readonly extra: readonly string[];
  /** How many of `extra` are CC keys: x-death's `routing-keys` lists those, never BCC. */
  readonly ccCount: number;
}

/** After a dead-letter routing key replaced the keys: only that key routes from then on. */
const NO_SENDER_KEYS: SenderKeys = { extra: [], ccCount: 0 };

/**
 * The CC and BCC keys of a publish; null when it has neither header. RabbitMQ refuses a CC
 * or BCC that is not an array (CC is checked first) and skips elements that are not strings.
 */
export function readSenderKeys(headers: FieldTable): SenderKeys | null {
  const cc = headers['CC'];
  const bcc = headers['BCC'];
  if (cc === undefined && bcc === undefined) return null;
  const extra: string[] = [];
  collectKeys('CC', cc, extra);
  const ccCount = extra.length;
  collectKeys('BCC', bcc, extra);
  return { extra, ccCount };
}

function collectKeys(header: 'CC' | 'BCC', value: FieldValue | undefined, out: string[]): void {
  if (value === undefined) return;
  const type = rabbitTypeOf(value);
  const items = plain(value);
  if (type !== 'array' || !Array.isArray(items)) {
    throw channelError('PRECONDITION_FAILED', `invalid message: {unacceptable_type_in_header,"${header}",${type}}`);
  }
  for (const item of items) {
    const key = longstr(item);
    if (key !== undefined) out.push(key);
  }
}

/** The string in a longstr field value (a shortstr goes on the wire as one too). */
function longstr(value: FieldValue): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Typed && (value.type === 'longstr' || value.type === 'shortstr') && typeof value.value === 'string') return value.value;
  return undefined;
}

/**
 * The properties queues and consumers get: without BCC, as a new object, because the
 * publisher's own must stay as sent. A table left empty is kept, empty, as RabbitMQ does.
 */
export function withoutBcc(properties: BasicProperties): BasicProperties {
  const headers = properties.headers;
  if (headers === undefined || headers['BCC'] === undefined) return properties;
  const { BCC: _bcc, ...rest } = headers;
  return { ...properties, headers: rest };
}

/**
 * The keys each queued copy was routed by, for dead-lettering (which routes by them again
 * when the queue names no dead-letter routing key). Kept beside the message, not in it,
 * because only CC/BCC messages need them; publishing and dead-lettering, which make the
 * copies, record them.
 */
const keysOf = new WeakMap<QueuedMessage, SenderKeys>();

export function recordSenderKeys(message: QueuedMessage, keys: SenderKeys): void {
  keysOf.set(message, keys);
}

/**
 * The CC/BCC keys a message was routed by. A message restored from the store has lost
 * them: its CC header is the best there is (its BCC keys are gone with the header).
 */
export function senderKeysOf(message: QueuedMessage): SenderKeys | null {
  const keys = keysOf.get(message);
  if (keys !== undefined) return keys;
  const headers = message.properties.headers;
  if (headers === undefined || !Array.isArray(headers['CC'])) return null;
  const extra: string[] = [];
  for (const item of headers['CC']) {
    const key = longstr(item);
    if (key !== undefined) extra.push(key);
  }
  return { extra, ccCount: extra.length };
}

/**
 * The CC/BCC keys a dead-lettered message goes on with. Without a dead-letter routing key
 * RabbitMQ routes it by all the keys it was published with, BCC included; with one, by that
 * key alone, now and at later dead-letterings. Its CC header stays (RabbitMQ 4.x; 3.10 drops
 * it), so "none" is recorded for it, lest the header be read as its keys again.
 */
export function deadLetterKeys(message: QueuedMessage, hasDeadLetterKey: boolean): SenderKeys | null {
  if (!hasDeadLetterKey) return senderKeysOf(message);
  return message.properties.headers?.['CC'] === undefined ? null : NO_SENDER_KEYS;
}
