// Publisher confirms and transactions. RabbitMQ's answers: tests/fixtures/RABBITMQ-BEHAVIOUR.md
// (tx-confirm, overflow.classic, mandatory.no-route).
import { describe, expect, it } from 'vitest';
import { dec, drain, expectChannelError, publish, publishAll, readyCount, setup } from './helpers.ts';

describe('publisher confirms', () => {
  it('acks each publish with a per-channel sequence number starting at 1', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    w.ch.confirmSelect();
    w.ch.confirmSelect();
    publishAll(w.ch, 'q', ['a', 'b']);
    expect(w.sink.confirms).toEqual([
      { deliveryTag: 1, multiple: false, ack: true },
      { deliveryTag: 2, multiple: false, ack: true },
    ]);
    const other = w.channel();
    other.ch.confirmSelect();
    publishAll(other.ch, 'q', ['c']);
    expect(other.sink.confirms).toEqual([{ deliveryTag: 1, multiple: false, ack: true }]);
  });

  it('coalesces a run of acks into one basic.ack multiple when confirms are batched', () => {
    const { ch, sink, broker } = setup();
    broker.batchConfirms = true;
    ch.queueDeclare('q');
    ch.confirmSelect();
    publishAll(ch, 'q', ['a', 'b', 'c']);
    expect(sink.confirms).toEqual([]);
    broker.flushConfirms();
    expect(sink.confirms).toEqual([{ deliveryTag: 3, multiple: true, ack: true }]);
  });

  it('keeps a nack in its place between runs of acks', () => {
    const { ch, sink, broker } = setup();
    broker.batchConfirms = true;
    ch.queueDeclare('q', { arguments: { 'x-max-length': 2, 'x-overflow': 'reject-publish' } });
    ch.queueDeclare('free');
    ch.confirmSelect();
    publishAll(ch, 'q', ['1', '2', '3']);
    publishAll(ch, 'free', ['4']);
    broker.flushConfirms();
    expect(sink.confirms).toEqual([
      { deliveryTag: 2, multiple: true, ack: true },
      { deliveryTag: 3, multiple: false, ack: false },
      { deliveryTag: 4, multiple: false, ack: true },
    ]);
  });

  it('acks unroutable messages too: a mandatory one is returned first, then acked', () => {
    const { ch, sink, events } = setup();
    ch.confirmSelect();
    publish(ch, 'amq.direct', 'nowhere', 'm', {}, true);
    publish(ch, 'amq.direct', 'nowhere', 'quiet');
    expect(sink.returns.map((r) => r.body)).toEqual(['m']);
    expect(sink.confirms).toEqual([
      { deliveryTag: 1, multiple: false, ack: true },
      { deliveryTag: 2, multiple: false, ack: true },
    ]);
    const order = events.filter((e) => e.type === 'message.returned' || e.type === 'message.confirmed').map((e) => e.type);
    expect(order).toEqual(['message.returned', 'message.confirmed', 'message.confirmed']);
  });

  it('does not confirm outside confirm mode', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('q');
    publishAll(ch, 'q', ['a']);
    expect(sink.confirms).toEqual([]);
  });
});

