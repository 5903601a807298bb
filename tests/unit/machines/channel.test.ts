import { describe, expect, it } from 'vitest';
import { createActor, initialTransition, transition } from 'xstate';
import {
  channelMachine,
  channelRefusal,
  publishingMode,
  type ChannelEvent,
  type ChannelSnapshot,
} from '../../../src/machines/channel.ts';

const input = { id: 1, connection: 7 };

const run = (events: ChannelEvent[]): ChannelSnapshot => {
  let [snapshot] = initialTransition(channelMachine, input);
  for (const event of events) [snapshot] = transition(channelMachine, snapshot, event);
  return snapshot;
};

const opened: ChannelEvent[] = [{ type: 'open.ok' }];

function recordingActor() {
  const done: string[] = [];
  const note = (name: string) => () => void done.push(name);
  const machine = channelMachine.provide({
    actions: {
      sendOpenOk: note('channel.open-ok'),
      sendFlowOk: note('channel.flow-ok'),
      sendConfirmSelectOk: note('confirm.select-ok'),
      sendTxSelectOk: note('tx.select-ok'),
      commitTx: note('tx.commit-ok'),
      rollbackTx: note('tx.rollback-ok'),
      sendClose: note('channel.close'),
      sendCloseOk: note('channel.close-ok'),
      cancelConsumers: note('cancel consumers'),
      requeueUnacked: note('requeue unacked'),
    },
  });
  return { actor: createActor(machine, { input }).start(), done };
}

