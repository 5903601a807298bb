import type { RouteStep } from './events.ts';
import type { Exchange } from './exchange.ts';
import type { Binding } from './exchanges/exchange.ts';
import type { Queue } from './queue.ts';
import type { FieldTable } from './types.ts';

/** The arrays one route fills; reused so that routing a message allocates nothing. */
export interface RouteScratch {
  bindings: Binding[];
  exchanges: Exchange[];
  queues: Queue[];
}

/**
 * Finds the queues a message reaches in a vhost: through exchange-to-exchange bindings and
 * alternate exchanges, each exchange and queue at most once. Publishing and dead-lettering
 * both route through here.
 */
export class Routing {
  private routeMark = 0;
  /** Scratch arrays, one set per nesting level (dead-lettering routes again mid-route). */
  private scratch: RouteScratch[] = [];
  private depth = 0;
  private readonly exchanges: Map<string, Exchange>;
  private readonly queues: Map<string, Queue>;

  constructor(exchanges: Map<string, Exchange>, queues: Map<string, Queue>) {
    this.exchanges = exchanges;
    this.queues = queues;
  }

  /** The scratch arrays for one route; give them back with `release` (in a finally). */
  acquire(): RouteScratch {
    let level = this.scratch[this.depth];
    if (!level) {
      level = { bindings: [], exchanges: [], queues: [] };
      this.scratch[this.depth] = level;
    }
    this.depth++;
    return level;
  }

  release(level: RouteScratch): void {
    empty(level.queues);
    this.depth--;
  }

  /**
   * Collects into `level.queues` the queues a message reaches from `start`, routed by
   * `routingKey` and by `extraKeys` (its CC and BCC keys, or null): every exchange on the
   * way matches each key, and turns to its alternate exchange only when none matched.
   */
  route(
    start: Exchange,
    routingKey: string,
    extraKeys: readonly string[] | null,
    headers: FieldTable | undefined,
    level: RouteScratch,
    trace: RouteStep[] | null,
  ): void {
    const mark = ++this.routeMark;
    const { bindings, exchanges, queues } = level;
    empty(exchanges);
    exchanges.push(start);
    start.routeMark = mark;
    for (let i = 0; i < exchanges.length; i++) {
      const exchange = exchanges[i]!;
      empty(bindings);
      if (exchange.name === '') {
        this.defaultRoute(routingKey, mark, queues, trace);
        if (extraKeys !== null) for (const key of extraKeys) this.defaultRoute(key, mark, queues, trace);
        continue;
      }
      exchange.router.route(routingKey, headers, bindings);
      // Fanout and headers exchanges ignore the key: another pass would only repeat bindings.
      if (extraKeys !== null && (exchange.type === 'direct' || exchange.type === 'topic')) {
        for (const key of extraKeys) exchange.router.route(key, headers, bindings);
      }
      if (bindings.length === 0) {
        const ae = exchange.alternateExchange;
        const alternate = ae === undefined ? undefined : this.exchanges.get(ae);
        if (alternate && alternate.routeMark !== mark) {
          alternate.routeMark = mark;
          exchanges.push(alternate);
        }
        continue;
      }
      for (let j = 0; j < bindings.length; j++) {
        const binding = bindings[j]!;
        const destination = binding.destination as Queue | Exchange;
        trace?.push({ source: exchange.name, destination: destination.name, destinationKind: destination.kind, routingKey: binding.routingKey });
        if (destination.routeMark === mark) continue;
        destination.routeMark = mark;
        if (destination.kind === 'queue') queues.push(destination);
        else exchanges.push(destination);
      }
    }
    empty(bindings);
    empty(exchanges);
  }

  /** The default exchange's implicit binding: the queue the key names, if any. */
  private defaultRoute(key: string, mark: number, queues: Queue[], trace: RouteStep[] | null): void {
    const queue = this.queues.get(key);
    if (queue && queue.routeMark !== mark) {
      queue.routeMark = mark;
      queues.push(queue);
      trace?.push({ source: '', destination: queue.name, destinationKind: 'queue', routingKey: key });
    }
  }
}

/**
 * Empties a scratch array but keeps its storage: `length = 0` would make V8 drop the
 * backing store, and the next route would allocate it again.
 */
export function empty(array: unknown[]): void {
  while (array.length > 0) array.pop();
}
