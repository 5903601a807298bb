// Exchanges in the core, against RabbitMQ 3.10's answers (tests/fixtures/RABBITMQ-BEHAVIOUR.md:
// reserved.names, exchange.eq.*, exchange.unknown-type, exchange.internal-publish,
// delete.conditional, missing.exchange.ops).
import { describe, expect, it } from 'vitest';
import { drain, expectChannelError, expectConnectionError, publish, setup } from './helpers.ts';

describe('the vhost "/" as it starts', () => {
  it('has the default exchange and the five amq.* exchanges, each of its type and durable', () => {
    const { broker } = setup();
    const found = [...broker.vhost.exchanges.values()].map((x) => [x.name, x.type, x.durable]);
    expect(found).toEqual([
      ['', 'direct', true],
      ['amq.direct', 'direct', true],
      ['amq.fanout', 'fanout', true],
      ['amq.topic', 'topic', true],
      ['amq.headers', 'headers', true],
      ['amq.match', 'headers', true],
    ]);
  });

  it('routes through the default exchange by queue name, with no binding declared', () => {
    const { ch } = setup();
    ch.queueDeclare('hello');
    publish(ch, '', 'hello', 'hi');
    publish(ch, '', 'nobody', 'lost');
    expect(drain(ch, 'hello')).toEqual(['hi']);
  });

  it('lets amq.* exchanges be passively declared and redeclared with their own properties', () => {
    const { ch } = setup();
    ch.exchangeDeclare('amq.topic', 'topic', { passive: true });
    ch.exchangeDeclare('amq.direct', 'direct', { durable: true });
    expect(ch.open).toBe(true);
  });

  it('refuses to redeclare amq.direct differently (406), not as a reserved name', () => {
    const { ch } = setup();
    expectChannelError(
      ch,
      () => ch.exchangeDeclare('amq.direct', 'fanout', { durable: true }),
      406,
      "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'amq.direct' in vhost '/': received 'fanout' but current is 'direct'",
    );
    const w = setup();
    expectChannelError(
      w.ch,
      () => w.ch.exchangeDeclare('amq.direct', 'direct', { durable: false }),
      406,
      "PRECONDITION_FAILED - inequivalent arg 'durable' for exchange 'amq.direct' in vhost '/': received 'false' but current is 'true'",
    );
  });

  it('reserves the amq. prefix for new exchanges and queues (403)', () => {
    const a = setup();
    expectChannelError(a.ch, () => a.ch.exchangeDeclare('amq.foo', 'direct'), 403, "ACCESS_REFUSED - exchange name 'amq.foo' contains reserved prefix 'amq.*'");
    const b = setup();
    expectChannelError(b.ch, () => b.ch.queueDeclare('amq.foo'), 403, "ACCESS_REFUSED - queue name 'amq.foo' contains reserved prefix 'amq.*'");
    const c = setup();
    expectChannelError(c.ch, () => c.ch.queueDeclare('amq.gen-abc'), 403, "ACCESS_REFUSED - queue name 'amq.gen-abc' contains reserved prefix 'amq.*'");
    expect(c.broker.vhost.exchanges.has('amq.foo')).toBe(false);
  });

  it('answers a passive declare of a missing amq. queue with 404, not 403', () => {
    const { ch } = setup();
    expectChannelError(ch, () => ch.queueDeclare('amq.foo', { passive: true }), 404, "NOT_FOUND - no queue 'amq.foo' in vhost '/'");
  });

  it('refuses to delete system exchanges, present or not (403)', () => {
    const a = setup();
    expectChannelError(a.ch, () => a.ch.exchangeDelete('amq.direct'), 403, "ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed");
    expect(a.broker.vhost.exchanges.has('amq.direct')).toBe(true);
    const b = setup();
    expectChannelError(b.ch, () => b.ch.exchangeDelete('amq.foo'), 403, "ACCESS_REFUSED - deletion of system exchange 'amq.foo' in vhost '/' not allowed");
  });

  it.each([
    ['exchange.declare', (w: ReturnType<typeof setup>) => w.ch.exchangeDeclare('', 'direct')],
    ['exchange.declare passive', (w: ReturnType<typeof setup>) => w.ch.exchangeDeclare('', 'direct', { passive: true })],
    ['exchange.delete', (w: ReturnType<typeof setup>) => w.ch.exchangeDelete('')],
    ['queue.bind', (w: ReturnType<typeof setup>) => w.ch.queueBind('q', '', 'q')],
    ['queue.unbind', (w: ReturnType<typeof setup>) => w.ch.queueUnbind('q', '', 'q')],
    ['exchange.bind (destination)', (w: ReturnType<typeof setup>) => w.ch.exchangeBind('', 'amq.fanout', 'k')],
    ['exchange.bind (source)', (w: ReturnType<typeof setup>) => w.ch.exchangeBind('amq.fanout', '', 'k')],
  ])('refuses %s on the default exchange (403)', (_, op) => {
    const w = setup();
    w.ch.queueDeclare('q');
    const ch = w.ch;
    expectChannelError(ch, () => op(w), 403, 'ACCESS_REFUSED - operation not permitted on the default exchange');
    expect(w.broker.vhost.exchanges.has('')).toBe(true);
  });

  it('has no amq.default exchange (404), unlike the spec', () => {
    const { ch } = setup();
    ch.queueDeclare('q');
    expectChannelError(ch, () => ch.queueBind('q', 'amq.default', 'k'), 404, "NOT_FOUND - no exchange 'amq.default' in vhost '/'");
  });
});

