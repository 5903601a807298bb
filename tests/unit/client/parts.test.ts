// The client's small parts: emitter, URL parsing, option marshalling (against amqplib's
// own lib/api_args.js as the oracle), message bodies, and the MessagePort transport.

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as Args from '../../../src/client/args.ts';
import { Utf8Content, toBody, toContent } from '../../../src/client/content.ts';
import { Emitter } from '../../../src/client/emitter.ts';
import { closeMessage, methodDisplayName } from '../../../src/client/errors.ts';
import { messagePortTransport } from '../../../src/client/message-port.ts';
import { parseConnectTarget } from '../../../src/client/url.ts';
import { FakeServer } from './fake-server.ts';
import { ChannelModel } from '../../../src/client/channel-model.ts';
import { Connection } from '../../../src/client/connection.ts';
import { credentials } from '../../../src/client/handshake.ts';

// Not in amqplib's "exports": load the file by path.
const require = createRequire(import.meta.url);
const amqplibArgs = require(require.resolve('amqplib').replace(/channel_api\.js$/, 'lib/api_args.js')) as Record<string, (...args: unknown[]) => Record<string, unknown>>;

/** Own and inherited enumerable keys, as amqplib's encoder sees an Object.create()d table. */
const flat = (table: object | undefined): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const key in table) out[key] = (table as Record<string, unknown>)[key];
  return out;
};

describe('Emitter', () => {
  type Events = { tick: [n: number]; error: [e: Error] };

  it('runs listeners in order, once listeners once, and stops after off', () => {
    const e = new Emitter<Events>();
    const seen: string[] = [];
    const a = (n: number) => seen.push(`a${n}`);
    e.on('tick', a);
    e.once('tick', (n) => seen.push(`once${n}`));
    e.on('tick', (n) => seen.push(`b${n}`));
    expect(e.emit('tick', 1)).toBe(true);
    e.off('tick', a);
    e.emit('tick', 2);
    expect(seen).toEqual(['a1', 'once1', 'b1', 'b2']);
    expect(e.listenerCount('tick')).toBe(1);
    e.removeAllListeners();
    expect(e.emit('tick', 3)).toBe(false);
  });

  it('throws an error event nobody listens to, as Node does', () => {
    const e = new Emitter<Events>();
    expect(() => e.emit('error', new Error('boom'))).toThrow('boom');
    e.on('error', () => {});
    expect(e.emit('error', new Error('boom'))).toBe(true);
  });
});

describe('URL parsing (as amqplib)', () => {
  it('reads user, password, host, port, vhost and query', () => {
    expect(parseConnectTarget('amqp://u%3Ax:p%40ss@h.example:1234/%2F?heartbeat=10&frameMax=4096&channelMax=5&locale=fr_FR')).toEqual({
      protocol: 'amqp:', host: 'h.example', port: 1234, username: 'u:x', password: 'p@ss', vhost: '/', locale: 'fr_FR', frameMax: 4096, channelMax: 5, heartbeat: 10,
    });
  });

  it('defaults like amqplib', () => {
    expect(parseConnectTarget(undefined)).toMatchObject({ host: 'localhost', port: 5672, username: 'guest', password: 'guest', vhost: '/', frameMax: 131072, channelMax: 0, heartbeat: undefined });
    expect(parseConnectTarget('amqp://localhost/')).toMatchObject({ vhost: '/' });
    expect(parseConnectTarget('amqp://localhost/dev')).toMatchObject({ vhost: 'dev' });
    expect(parseConnectTarget('amqps://localhost')).toMatchObject({ protocol: 'amqps:', port: 5671 });
    expect(parseConnectTarget('amqp://[::1]:5673')).toMatchObject({ host: '::1', port: 5673 });
    expect(parseConnectTarget({ hostname: 'h', vhost: 'v', heartbeat: 5 })).toMatchObject({ host: 'h', port: 5672, vhost: 'v', username: 'guest', heartbeat: 5 });
  });

  it('rejects other protocols with amqplib\'s message', () => {
    expect(() => parseConnectTarget('http://x')).toThrow('Expected amqp: or amqps: as the protocol; got http:');
    expect(() => parseConnectTarget('not a url')).toThrow('Expected amqp: or amqps: as the protocol');
  });
});

