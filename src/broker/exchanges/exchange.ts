import type { FieldTable } from '../types.ts';

/** Where a binding leads: a queue or another exchange (exchange-to-exchange binding). */
export interface BindingTarget {
  readonly kind: 'queue' | 'exchange';
  readonly name: string;
}

export interface Binding<T extends BindingTarget = BindingTarget> {
  readonly source: string;
  readonly destination: T;
  readonly routingKey: string;
  readonly arguments: FieldTable;
}

/**
 * The few operations every exchange type has. Each type (direct, fanout, topic, headers)
 * implements only these; declaring, deleting and e2e routing live in the vhost.
 */
export interface ExchangeRouter<T extends BindingTarget = BindingTarget> {
  readonly type: 'direct' | 'fanout' | 'topic' | 'headers';
  /** Adds the binding; false if an equal one (same destination, key and arguments) exists. */
  bind(binding: Binding<T>): boolean;
  /** Removes the equal binding; false if there was none. */
  unbind(binding: Binding<T>): boolean;
  /** Removes every binding to this destination (it was deleted); returns them. */
  unbindDestination(destination: T): Binding<T>[];
  /**
   * Pushes every matching binding onto `out` (no dedupe: a destination bound twice
   * appears twice; the caller dedupes). Must not allocate per call beyond `out` growth.
   */
  route(routingKey: string, headers: FieldTable | undefined, out: Binding<T>[]): void;
  bindings(): Iterable<Binding<T>>;
  readonly bindingCount: number;
}
