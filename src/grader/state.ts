// A plain-data snapshot of the broker (queues, exchanges, bindings) for checks. The same
// shape in Node and in the page; snapshotBroker() takes it from a live broker.

import type { Broker } from '../broker/broker.ts';
import type { QueueType } from '../broker/events.ts';
import type { FieldTable } from '../broker/types.ts';

export interface ConsumerState {
  readonly tag: string;
  readonly connection: number;
  readonly channel: number;
  readonly noAck: boolean;
  /** basic.qos prefetch-count in force when it subscribed; 0 is unlimited. */
  readonly prefetch: number;
  /** Messages delivered to it and not yet acked. */
  readonly unacked: number;
}

export interface QueueState {
  readonly name: string;
  readonly type: QueueType;
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly autoDelete: boolean;
  readonly arguments: FieldTable;
  /** Messages waiting for a consumer. */
  readonly ready: number;
  /** Messages delivered and not yet acked. */
  readonly unacked: number;
  readonly consumers: readonly ConsumerState[];
}

export interface ExchangeState {
  readonly name: string;
  readonly type: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
}

export interface BindingState {
  readonly source: string;
  readonly destination: string;
  readonly destinationKind: 'queue' | 'exchange';
  readonly routingKey: string;
  readonly arguments: FieldTable;
}

export interface BrokerState {
  readonly queues: readonly QueueState[];
  readonly exchanges: readonly ExchangeState[];
  /** Declared bindings; the default exchange's implicit ones are left out. */
  readonly bindings: readonly BindingState[];
}

export function snapshotBroker(broker: Broker): BrokerState {
  const { vhost } = broker;
  const queues = [...vhost.queues.values()].map(
    (q): QueueState => ({
      name: q.name,
      type: q.settings.type,
      durable: q.durable,
      exclusive: q.exclusive,
      autoDelete: q.options.autoDelete,
      arguments: q.options.arguments,
      ready: q.messageCount,
      unacked: q.unackedCount,
      consumers: q.consumers.map((c) => ({
        tag: c.tag,
        connection: c.channel.connection.id,
        channel: c.channel.id,
        noAck: c.noAck,
        prefetch: c.prefetch,
        unacked: c.unacked,
      })),
    }),
  );
  const exchanges: ExchangeState[] = [];
  const bindings: BindingState[] = [];
  for (const x of vhost.exchanges.values()) {
    exchanges.push({ name: x.name, type: x.type, durable: x.durable, autoDelete: x.autoDelete, internal: x.internal });
    if (x.name === '') continue;
    for (const b of x.router.bindings()) {
      bindings.push({ source: b.source, destination: b.destination.name, destinationKind: b.destination.kind, routingKey: b.routingKey, arguments: b.arguments });
    }
  }
  return { queues, exchanges, bindings };
}