describe('exchange.declare', () => {
  it.each(['direct', 'fanout', 'topic', 'headers'])('declares a %s exchange with its flags and arguments', (type) => {
    const { ch, broker } = setup();
    ch.exchangeDeclare('x', type, { durable: true, autoDelete: false, internal: false, arguments: { 'alternate-exchange': 'ae' } });
    const x = broker.vhost.exchanges.get('x')!;
    expect([x.type, x.durable, x.autoDelete, x.internal, x.alternateExchange]).toEqual([type, true, false, false, 'ae']);
  });

  it('is idempotent with the same properties', () => {
    const { ch, broker } = setup();
    ch.exchangeDeclare('logs', 'fanout');
    ch.exchangeDeclare('logs', 'fanout');
    expect(broker.vhost.exchanges.get('logs')!.type).toBe('fanout');
    expect(ch.open).toBe(true);
  });

  it('answers passive declare of a missing exchange with 404 and closes the channel', () => {
    const { ch } = setup();
    expectChannelError(ch, () => ch.exchangeDeclare('nope', 'direct', { passive: true }), 404, "NOT_FOUND - no exchange 'nope' in vhost '/'");
  });

  it('ignores type and flags on a passive declare of an existing exchange', () => {
    const { ch } = setup();
    ch.exchangeDeclare('x', 'direct');
    ch.exchangeDeclare('x', 'fanout', { passive: true, durable: true });
    ch.exchangeDeclare('x', 'no-such-type', { passive: true });
    expect(ch.open).toBe(true);
  });

  it.each([
    ['type', { type: 'fanout' }, "received 'fanout' but current is 'direct'"],
    ['durable', { durable: true }, "received 'true' but current is 'false'"],
    ['auto_delete', { autoDelete: true }, "received 'true' but current is 'false'"],
    ['internal', { internal: true }, "received 'true' but current is 'false'"],
  ] as const)('refuses a redeclare with another %s (406)', (field, change, detail) => {
    const { ch } = setup();
    ch.exchangeDeclare('x', 'direct');
    const { type = 'direct', ...flags } = change as { type?: string; durable?: boolean; autoDelete?: boolean; internal?: boolean };
    expectChannelError(ch, () => ch.exchangeDeclare('x', type, flags), 406, `PRECONDITION_FAILED - inequivalent arg '${field}' for exchange 'x' in vhost '/': ${detail}`);
  });

  it('compares alternate-exchange on redeclare, both shapes of RabbitMQ text', () => {
    const a = setup();
    a.ch.exchangeDeclare('x', 'direct', { arguments: { 'alternate-exchange': 'ae1' } });
    expectChannelError(
      a.ch,
      () => a.ch.exchangeDeclare('x', 'direct', { arguments: { 'alternate-exchange': 'ae2' } }),
      406,
      "PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'x' in vhost '/': received 'ae2' but current is 'ae1'",
    );
    const b = setup();
    b.ch.exchangeDeclare('x', 'direct');
    expectChannelError(
      b.ch,
      () => b.ch.exchangeDeclare('x', 'direct', { arguments: { 'alternate-exchange': 'b' } }),
      406,
      "PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'x' in vhost '/': received the value 'b' of type 'longstr' but current is none",
    );
  });

  it('ignores other arguments on redeclare, as RabbitMQ does', () => {
    const { ch } = setup();
    ch.exchangeDeclare('x', 'direct', { arguments: { 'x-foo': 1 } });
    ch.exchangeDeclare('x', 'direct', { arguments: { 'x-foo': 2 } });
    expect(ch.open).toBe(true);
  });

  it('closes the connection (503) for an unknown exchange type, in RabbitMQ\'s two wordings', () => {
    const a = setup();
    expectConnectionError(a.ch, () => a.ch.exchangeDeclare('x', 'foo'), 503, "COMMAND_INVALID - invalid exchange type 'foo'");
    const b = setup();
    expectConnectionError(b.ch, () => b.ch.exchangeDeclare('x', 'x-delayed-message'), 503, "COMMAND_INVALID - unknown exchange type 'x-delayed-message'");
    const c = setup();
    expectConnectionError(c.ch, () => c.ch.exchangeDeclare('x', 'Direct'), 503, "COMMAND_INVALID - unknown exchange type 'Direct'");
    expect(c.broker.vhost.exchanges.has('x')).toBe(false);
  });

  it('checks the type before the name: a bad type on amq.foo is a connection error', () => {
    const { ch } = setup();
    expectConnectionError(ch, () => ch.exchangeDeclare('amq.foo', 'x-delayed-message'), 503, "COMMAND_INVALID - unknown exchange type 'x-delayed-message'");
  });
});

