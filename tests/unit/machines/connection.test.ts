import { describe, expect, it } from 'vitest';
import { createActor, initialTransition, transition, type SnapshotFrom } from 'xstate';
import { connectionMachine, type ConnectionEvent } from '../../../src/machines/connection.ts';
import { stateLabel } from '../../../src/machines/shared.ts';

type Snapshot = SnapshotFrom<typeof connectionMachine>;

function recordingActor() {
  const done: string[] = [];
  const note = (name: string) => () => void done.push(name);
  const machine = connectionMachine.provide({
    actions: {
      sendProtocolHeader: note('protocol-header'),
      sendStart: note('connection.start'),
      sendTune: note('connection.tune'),
      sendOpenOk: note('connection.open-ok'),
      sendBlocked: note('connection.blocked'),
      sendUnblocked: note('connection.unblocked'),
      sendClose: note('connection.close'),
      sendCloseOk: note('connection.close-ok'),
      closeChannels: note('close channels'),
      closeSocket: note('close socket'),
    },
  });
  return { actor: createActor(machine, { input: { id: 3 } }).start(), done };
}

const handshake: ConnectionEvent[] = [
  { type: 'header.received' },
  { type: 'start-ok.received', user: 'guest' },
  { type: 'tune-ok.received' },
  { type: 'open.received', vhost: '/' },
];

const run = (events: ConnectionEvent[]): Snapshot => {
  let [snapshot] = initialTransition(connectionMachine, { id: 1 });
  for (const event of events) [snapshot] = transition(connectionMachine, snapshot, event);
  return snapshot;
};

