import type { BindingTarget, ExchangeRouter } from './exchanges/exchange.ts';
import { createRouter } from './exchanges/index.ts';
import type { FieldTable } from './types.ts';

export type ExchangeType = 'direct' | 'fanout' | 'topic' | 'headers';
export const exchangeTypes: readonly string[] = ['direct', 'fanout', 'topic', 'headers'];

/** An exchange: its declared properties and the router of its type that holds its bindings. */
export class Exchange implements BindingTarget {
  readonly kind = 'exchange' as const;
  readonly router: ExchangeRouter;
  /** Routing marks an exchange it already visited for the current message with this. */
  routeMark = 0;

  readonly name: string;
  readonly type: ExchangeType;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly args: FieldTable;

  constructor(name: string, type: ExchangeType, durable: boolean, autoDelete: boolean, internal: boolean, args: FieldTable) {
    this.name = name;
    this.type = type;
    this.durable = durable;
    this.autoDelete = autoDelete;
    this.internal = internal;
    this.args = args;
    this.router = createRouter(type);
  }

  get alternateExchange(): string | undefined {
    const ae = this.args['alternate-exchange'];
    return typeof ae === 'string' ? ae : undefined;
  }
}