describe('exchange.delete', () => {
  it('deletes an exchange and its bindings; deleting a missing one succeeds', () => {
    const { ch, broker } = setup();
    ch.exchangeDeclare('x', 'fanout');
    ch.queueDeclare('q');
    ch.queueBind('q', 'x', '');
    ch.exchangeDelete('x');
    ch.exchangeDelete('x');
    expect(broker.vhost.exchanges.has('x')).toBe(false);
    expectChannelError(ch, () => publish(ch, 'x', '', 'm'), 404, "NOT_FOUND - no exchange 'x' in vhost '/'");
  });

  it('if-unused refuses while the exchange has bindings (406 "in use")', () => {
    const { ch, broker } = setup();
    ch.exchangeDeclare('x', 'direct');
    ch.queueDeclare('q');
    ch.queueBind('q', 'x', 'k');
    expectChannelError(ch, () => ch.exchangeDelete('x', { ifUnused: true }), 406, "PRECONDITION_FAILED - exchange 'x' in vhost '/' in use");
    expect(broker.vhost.exchanges.has('x')).toBe(true);
  });

  it('if-unused deletes an exchange that is only a binding destination', () => {
    const { ch, broker } = setup();
    ch.exchangeDeclare('x2', 'direct');
    ch.exchangeBind('x2', 'amq.fanout', 'k');
    ch.exchangeDelete('x2', { ifUnused: true });
    expect(broker.vhost.exchanges.has('x2')).toBe(false);
    expect([...broker.vhost.exchanges.get('amq.fanout')!.router.bindings()]).toEqual([]);
  });
});