describe('channel machine', () => {
  it('opens, then closes when the client asks', () => {
    const { actor, done } = recordingActor();
    expect(actor.getSnapshot().value).toBe('opening');
    actor.send({ type: 'open.ok' });
    expect(actor.getSnapshot().value).toEqual({ open: 'normal' });
    actor.send({ type: 'close.received', replyCode: 200, replyText: 'Goodbye' });
    expect(actor.getSnapshot().value).toBe('closed');
    expect(actor.getSnapshot().status).toBe('done');
    expect(actor.getSnapshot().context).toEqual({ ...input, reason: { by: 'client', replyCode: 200, replyText: 'Goodbye' } });
    expect(done).toEqual(['channel.open-ok', 'channel.close-ok', 'cancel consumers', 'requeue unacked']);
  });

  it('closes on a channel error after the client confirms with close-ok', () => {
    const replyText = "NOT_FOUND - no queue 'nope' in vhost '/'";
    const closing = run([...opened, { type: 'close.sent', replyCode: 404, replyText }]);
    expect(closing.value).toBe('closing');
    // After channel.close the spec says: discard everything but close and close-ok.
    expect(closing.can({ type: 'confirm.select' })).toBe(false);
    expect(channelRefusal(closing, { type: 'tx.commit' })).toBeNull();
    const [closed] = transition(channelMachine, closing, { type: 'close-ok.received' });
    expect(closed.value).toBe('closed');
    expect(closed.context.reason).toEqual({ by: 'server', replyCode: 404, replyText });
    const [both] = transition(channelMachine, closing, { type: 'close.received', replyCode: 200, replyText: '' });
    expect(both.value).toBe('closed');
    expect(both.context.reason?.by).toBe('server');
  });

  it.each<[string, ChannelEvent[]]>([
    ['opening', []],
    ['open', opened],
    ['confirm mode', [...opened, { type: 'confirm.select' }]],
    ['closing', [...opened, { type: 'close.sent', replyCode: 406, replyText: 'PRECONDITION_FAILED - x' }]],
  ])('closes with its connection while %s', (_name, events) => {
    const [closed] = transition(channelMachine, run(events), { type: 'connection.closed' });
    expect(closed.value).toBe('closed');
    expect(closed.context.reason?.by).toBe(events.length === 2 && events[1]!.type === 'close.sent' ? 'server' : 'connection');
  });

  it('switches to confirm mode, and confirm.select again is a no-op select-ok', () => {
    const { actor, done } = recordingActor();
    actor.send({ type: 'open.ok' });
    actor.send({ type: 'confirm.select' });
    actor.send({ type: 'confirm.select' });
    expect(actor.getSnapshot().value).toEqual({ open: 'confirm' });
    expect(publishingMode(actor.getSnapshot())).toBe('confirm');
    expect(done).toEqual(['channel.open-ok', 'confirm.select-ok', 'confirm.select-ok']);
  });

  it('switches to transactional mode, commits and rolls back', () => {
    const { actor, done } = recordingActor();
    for (const type of ['open.ok', 'tx.select', 'tx.select', 'tx.commit', 'tx.rollback'] as const) actor.send({ type });
    expect(publishingMode(actor.getSnapshot())).toBe('transactional');
    expect(done).toEqual(['channel.open-ok', 'tx.select-ok', 'tx.select-ok', 'tx.commit-ok', 'tx.rollback-ok']);
  });

  it('refuses switching between confirm and tx with RabbitMQ\'s errors', () => {
    const confirm = run([...opened, { type: 'confirm.select' }]);
    expect(confirm.can({ type: 'tx.select' })).toBe(false);
    expect(channelRefusal(confirm, { type: 'tx.select' })).toEqual({
      code: 'PRECONDITION_FAILED',
      detail: 'cannot switch from confirm to tx mode',
    });
    const tx = run([...opened, { type: 'tx.select' }]);
    expect(tx.can({ type: 'confirm.select' })).toBe(false);
    expect(channelRefusal(tx, { type: 'confirm.select' })).toEqual({
      code: 'PRECONDITION_FAILED',
      detail: 'cannot switch from tx to confirm mode',
    });
    // A refused event leaves the machine where it was.
    expect(transition(channelMachine, tx, { type: 'confirm.select' })[0].value).toEqual({ open: 'transactional' });
  });

  it('refuses tx.commit and tx.rollback outside a transaction', () => {
    for (const events of [opened, [...opened, { type: 'confirm.select' } as const]]) {
      const s = run(events);
      for (const type of ['tx.commit', 'tx.rollback'] as const) {
        expect(channelRefusal(s, { type })).toEqual({ code: 'PRECONDITION_FAILED', detail: 'channel is not transactional' });
      }
    }
  });

  it('accepts what it allows without a refusal', () => {
    const normal = run(opened);
    for (const event of [{ type: 'confirm.select' }, { type: 'tx.select' }, { type: 'flow', active: true }] as const) {
      expect(channelRefusal(normal, event)).toBeNull();
    }
    expect(channelRefusal(run([]), { type: 'tx.select' })).toBeNull(); // not open: not a mode error
  });

  it('answers flow active=true with flow-ok and refuses active=false like RabbitMQ', () => {
    const { actor, done } = recordingActor();
    actor.send({ type: 'open.ok' });
    actor.send({ type: 'flow', active: true });
    expect(done).toEqual(['channel.open-ok', 'channel.flow-ok']);
    const snapshot = actor.getSnapshot();
    expect(snapshot.can({ type: 'flow', active: false })).toBe(false);
    expect(channelRefusal(snapshot, { type: 'flow', active: false })).toEqual({ code: 'NOT_IMPLEMENTED', detail: 'active=false' });
  });

  it('has no publishing mode unless open', () => {
    expect(publishingMode(run([]))).toBeNull();
    expect(publishingMode(run(opened))).toBe('normal');
    expect(publishingMode(run([...opened, { type: 'close.received', replyCode: 200, replyText: '' }]))).toBeNull();
  });

  it('ignores methods before open-ok', () => {
    const opening = run([]);
    expect(opening.can({ type: 'confirm.select' })).toBe(false);
    expect(transition(channelMachine, opening, { type: 'tx.select' })[0].value).toBe('opening');
  });
});
