import type { Channel } from './channel.ts';
import type { Clock } from './clock.ts';
import type { Connection } from './connection.ts';
import type { BrokerContext } from './context.ts';
import { DeadLetterRouting } from './dead-letter-routing.ts';
import { channelError, connectionError, describe } from './errors.ts';
import type { DeadLetterReason, EventStream } from './events.ts';
import { Exchange, exchangeTypes, type ExchangeType } from './exchange.ts';
import type { Binding } from './exchanges/exchange.ts';
import { validateHeadersBinding } from './exchanges/headers.ts';
import { fieldTablesEqual } from './field-equal.ts';
import type { QueuedMessage } from './message.ts';
import { generatedName } from './names.ts';
import { Publishing, type PublishOutcome } from './publishing.ts';
import { assertArgumentsEquivalent, assertFieldEquivalent, equivalenceKeys, parseQueueArguments, queueTypeOf } from './queue-arguments.ts';
import { Queue } from './queue.ts';
import { Routing } from './routing.ts';
import type { Scheduler } from './scheduler.ts';
import type { StoredBinding, Store } from './store.ts';
import type { BasicProperties, FieldTable } from './types.ts';

export type { PublishOutcome } from './publishing.ts';

const SYSTEM_EXCHANGES: [string, ExchangeType][] = [
  ['', 'direct'],
  ['amq.direct', 'direct'],
  ['amq.fanout', 'fanout'],
  ['amq.topic', 'topic'],
  ['amq.headers', 'headers'],
  ['amq.match', 'headers'],
];

/**
 * A virtual host: its exchanges, queues and bindings. All checks and error texts for
 * declaring, binding and deleting are RabbitMQ's; moving messages between them is
 * Publishing's, Routing's and DeadLetterRouting's.
 */
export class VHost implements BrokerContext {
  readonly exchanges = new Map<string, Exchange>();
  readonly queues = new Map<string, Queue>();
  /** Channels whose confirms wait for the store to be flushed. */
  private confirmWaiters = new Set<Channel>();
  /** When false, confirms are sent at once; the server batches them per read instead. */
  batchConfirms = false;

  readonly name: string;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly events: EventStream;
  readonly store: Store;
  /** The hot path: channels publish through this directly. */
  readonly publishing: Publishing;
  private readonly deadLetters: DeadLetterRouting;

  constructor(name: string, clock: Clock, scheduler: Scheduler, events: EventStream, store: Store) {
    this.name = name;
    this.clock = clock;
    this.scheduler = scheduler;
    this.events = events;
    this.store = store;
    for (const [n, type] of SYSTEM_EXCHANGES) this.exchanges.set(n, new Exchange(n, type, true, false, false, {}));
    const routing = new Routing(this.exchanges, this.queues);
    this.publishing = new Publishing(this, routing);
    this.deadLetters = new DeadLetterRouting(routing, this.exchanges, events, clock);
  }

  private what(kind: 'queue' | 'exchange', name: string): string {
    return describe(kind, name, this.name);
  }

  // ---- exchanges ----

  declareExchange(
    name: string,
    type: string,
    opts: { passive?: boolean; durable?: boolean; autoDelete?: boolean; internal?: boolean; arguments?: FieldTable },
  ): Exchange {
    const existing = this.exchanges.get(name);
    if (opts.passive) {
      if (name === '') throw channelError('ACCESS_REFUSED', 'operation not permitted on the default exchange');
      if (!existing) throw channelError('NOT_FOUND', `no ${this.what('exchange', name)}`);
      return existing;
    }
    // RabbitMQ's order: the type, the default exchange, then (for a new exchange) the name.
    if (!exchangeTypes.includes(type)) throw connectionError('COMMAND_INVALID', unknownExchangeType(type));
    if (name === '') throw channelError('ACCESS_REFUSED', 'operation not permitted on the default exchange');
    if (!existing && name.startsWith('amq.')) throw channelError('ACCESS_REFUSED', `exchange name '${name}' contains reserved prefix 'amq.*'`);
    const durable = opts.durable ?? false;
    const autoDelete = opts.autoDelete ?? false;
    const internal = opts.internal ?? false;
    const args = opts.arguments ?? {};
    if (existing) {
      const what = this.what('exchange', name);
      assertFieldEquivalent(what, 'type', existing.type, type);
      assertFieldEquivalent(what, 'durable', existing.durable, durable);
      assertFieldEquivalent(what, 'auto_delete', existing.autoDelete, autoDelete);
      assertFieldEquivalent(what, 'internal', existing.internal, internal);
      assertArgumentsEquivalent(what, existing.args, args, ['alternate-exchange']);
      return existing;
    }
    const exchange = new Exchange(name, type as ExchangeType, durable, autoDelete, internal, args);
    this.exchanges.set(name, exchange);
    if (durable) this.store.putExchange({ name, type: exchange.type, autoDelete, internal, arguments: args });
    if (this.events.active) {
      this.events.emit({ type: 'exchange.declared', exchange: name, exchangeType: type, durable, autoDelete, internal, arguments: args });
    }
    return exchange;
  }