describe('exchange-to-exchange bindings', () => {
  it('routes through a chain of exchanges and stops when unbound', () => {
    const { ch } = setup();
    ch.exchangeDeclare('front', 'topic');
    ch.exchangeDeclare('back', 'fanout');
    ch.queueDeclare('q');
    ch.queueBind('q', 'back', '');
    ch.exchangeBind('back', 'front', 'orders.*');
    publish(ch, 'front', 'orders.new', 'in');
    publish(ch, 'front', 'users.new', 'out');
    ch.exchangeUnbind('back', 'front', 'orders.*');
    publish(ch, 'front', 'orders.new', 'after unbind');
    expect(drain(ch, 'q')).toEqual(['in']);
  });

  it('delivers one copy to a queue reachable by two paths, and survives a cycle', () => {
    const { ch } = setup();
    ch.exchangeDeclare('a', 'fanout');
    ch.exchangeDeclare('b', 'fanout');
    ch.queueDeclare('q');
    ch.queueBind('q', 'a', '');
    ch.queueBind('q', 'b', '');
    ch.exchangeBind('b', 'a', '');
    ch.exchangeBind('a', 'b', '');
    publish(ch, 'a', '', 'once');
    expect(drain(ch, 'q')).toEqual(['once']);
  });

  it('refuses a binding to or from a missing exchange (404)', () => {
    const a = setup();
    expectChannelError(a.ch, () => a.ch.exchangeBind('nope', 'amq.fanout', ''), 404, "NOT_FOUND - no exchange 'nope' in vhost '/'");
    const b = setup();
    expectChannelError(b.ch, () => b.ch.exchangeBind('amq.fanout', 'nope', ''), 404, "NOT_FOUND - no exchange 'nope' in vhost '/'");
  });

  it('routes through an internal exchange that clients cannot publish to', () => {
    const { ch } = setup();
    ch.exchangeDeclare('front', 'direct');
    ch.exchangeDeclare('inner', 'fanout', { internal: true });
    ch.queueDeclare('q');
    ch.queueBind('q', 'inner', '');
    ch.exchangeBind('inner', 'front', 'k');
    publish(ch, 'front', 'k', 'through-e2e');
    expect(drain(ch, 'q')).toEqual(['through-e2e']);
    expectChannelError(ch, () => publish(ch, 'inner', '', 'direct'), 403, "ACCESS_REFUSED - cannot publish to internal exchange 'inner' in vhost '/'");
  });
});

describe('alternate exchanges', () => {
  it('take the messages the exchange cannot route, and only those', () => {
    const { ch } = setup();
    ch.exchangeDeclare('unrouted', 'fanout');
    ch.queueDeclare('lost');
    ch.queueBind('lost', 'unrouted', '');
    ch.exchangeDeclare('orders', 'direct', { arguments: { 'alternate-exchange': 'unrouted' } });
    ch.queueDeclare('new');
    ch.queueBind('new', 'orders', 'new');
    publish(ch, 'orders', 'new', 'routed');
    publish(ch, 'orders', 'bogus', 'to-ae', {}, true);
    expect(drain(ch, 'new')).toEqual(['routed']);
    expect(drain(ch, 'lost')).toEqual(['to-ae']);
  });

  it('count as a route: a mandatory message they take is not returned', () => {
    const { ch, sink } = setup();
    ch.exchangeDeclare('ae', 'fanout');
    ch.queueDeclare('lost');
    ch.queueBind('lost', 'ae', '');
    ch.exchangeDeclare('x', 'direct', { arguments: { 'alternate-exchange': 'ae' } });
    publish(ch, 'x', 'nowhere', 'm', {}, true);
    expect(sink.returns).toEqual([]);
  });

  it('that do not exist leave the message unroutable (returned when mandatory)', () => {
    const { ch, sink } = setup();
    ch.exchangeDeclare('x', 'direct', { arguments: { 'alternate-exchange': 'missing' } });
    publish(ch, 'x', 'k', 'm', {}, true);
    expect(sink.returns.map((r) => [r.replyCode, r.replyText, r.body])).toEqual([[312, 'NO_ROUTE', 'm']]);
  });
});

describe('auto-delete exchanges', () => {
  it('stay until their first binding goes, then go with their last binding', () => {
    const { ch, broker } = setup();
    ch.exchangeDeclare('ad', 'direct', { autoDelete: true });
    expect(broker.vhost.exchanges.has('ad')).toBe(true);
    ch.queueDeclare('q1');
    ch.queueDeclare('q2');
    ch.queueBind('q1', 'ad', 'k');
    ch.queueBind('q2', 'ad', 'k');
    ch.queueUnbind('q1', 'ad', 'k');
    expect(broker.vhost.exchanges.has('ad')).toBe(true);
    ch.queueUnbind('q2', 'ad', 'k');
    expect(broker.vhost.exchanges.has('ad')).toBe(false);
    expectChannelError(ch, () => ch.exchangeDeclare('ad', 'direct', { passive: true }), 404, "NOT_FOUND - no exchange 'ad' in vhost '/'");
  });

  it('go when the queue holding their last binding is deleted', () => {
    const { ch, broker } = setup();
    ch.exchangeDeclare('ad', 'fanout', { autoDelete: true });
    ch.queueDeclare('q');
    ch.queueBind('q', 'ad', '');
    ch.queueDelete('q');
    expect(broker.vhost.exchanges.has('ad')).toBe(false);
  });
});
