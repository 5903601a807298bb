import { channelError, describe } from './errors.ts';
import { isIntegerType, plain, rabbitTypeOf } from './field-types.ts';
import type { FieldTable, FieldValue } from './types.ts';
import type { QueueType } from './events.ts';

/** What a queue's x-arguments ask for, parsed once at declare time. */
export interface QueueSettings {
  type: QueueType;
  messageTtl: number | undefined;
  expires: number | undefined;
  maxLength: number | undefined;
  maxLengthBytes: number | undefined;
  overflow: 'drop-head' | 'reject-publish' | 'reject-publish-dlx';
  deadLetterExchange: string | undefined;
  deadLetterRoutingKey: string | undefined;
  maxPriority: number | undefined;
  singleActiveConsumer: boolean;
  deliveryLimit: number | undefined;
}

/** RabbitMQ's limit on TTLs and expiry timers (milliseconds). */
const MAX_EXPIRY = 4_294_967_295_000;
/** Since RabbitMQ 4.0 a quorum queue dead-letters or drops a message after 20 returns. */
export const DEFAULT_QUORUM_DELIVERY_LIMIT = 20;

type Check = (value: FieldValue, args: FieldTable) => string | undefined;

const intCheck: Check = (v) => (isIntegerType(rabbitTypeOf(v)) ? undefined : `"expected integer, got ${rabbitTypeOf(v)}"`);
const nonNegInt: Check = (v, a) => intCheck(v, a) ?? (Number(plain(v)) < 0 ? `{value_negative,${Number(plain(v))}}` : undefined);
const expiry = (n: number): string | undefined =>
  n < 0 ? `{value_negative,${n}}` : n > MAX_EXPIRY ? `{value_too_large,${n},${MAX_EXPIRY}}` : undefined;
const longstr: Check = (v) => (rabbitTypeOf(v) === 'longstr' ? undefined : `{unacceptable_type,${rabbitTypeOf(v)}}`);

/** The per-argument checks of rabbit_amqqueue:declare_args/0, with the terms RabbitMQ prints. */
const checks: Record<string, Check> = {
  'x-expires': (v, a) => intCheck(v, a) ?? (Number(plain(v)) === 0 ? '{value_zero,0}' : expiry(Number(plain(v)))),
  'x-message-ttl': (v, a) => intCheck(v, a) ?? expiry(Number(plain(v))),
  'x-dead-letter-exchange': longstr,
  'x-dead-letter-routing-key': (v, a) =>
    longstr(v, a) ?? (a['x-dead-letter-exchange'] === undefined ? 'routing_key_but_no_dlx_defined' : undefined),
  'x-max-length': nonNegInt,
  'x-max-length-bytes': nonNegInt,
  'x-max-priority': (v, a) => nonNegInt(v, a) ?? (Number(plain(v)) > 255 ? `{max_value_exceeded,${Number(plain(v))}}` : undefined),
  'x-overflow': (v, a) =>
    longstr(v, a) ?? (['drop-head', 'reject-publish', 'reject-publish-dlx'].includes(String(plain(v))) ? undefined : 'invalid_overflow'),
  'x-single-active-consumer': (v) => (rabbitTypeOf(v) === 'bool' ? undefined : `{unacceptable_type,${rabbitTypeOf(v)}}`),
  'x-queue-type': (v, a) => longstr(v, a),
  'x-delivery-limit': intCheck,
  'x-queue-mode': (v, a) =>
    longstr(v, a) ?? (['default', 'lazy'].includes(String(plain(v))) ? undefined : `"unsupported queue mode '${String(plain(v))}'"`),
};

/** The arguments compared when a queue is declared again (RabbitMQ ignores the rest). */
export const equivalenceKeys = [
  'x-expires', 'x-message-ttl', 'x-dead-letter-exchange', 'x-dead-letter-routing-key', 'x-max-length',
  'x-max-length-bytes', 'x-max-priority', 'x-overflow', 'x-queue-mode', 'x-single-active-consumer',
  'x-queue-type', 'x-delivery-limit',
];

/**
 * Arguments one queue type knows and the other refuses (rabbit_queue_type's check of each
 * type's capabilities: "invalid arg ... of queue type rabbit_quorum_queue").
 */
const quorumUnsupported = ['x-max-priority', 'x-queue-mode'];
const classicUnsupported = ['x-delivery-limit', 'x-quorum-initial-group-size', 'x-dead-letter-strategy'];

export function queueTypeOf(args: FieldTable): QueueType | string {
  const t = plain(args['x-queue-type']);
  return t === undefined ? 'classic' : String(t);
}