  /** Deleting an exchange that does not exist succeeds, as in RabbitMQ 3.x and 4.x. */
  deleteExchange(name: string, ifUnused: boolean): void {
    if (name === '') throw channelError('ACCESS_REFUSED', 'operation not permitted on the default exchange');
    if (name.startsWith('amq.')) throw channelError('ACCESS_REFUSED', `deletion of system ${this.what('exchange', name)} not allowed`);
    const exchange = this.exchanges.get(name);
    if (!exchange) return;
    // Only bindings from the exchange count: being a binding's destination is not "in use".
    if (ifUnused && exchange.router.bindingCount > 0) {
      throw channelError('PRECONDITION_FAILED', `${this.what('exchange', name)} in use`);
    }
    this.removeExchange(exchange);
  }

  private removeExchange(exchange: Exchange): void {
    this.exchanges.delete(exchange.name);
    for (const b of [...exchange.router.bindings()]) this.forgetBinding(b);
    for (const x of this.exchanges.values()) {
      for (const b of x.router.unbindDestination(exchange)) this.forgetBinding(b);
      this.maybeAutoDeleteExchange(x);
    }
    if (exchange.durable) this.store.deleteExchange(exchange.name);
    if (this.events.active) this.events.emit({ type: 'exchange.deleted', exchange: exchange.name });
  }

  /** An auto-delete exchange goes when its last binding (as a source) goes. */
  private maybeAutoDeleteExchange(exchange: Exchange): void {
    if (exchange.autoDelete && exchange.router.bindingCount === 0 && this.exchanges.get(exchange.name) === exchange) {
      this.removeExchange(exchange);
    }
  }

  private exchangeFor(name: string): Exchange {
    const exchange = this.exchanges.get(name);
    if (!exchange) throw channelError('NOT_FOUND', `no ${this.what('exchange', name)}`);
    return exchange;
  }

  bindExchange(destination: string, source: string, routingKey: string, args: FieldTable): void {
    if (destination === '' || source === '') throw channelError('ACCESS_REFUSED', 'operation not permitted on the default exchange');
    const dest = this.exchangeFor(destination);
    const src = this.exchangeFor(source);
    this.addBinding(src, dest, routingKey, args);
  }

  unbindExchange(destination: string, source: string, routingKey: string, args: FieldTable): void {
    if (destination === '' || source === '') throw channelError('ACCESS_REFUSED', 'operation not permitted on the default exchange');
    const dest = this.exchangeFor(destination);
    const src = this.exchangeFor(source);
    this.removeBinding(src, dest, routingKey, args);
  }

  private addBinding(source: Exchange, destination: Queue | Exchange, routingKey: string, args: FieldTable): void {
    if (source.type === 'headers') {
      const problem = validateHeadersBinding(args);
      if (problem) throw channelError('PRECONDITION_FAILED', problem);
    }
    const binding: Binding = { source: source.name, destination, routingKey, arguments: args };
    if (!source.router.bind(binding)) return;
    if (source.durable && destination.durable) this.store.putBinding(stored(binding));
    if (this.events.active) {
      this.events.emit({ type: 'binding.added', source: source.name, destination: destination.name, destinationKind: destination.kind, routingKey, arguments: args });
    }
  }

  private removeBinding(source: Exchange, destination: Queue | Exchange, routingKey: string, args: FieldTable): void {
    const binding: Binding = { source: source.name, destination, routingKey, arguments: args };
    if (!source.router.unbind(binding)) return;
    this.forgetBinding(binding);
    this.maybeAutoDeleteExchange(source);
  }

  private forgetBinding(binding: Binding): void {
    this.store.deleteBinding(stored(binding));
    if (this.events.active) {
      this.events.emit({
        type: 'binding.removed', source: binding.source, destination: binding.destination.name,
        destinationKind: binding.destination.kind, routingKey: binding.routingKey, arguments: binding.arguments,
      });
    }
  }

  // ---- queues ----

