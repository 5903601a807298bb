// The broker panel's Activity feed, in words: one broker event -> one sentence a learner
// reads, or null for noise (frames, connection and channel state changes, normal channel
// closes, steps another line already says). Pure: the feed formats only the lines it shows.

import type { BrokerEvent, DeadLetterReason, EventOf } from '../broker/events.ts';

/** What the sentence needs beyond its event; the feed answers from the broker. */
export interface ActivityContext {
  /** The type of an exchange ('fanout', ...), if known. */
  exchangeType?: (name: string) => string | undefined;
  /** Whether message `id` was published with mandatory (so an unroutable one is returned, not dropped). */
  mandatory?: (id: number) => boolean;
}

/** Server-generated names are long and random: the first characters tell them apart. */
export function shortName(name: string): string {
  const m = /^(amq\.(?:gen|ctag)-)(.*)$/.exec(name);
  if (m === null) return `'${name}'`;
  const [, prefix = '', rest = ''] = m;
  return rest.length > 4 ? `${prefix}${rest.slice(0, 4)}…` : name;
}

const exchangeName = (name: string) => (name === '' ? 'the default exchange' : `exchange ${shortName(name)}`);
const key = (routingKey: string) => (routingKey === '' ? 'empty routing key' : `routing key '${routingKey}'`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const LISTED = 5;

function list(names: readonly string[]): string {
  const shown = names.slice(0, LISTED).map(shortName);
  if (names.length > LISTED) shown.push(`${names.length - LISTED} more`);
  return shown.join(', ');
}

const DEAD_LETTER: Record<DeadLetterReason, string> = {
  rejected: 'rejected',
  expired: 'expired',
  maxlen: 'queue full',
  delivery_limit: 'delivery limit reached',
};

const DROPPED: Record<EventOf<'message.dropped'>['reason'], string> = {
  rejected: 'rejected without requeue',
  maxlen: 'queue full',
  delivery_limit: 'delivery limit reached',
  expired: 'expired',
  'queue-deleted': 'queue deleted',
  purged: 'purged',
  'dead-letter-cycle': 'dead-letter cycle',
};

const QUEUE_GONE: Record<EventOf<'queue.deleted'>['reason'], string> = {
  client: 'deleted',
  'auto-delete': 'deleted (auto-delete: its last consumer left)',
  'owner-closed': 'deleted (exclusive: its connection closed)',
  expired: 'deleted (unused for its x-expires time)',
  restart: 'gone after the restart (not durable)',
};

const CANCELLED_BY: Record<EventOf<'consumer.cancelled'>['by'], string> = {
  client: 'by the program',
  server: 'by the broker',
  'channel-closed': 'its channel closed',
};

const REQUEUED: Record<EventOf<'message.requeued'>['reason'], string> = {
  nack: 'nacked',
  reject: 'rejected',
  'channel-closed': 'its channel closed unacked',
  recover: 'basic.recover',
  'consumer-cancelled': 'its consumer was cancelled',
};

/** Cheap: whether `activityLine` has a sentence for this event (the feed counts with it). */
export function isActivity(event: BrokerEvent): boolean {
  switch (event.type) {
    case 'frame':
    case 'connection.state':
    case 'channel.state':
    case 'message.enqueued':
    case 'consumer.activated': // emitted for every new consumer, not only single-active ones
      return false;
    case 'channel.closed':
      return event.replyCode !== 200;
    case 'message.requeued':
      // "nacked, requeued" / "rejected, requeued" already said it.
      return event.reason !== 'nack' && event.reason !== 'reject';
    default:
      return true;
  }
}

/** The sentence for one event, newest last in the feed; null for noise. */
export function activityLine(event: BrokerEvent, context: ActivityContext = {}): string | null {
  if (!isActivity(event)) return null;
  switch (event.type) {
    case 'connection.blocked':
      return `connection ${event.connection} blocked: ${event.reason}`;
    case 'connection.unblocked':
      return `connection ${event.connection} unblocked`;
    case 'connection.closed':
      if (event.by === 'lost') return `connection ${event.connection} lost: ${event.replyText}`;
      return event.replyCode === 200
        ? `connection ${event.connection} closed${event.by === 'server' ? ' by the broker' : ''}`
        : `connection ${event.connection} closed by the ${event.by === 'server' ? 'broker' : 'program'}: ${event.replyCode} ${event.replyText}`;
    case 'channel.closed':
      return `channel ${event.channel} of connection ${event.connection} closed: ${event.replyCode} ${event.replyText}`;
    case 'exchange.declared': {
      const features = [event.exchangeType, event.durable ? 'durable' : '', event.autoDelete ? 'auto-delete' : '', event.internal ? 'internal' : ''];
      return `exchange ${shortName(event.exchange)} declared (${features.filter(Boolean).join(', ')})`;
    }
    case 'exchange.deleted':
      return `exchange ${shortName(event.exchange)} deleted`;
    case 'queue.declared': {
      const features = [event.queueType === 'quorum' ? 'quorum' : '', event.durable ? 'durable' : '', event.exclusive ? 'exclusive' : '', event.autoDelete ? 'auto-delete' : ''].filter(Boolean);
      return `queue ${shortName(event.queue)} declared${features.length === 0 ? '' : ` (${features.join(', ')})`}`;
    }
    case 'queue.deleted':
      return `queue ${shortName(event.queue)} ${QUEUE_GONE[event.reason]}${event.messageCount === 0 ? '' : `, ${plural(event.messageCount, 'message')} dropped`}`;
    case 'queue.purged':
      return `queue ${shortName(event.queue)} purged (${plural(event.messageCount, 'message')})`;
    case 'binding.added':
    case 'binding.removed': {
      const source = event.source === '' ? 'the default exchange' : shortName(event.source);
      const verb = event.type === 'binding.added' ? 'bound to' : 'unbound from';
      return `${event.destinationKind} ${shortName(event.destination)} ${verb} ${source} (${key(event.routingKey)})`;
    }
    case 'consumer.added': {
      const how = event.noAck ? 'auto-ack' : event.prefetch === 0 ? 'no prefetch limit' : `prefetch ${event.prefetch}`;
      return `consumer ${shortName(event.consumerTag)} added on ${shortName(event.queue)} (${how}${event.exclusive ? ', exclusive' : ''})`;
    }
    case 'consumer.cancelled':
      return `consumer ${shortName(event.consumerTag)} on ${shortName(event.queue)} cancelled (${CANCELLED_BY[event.by]})`;
    case 'message.published':
      return `#${event.messageId} published to ${exchangeName(event.exchange)} (${key(event.routingKey)}${event.mandatory ? ', mandatory' : ''}) by connection ${event.connection}`;
    case 'message.routed': {
      const type = event.exchange === '' ? undefined : context.exchangeType?.(event.exchange);
      const by = event.exchange === '' ? 'the default exchange' : `${shortName(event.exchange)}${type === undefined ? '' : ` (${type})`}`;
      const via = event.bindings.filter((b) => b.destinationKind === 'exchange').map((b) => b.destination);
      const to = event.queues.length === 0 ? 'no queue' : list(event.queues);
      return `#${event.messageId} routed by ${by} to ${to}${via.length === 0 ? '' : ` via ${list(via)}`}`;
    }
    case 'message.unroutable':
      return `#${event.messageId} unroutable: ${exchangeName(event.exchange)} has no matching binding, ${context.mandatory?.(event.messageId) === true ? 'returned (mandatory)' : 'dropped'}`;
    case 'message.returned':
      return `#${event.messageId} returned to connection ${event.connection}: ${event.replyCode} ${event.replyText}`;
    case 'message.rejected-by-queue':
      return `#${event.messageId} refused by ${shortName(event.queue)} (queue full)`;
    case 'message.delivered': {
      const details = [`delivery tag ${event.deliveryTag}`, event.redelivered ? 'redelivered' : '', event.noAck ? 'auto-ack' : ''].filter(Boolean).join(', ');
      return event.consumerTag === null
        ? `#${event.messageId} fetched from ${shortName(event.queue)} with basic.get by connection ${event.connection} (${details})`
        : `#${event.messageId} delivered to ${shortName(event.consumerTag)} from ${shortName(event.queue)} (${details})`;
    }
    case 'message.acked':
      return `#${event.messageId} acked`;
    case 'message.nacked':
    case 'message.rejected':
      return `#${event.messageId} ${event.type === 'message.nacked' ? 'nacked' : 'rejected'}, ${event.requeue ? 'requeued' : 'not requeued'}`;
    case 'message.requeued':
      return `#${event.messageId} requeued to ${shortName(event.queue)} (${REQUEUED[event.reason]})`;
    case 'message.dead-lettered':
      return `#${event.messageId} dead-lettered from ${shortName(event.queue)} (${DEAD_LETTER[event.reason]}) to ${exchangeName(event.deadLetterExchange)}`;
    case 'message.expired':
      return `#${event.messageId} expired in ${shortName(event.queue)}`;
    case 'message.dropped':
      return `#${event.messageId} dropped from ${shortName(event.queue)} (${DROPPED[event.reason]})`;
    case 'message.confirmed': {
      const tags = event.multiple ? `delivery tags up to ${event.deliveryTag}` : `delivery tag ${event.deliveryTag}`;
      return `${event.ack ? 'confirmed' : 'nack-confirmed'} to connection ${event.connection} (${tags})`;
    }
    case 'broker.restarted': {
      const n = event.queues.length;
      if (n === 0) return 'broker restarted: no durable queue came back';
      return `broker restarted: ${n === 1 ? '1 durable queue' : `${n} durable queues`} came back${event.messages === 0 ? '' : ` with ${plural(event.messages, 'message')}`}`;
    }
    default:
      return null;
  }
}
