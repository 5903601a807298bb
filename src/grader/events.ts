// Finding things in the event trace. A pattern names an event type and any fields to
// match; nested objects (e.g. `properties`) match partially, so
// `{ type: 'message.published', properties: { deliveryMode: 2 } }` finds persistent sends.

import type { BrokerEvent, EventOf, EventType } from '../broker/events.ts';
import type { CheckResult } from './types.ts';

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export type EventPattern<T extends EventType = EventType> = { type: T } & DeepPartial<Omit<EventOf<T>, 'type' | 'seq' | 'time'>>;

/** A pattern for any one event type (a union over the types, so each keeps its fields). */
export type AnyEventPattern = { [T in EventType]: EventPattern<T> }[EventType];

function fits(value: unknown, pattern: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object' || Array.isArray(pattern)) {
    if (Array.isArray(pattern) && Array.isArray(value)) {
      return pattern.length === value.length && pattern.every((p, i) => fits(value[i], p));
    }
    return Object.is(value, pattern);
  }
  if (value === null || typeof value !== 'object') return false;
  for (const [key, expected] of Object.entries(pattern)) {
    if (!fits((value as Record<string, unknown>)[key], expected)) return false;
  }
  return true;
}

export function matches<T extends EventType>(event: BrokerEvent, pattern: EventPattern<T>): event is EventOf<T> {
  return fits(event, pattern);
}

/** Every event that fits the pattern, in order. */
export function findEvents<T extends EventType>(trace: readonly BrokerEvent[], pattern: EventPattern<T>): EventOf<T>[] {
  return trace.filter((e): e is EventOf<T> => matches(e, pattern));
}

/** The first event that fits the pattern (after `afterSeq`, if given). */
export function findEvent<T extends EventType>(trace: readonly BrokerEvent[], pattern: EventPattern<T>, afterSeq = -Infinity): EventOf<T> | undefined {
  return trace.find((e): e is EventOf<T> => e.seq > afterSeq && matches(e, pattern));
}

/** Passes with `messages.pass` if some event fits the pattern, else fails with `messages.fail`. */
export function expectEvent<T extends EventType>(
  trace: readonly BrokerEvent[],
  pattern: EventPattern<T>,
  messages: { pass: string | ((event: EventOf<T>) => string); fail: string },
): CheckResult {
  const event = findEvent(trace, pattern);
  if (event === undefined) return { pass: false, message: messages.fail };
  return { pass: true, message: typeof messages.pass === 'function' ? messages.pass(event) : messages.pass };
}
