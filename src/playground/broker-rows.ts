// The broker's state as rows for the tables, like `rabbitmqctl list_queues`,
// `list_exchanges` and `list_bindings`: the default exchange's implicit binding to every
// queue included, names sorted.

import type { VHost } from '../broker/vhost.ts';

export interface QueueRow {
  name: string;
  type: 'classic' | 'quorum';
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  ready: number;
  unacked: number;
  consumers: number;
}

export interface ExchangeRow {
  name: string;
  type: string;
  durable: boolean;
}

export interface BindingRow {
  source: string;
  destination: string;
  destinationKind: 'queue' | 'exchange';
  routingKey: string;
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function queueRows(vhost: VHost): QueueRow[] {
  return [...vhost.queues.values()]
    .map((q) => ({
      name: q.name,
      type: q.settings.type,
      durable: q.durable,
      exclusive: q.exclusive,
      autoDelete: q.options.autoDelete,
      ready: q.messageCount,
      unacked: q.unackedCount,
      consumers: q.consumerCount,
    }))
    .sort(byName);
}

export function exchangeRows(vhost: VHost): ExchangeRow[] {
  return [...vhost.exchanges.values()].map((x) => ({ name: x.name, type: x.type, durable: x.durable })).sort(byName);
}

export function bindingRows(vhost: VHost): BindingRow[] {
  const rows: BindingRow[] = [];
  for (const name of [...vhost.queues.keys()].sort()) rows.push({ source: '', destination: name, destinationKind: 'queue', routingKey: name });
  const exchanges = [...vhost.exchanges.values()].sort(byName);
  for (const exchange of exchanges) {
    const own: BindingRow[] = [];
    for (const b of exchange.router.bindings()) {
      own.push({ source: exchange.name, destination: b.destination.name, destinationKind: b.destination.kind, routingKey: b.routingKey });
    }
    own.sort((a, b) => (a.destination + '\0' + a.routingKey < b.destination + '\0' + b.routingKey ? -1 : 1));
    rows.push(...own);
  }
  return rows;
}
