// Publishing and routing through bindings of every exchange type. RabbitMQ's answers:
// tests/fixtures/RABBITMQ-BEHAVIOUR.md (mandatory.no-route, routing.topic, routing.headers,
// missing.exchange.ops).
import { describe, expect, it } from 'vitest';
import { Typed, type BasicProperties } from '../../../src/broker/index.ts';
import { drain, enc, expectChannelError, expectConnectionError, publish, setup } from './helpers.ts';

/** Declares one queue per binding key on exchange `x` of `type`; returns who got each key. */
function routes(type: string, bindings: Record<string, string>, keys: string[]): Record<string, string[]> {
  const { ch } = setup();
  ch.exchangeDeclare('x', type);
  for (const [queue, key] of Object.entries(bindings)) {
    ch.queueDeclare(queue);
    ch.queueBind(queue, 'x', key);
  }
  for (const k of keys) publish(ch, 'x', k, k);
  return Object.fromEntries(Object.keys(bindings).map((q) => [q, drain(ch, q)]));
}

describe('routing by exchange type', () => {
  it('direct: exact routing key, one copy per bound queue', () => {
    expect(routes('direct', { info: 'info', warn: 'warn', alsoInfo: 'info' }, ['info', 'warn', 'error', 'INFO'])).toEqual({
      info: ['info'],
      warn: ['warn'],
      alsoInfo: ['info'],
    });
  });

  it('fanout: every bound queue, whatever the key', () => {
    expect(routes('fanout', { a: '', b: 'ignored' }, ['x', ''])).toEqual({ a: ['x', ''], b: ['x', ''] });
  });

  it('topic: * is one word, # is zero or more', () => {
    const keys = ['', 'a', 'a.b', 'a.b.c', 'a.x.b', 'x.b', 'a..b', 'b.a'];
    expect(routes('topic', { star: 'a.*', hash: 'a.#', mid: 'a.*.b', tail: '#.b', all: '#', one: '*' }, keys)).toEqual({
      star: ['a.b'],
      hash: ['a', 'a.b', 'a.b.c', 'a.x.b', 'a..b'],
      mid: ['a.x.b', 'a..b'],
      tail: ['a.b', 'a.x.b', 'x.b', 'a..b'],
      all: keys,
      one: ['a'],
    });
  });

  it('headers: x-match all needs every pair, any needs one; x- keys and the routing key do not count', () => {
    const { ch } = setup();
    ch.exchangeDeclare('h', 'headers');
    ch.queueDeclare('all');
    ch.queueDeclare('any');
    ch.queueDeclare('default');
    ch.queueBind('all', 'h', 'ignored', { 'x-match': 'all', a: 1, b: 2 });
    ch.queueBind('any', 'h', '', { 'x-match': 'any', a: 1, b: 2 });
    ch.queueBind('default', 'h', '', { a: 1 });
    const send = (name: string, headers?: Record<string, unknown>) =>
      publish(ch, 'h', 'rk', name, headers === undefined ? {} : { headers: headers as never });
    send('a=1,b=2', { a: 1, b: 2 });
    send('a=1', { a: 1 });
    send('a=1,b=3', { a: 1, b: 3 });
    send("a='1'", { a: '1' });
    send('a=1 (int64)', { a: new Typed('int64', 1) });
    send('none');
    expect(drain(ch, 'all')).toEqual(['a=1,b=2']);
    expect(drain(ch, 'any')).toEqual(['a=1,b=2', 'a=1', 'a=1,b=3', 'a=1 (int64)']);
    expect(drain(ch, 'default')).toEqual(['a=1,b=2', 'a=1', 'a=1,b=3', 'a=1 (int64)']);
  });

  it('headers: refuses a binding with a bad x-match (406)', () => {
    const { ch } = setup();
    ch.exchangeDeclare('h', 'headers');
    ch.queueDeclare('q');
    expectChannelError(
      ch,
      () => ch.queueBind('q', 'h', '', { 'x-match': 'foo' }),
      406,
      'PRECONDITION_FAILED - Invalid x-match field value <<"foo">>; expected all, any, all-with-x, or any-with-x',
    );
  });

  it('unbind stops routing; binding twice is one binding', () => {
    const { ch, broker } = setup();
    ch.queueDeclare('q');
    ch.queueBind('q', 'amq.direct', 'k');
    ch.queueBind('q', 'amq.direct', 'k');
    expect(broker.vhost.exchanges.get('amq.direct')!.router.bindingCount).toBe(1);
    publish(ch, 'amq.direct', 'k', 'bound');
    ch.queueUnbind('q', 'amq.direct', 'k');
    publish(ch, 'amq.direct', 'k', 'unbound');
    expect(drain(ch, 'q')).toEqual(['bound']);
  });

  it('unbind only removes the binding with the same key and arguments', () => {
    const { ch } = setup();
    ch.queueDeclare('q');
    ch.queueBind('q', 'amq.direct', 'a');
    ch.queueBind('q', 'amq.direct', 'b');
    ch.queueUnbind('q', 'amq.direct', 'a');
    ch.queueUnbind('q', 'amq.direct', 'b', { extra: 1 });
    publish(ch, 'amq.direct', 'a', 'a');
    publish(ch, 'amq.direct', 'b', 'b');
    expect(drain(ch, 'q')).toEqual(['b']);
  });
});

