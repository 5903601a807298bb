// The message lifecycle path (src/playground/message-path.ts), read from traces the real
// broker core produced: what a learner sees in the message lifecycle diagram.
import { describe, expect, it } from 'vitest';
import type { BrokerEvent } from '../../../src/broker/index.ts';
import { MessageTraceIndex, messageIds, messagePath, messageQueues, messageSummaries, type MessagePath } from '../../../src/playground/message-path.ts';
import { LAYOUT, diagramEdges } from '../../../src/playground/ui/message-diagram.ts';
import { MESSAGE_STATES, messageTransitions, nextMessageState } from '../../../src/machines/message.ts';
import { publish, setup } from '../broker/helpers.ts';

const states = (p: MessagePath) => p.steps.map((s) => s.state);
const lastId = (events: BrokerEvent[]) => messageIds(events).at(-1)!;

/** Every step is a move the machine allows, from `published`. */
function expectLegal(p: MessagePath): void {
  const [first, ...rest] = p.steps;
  expect(first?.state).toBe('published');
  let state = first!.state;
  for (const step of rest) {
    expect(step.event).not.toBeNull();
    state = nextMessageState(state, step.event!);
    expect(step.state).toBe(state);
  }
  expect(p.state).toBe(state);
}

describe('messagePath', () => {
  it('follows a message through consume, nack with requeue, redelivery and ack', () => {
    const w = setup();
    w.ch.queueDeclare('tasks');
    publish(w.ch, '', 'tasks', 'hello');
    w.ch.basicConsume('tasks', { consumerTag: 'worker' });
    w.ch.basicNack(w.sink.last().deliveryTag, false, true);
    w.ch.basicAck(w.sink.last().deliveryTag);
    const id = lastId(w.events);
    const p = messagePath(w.events, id);
    expect(states(p)).toEqual(['published', 'routed', 'ready', 'unacked', 'ready', 'unacked', 'acked']);
    expect(p.steps.map((s) => s.event)).toEqual([null, 'route.matched', 'enqueue', 'deliver', 'requeue', 'deliver', 'ack']);
    expect(p).toMatchObject({ found: true, queue: 'tasks', queues: ['tasks'], state: 'acked' });
    expect(p.steps[1]).toMatchObject({ queue: 'tasks', text: "The default exchange routed it to queue 'tasks'." });
    expect(p.steps[3]!.text).toBe("Delivered to consumer 'worker' (delivery tag 1); waiting for an ack.");
    expect(p.steps[4]!.text).toContain('after basic.nack with requeue');
    expect(p.steps[5]!.text).toContain('redelivered');
    expectLegal(p);
    // Sequence numbers follow the trace.
    const seqs = p.steps.map((s) => s.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });

  it('an unroutable message: returned when mandatory, silently dropped otherwise', () => {
    const w = setup();
    publish(w.ch, '', 'nowhere', 'a', {}, true);
    const returned = messagePath(w.events, lastId(w.events));
    expect(states(returned)).toEqual(['published', 'unroutable', 'returned']);
    expect(returned.queue).toBeNull();
    expect(returned.queues).toEqual([]);
    expect(returned.steps[2]!.text).toContain('312 NO_ROUTE');
    publish(w.ch, '', 'nowhere', 'b');
    const dropped = messagePath(w.events, lastId(w.events));
    expect(states(dropped)).toEqual(['published', 'unroutable', 'dropped']);
    expect(dropped.steps.map((s) => s.event)).toEqual([null, 'route.none', 'drop']);
    expectLegal(returned);
    expectLegal(dropped);
  });

  it('no-ack delivery ends in consumed', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    publish(w.ch, '', 'q', 'x');
    w.ch.basicGet('q', true);
    const p = messagePath(w.events, lastId(w.events));
    expect(states(p)).toEqual(['published', 'routed', 'ready', 'consumed']);
    expect(p.steps[3]).toMatchObject({ event: 'deliver.noAck', text: 'Fetched with basic.get, auto-ack (delivery tag 1): the queue forgets it.' });
    expectLegal(p);
  });

  it('a message whose TTL runs out expires (ManualClock)', () => {
    const w = setup();
    w.ch.queueDeclare('q', { arguments: { 'x-message-ttl': 1000 } });
    publish(w.ch, '', 'q', 'x');
    const id = lastId(w.events);
    expect(messagePath(w.events, id).state).toBe('ready');
    w.clock.advance(1000);
    w.ch.basicGet('q', true);
    const p = messagePath(w.events, id);
    expect(states(p)).toEqual(['published', 'routed', 'ready', 'expired']);
    expectLegal(p);
  });

  it('nack without requeue and no dead-letter exchange drops it', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    publish(w.ch, '', 'q', 'x');
    const got = w.ch.basicGet('q', false)!;
    w.ch.basicNack(got.deliveryTag, false, false);
    const p = messagePath(w.events, lastId(w.events));
    expect(states(p)).toEqual(['published', 'routed', 'ready', 'unacked', 'dropped']);
    expect(p.steps[4]!.text).toContain('basic.nack, delivery tag 1');
    expectLegal(p);
  });

  it('a dead-lettered message: deadLettered in its queue, a new life in the dead-letter queue', () => {
    const w = setup();
    w.ch.exchangeDeclare('dlx', 'fanout');
    w.ch.queueDeclare('dlq');
    w.ch.queueBind('dlq', 'dlx', '');
    w.ch.queueDeclare('src', { arguments: { 'x-dead-letter-exchange': 'dlx' } });
    publish(w.ch, '', 'src', 'x');
    const got = w.ch.basicGet('src', false)!;
    w.ch.basicReject(got.deliveryTag, false);
    const id = lastId(w.events);
    expect(messageQueues(w.events, id)).toEqual(['src', 'dlq']);
    const src = messagePath(w.events, id, 'src');
    expect(states(src)).toEqual(['published', 'routed', 'ready', 'unacked', 'deadLettered']);
    expect(src.steps[4]!.text).toContain('rejected without requeue');
    const dlq = messagePath(w.events, id, 'dlq');
    expect(states(dlq)).toEqual(['published', 'routed', 'ready']);
    expect(dlq.steps[0]!.text).toContain("Dead-lettered from queue 'src'");
    expectLegal(src);
    expectLegal(dlq);
  });

  it('fan-out: one copy per queue, each with its own path', () => {
    const w = setup();
    w.ch.exchangeDeclare('logs', 'fanout');
    for (const q of ['a', 'b']) {
      w.ch.queueDeclare(q);
      w.ch.queueBind(q, 'logs', '');
    }
    publish(w.ch, 'logs', '', 'x');
    w.ch.basicGet('b', true);
    const id = lastId(w.events);
    const a = messagePath(w.events, id);
    expect(a.queue).toBe('a');
    expect(a.queues).toEqual(['a', 'b']);
    expect(states(a)).toEqual(['published', 'routed', 'ready']);
    expect(a.steps[1]!.text).toBe("Exchange 'logs' routed it to queue 'a' (one copy in each of 2 queues).");
    expect(states(messagePath(w.events, id, 'b'))).toEqual(['published', 'routed', 'ready', 'consumed']);
    // An unknown queue falls back to the first.
    expect(messagePath(w.events, id, 'zzz').queue).toBe('a');
  });

  it('a full queue with reject-publish rejects it', () => {
    const w = setup();
    w.ch.queueDeclare('small', { arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    publish(w.ch, '', 'small', 'one');
    publish(w.ch, '', 'small', 'two');
    const p = messagePath(w.events, lastId(w.events));
    expect(states(p)).toEqual(['published', 'routed', 'rejected']);
    expectLegal(p);
  });

  it('a message not in the trace is not found; ids and summaries are newest last', () => {
    const w = setup();
    w.ch.queueDeclare('tasks');
    w.ch.exchangeDeclare('logs', 'direct');
    publish(w.ch, '', 'tasks', 'a');
    publish(w.ch, 'logs', 'info', 'b');
    const ids = messageIds(w.events);
    expect(ids).toHaveLength(2);
    expect(ids[0]!).toBeLessThan(ids[1]!);
    expect(messageSummaries(w.events).map((s) => s.label)).toEqual([`#${ids[0]} → 'tasks'`, `#${ids[1]} → 'logs' (key 'info')`]);
    expect(messagePath([], ids[0]!)).toEqual({ messageId: ids[0], found: false, queue: null, queues: [], steps: [], state: null });
  });

  it('MessageTraceIndex groups the trace incrementally and starts over on a new trace', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    const trace: BrokerEvent[] = [];
    w.broker.events.subscribe((e) => trace.push(e));
    const index = new MessageTraceIndex();
    publish(w.ch, '', 'q', 'a');
    index.update(trace);
    publish(w.ch, '', 'q', 'b');
    w.ch.basicGet('q', true);
    index.update(trace);
    expect(index.summaries).toEqual(messageSummaries(trace));
    for (const id of messageIds(trace)) expect(messagePath(index.eventsOf(id), id)).toEqual(messagePath(trace, id));
    index.update([]);
    expect(index.summaries).toEqual([]);
    expect(index.eventsOf(messageIds(trace)[0]!)).toEqual([]);
  });
});

describe('the diagram layout', () => {
  it('places every state of the machine, and nothing else', () => {
    expect(Object.keys(LAYOUT).sort()).toEqual([...MESSAGE_STATES].sort());
  });

  it('draws exactly the machine’s transitions', () => {
    const fromTable = MESSAGE_STATES.flatMap((s) => Object.entries(messageTransitions[s]).map(([event, to]) => `${s} --${event}--> ${to}`));
    expect(diagramEdges().map((e) => `${e.from} --${e.event}--> ${e.to}`).sort()).toEqual(fromTable.sort());
    // Each edge carries the machine's own words for learners.
    for (const e of diagramEdges()) expect(e.description, `${e.from} --${e.event}-->`).not.toBe('');
  });
});