  declareQueue(
    owner: Connection,
    requestedName: string,
    opts: { passive?: boolean; durable?: boolean; exclusive?: boolean; autoDelete?: boolean; arguments?: FieldTable },
  ): Queue {
    const existing = requestedName === '' ? undefined : this.queues.get(requestedName);
    if (opts.passive) {
      if (!existing) throw channelError('NOT_FOUND', `no ${this.what('queue', requestedName)}`);
      this.checkExclusiveAccess(existing, owner);
      existing.touch();
      return existing;
    }
    if (requestedName.startsWith('amq.') && requestedName !== '') {
      throw channelError('ACCESS_REFUSED', `queue name '${requestedName}' contains reserved prefix 'amq.*'`);
    }
    const exclusive = opts.exclusive ?? false;
    // RabbitMQ never makes an exclusive queue durable, whatever the client asked.
    const durable = (opts.durable ?? false) && !exclusive;
    const autoDelete = opts.autoDelete ?? false;
    const args = opts.arguments ?? {};
    if (existing) {
      const what = this.what('queue', existing.name);
      this.checkExclusiveAccess(existing, owner, exclusive);
      assertFieldEquivalent(what, 'durable', existing.durable, durable);
      assertFieldEquivalent(what, 'auto_delete', existing.options.autoDelete, autoDelete);
      assertArgumentsEquivalent(what, existing.options.arguments, args, equivalenceKeys);
      existing.touch();
      return existing;
    }
    if (requestedName === '' && queueTypeOf(args) === 'quorum') {
      throw channelError('PRECONDITION_FAILED', 'Cannot declare a server-named queue for type rabbit_quorum_queue');
    }
    const name = requestedName === '' ? generatedName('amq.gen-') : requestedName;
    const settings = parseQueueArguments(name, this.name, args, { durable, exclusive, autoDelete });
    const queue = new Queue(name, { durable, autoDelete, owner: exclusive ? owner : null, arguments: args, settings }, this);
    this.queues.set(name, queue);
    if (exclusive) owner.exclusiveQueues.add(queue);
    if (durable) this.store.putQueue({ name, autoDelete, arguments: args });
    if (this.events.active) {
      this.events.emit({ type: 'queue.declared', queue: name, queueType: settings.type, durable, exclusive, autoDelete, arguments: args });
    }
    return queue;
  }

  /** RabbitMQ's check_exclusive_access: another connection's exclusive queue is locked. */
  private checkExclusiveAccess(queue: Queue, connection: Connection, declaredExclusive?: boolean): void {
    const owner = queue.options.owner;
    const locked = owner !== null && owner !== connection;
    const mismatch = declaredExclusive !== undefined && declaredExclusive !== (owner !== null);
    if (locked || mismatch) {
      throw channelError(
        'RESOURCE_LOCKED',
        `cannot obtain exclusive access to locked ${this.what('queue', queue.name)}. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.`,
      );
    }
  }

  /** The queue a client names, checked for existence and exclusivity. */
  queueFor(connection: Connection, name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw channelError('NOT_FOUND', `no ${this.what('queue', name)}`);
    this.checkExclusiveAccess(queue, connection);
    return queue;
  }

  bindQueue(connection: Connection, queueName: string, exchangeName: string, routingKey: string, args: FieldTable): void {
    if (exchangeName === '') throw channelError('ACCESS_REFUSED', 'operation not permitted on the default exchange');
    const exchange = this.exchangeFor(exchangeName);
    const queue = this.queueFor(connection, queueName);
    this.addBinding(exchange, queue, routingKey, args);
  }

  /**
   * As in RabbitMQ, unbinding what is not there succeeds: a missing queue, exchange or
   * binding is not an error, and exclusivity is only checked when there is a binding.
   */
  unbindQueue(connection: Connection, queueName: string, exchangeName: string, routingKey: string, args: FieldTable): void {
    if (exchangeName === '') throw channelError('ACCESS_REFUSED', 'operation not permitted on the default exchange');
    const queue = this.queues.get(queueName);
    const exchange = this.exchanges.get(exchangeName);
    if (!queue || !exchange) return;
    if (queue.options.owner !== null && queue.options.owner !== connection) {
      for (const b of exchange.router.bindings()) {
        if (b.destination === queue && b.routingKey === routingKey && fieldTablesEqual(b.arguments, args)) this.checkExclusiveAccess(queue, connection);
      }
    }
    this.removeBinding(exchange, queue, routingKey, args);
  }

  purgeQueue(connection: Connection, name: string): number {
    const queue = this.queueFor(connection, name);
    const count = queue.purge();
    if (this.events.active) this.events.emit({ type: 'queue.purged', queue: name, messageCount: count });
    return count;
  }