describe('argument marshalling matches amqplib', () => {
  const pick = (o: object, keys: string[]) => Object.fromEntries(keys.map((k) => [k, (o as Record<string, unknown>)[k]]));

  it('assertQueue', () => {
    const cases: [string | undefined, Record<string, unknown> | undefined][] = [
      ['q', undefined],
      [undefined, { exclusive: true }],
      ['q', { durable: false, autoDelete: true, messageTtl: 5, expires: 6, deadLetterExchange: 'd', deadLetterRoutingKey: 'r', maxLength: 7, maxPriority: 8, overflow: 'reject-publish', queueMode: 'lazy', arguments: { 'x-a': 1 } }],
    ];
    for (const [queue, options] of cases) {
      const ours = Args.assertQueue(queue, options);
      const theirs = amqplibArgs.assertQueue!(queue, options);
      expect(pick(ours, ['queue', 'durable', 'exclusive', 'autoDelete'])).toEqual(pick(theirs, ['queue', 'durable', 'exclusive', 'autoDelete']));
      expect(ours.arguments).toEqual(flat(theirs.arguments as object));
    }
  });

  it('assertExchange, consume, nack, prefetch', () => {
    const ex = { durable: false, internal: true, autoDelete: true, alternateExchange: 'ae', arguments: { y: 2 } };
    const ours = Args.assertExchange('x', 'topic', ex);
    const theirs = amqplibArgs.assertExchange!('x', 'topic', ex);
    expect(pick(ours, ['exchange', 'type', 'durable', 'internal', 'autoDelete'])).toEqual(pick(theirs, ['exchange', 'type', 'durable', 'internal', 'autoDelete']));
    expect(ours.arguments).toEqual(flat(theirs.arguments as object));
    const co = { consumerTag: 'c', noAck: true, exclusive: true, priority: 3, arguments: { z: 1 } };
    const c1 = Args.consume('q', co);
    const c2 = amqplibArgs.consume!('q', co);
    expect(pick(c1, ['queue', 'consumerTag', 'noLocal', 'noAck', 'exclusive'])).toEqual(pick(c2, ['queue', 'consumerTag', 'noLocal', 'noAck', 'exclusive']));
    expect(c1.arguments).toEqual(flat(c2.arguments as object));
    expect(Args.nack(3)).toEqual(amqplibArgs.nack!(3));
    expect(Args.nack(3, true, false)).toEqual(amqplibArgs.nack!(3, true, false));
    expect(Args.prefetch(10, true)).toEqual(amqplibArgs.prefetch!(10, true));
  });

  it('publish options become the same properties', () => {
    const options = [
      {},
      { persistent: false },
      { deliveryMode: true },
      { deliveryMode: 1, expiration: 100, CC: ['a', 'b'], BCC: 'c', headers: { h: 1 }, priority: 2, contentType: 'application/json', userId: 'guest', appId: 'a', type: 't', messageId: 'm', correlationId: 'c', replyTo: 'r', timestamp: 9, contentEncoding: 'gzip' },
    ];
    for (const o of options) {
      const { method, properties } = Args.publish('ex', 'rk', o);
      const theirs = amqplibArgs.publish!('ex', 'rk', o);
      expect(method).toEqual({ exchange: 'ex', routingKey: 'rk', mandatory: theirs.mandatory });
      const theirProps = Object.fromEntries(Object.entries(theirs).filter(([k, v]) => v !== undefined && !['exchange', 'routingKey', 'mandatory', 'immediate', 'ticket'].includes(k)));
      theirProps.headers = flat(theirs.headers as object);
      expect(properties).toEqual(theirProps);
    }
  });
});

describe('messages and errors', () => {
  it('bodies print as text with or without Buffer', () => {
    const bytes = new TextEncoder().encode('héllo');
    expect(toContent(bytes).toString()).toBe('héllo');
    const saved = globalThis.Buffer;
    try {
      Reflect.deleteProperty(globalThis, 'Buffer');
      const content = toContent(bytes);
      expect(content).toBeInstanceOf(Utf8Content);
      expect(content.toString()).toBe('héllo');
      expect(String(content)).toBe('héllo');
      expect(JSON.parse(toContent(new TextEncoder().encode('{"a":1}')) as unknown as string)).toEqual({ a: 1 });
      expect(content.toString('hex')).toBe('68c3a96c6c6f');
      expect(content.toString('base64')).toBe(saved.from(bytes).toString('base64'));
    } finally {
      globalThis.Buffer = saved;
    }
  });

  it('publish takes bytes or a string', () => {
    expect(toBody('hé')).toEqual(Uint8Array.of(0x68, 0xc3, 0xa9));
    const b = Buffer.from('x');
    expect(toBody(b)).toBe(b);
  });

  it('formats closes and method names as amqplib', () => {
    expect(closeMessage({ replyCode: 406, replyText: 'PRECONDITION_FAILED - x', classId: 50, methodId: 10 })).toBe('406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - x"');
    expect(methodDisplayName('basic.get-empty')).toBe('BasicGetEmpty');
    expect(methodDisplayName('queue.declare')).toBe('QueueDeclare');
  });
});

describe('MessagePort transport', () => {
  it('carries a whole connection over a MessageChannel', async () => {
    const { port1, port2 } = new MessageChannel();
    const server = new FakeServer(messagePortTransport(port2));
    server.answer('queue.declare', () => ({ name: 'queue.declare-ok', args: { queue: 'hello', messageCount: 0, consumerCount: 0 } }));
    const connection = new Connection(messagePortTransport(port1));
    const params = parseConnectTarget('amqp://localhost');
    await connection.open(params, credentials.plain('guest', 'guest'));
    const model = new ChannelModel(connection);
    const ch = await model.createChannel();
    expect(await ch.assertQueue('hello')).toMatchObject({ queue: 'hello' });
    ch.sendToQueue('hello', 'Hello World!');
    const published = await server.waitFor((r) => r.method.name === 'basic.publish');
    expect(new TextDecoder().decode(published.body)).toBe('Hello World!');
    await model.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(server.closed).toBe(true);
  });
});
