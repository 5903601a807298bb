import { describe, expect, it } from 'vitest';
import { Typed } from '../../../src/broker/types.ts';
import { IllegalOperationError } from '../../../src/client/errors.ts';
import type { ConsumeMessage } from '../../../src/client/types.ts';
import { connectFake, settle } from './fake-server.ts';

const notFound = (classId: number, methodId: number, text = "NOT_FOUND - no queue 'nope' in vhost '/'") => ({
  name: 'channel.close' as const,
  args: { replyCode: 404, replyText: text, classId, methodId },
});

describe('channel RPCs', () => {
  it('keeps one RPC on the wire at a time and sends the rest in order as replies come', async () => {
    const { model, server } = await connectFake();
    const ch = await model.createChannel();
    const replies: string[] = [];
    const a = ch.assertQueue('a').then((r) => replies.push(`a ${r.queue}`));
    const b = ch.assertExchange('x', 'topic').then((r) => replies.push(`b ${r.exchange}`));
    const c = ch.bindQueue('a', 'x', 'k.*').then(() => replies.push('c'));
    await server.waitFor((r) => r.method.name === 'queue.declare');
    await settle();
    expect(server.names(ch.ch)).toEqual(['channel.open', 'queue.declare']);
    server.send(ch.ch, { name: 'queue.declare-ok', args: { queue: 'a', messageCount: 0, consumerCount: 0 } });
    await server.waitFor((r) => r.method.name === 'exchange.declare');
    await settle();
    expect(server.names(ch.ch)).toEqual(['channel.open', 'queue.declare', 'exchange.declare']);
    server.send(ch.ch, { name: 'exchange.declare-ok' });
    await server.waitFor((r) => r.method.name === 'queue.bind');
    server.send(ch.ch, { name: 'queue.bind-ok' });
    await Promise.all([a, b, c]);
    expect(replies).toEqual(['a a', 'b x', 'c']);
    await model.close();
  });

  it('maps amqplib options to arguments', async () => {
    const { model, server } = await connectFake();
    server.answer('queue.declare', (r) => ({ name: 'queue.declare-ok', args: { queue: (r.method.args as { queue: string }).queue || 'amq.gen-1', messageCount: 3, consumerCount: 1 } }));
    server.answer('exchange.declare', () => ({ name: 'exchange.declare-ok' }));
    server.answer('queue.delete', () => ({ name: 'queue.delete-ok', args: { messageCount: 5 } }));
    server.answer('queue.purge', () => ({ name: 'queue.purge-ok', args: { messageCount: 2 } }));
    server.answer('basic.qos', () => ({ name: 'basic.qos-ok' }));
    const ch = await model.createChannel();
    expect(await ch.assertQueue('', { exclusive: true, messageTtl: 1000, deadLetterExchange: 'dlx', maxPriority: 10, arguments: { 'x-foo': 'bar' } })).toEqual({
      queue: 'amq.gen-1',
      messageCount: 3,
      consumerCount: 1,
    });
    expect(await ch.assertExchange('logs', 'fanout', { durable: false, alternateExchange: 'ae' })).toEqual({ exchange: 'logs' });
    expect(await ch.deleteQueue('q', { ifEmpty: true })).toEqual({ messageCount: 5 });
    expect(await ch.purgeQueue('q')).toEqual({ messageCount: 2 });
    expect(await ch.prefetch(1)).toEqual({});
    const [declare, exchange, del, , qos] = server.received.filter((r) => r.channel === ch.ch && r.method.name !== 'channel.open').map((r) => r.method.args);
    expect(declare).toMatchObject({
      queue: '',
      durable: true,
      exclusive: true,
      autoDelete: false,
      passive: false,
      arguments: { 'x-foo': 'bar', 'x-message-ttl': 1000, 'x-dead-letter-exchange': 'dlx', 'x-max-priority': 10 },
    });
    expect(exchange).toMatchObject({ exchange: 'logs', type: 'fanout', durable: false, arguments: { 'alternate-exchange': 'ae' } });
    expect(del).toMatchObject({ queue: 'q', ifUnused: false, ifEmpty: true });
    expect(qos).toEqual({ prefetchSize: 0, prefetchCount: 1, global: false });
    await model.close();
  });

  it('a server channel.close rejects the waiting RPC with "Operation failed", fails the queued ones, emits error then close', async () => {
    const { model, server } = await connectFake();
    const ch = await model.createChannel();
    const events: string[] = [];
    ch.on('error', (e) => {
      const err = e as Error & { code: number; classId: number; methodId: number };
      events.push(`error ${err.message} ${err.code} ${err.classId} ${err.methodId}`);
    });
    ch.on('close', () => events.push('close'));
    const check = ch.checkQueue('nope');
    const queued = ch.assertQueue('later');
    await server.waitFor((r) => r.method.name === 'queue.declare');
    server.send(ch.ch, notFound(50, 10));
    const err = await check.then(
      () => expect.unreachable('checkQueue should fail'),
      (e: unknown) => e as Error & { code: number; classId: number; methodId: number },
    );
    expect(err.message).toBe(`Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no queue 'nope' in vhost '/'"`);
    expect([err.code, err.classId, err.methodId]).toEqual([404, 50, 10]);
    await expect(queued).rejects.toThrow('Channel ended, no reply will be forthcoming');
    expect(events).toEqual([`error Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no queue 'nope' in vhost '/'" 404 50 10`, 'close']);
    await server.waitFor((r) => r.method.name === 'channel.close-ok');
    await expect(ch.assertQueue('x')).rejects.toThrow(new IllegalOperationError('Channel closed').message);
    expect(() => ch.ack({ fields: { deliveryTag: 1 } } as ConsumeMessage)).toThrow(IllegalOperationError);
    await expect(ch.close()).rejects.toThrow('Channel closed');
    // The connection is unharmed.
    const again = await model.createChannel();
    expect(again.ch).toBe(ch.ch); // the number was released and reused
    await model.close();
  });

  it('names the channel, not the operation, when the close is about another method', async () => {
    const { model, server } = await connectFake();
    const ch = await model.createChannel();
    ch.on('error', () => {});
    const bind = ch.bindQueue('q', 'nope', '');
    await server.waitFor((r) => r.method.name === 'queue.bind');
    server.send(ch.ch, notFound(60, 40, "NOT_FOUND - no exchange 'nope' in vhost '/'"));
    await expect(bind).rejects.toThrow(`Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no exchange 'nope' in vhost '/'"`);
    await model.close();
  });

  it('an unheard channel error takes the connection down, as in amqplib', async () => {
    const { model, server } = await connectFake();
    const ch = await model.createChannel();
    const events: string[] = [];
    model.on('error', (e) => events.push(`conn error ${e.message}`));
    model.on('close', () => events.push('conn close'));
    ch.on('close', () => events.push('channel close'));
    const check = ch.checkQueue('nope');
    await server.waitFor((r) => r.method.name === 'queue.declare');
    server.send(ch.ch, notFound(50, 10));
    await expect(check).rejects.toThrow('Operation failed: QueueDeclare');
    expect(events).toEqual([`conn error Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no queue 'nope' in vhost '/'"`, 'channel close', 'conn close']);
    await expect(model.createChannel()).rejects.toThrow(/^Connection closed \(Error: Channel closed by server/);
  });

  it('close() sends channel.close, fails RPCs still waiting, and resolves on close-ok', async () => {
    const { model, server } = await connectFake();
    const ch = await model.createChannel();
    const declared = ch.assertQueue('q');
    const closed = ch.close();
    expect(() => ch.sendToQueue('q', 'x')).toThrow('Channel closing');
    await closed;
    await expect(declared).rejects.toThrow('Channel ended, no reply will be forthcoming');
    expect(server.names(ch.ch).slice(-2)).toEqual(['queue.declare', 'channel.close']);
    expect(server.received.at(-1)!.method.args).toEqual({ replyCode: 200, replyText: 'Goodbye', classId: 0, methodId: 0 });
    await model.close();
  });

  it('a reply of the wrong kind closes the channel with 505 UNEXPECTED_FRAME', async () => {
    const { model, server } = await connectFake();
    const ch = await model.createChannel();
    const errors: string[] = [];
    ch.on('error', (e) => errors.push(`${e.message} ${(e as { code?: number }).code}`));
    const declared = ch.assertQueue('q');
    await server.waitFor((r) => r.method.name === 'queue.declare');
    server.send(ch.ch, { name: 'basic.qos-ok' });
    await expect(declared).rejects.toThrow('Expected QueueDeclareOk; got BasicQosOk');
    const close = await server.waitFor((r) => r.method.name === 'channel.close');
    expect(close.method.args).toMatchObject({ replyCode: 505 });
    await settle();
    expect(errors).toEqual(['Expected QueueDeclareOk; got BasicQosOk 505']);
    await model.close();
  });
});

describe('publishing', () => {
  it('sends basic.publish with amqplib\'s properties, splitting the body by frame-max', async () => {
    const { model, server } = await connectFake('amqp://localhost', { tune: { frameMax: 8192 } });
    const ch = await model.createChannel();
    const body = Uint8Array.from({ length: 20_000 }, (_, i) => i % 251);
    expect(
      ch.publish('logs', 'info', body, {
        persistent: true,
        expiration: 60000,
        headers: { a: 1 },
        CC: 'copy',
        BCC: ['b1', 'b2'],
        contentType: 'text/plain',
        correlationId: 'c1',
        replyTo: 'r',
        messageId: 'm1',
        timestamp: 1700000000,
        type: 't',
        appId: 'app',
        priority: 3,
        mandatory: true,
      }),
    ).toBe(true);
    ch.sendToQueue('tasks', 'hello', {});
    const published = await server.waitFor((r) => r.method.name === 'basic.publish' && r.body?.length === 5);
    const [first] = server.received.filter((r) => r.method.name === 'basic.publish');
    expect(first!.method.args).toMatchObject({ exchange: 'logs', routingKey: 'info', mandatory: true, immediate: false });
    expect(first!.body).toEqual(body);
    expect(first!.properties).toEqual({
      contentType: 'text/plain',
      headers: { a: 1, CC: ['copy'], BCC: ['b1', 'b2'] },
      deliveryMode: 2,
      priority: 3,
      correlationId: 'c1',
      replyTo: 'r',
      expiration: '60000',
      messageId: 'm1',
      timestamp: 1700000000,
      type: 't',
      appId: 'app',
    });
    const bodyFrames = server.chunks.flatMap((c) => (c[0] === 3 ? [c] : []));
    expect(bodyFrames.length).toBe(0); // method, header and body frames go out as one chunk
    expect(published.method.args).toMatchObject({ exchange: '', routingKey: 'tasks' });
    expect(new TextDecoder().decode(published.body)).toBe('hello');
    expect(published.properties).toEqual({ headers: {} });
    await model.close();
  });

  it('reads and writes amqplib\'s typed-value trapdoors in headers', async () => {
    const { model, server } = await connectFake();
    const ch = await model.createChannel();
    ch.publish('x', 'k', 'b', {
      headers: { t: { '!': 'timestamp', value: 1700000000 }, d: { '!': 'decimal', value: { places: 2, digits: 314 } }, n: { '!': 'long', value: 5 }, nested: [{ '!': 'byte', value: 1 }] },
    });
    const sent = await server.waitFor((r) => r.method.name === 'basic.publish');
    expect(sent.properties!.headers).toEqual({ t: new Date(1700000000_000), d: new Typed('decimal', { scale: 2, value: 314 }), n: 5, nested: [1] });
    server.answer('basic.consume', () => ({ name: 'basic.consume-ok', args: { consumerTag: 't' } }));
    const got = new Promise<ConsumeMessage | null>((resolve) => void ch.consume('q', resolve));
    await server.waitFor((r) => r.method.name === 'basic.consume');
    await settle();
    server.sendWithContent(ch.ch, { name: 'basic.deliver', args: { consumerTag: 't', deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'q' } }, 'x', {
      headers: { 'x-death': [{ count: 1, time: new Date(1700000000_000), reason: 'rejected' }], d: new Typed('decimal', { scale: 1, value: 5 }) },
    });
    const msg = await got;
    expect(msg!.properties.headers).toEqual({
      'x-death': [{ count: 1, time: { '!': 'timestamp', value: 1700000000 }, reason: 'rejected' }],
      d: { '!': 'decimal', value: { places: 1, digits: 5 } },
    });
    await model.close();
  });

  it('refuses content that is not bytes or a string', async () => {
    const { model } = await connectFake();
    const ch = await model.createChannel();
    expect(() => ch.sendToQueue('q', 42 as unknown as string)).toThrow('content is not a buffer');
    await model.close();
  });
});

describe('consuming and getting', () => {
  it('delivers to the consumer registered by consume-ok, with amqplib\'s fields and properties', async () => {
    const { model, server } = await connectFake();
    const ch = await model.createChannel();
    const got: (ConsumeMessage | null)[] = [];
    server.answer('basic.consume', () => [
      { name: 'basic.consume-ok', args: { consumerTag: 'ctag-1' } },
    ]);
    const ok = await ch.consume('q', (m) => got.push(m), { noAck: false, priority: 5 });
    expect(ok).toEqual({ consumerTag: 'ctag-1' });
    expect(server.received.find((r) => r.method.name === 'basic.consume')!.method.args).toMatchObject({ queue: 'q', noAck: false, arguments: { 'x-priority': 5 } });
    server.sendWithContent(ch.ch, { name: 'basic.deliver', args: { consumerTag: 'ctag-1', deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'q' } }, 'Hello World!', { contentType: 'text/plain' });
    server.sendWithContent(ch.ch, { name: 'basic.deliver', args: { consumerTag: 'ctag-1', deliveryTag: 2, redelivered: true, exchange: 'x', routingKey: 'k' } }, '');
    await settle();
    expect(got.length).toBe(2);
    const [m1, m2] = got as ConsumeMessage[];
    expect(m1!.content.toString()).toBe('Hello World!');
    expect(Buffer.isBuffer(m1!.content)).toBe(true);
    expect(m1!.fields).toEqual({ consumerTag: 'ctag-1', deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'q' });
    expect(m1!.properties).toEqual({
      contentType: 'text/plain', contentEncoding: undefined, headers: undefined, deliveryMode: undefined, priority: undefined, correlationId: undefined,
      replyTo: undefined, expiration: undefined, messageId: undefined, timestamp: undefined, type: undefined, userId: undefined, appId: undefined, clusterId: undefined,
    });
    expect(m2!.content.length).toBe(0);
    expect(m2!.fields.redelivered).toBe(true);
    ch.ack(m1!);
    ch.nack(m2!, false, false);
    ch.reject(m1!);
    ch.ackAll();
    ch.nackAll();
    await server.waitFor((r) => r.method.name === 'basic.nack' && (r.method.args as { deliveryTag: number }).deliveryTag === 0);
    expect(server.received.filter((r) => ['basic.ack', 'basic.nack', 'basic.reject'].includes(r.method.name)).map((r) => [r.method.name, r.method.args])).toEqual([
      ['basic.ack', { deliveryTag: 1, multiple: false }],
      ['basic.nack', { deliveryTag: 2, multiple: false, requeue: false }],
      ['basic.reject', { deliveryTag: 1, requeue: true }],
      ['basic.ack', { deliveryTag: 0, multiple: true }],
      ['basic.nack', { deliveryTag: 0, multiple: true, requeue: true }],
    ]);
    await model.close();
  });

  it('puts together a message whose frames arrive in pieces, split anywhere', async () => {
    const { model, server } = await connectFake();
    const ch = await model.createChannel();
    const got: string[] = [];
    server.answer('basic.consume', () => ({ name: 'basic.consume-ok', args: { consumerTag: 't' } }));
    await ch.consume('q', (m) => got.push(m!.content.toString()));
    const text = 'é'.repeat(5000);
    const body = new TextEncoder().encode(text);
    const all = server.encode(
      ch.ch,
      { name: 'basic.deliver', args: { consumerTag: 't', deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'q' } },
      { body, frameMax: 4096 }, // three body frames
    );
    for (let at = 0; at < all.length; at += 777) server.sendBytes(all.slice(at, at + 777));
    await settle();
    expect(got).toEqual([text]);
    await model.close();
  });

  it('calls the consumer with null when the server cancels it', async () => {
    const { model, server } = await connectFake();
    const ch = await model.createChannel();
    server.answer('basic.consume', () => ({ name: 'basic.consume-ok', args: { consumerTag: 't' } }));
    const got: unknown[] = [];
    const cancelled: string[] = [];
    ch.on('cancel', (f) => cancelled.push(f.consumerTag));
    await ch.consume('q', (m) => got.push(m));
    server.send(ch.ch, { name: 'basic.cancel', args: { consumerTag: 't', nowait: true } });
    await settle();
    expect(got).toEqual([null]);
    expect(cancelled).toEqual(['t']);
    await model.close();
  });

  it('cancel() stops the consumer', async () => {
    const { model, server } = await connectFake();
    const ch = await model.createChannel();
    server.answer('basic.consume', () => ({ name: 'basic.consume-ok', args: { consumerTag: 't' } }));
    server.answer('basic.cancel', () => ({ name: 'basic.cancel-ok', args: { consumerTag: 't' } }));
    await ch.consume('q', () => {});
    expect(await ch.cancel('t')).toEqual({ consumerTag: 't' });
    await model.close();
  });

  it('a consumer that throws takes the connection down, as in amqplib', async () => {
    const { model, server } = await connectFake();
    const ch = await model.createChannel();
    server.answer('basic.consume', () => ({ name: 'basic.consume-ok', args: { consumerTag: 't' } }));
    await ch.consume('q', () => {
      throw new Error('oops in my consumer');
    });
    const error = new Promise<Error>((resolve) => model.on('error', resolve));
    server.sendWithContent(ch.ch, { name: 'basic.deliver', args: { consumerTag: 't', deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'q' } }, 'x');
    expect((await error).message).toBe('oops in my consumer');
  });

  it('get() resolves a message, or false when the queue is empty', async () => {
    const { model, server } = await connectFake();
    const ch = await model.createChannel();
    let n = 0;
    server.on((r) => {
      if (r.method.name !== 'basic.get') return;
      if (n++ === 0) {
        server.sendWithContent(r.channel, { name: 'basic.get-ok', args: { deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'q', messageCount: 4 } }, 'one', { deliveryMode: 2, headers: { h: 'v' } });
      } else server.send(r.channel, { name: 'basic.get-empty' });
    });
    const m = await ch.get('q', { noAck: true });
    if (m === false) throw new Error('expected a message');
    expect(m.fields).toEqual({ deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'q', messageCount: 4 });
    expect(m.content.toString()).toBe('one');
    expect(m.properties).toMatchObject({ deliveryMode: 2, headers: { h: 'v' } });
    expect(server.received.find((r) => r.method.name === 'basic.get')!.method.args).toMatchObject({ queue: 'q', noAck: true });
    expect(await ch.get('q')).toBe(false);
    await model.close();
  });

  it('emits return for a mandatory message nobody could take', async () => {
    const { model, server } = await connectFake();
    const ch = await model.createChannel();
    const returned = new Promise<{ fields: object; text: string }>((resolve) => ch.on('return', (m) => resolve({ fields: m.fields, text: m.content.toString() })));
    server.sendWithContent(ch.ch, { name: 'basic.return', args: { replyCode: 312, replyText: 'NO_ROUTE', exchange: '', routingKey: 'nowhere' } }, 'lost');
    expect(await returned).toEqual({ fields: { replyCode: 312, replyText: 'NO_ROUTE', exchange: '', routingKey: 'nowhere' }, text: 'lost' });
    await model.close();
  });
});

describe('confirm channels', () => {
  it('selects confirms, then settles callbacks on ack, multiple ack and nack', async () => {
    const { model, server } = await connectFake();
    server.answer('confirm.select', () => ({ name: 'confirm.select-ok' }));
    const ch = await model.createConfirmChannel();
    expect(server.names(ch.ch)).toEqual(['channel.open', 'confirm.select']);
    const results: string[] = [];
    for (let i = 1; i <= 4; i++) ch.sendToQueue('q', `m${i}`, {}, (err) => results.push(`${i} ${err === null ? 'ok' : err.message}`));
    const acks: string[] = [];
    ch.on('ack', (f) => acks.push(`ack ${f.deliveryTag} ${f.multiple}`));
    ch.on('nack', (f) => acks.push(`nack ${f.deliveryTag}`));
    await server.waitFor((r) => r.body !== undefined && new TextDecoder().decode(r.body) === 'm4');
    server.send(ch.ch, { name: 'basic.ack', args: { deliveryTag: 2, multiple: false } });
    server.send(ch.ch, { name: 'basic.nack', args: { deliveryTag: 4, multiple: false, requeue: false } });
    await settle();
    const waited = ch.waitForConfirms(); // 1 and 3 are still unconfirmed
    server.send(ch.ch, { name: 'basic.ack', args: { deliveryTag: 3, multiple: true } });
    await waited;
    expect(results).toEqual(['2 ok', '4 message nacked', '1 ok', '3 ok']);
    expect(acks).toEqual(['ack 2 false', 'nack 4', 'ack 3 true']);
    await model.close();
  });

  it('waitForConfirms rejects on a nack, and every unconfirmed publish fails when the channel closes', async () => {
    const { model, server } = await connectFake();
    server.answer('confirm.select', () => ({ name: 'confirm.select-ok' }));
    const ch = await model.createConfirmChannel();
    ch.publish('', 'q', 'a');
    const waited = ch.waitForConfirms();
    await server.waitFor((r) => r.method.name === 'basic.publish');
    server.send(ch.ch, { name: 'basic.nack', args: { deliveryTag: 1, multiple: false, requeue: false } });
    await expect(waited).rejects.toThrow('message nacked');
    const results: string[] = [];
    ch.publish('', 'q', 'b', {}, (err) => results.push(err?.message ?? 'ok'));
    await ch.close();
    expect(results).toEqual(['channel closed']);
    await expect(ch.waitForConfirms()).rejects.toThrow('channel closed');
    await model.close();
  });
});
