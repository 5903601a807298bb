import { DirectRouter } from './direct.ts';
import type { BindingTarget, ExchangeRouter } from './exchange.ts';
import { FanoutRouter } from './fanout.ts';
import { HeadersRouter } from './headers.ts';
import { TopicRouter } from './topic.ts';

export type { Binding, BindingTarget, ExchangeRouter } from './exchange.ts';
export { DirectRouter } from './direct.ts';
export { BindingSet, FanoutRouter } from './fanout.ts';
export { HeadersRouter, validateHeadersBinding } from './headers.ts';
export { TopicRouter } from './topic.ts';

export type ExchangeType = ExchangeRouter['type'];

const routers = {
  direct: DirectRouter,
  fanout: FanoutRouter,
  topic: TopicRouter,
  headers: HeadersRouter,
} as const;

export const isExchangeType = (type: string): type is ExchangeType => Object.hasOwn(routers, type);

/** A fresh router for an exchange of this type (the default exchange is a direct one). */
export function createRouter<T extends BindingTarget = BindingTarget>(type: ExchangeType): ExchangeRouter<T> {
  return new routers[type]<T>();
}