describe('basic.publish', () => {
  it('hands every basic property to the consumer unchanged, with exchange and routing key', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('q');
    ch.queueBind('q', 'amq.topic', 'orders.*');
    ch.basicConsume('q', { noAck: true });
    const properties: BasicProperties = {
      contentType: 'application/json',
      contentEncoding: 'gzip',
      headers: { str: 's', int: 42, big: 1n << 40n, bool: true, nested: { a: [1, 'two'] }, bytes: new Uint8Array([1, 2]), nil: null },
      deliveryMode: 2,
      priority: 7,
      correlationId: 'corr-1',
      replyTo: 'replies',
      expiration: '60000',
      messageId: 'msg-1',
      timestamp: 1_700_000_000,
      type: 'order.created',
      userId: 'guest',
      appId: 'shop',
      clusterId: 'c1',
    };
    ch.basicPublish('amq.topic', 'orders.new', properties, enc('{"id":1}'));
    const d = sink.last();
    expect(d.properties).toEqual(properties);
    expect([d.exchange, d.routingKey, d.body, d.redelivered]).toEqual(['amq.topic', 'orders.new', '{"id":1}', false]);
  });

  it('shares one body between the copies a fan-out makes', () => {
    const { ch } = setup();
    ch.queueDeclare('a');
    ch.queueDeclare('b');
    ch.queueBind('a', 'amq.fanout', '');
    ch.queueBind('b', 'amq.fanout', '');
    const body = enc('big');
    ch.basicPublish('amq.fanout', '', {}, body);
    expect(ch.basicGet('a', true)!.message.body).toBe(body);
    expect(ch.basicGet('b', true)!.message.body).toBe(body);
  });

  it('returns an unroutable mandatory message (312 NO_ROUTE) and drops a non-mandatory one', () => {
    const { ch, sink } = setup();
    publish(ch, 'amq.direct', 'nowhere', 'm1', { headers: { h: 1 } }, true);
    publish(ch, '', 'no.such.queue', 'm2', {}, true);
    publish(ch, 'amq.direct', 'nowhere', 'quiet', {}, false);
    expect(sink.returns).toEqual([
      { replyCode: 312, replyText: 'NO_ROUTE', exchange: 'amq.direct', routingKey: 'nowhere', body: 'm1' },
      { replyCode: 312, replyText: 'NO_ROUTE', exchange: '', routingKey: 'no.such.queue', body: 'm2' },
    ]);
    expect(ch.open).toBe(true);
  });

  it('does not return a routed mandatory message', () => {
    const { ch, sink } = setup();
    ch.queueDeclare('q');
    publish(ch, '', 'q', 'm', {}, true);
    expect(sink.returns).toEqual([]);
  });

  it('refuses immediate=true by closing the connection (540)', () => {
    const { ch, broker } = setup();
    ch.queueDeclare('q');
    expectConnectionError(ch, () => ch.basicPublish('', 'q', {}, enc('m'), false, true), 540, 'NOT_IMPLEMENTED - immediate=true');
    expect(broker.vhost.queues.get('q')?.messageCount ?? 0).toBe(0);
  });

  it('to a missing exchange closes the channel (404), also in confirm mode', () => {
    const a = setup();
    expectChannelError(a.ch, () => publish(a.ch, 'nope.x', '', 'm'), 404, "NOT_FOUND - no exchange 'nope.x' in vhost '/'");
    const b = setup();
    b.ch.confirmSelect();
    expectChannelError(b.ch, () => publish(b.ch, 'nope.x', '', 'm'), 404, "NOT_FOUND - no exchange 'nope.x' in vhost '/'");
    expect(b.sink.confirms).toEqual([]);
  });

  it('on a closed channel is refused', () => {
    const { ch } = setup();
    ch.close();
    expect(() => publish(ch, '', 'q', 'm')).toThrow("CHANNEL_ERROR - expected 'channel.open'");
  });
});

describe('with nobody listening to events (the default exchange\'s fast path)', () => {
  it('routes, returns, refuses and confirms exactly as with listeners', () => {
    const { ch, sink, broker } = setup({ events: false });
    expect(broker.events.active).toBe(false);
    ch.queueDeclare('q', { arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    ch.confirmSelect();
    publish(ch, '', 'q', 'kept', {}, true);
    publish(ch, '', 'q', 'refused', {}, true);
    publish(ch, '', 'missing', 'returned', {}, true);
    expect(sink.confirms.map((c) => c.ack)).toEqual([true, false, true]);
    expect(sink.returns.map((r) => r.body)).toEqual(['returned']);
    expect(drain(ch, 'q')).toEqual(['kept']);
  });
});
