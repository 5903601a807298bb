import type { Binding, BindingTarget, ExchangeRouter } from './exchange.ts';
import { BindingSet, removeItem } from './fanout.ts';

/** Routes to the bindings whose key equals the routing key exactly. */
export class DirectRouter<T extends BindingTarget = BindingTarget> implements ExchangeRouter<T> {
  readonly type = 'direct';
  private readonly set = new BindingSet<T>();
  /** Invariant: no empty arrays, so the map's size is the number of distinct keys. */
  private readonly byKey = new Map<string, Binding<T>[]>();

  get bindingCount(): number {
    return this.set.size;
  }

  bind(binding: Binding<T>): boolean {
    if (!this.set.add(binding)) return false;
    const list = this.byKey.get(binding.routingKey);
    if (list) list.push(binding);
    else this.byKey.set(binding.routingKey, [binding]);
    return true;
  }

  unbind(binding: Binding<T>): boolean {
    const stored = this.set.remove(binding);
    if (!stored) return false;
    const list = this.byKey.get(stored.routingKey);
    if (list) {
      removeItem(list, stored);
      if (list.length === 0) this.byKey.delete(stored.routingKey);
    }
    return true;
  }

  unbindDestination(destination: T): Binding<T>[] {
    const removed = this.set.ofDestination(destination);
    for (const b of removed) this.unbind(b);
    return removed;
  }

  route(routingKey: string, _headers: unknown, out: Binding<T>[]): void {
    const list = this.byKey.get(routingKey);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) out.push(list[i]!);
  }

  bindings(): Iterable<Binding<T>> {
    return this.set.values();
  }
}