/** Checks a new queue's arguments and flags, throwing RabbitMQ's error; returns the settings. */
export function parseQueueArguments(
  name: string,
  vhost: string,
  args: FieldTable,
  flags: { durable: boolean; exclusive: boolean; autoDelete: boolean },
): QueueSettings {
  const what = describe('queue', name, vhost);
  // rabbit_channel checks the dead-letter exchange's type before the other arguments.
  const dlx = args['x-dead-letter-exchange'];
  if (dlx !== undefined && rabbitTypeOf(dlx) !== 'longstr') {
    throw channelError('PRECONDITION_FAILED', `invalid type '${rabbitTypeOf(dlx)}' for arg 'x-dead-letter-exchange' in ${what}`);
  }
  const unsupported = queueTypeOf(args) === 'quorum' ? quorumUnsupported : classicUnsupported;
  for (const [key, value] of Object.entries(args)) {
    if (unsupported.includes(key)) continue;
    const problem = checks[key]?.(value, args);
    if (problem) throw channelError('PRECONDITION_FAILED', `invalid arg '${key}' for ${what}: ${problem}`);
  }
  const type = queueTypeOf(args);
  if (type !== 'classic' && type !== 'quorum') {
    if (type === 'stream') {
      throw channelError('PRECONDITION_FAILED', `invalid arg 'x-queue-type' for ${what}: stream queues are not supported by Warren; use 'quorum' or 'classic'`);
    }
    throw channelError('PRECONDITION_FAILED', `invalid arg 'x-queue-type' for ${what}: "unsupported queue type '${String(plain(args['x-queue-type']))}'"`);
  }
  for (const key of unsupported) {
    if (args[key] !== undefined) {
      throw channelError('PRECONDITION_FAILED', `invalid arg '${key}' for ${what} of queue type rabbit_${type}_queue`);
    }
  }
  if (type === 'quorum') {
    // rabbit_quorum_queue:declare checks these in this order.
    if (flags.autoDelete) throw channelError('PRECONDITION_FAILED', `invalid property 'auto-delete' for ${what}`);
    if (flags.exclusive) throw channelError('PRECONDITION_FAILED', `invalid property 'exclusive-owner' for ${what}`);
    if (!flags.durable) throw channelError('PRECONDITION_FAILED', `invalid property 'non-durable' for ${what}`);
  }
  const num = (key: string): number | undefined => {
    const v = plain(args[key]);
    return v === undefined ? undefined : Number(v);
  };
  const str = (key: string): string | undefined => {
    const v = plain(args[key]);
    return v === undefined ? undefined : String(v);
  };
  const deliveryLimit = num('x-delivery-limit');
  return {
    type,
    messageTtl: num('x-message-ttl'),
    expires: num('x-expires'),
    maxLength: num('x-max-length'),
    maxLengthBytes: num('x-max-length-bytes'),
    // A quorum queue accepts reject-publish-dlx but, like RabbitMQ, logs it and drops the head.
    overflow: (type === 'quorum' && str('x-overflow') === 'reject-publish-dlx' ? 'drop-head' : str('x-overflow') ?? 'drop-head') as QueueSettings['overflow'],
    deadLetterExchange: str('x-dead-letter-exchange'),
    deadLetterRoutingKey: str('x-dead-letter-routing-key'),
    maxPriority: type === 'quorum' ? undefined : num('x-max-priority'),
    singleActiveConsumer: plain(args['x-single-active-consumer']) === true,
    // A negative limit means unlimited; classic queues have none.
    deliveryLimit:
      type !== 'quorum' ? undefined : deliveryLimit === undefined ? DEFAULT_QUORUM_DELIVERY_LIMIT : deliveryLimit < 0 ? undefined : deliveryLimit,
  };
}

/**
 * RabbitMQ's rabbit_misc:assert_args_equivalence for the keys it compares. A key missing
 * on both sides is equal; x-queue-type absent equals 'classic' (RabbitMQ 4 treats the
 * default type as declared).
 */
export function assertArgumentsEquivalent(
  what: string,
  current: FieldTable,
  received: FieldTable,
  keys: readonly string[],
): void {
  for (const key of keys) {
    let cur = current[key];
    let rec = received[key];
    if (key === 'x-queue-type') {
      if (cur === undefined && plain(rec) === 'classic') cur = rec;
      if (rec === undefined && plain(cur) === 'classic') rec = cur;
    }
    if (cur === undefined && rec === undefined) continue;
    if (cur !== undefined && rec !== undefined) {
      const ct = rabbitTypeOf(cur);
      const rt = rabbitTypeOf(rec);
      const compatible = ct === rt || (isIntegerType(ct) && isIntegerType(rt));
      const same = isIntegerType(ct) ? Number(plain(cur)) === Number(plain(rec)) : plain(cur) === plain(rec);
      if (compatible && same) continue;
      throw channelError('PRECONDITION_FAILED', `inequivalent arg '${key}' for ${what}: received '${String(plain(rec))}' but current is '${String(plain(cur))}'`);
    }
    const show = (v: FieldValue | undefined): string =>
      v === undefined ? 'none' : `the value '${String(plain(v))}' of type '${rabbitTypeOf(v)}'`;
    throw channelError('PRECONDITION_FAILED', `inequivalent arg '${key}' for ${what}: received ${show(rec)} but current is ${show(cur)}`);
  }
}

/** rabbit_misc:assert_field_equivalence for flags like durable and auto_delete. */
export function assertFieldEquivalent(what: string, field: string, current: unknown, received: unknown): void {
  if (current !== received) {
    throw channelError('PRECONDITION_FAILED', `inequivalent arg '${field}' for ${what}: received '${String(received)}' but current is '${String(current)}'`);
  }
}