describe('connection machine', () => {
  it('walks the handshake, sending each server method in order', () => {
    const { actor, done } = recordingActor();
    const seen = [stateLabel(actor.getSnapshot().value)];
    for (const event of handshake) {
      actor.send(event);
      seen.push(stateLabel(actor.getSnapshot().value));
    }
    expect(seen).toEqual(['awaitingHeader', 'starting', 'tuning', 'opening', 'open.unblocked']);
    expect(done).toEqual(['connection.start', 'connection.tune', 'connection.open-ok']);
    expect(actor.getSnapshot().context).toEqual({ id: 3, user: 'guest', vhost: '/', reason: null });
  });

  it('is blocked by a resource alarm and unblocked when it clears', () => {
    const { actor, done } = recordingActor();
    handshake.forEach((event) => actor.send(event));
    actor.send({ type: 'alarm.raised', reason: 'low on memory' });
    expect(actor.getSnapshot().value).toEqual({ open: 'blocked' });
    actor.send({ type: 'alarm.raised', reason: 'low on disk' }); // already blocked: nothing more
    actor.send({ type: 'alarm.cleared' });
    expect(actor.getSnapshot().value).toEqual({ open: 'unblocked' });
    expect(done.slice(3)).toEqual(['connection.blocked', 'connection.unblocked']);
  });

  it('closes when the client asks: close-ok, then channels and socket', () => {
    const { actor, done } = recordingActor();
    handshake.forEach((event) => actor.send(event));
    actor.send({ type: 'close.received', replyCode: 200, replyText: 'Goodbye' });
    expect(actor.getSnapshot().value).toBe('closed');
    expect(actor.getSnapshot().status).toBe('done');
    expect(actor.getSnapshot().context.reason).toEqual({ by: 'client', replyCode: 200, replyText: 'Goodbye' });
    expect(done.slice(3)).toEqual(['connection.close-ok', 'close channels', 'close socket']);
  });

  it('can close while blocked', () => {
    const s = run([...handshake, { type: 'alarm.raised', reason: 'low on memory' }, { type: 'close.received', replyCode: 200, replyText: 'bye' }]);
    expect(s.value).toBe('closed');
  });

  it.each<[string, ConnectionEvent]>([
    ['close-ok', { type: 'close-ok.received' }],
    ['a timeout', { type: 'timeout' }],
    ['a simultaneous close', { type: 'close.received', replyCode: 200, replyText: 'bye' }],
  ])('server-initiated close ends on %s, keeping the server reason', (_name, last) => {
    const forced = { type: 'close.sent', replyCode: 320, replyText: 'CONNECTION_FORCED - broker forced connection closure with reason \'shutdown\'' } as const;
    const closing = run([...handshake, forced]);
    expect(closing.value).toBe('closing');
    const closed = run([...handshake, forced, last]);
    expect(closed.value).toBe('closed');
    expect(closed.context.reason).toEqual({ by: 'server', replyCode: 320, replyText: forced.replyText });
  });

  it('ignores everything but close/close-ok while closing', () => {
    const closing = run([...handshake, { type: 'close.sent', replyCode: 504, replyText: 'CHANNEL_ERROR - expected \'channel.open\'' }]);
    expect(closing.can({ type: 'alarm.raised', reason: 'low on memory' })).toBe(false);
    expect(closing.can({ type: 'open.received', vhost: '/' })).toBe(false);
    expect(closing.can({ type: 'close-ok.received' })).toBe(true);
  });

  it.each([
    ['awaitingHeader', 0],
    ['starting', 1],
    ['tuning', 2],
    ['opening', 3],
    ['open', 4],
  ] as const)('goes to closed when the socket drops in %s', (state, steps) => {
    const before = run(handshake.slice(0, steps));
    expect(stateLabel(before.value).split('.')[0]).toBe(state);
    const [after] = transition(connectionMachine, before, { type: 'socket.closed' });
    expect(after.value).toBe('closed');
    expect(after.context.reason).toEqual({ by: 'network', replyCode: null, replyText: 'client unexpectedly closed TCP connection' });
  });

  it('keeps the first reason when the socket closes after a server close', () => {
    const s = run([...handshake, { type: 'close.sent', replyCode: 320, replyText: 'CONNECTION_FORCED - x' }, { type: 'socket.closed', reason: 'missed heartbeats from client, timeout: 60s' }]);
    expect(s.value).toBe('closed');
    expect(s.context.reason?.replyCode).toBe(320);
  });

  it('answers a bad protocol header with its own and hangs up', () => {
    const { actor, done } = recordingActor();
    actor.send({ type: 'header.invalid' });
    expect(actor.getSnapshot().value).toBe('closed');
    expect(actor.getSnapshot().context.reason).toEqual({ by: 'server', replyCode: null, replyText: 'invalid AMQP protocol header' });
    expect(done).toEqual(['protocol-header', 'close channels', 'close socket']);
  });

  it('closes on an auth failure with the reason, without waiting for close-ok', () => {
    const { actor, done } = recordingActor();
    actor.send({ type: 'header.received' });
    const replyText = 'ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile.';
    actor.send({ type: 'handshake.failed', replyCode: 403, replyText });
    expect(actor.getSnapshot().value).toBe('closed');
    expect(actor.getSnapshot().context.reason).toEqual({ by: 'server', replyCode: 403, replyText });
    expect(actor.getSnapshot().context.user).toBeNull();
    expect(done).toEqual(['connection.start', 'connection.close', 'close channels', 'close socket']);
  });

  it('closes on an unknown vhost and on a handshake timeout', () => {
    const vhost = run([...handshake.slice(0, 3), { type: 'handshake.failed', replyCode: 530, replyText: 'NOT_ALLOWED - vhost nope not found' }]);
    expect(vhost.value).toBe('closed');
    expect(vhost.context.reason?.replyCode).toBe(530);
    const slow = run([handshake[0]!, { type: 'timeout' }]);
    expect(slow.context.reason).toEqual({ by: 'server', replyCode: null, replyText: 'handshake_timeout' });
  });

  it('ignores out-of-order handshake methods', () => {
    const starting = run(handshake.slice(0, 1));
    for (const event of [{ type: 'open.received', vhost: '/' }, { type: 'tune-ok.received' }, { type: 'close.received', replyCode: 200, replyText: '' }] as const) {
      expect(starting.can(event), event.type).toBe(false);
      expect(transition(connectionMachine, starting, event)[0].value).toBe('starting');
    }
    expect(run([]).can({ type: 'alarm.raised', reason: 'low on memory' })).toBe(false);
  });

  it('ignores every event once closed', () => {
    const closed = run([{ type: 'socket.closed' }]);
    expect(closed.status).toBe('done');
    expect(transition(connectionMachine, closed, { type: 'header.received' })[0].value).toBe('closed');
    expect(closed.can({ type: 'socket.closed' })).toBe(false);
  });
});
