import { describe, expect, it } from 'vitest';
import { createActor, initialTransition, transition } from 'xstate';
import {
  consumerMachine,
  consumerTransitions,
  nextConsumerState,
  type ConsumerEventType,
} from '../../../src/machines/consumer.ts';
import { expectTableMatchesMachine, handledEventTypes } from './helpers.ts';

const input = { tag: 'amq.ctag-1', queue: 'tasks' };

function recordingActor() {
  const sent: string[] = [];
  const machine = consumerMachine.provide({
    actions: {
      sendConsumeOk: () => void sent.push('basic.consume-ok'),
      sendCancelOk: () => void sent.push('basic.cancel-ok'),
      sendCancel: () => void sent.push('basic.cancel'),
    },
  });
  return { actor: createActor(machine, { input }).start(), sent };
}

describe('consumer machine', () => {
  it('starts subscribing and becomes active on consume-ok', () => {
    const { actor, sent } = recordingActor();
    expect(actor.getSnapshot().value).toBe('subscribing');
    actor.send({ type: 'consume.ok' });
    expect(actor.getSnapshot().value).toBe('active');
    expect(sent).toEqual(['basic.consume-ok']);
  });

  it('waits as a single-active-consumer standby until activated', () => {
    const { actor, sent } = recordingActor();
    actor.send({ type: 'consume.standby' });
    expect(actor.getSnapshot().value).toBe('waiting');
    actor.send({ type: 'activate' });
    expect(actor.getSnapshot().value).toBe('active');
    expect(sent).toEqual(['basic.consume-ok']);
  });

  it.each<[ConsumerEventType, string, string[]]>([
    ['cancel.client', 'client', ['basic.consume-ok', 'basic.cancel-ok']],
    ['cancel.server', 'server', ['basic.consume-ok', 'basic.cancel']],
    ['channel.closed', 'channel-closed', ['basic.consume-ok']],
  ])('%s cancels it and records who did', (type, by, frames) => {
    const { actor, sent } = recordingActor();
    actor.send({ type: 'consume.ok' });
    actor.send({ type } as { type: 'cancel.server' });
    const snapshot = actor.getSnapshot();
    expect(snapshot.value).toBe('cancelled');
    expect(snapshot.status).toBe('done');
    expect(snapshot.context).toEqual({ ...input, cancelledBy: by });
    expect(sent).toEqual(frames);
  });

  it('can be cancelled while waiting', () => {
    let [snapshot] = initialTransition(consumerMachine, input);
    [snapshot] = transition(consumerMachine, snapshot, { type: 'consume.standby' });
    [snapshot] = transition(consumerMachine, snapshot, { type: 'cancel.server' });
    expect(snapshot.value).toBe('cancelled');
    expect(snapshot.context.cancelledBy).toBe('server');
  });

  it('ignores events that do not apply (activate while active, anything once cancelled)', () => {
    let [snapshot] = initialTransition(consumerMachine, input);
    [snapshot] = transition(consumerMachine, snapshot, { type: 'consume.ok' });
    expect(snapshot.can({ type: 'activate' })).toBe(false);
    expect(transition(consumerMachine, snapshot, { type: 'activate' })[0].value).toBe('active');
    [snapshot] = transition(consumerMachine, snapshot, { type: 'cancel.client' });
    expect(snapshot.can({ type: 'consume.ok' })).toBe(false);
    expect(() => nextConsumerState('cancelled', 'activate')).toThrow('illegal consumer transition: cancelled --activate-->');
  });

  it('compiles a table that agrees with xstate', () => {
    const types = [...handledEventTypes(consumerMachine)];
    expect(types.sort()).toEqual(['activate', 'cancel.client', 'cancel.server', 'channel.closed', 'consume.ok', 'consume.standby']);
    expectTableMatchesMachine(consumerMachine, consumerTransitions, { ...input, cancelledBy: null }, types);
    expect(nextConsumerState('waiting', 'activate')).toBe('active');
  });
});
