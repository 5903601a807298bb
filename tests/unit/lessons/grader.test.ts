import { describe, expect, it } from 'vitest';
import type { BrokerEvent, EventBody } from '../../../src/broker/events.ts';
import { check, expectEvent, fail, findEvent, findEvents, grade, pass, queueExists, type BrokerState } from '../../../src/grader/index.ts';

let seq = 0;
const ev = (body: EventBody): BrokerEvent => ({ ...body, seq: ++seq, time: seq }) as BrokerEvent;

const published = (messageId: number, deliveryMode?: number) =>
  ev({ type: 'message.published', messageId, exchange: '', routingKey: 'hello', mandatory: false, properties: deliveryMode === undefined ? {} : { deliveryMode }, size: 2, connection: 1, channel: 1 });

const state: BrokerState = {
  queues: [{ name: 'hello', type: 'classic', durable: true, exclusive: false, autoDelete: false, arguments: {}, ready: 0, unacked: 0, consumers: [] }],
  exchanges: [],
  bindings: [],
};

describe('finding events', () => {
  const trace = [published(1), published(2, 2), ev({ type: 'message.enqueued', messageId: 2, queue: 'hello', ready: 1 })];

  it('matches on the fields given, nested objects partially', () => {
    expect(findEvents(trace, { type: 'message.published' }).map((e) => e.messageId)).toEqual([1, 2]);
    expect(findEvents(trace, { type: 'message.published', properties: { deliveryMode: 2 } }).map((e) => e.messageId)).toEqual([2]);
    expect(findEvent(trace, { type: 'message.enqueued', queue: 'other' })).toBeUndefined();
  });

  it('expectEvent passes or fails with the learner-facing message', () => {
    expect(expectEvent(trace, { type: 'message.enqueued', queue: 'hello' }, { pass: (e) => `#${e.messageId} is in`, fail: 'nothing' })).toEqual({ pass: true, message: '#2 is in' });
    expect(expectEvent(trace, { type: 'message.acked' }, { pass: 'acked', fail: 'Nothing was acknowledged.' })).toEqual({ pass: false, message: 'Nothing was acknowledged.' });
  });
});

describe('queues in the final state', () => {
  it('queueExists checks the properties asked for', () => {
    expect(queueExists(state, 'hello')).toBe(true);
    expect(queueExists(state, 'hello', { durable: true })).toBe(true);
    expect(queueExists(state, 'hello', { durable: false })).toBe(false);
    expect(queueExists(state, 'tasks')).toBe(false);
  });
});

describe('grading', () => {
  it('runs every check and turns a check that throws into a failure', () => {
    const outcomes = grade(
      [
        check('passes', () => pass('ok')),
        check('fails', () => fail('not yet')),
        check('throws', () => {
          throw new Error('boom');
        }),
      ],
      { trace: [], state },
    );
    expect(outcomes).toEqual([
      { name: 'passes', pass: true, message: 'ok' },
      { name: 'fails', pass: false, message: 'not yet' },
      { name: 'throws', pass: false, message: 'The check itself failed: boom' },
    ]);
  });
});
