import { fieldTablesEqual } from '../field-equal.ts';
import type { Binding, BindingTarget, ExchangeRouter } from './exchange.ts';

const destinationKey = (d: BindingTarget): string => (d.kind === 'queue' ? 'q:' : 'e:') + d.name;

/**
 * The bindings of one exchange, by identity: (destination kind+name, routing key,
 * arguments deep-equal). Every exchange type keeps one for bind/unbind bookkeeping and
 * per-destination removal; it lives here because a fanout routes to exactly this set.
 * Not used on the routing path.
 */
export class BindingSet<T extends BindingTarget = BindingTarget> {
  /** destination -> routing key -> bindings that differ only in their arguments. */
  private readonly byDestination = new Map<string, Map<string, Binding<T>[]>>();
  /** Insertion order, for listing. */
  private readonly ordered = new Set<Binding<T>>();

  get size(): number {
    return this.ordered.size;
  }

  /** The stored binding equal to `b`, which may be another object than `b`. */
  find(b: Binding<T>): Binding<T> | undefined {
    const sameKey = this.byDestination.get(destinationKey(b.destination))?.get(b.routingKey);
    return sameKey?.find((s) => fieldTablesEqual(s.arguments, b.arguments));
  }

  add(b: Binding<T>): boolean {
    if (this.find(b)) return false;
    const dk = destinationKey(b.destination);
    let byKey = this.byDestination.get(dk);
    if (!byKey) this.byDestination.set(dk, (byKey = new Map()));
    const sameKey = byKey.get(b.routingKey);
    if (sameKey) sameKey.push(b);
    else byKey.set(b.routingKey, [b]);
    this.ordered.add(b);
    return true;
  }

  /** Removes the binding equal to `b`; returns the stored one, which routers must drop. */
  remove(b: Binding<T>): Binding<T> | undefined {
    const dk = destinationKey(b.destination);
    const byKey = this.byDestination.get(dk);
    const sameKey = byKey?.get(b.routingKey);
    if (!byKey || !sameKey) return undefined;
    const i = sameKey.findIndex((s) => fieldTablesEqual(s.arguments, b.arguments));
    const stored = sameKey[i];
    if (!stored) return undefined;
    sameKey.splice(i, 1);
    if (sameKey.length === 0) byKey.delete(b.routingKey);
    if (byKey.size === 0) this.byDestination.delete(dk);
    this.ordered.delete(stored);
    return stored;
  }

  /** A snapshot, so callers may remove while iterating it. */
  ofDestination(d: T): Binding<T>[] {
    const byKey = this.byDestination.get(destinationKey(d));
    return byKey ? [...byKey.values()].flat() : [];
  }

  values(): IterableIterator<Binding<T>> {
    return this.ordered.values();
  }
}

/** Removes `item` (by identity) from `list`, keeping order: route order is bind order. */
export function removeItem<V>(list: V[], item: V): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

export class FanoutRouter<T extends BindingTarget = BindingTarget> implements ExchangeRouter<T> {
  readonly type = 'fanout';
  private readonly set = new BindingSet<T>();
  /** Same members as `set`, as an array: routing iterates it without an iterator object. */
  private readonly list: Binding<T>[] = [];

  get bindingCount(): number {
    return this.list.length;
  }

  bind(binding: Binding<T>): boolean {
    if (!this.set.add(binding)) return false;
    this.list.push(binding);
    return true;
  }

  unbind(binding: Binding<T>): boolean {
    const stored = this.set.remove(binding);
    if (stored) removeItem(this.list, stored);
    return stored !== undefined;
  }

  unbindDestination(destination: T): Binding<T>[] {
    const removed = this.set.ofDestination(destination);
    for (const b of removed) this.unbind(b);
    return removed;
  }

  route(_routingKey: string, _headers: unknown, out: Binding<T>[]): void {
    const list = this.list;
    for (let i = 0; i < list.length; i++) out.push(list[i]!);
  }

  bindings(): Iterable<Binding<T>> {
    return this.set.values();
  }
}
