// Options in, method arguments out: amqplib's argument marshalling (lib/api_args.js) with
// its defaults (queues and exchanges durable unless told otherwise, nack and reject
// requeue unless told otherwise) and its promotion of friendly options to x-arguments.

import type { MethodInput } from '../amqp/index.ts';
import type { BasicProperties, FieldTable } from '../broker/types.ts';
import { encodableTable } from './fields.ts';
import type { Options } from './types.ts';

type Args<N extends MethodInput['name']> = NonNullable<Extract<MethodInput, { name: N }>['args']>;

/**
 * `base` (its inherited keys too, as amqplib's encoder reads them; amqplib's typed-value
 * trapdoors turned into the codec's) plus the defined values of `extra`. `base` is not changed.
 */
function withDefined(base: FieldTable | undefined, extra: Record<string, FieldTable[string] | undefined>): FieldTable {
  const out: FieldTable = encodableTable(base ?? {});
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) out[key] = value;
  return out;
}

export function assertQueue(queue: string | undefined | null, o: Options.AssertQueue = {}): Args<'queue.declare'> {
  return {
    queue: queue || '',
    durable: o.durable ?? true,
    exclusive: !!o.exclusive,
    autoDelete: !!o.autoDelete,
    arguments: withDefined(o.arguments, {
      'x-expires': o.expires,
      'x-message-ttl': o.messageTtl,
      'x-dead-letter-exchange': o.deadLetterExchange,
      'x-dead-letter-routing-key': o.deadLetterRoutingKey,
      'x-max-length': o.maxLength,
      'x-max-priority': o.maxPriority,
      'x-overflow': o.overflow,
      'x-queue-mode': o.queueMode,
    }),
  };
}

export const checkQueue = (queue: string): Args<'queue.declare'> => ({ queue, passive: true, durable: true });

export const deleteQueue = (queue: string, o: Options.DeleteQueue = {}): Args<'queue.delete'> => ({
  queue,
  ifUnused: !!o.ifUnused,
  ifEmpty: !!o.ifEmpty,
});

export const bindQueue = (queue: string, exchange: string, routingKey: string, args?: FieldTable): Args<'queue.bind'> => ({
  queue,
  exchange,
  routingKey,
  arguments: encodableTable(args ?? {}),
});

export const assertExchange = (exchange: string, type: string, o: Options.AssertExchange = {}): Args<'exchange.declare'> => ({
  exchange,
  type,
  durable: o.durable ?? true,
  autoDelete: !!o.autoDelete,
  internal: !!o.internal,
  arguments: withDefined(o.arguments, { 'alternate-exchange': o.alternateExchange }),
});

export const checkExchange = (exchange: string): Args<'exchange.declare'> => ({ exchange, type: '', passive: true, durable: true });

export const bindExchange = (destination: string, source: string, routingKey: string, args?: FieldTable): Args<'exchange.bind'> => ({
  destination,
  source,
  routingKey,
  arguments: encodableTable(args ?? {}),
});

export const consume = (queue: string, o: Options.Consume = {}): Args<'basic.consume'> => ({
  queue,
  consumerTag: o.consumerTag || '',
  noLocal: !!o.noLocal,
  noAck: !!o.noAck,
  exclusive: !!o.exclusive,
  arguments: withDefined(o.arguments, { 'x-priority': o.priority }),
});

const toStrings = (cc: string | string[] | undefined): string[] | undefined =>
  cc === undefined ? undefined : Array.isArray(cc) ? cc.map(String) : [String(cc)];

/**
 * basic.publish arguments and the message properties. Like amqplib, headers are always
 * sent (an empty table if none), and CC/BCC travel in them as arrays of strings.
 */
export function publish(exchange: string, routingKey: string, o: Options.Publish = {}): { method: Args<'basic.publish'>; properties: BasicProperties } {
  let deliveryMode: number | undefined;
  if (o.persistent !== undefined) deliveryMode = o.persistent ? 2 : 1;
  else if (typeof o.deliveryMode === 'number') deliveryMode = o.deliveryMode;
  else if (o.deliveryMode) deliveryMode = 2;
  const properties: BasicProperties = {
    headers: withDefined(o.headers, { CC: toStrings(o.CC), BCC: toStrings(o.BCC) }),
  };
  const set = <K extends keyof BasicProperties>(key: K, value: BasicProperties[K] | undefined) => {
    if (value !== undefined && value !== null) properties[key] = value;
  };
  set('contentType', o.contentType);
  set('contentEncoding', o.contentEncoding);
  set('deliveryMode', deliveryMode);
  set('priority', o.priority);
  set('correlationId', o.correlationId);
  set('replyTo', o.replyTo);
  set('expiration', o.expiration === undefined ? undefined : String(o.expiration));
  set('messageId', o.messageId);
  set('timestamp', o.timestamp);
  set('type', o.type);
  set('userId', o.userId);
  set('appId', o.appId);
  return { method: { exchange, routingKey, mandatory: !!o.mandatory }, properties };
}

export const nack = (deliveryTag: number, allUpTo?: boolean, requeue?: boolean): Args<'basic.nack'> => ({
  deliveryTag,
  multiple: !!allUpTo,
  requeue: requeue ?? true,
});

export const prefetch = (count: number, global?: boolean): Args<'basic.qos'> => ({
  prefetchCount: count || 0,
  prefetchSize: 0,
  global: !!global,
});