describe('transactions', () => {
  it('hold publishes until commit; rollback discards them', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    w.ch.txSelect();
    w.ch.txSelect();
    publishAll(w.ch, 'q', ['rolled-back']);
    expect(readyCount(w.channel().ch, 'q')).toBe(0);
    w.ch.txRollback();
    expect(readyCount(w.channel().ch, 'q')).toBe(0);
    publishAll(w.ch, 'q', ['committed-1', 'committed-2']);
    expect(readyCount(w.channel().ch, 'q')).toBe(0);
    w.ch.txCommit();
    expect(drain(w.channel().ch, 'q')).toEqual(['committed-1', 'committed-2']);
  });

  it('hold acks until commit', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    publishAll(w.ch, 'q', ['m']);
    w.ch.txSelect();
    const { deliveryTag } = w.ch.basicGet('q', false)!;
    w.ch.basicAck(deliveryTag);
    expect(w.broker.vhost.queues.get('q')!.unackedCount).toBe(1);
    w.ch.txCommit();
    expect(w.broker.vhost.queues.get('q')!.unackedCount).toBe(0);
    w.ch.close();
    expect(readyCount(w.channel().ch, 'q')).toBe(0);
  });

  it('rollback restores acked messages as unacked: the tag can be acked again, or they come back on close', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    publishAll(w.ch, 'q', ['a', 'b']);
    w.ch.txSelect();
    const a = w.ch.basicGet('q', false)!;
    const b = w.ch.basicGet('q', false)!;
    w.ch.basicAck(b.deliveryTag, true);
    w.ch.txRollback();
    expect(w.ch.unacked.count).toBe(2);
    w.ch.basicAck(a.deliveryTag);
    w.ch.txCommit();
    w.ch.close();
    expect(drain(w.channel().ch, 'q')).toEqual(['b']);
  });

  it('hold nacks and rejects until commit too', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    publishAll(w.ch, 'q', ['m']);
    w.ch.txSelect();
    w.ch.basicReject(w.ch.basicGet('q', false)!.deliveryTag, true);
    expect(readyCount(w.channel().ch, 'q')).toBe(0);
    w.ch.txCommit();
    expect(readyCount(w.channel().ch, 'q')).toBe(1);
  });

  it('return an unroutable mandatory message at commit', () => {
    const { ch, sink } = setup();
    ch.txSelect();
    publish(ch, 'amq.direct', 'nowhere', 'm', {}, true);
    expect(sink.returns).toEqual([]);
    ch.txCommit();
    expect(sink.returns.map((r) => [r.replyCode, r.replyText, r.body])).toEqual([[312, 'NO_ROUTE', 'm']]);
  });

  it('refuse a publish to a missing exchange at once, not at commit (404)', () => {
    const { ch } = setup();
    ch.txSelect();
    expectChannelError(ch, () => publish(ch, 'nope.x', '', 'm'), 404, "NOT_FOUND - no exchange 'nope.x' in vhost '/'");
  });

  it.each([
    [{ expiration: 'soon' }, "PRECONDITION_FAILED - invalid expiration 'soon': no_integer"],
    [{ headers: { CC: 'audit' } }, 'PRECONDITION_FAILED - invalid message: {unacceptable_type_in_header,"CC",longstr}'],
  ])('refuse a publish RabbitMQ cannot accept at once, not at commit (%o)', (properties, text) => {
    const { ch } = setup();
    ch.queueDeclare('q');
    ch.txSelect();
    expectChannelError(ch, () => publish(ch, '', 'q', 'm', properties), 406, text);
  });

  it('are forgotten when the channel closes: uncommitted publishes are lost', () => {
    const w = setup();
    w.ch.queueDeclare('q');
    w.ch.txSelect();
    publishAll(w.ch, 'q', ['never']);
    w.ch.close();
    expect(readyCount(w.channel().ch, 'q')).toBe(0);
  });
});

describe('mode errors (406)', () => {
  it.each([
    ['confirm.select after tx.select', (w: ReturnType<typeof setup>) => (w.ch.txSelect(), w.ch.confirmSelect()), 'cannot switch from tx to confirm mode'],
    ['tx.select after confirm.select', (w: ReturnType<typeof setup>) => (w.ch.confirmSelect(), w.ch.txSelect()), 'cannot switch from confirm to tx mode'],
    ['tx.commit without tx.select', (w: ReturnType<typeof setup>) => w.ch.txCommit(), 'channel is not transactional'],
    ['tx.rollback without tx.select', (w: ReturnType<typeof setup>) => w.ch.txRollback(), 'channel is not transactional'],
  ])('%s', (_, op, detail) => {
    const w = setup();
    expectChannelError(w.ch, () => op(w), 406, `PRECONDITION_FAILED - ${detail}`);
  });
});

describe('a transaction left uncommitted when its channel closes', () => {
  it('requeues the deliveries it had acked, redelivered, as RabbitMQ does', () => {
    const { ch, channel } = setup();
    ch.queueDeclare('tasks');
    publishAll(ch, 'tasks', ['t1', 't2']);
    ch.txSelect();
    const first = ch.basicGet('tasks', false)!;
    ch.basicGet('tasks', false);
    ch.basicAck(first.deliveryTag);
    ch.close();
    const other = channel().ch;
    const again = [other.basicGet('tasks', true)!, other.basicGet('tasks', true)!];
    expect(again.map((r) => [dec(r.message.body), r.redelivered])).toEqual([['t1', true], ['t2', true]]);
  });
});