  /** Deleting a queue that does not exist succeeds with a count of 0, as in RabbitMQ. */
  deleteQueueByName(connection: Connection, name: string, ifUnused: boolean, ifEmpty: boolean): number {
    const queue = this.queues.get(name);
    if (!queue) return 0;
    this.checkExclusiveAccess(queue, connection);
    if (ifUnused && queue.consumerCount > 0) throw channelError('PRECONDITION_FAILED', `${this.what('queue', name)} in use`);
    if (ifEmpty && queue.messageCount > 0) throw channelError('PRECONDITION_FAILED', `${this.what('queue', name)} not empty`);
    return this.deleteQueue(queue, 'client');
  }

  deleteQueue(queue: Queue, reason: 'client' | 'auto-delete' | 'owner-closed' | 'expired'): number {
    if (this.queues.get(queue.name) !== queue) return 0;
    this.queues.delete(queue.name);
    queue.options.owner?.exclusiveQueues.delete(queue);
    for (const x of [...this.exchanges.values()]) {
      for (const b of x.router.unbindDestination(queue)) this.forgetBinding(b);
      this.maybeAutoDeleteExchange(x);
    }
    const count = queue.dispose();
    for (const consumer of [...queue.consumers]) consumer.channel.consumerCancelledByServer(consumer);
    queue.consumers = [];
    if (queue.durable) this.store.deleteQueue(queue.name);
    if (this.events.active) this.events.emit({ type: 'queue.deleted', queue: queue.name, reason, messageCount: count });
    return count;
  }

  // ---- publishing and dead-lettering (publishing.ts, dead-letter-routing.ts, routing.ts) ----

  /** The exchange a publish names, or RabbitMQ's error. */
  checkPublishable(name: string): Exchange {
    const exchange = this.exchangeFor(name);
    if (exchange.internal) throw channelError('ACCESS_REFUSED', `cannot publish to internal ${this.what('exchange', name)}`);
    return exchange;
  }

  publish(channel: Channel, exchangeName: string, routingKey: string, mandatory: boolean, properties: BasicProperties, body: Uint8Array): PublishOutcome {
    return this.publishing.publish(channel, exchangeName, routingKey, mandatory, properties, body);
  }

  deadLetter(queue: Queue, message: QueuedMessage, reason: DeadLetterReason): void {
    this.deadLetters.deadLetter(queue, message, reason);
  }

  registerDirectReply(channel: Channel): void {
    this.publishing.registerDirectReply(channel);
  }

  unregisterDirectReply(channel: Channel): void {
    this.publishing.unregisterDirectReply(channel);
  }

  // ---- confirms ----

  confirmsPending(channel: Channel): void {
    if (this.batchConfirms) this.confirmWaiters.add(channel);
    else {
      this.store.flush();
      channel.flushConfirms();
    }
  }

  /** Makes pending writes durable, then sends the confirms that waited for them. */
  flushConfirms(): void {
    if (this.confirmWaiters.size === 0) return;
    this.store.flush();
    const waiters = [...this.confirmWaiters];
    this.confirmWaiters.clear();
    for (const channel of waiters) if (channel.open) channel.flushConfirms();
  }

  // ---- recovery ----

  restoreBinding(b: StoredBinding): void {
    const source = this.exchanges.get(b.source);
    const destination = b.destinationKind === 'queue' ? this.queues.get(b.destination) : this.exchanges.get(b.destination);
    if (source && destination) source.router.bind({ source: b.source, destination, routingKey: b.routingKey, arguments: b.arguments });
  }

  seedMessageIds(atLeast: number): void {
    this.publishing.seedMessageIds(atLeast);
  }
}

const stored = (b: Binding): StoredBinding => ({
  source: b.source,
  destination: b.destination.name,
  destinationKind: b.destination.kind,
  routingKey: b.routingKey,
  arguments: b.arguments,
});

/**
 * RabbitMQ turns the type name into an existing Erlang atom first: a name no atom has
 * (plugin types like 'x-delayed-message', 'Direct', but also 'topics') is "unknown"; one that
 * is an atom but no exchange type (e.g. 'foo', 'queue') is "invalid". Which plain words are
 * atoms depends on the running node, so only names that cannot be a bare atom are "unknown"
 * here; a plain word like 'topics' gets "invalid" where RabbitMQ would say "unknown".
 */
function unknownExchangeType(type: string): string {
  return /^[a-z][A-Za-z0-9_@]*$/.test(type) ? `invalid exchange type '${type}'` : `unknown exchange type '${type}'`;
}
