import { describe, expect, expectTypeOf, it } from 'vitest';
import { createActor, initialTransition, transition } from 'xstate';
import {
  MESSAGE_EVENT_TYPES,
  MESSAGE_STATES,
  messageMachine,
  messageTransitions,
  nextMessageState,
  type MessageEventType,
  type MessageState,
} from '../../../src/machines/message.ts';
import { expectTableMatchesMachine, handledEventTypes } from './helpers.ts';

const walk = (events: MessageEventType[]): MessageState => {
  let [snapshot] = initialTransition(messageMachine, { messageId: 1 });
  for (const type of events) [snapshot] = transition(messageMachine, snapshot, { type });
  return snapshot.value;
};

const walkTable = (events: MessageEventType[]): MessageState =>
  events.reduce<MessageState>((state, type) => nextMessageState(state, type), 'published');

describe('message machine', () => {
  it('names its states and events as the types say', () => {
    expectTypeOf<MessageState>().toEqualTypeOf<
      | 'published' | 'unroutable' | 'returned' | 'routed' | 'rejected' | 'ready' | 'unacked'
      | 'acked' | 'consumed' | 'expired' | 'deadLettered' | 'dropped'
    >();
    expect(MESSAGE_STATES).toHaveLength(12);
    expect(new Set(MESSAGE_EVENT_TYPES)).toEqual(handledEventTypes(messageMachine));
  });

  it.each<[string, MessageEventType[], MessageState]>([
    ['manual ack', ['route.matched', 'enqueue', 'deliver', 'ack'], 'acked'],
    ['auto-ack', ['route.matched', 'enqueue', 'deliver.noAck'], 'consumed'],
    ['requeue then ack', ['route.matched', 'enqueue', 'deliver', 'requeue', 'deliver', 'ack'], 'acked'],
    ['mandatory and unroutable', ['route.none', 'return'], 'returned'],
    ['unroutable', ['route.none', 'drop'], 'dropped'],
    ['reject-publish overflow', ['route.matched', 'reject'], 'rejected'],
    ['TTL without DLX', ['route.matched', 'enqueue', 'expire'], 'expired'],
    ['nack without requeue, DLX', ['route.matched', 'enqueue', 'deliver', 'deadLetter'], 'deadLettered'],
    ['delivery limit, no DLX', ['route.matched', 'enqueue', 'deliver', 'drop'], 'dropped'],
    ['purged', ['route.matched', 'enqueue', 'drop'], 'dropped'],
  ])('%s: the machine and the table agree', (_name, events, end) => {
    expect(walk(events)).toBe(end);
    expect(walkTable(events)).toBe(end);
  });

  it('compiles a table that agrees with xstate for every state x event', () => {
    const pairs = expectTableMatchesMachine(messageMachine, messageTransitions, { messageId: 1 }, MESSAGE_EVENT_TYPES);
    expect(pairs).toBe(12 * 12);
  });

  it('throws a clear error on an illegal move', () => {
    expect(() => nextMessageState('ready', 'ack')).toThrow(new Error('illegal message transition: ready --ack-->'));
    expect(() => nextMessageState('acked', 'requeue')).toThrow('illegal message transition: acked --requeue-->');
    // Unacked messages do not expire in RabbitMQ: TTL applies only while ready.
    expect(() => nextMessageState('unacked', 'expire')).toThrow('unacked --expire-->');
  });

  it('ignores an illegal event in xstate (same snapshot, can() false)', () => {
    const [ready] = transition(messageMachine, messageMachine.resolveState({ value: 'routed', context: { messageId: 1 } }), { type: 'enqueue' });
    expect(ready.can({ type: 'ack' })).toBe(false);
    const [after] = transition(messageMachine, ready, { type: 'ack' });
    expect(after.value).toBe('ready');
  });

  it('runs as an actor that finishes in a final state', () => {
    const actor = createActor(messageMachine, { input: { messageId: 42 } }).start();
    expect(actor.getSnapshot().context.messageId).toBe(42);
    for (const type of ['route.matched', 'enqueue', 'deliver', 'ack'] as const) actor.send({ type });
    expect(actor.getSnapshot().value).toBe('acked');
    expect(actor.getSnapshot().status).toBe('done');
  });
});
