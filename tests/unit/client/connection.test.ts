import { describe, expect, it } from 'vitest';
import { decodeFieldTable } from '../../../src/amqp/index.ts';
import { IllegalOperationError } from '../../../src/client/errors.ts';
import { connect, setTransportFactory } from '../../../src/client/index.ts';
import { FakeServer, connectFake, settle, startFake } from './fake-server.ts';

describe('opening handshake', () => {
  it('sends the protocol header, PLAIN login from the URL, the vhost, and amqplib-style client properties', async () => {
    const { model, server, target } = startFake('amqp://alice:s%40cret@broker.example:5673/my%2fvhost');
    const conn = await model;
    expect(target()).toMatchObject({ protocol: 'amqp:', host: 'broker.example', port: 5673 });
    expect([...server.chunks[0]!.subarray(0, 8)]).toEqual([65, 77, 81, 80, 0, 0, 9, 1]);
    const startOk = server.received.find((r) => r.method.name === 'connection.start-ok')!.method;
    if (startOk.name !== 'connection.start-ok') throw new Error('unreachable');
    expect(startOk.args.mechanism).toBe('PLAIN');
    expect(new TextDecoder().decode(startOk.args.response)).toBe('\0alice\0s@cret');
    expect(startOk.args.locale).toBe('en_US');
    expect(startOk.args.clientProperties).toMatchObject({
      product: 'warren-client',
      capabilities: {
        publisher_confirms: true,
        exchange_exchange_bindings: true,
        'basic.nack': true,
        consumer_cancel_notify: true,
        'connection.blocked': true,
        authentication_failure_close: true,
      },
    });
    const open = server.received.find((r) => r.method.name === 'connection.open')!.method;
    expect(open.args).toMatchObject({ virtualHost: 'my/vhost' });
    expect(conn.connection.serverProperties.product).toBe('FakeServer');
    await conn.close();
  });

  it('defaults to guest/guest and vhost "/"', async () => {
    const { server, model } = await connectFake('amqp://localhost');
    const startOk = server.received.find((r) => r.method.name === 'connection.start-ok')!.method;
    expect(new TextDecoder().decode((startOk.args as { response: Uint8Array }).response)).toBe('\0guest\0guest');
    expect(server.received.find((r) => r.method.name === 'connection.open')!.method.args).toMatchObject({ virtualHost: '/' });
    await model.close();
  });

  it('turns heartbeats off unless the URL asks, and negotiates frameMax and channelMax', async () => {
    const a = await connectFake('amqp://localhost', { tune: { heartbeat: 60, frameMax: 65536, channelMax: 100 } });
    const tuneOk = a.server.received.find((r) => r.method.name === 'connection.tune-ok')!.method.args;
    expect(tuneOk).toEqual({ channelMax: 100, frameMax: 65536, heartbeat: 0 });
    expect(a.model.connection).toMatchObject({ heartbeat: 0, frameMax: 65536, channelMax: 100 });
    await a.model.close();

    const b = await connectFake('amqp://localhost?heartbeat=5&frameMax=262144&channelMax=10', { tune: { heartbeat: 60, frameMax: 0, channelMax: 0 } });
    expect(b.server.received.find((r) => r.method.name === 'connection.tune-ok')!.method.args).toEqual({ channelMax: 10, frameMax: 262144, heartbeat: 5 });
    await b.model.close();
  });

  it('sends extra client properties and other credentials from the socket options', async () => {
    const { model, server } = startFake('amqp://localhost', {}, { clientProperties: { connection_name: 'worker-1' } });
    await model;
    const startOk = server.received.find((r) => r.method.name === 'connection.start-ok')!.method.args as { clientProperties: object };
    expect(startOk.clientProperties).toMatchObject({ connection_name: 'worker-1', product: 'warren-client' });
    await (await model).close();
  });

  it('rejects with amqplib\'s text when the server refuses the login', async () => {
    const { model, server } = startFake('amqp://localhost', { handshake: false });
    server.answer('connection.start-ok', () => ({
      name: 'connection.close',
      args: { replyCode: 403, replyText: 'ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile.', classId: 0, methodId: 0 },
    }));
    await expect(model).rejects.toThrow(
      'Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile."',
    );
    await settle();
    expect(server.closed).toBe(true);
  });

  it('rejects like amqplib when the vhost is refused at connection.open', async () => {
    const { model, server } = startFake('amqp://localhost/nope', { handshake: false });
    server.answer('connection.start-ok', () => ({ name: 'connection.tune', args: { channelMax: 0, frameMax: 131072, heartbeat: 0 } }));
    server.answer('connection.open', () => ({
      name: 'connection.close',
      args: { replyCode: 530, replyText: "NOT_ALLOWED - vhost nope not found", classId: 10, methodId: 40 },
    }));
    await expect(model).rejects.toThrow('Expected ConnectionOpenOk; got <ConnectionClose channel:0>');
  });

  it('rejects when the server closes the transport during the handshake', async () => {
    const { model, server } = startFake('amqp://localhost', { handshake: false });
    server.on((r) => {
      if (r.method.name === 'connection.start-ok') server.transport.close();
    });
    await expect(model).rejects.toThrow('Socket closed abruptly during opening handshake');
  });

  it('rejects a non-AMQP URL as amqplib does, and explains a missing transport', async () => {
    await expect(connect('http://localhost')).rejects.toThrow('Expected amqp: or amqps: as the protocol; got http:');
    const previous = setTransportFactory(undefined);
    await expect(connect('amqp://localhost')).rejects.toThrow(/setTransportFactory/);
    setTransportFactory(previous);
  });

  it('gives up after socketOptions.timeout', async () => {
    const { model } = startFake('amqp://localhost', { handshake: false }, { timeout: 30 });
    await expect(model).rejects.toThrow('connect ETIMEDOUT');
  });
});

describe('connection close and events', () => {
  it('close() sends connection.close, resolves on close-ok, emits close, and closes its channels', async () => {
    const { model, server } = await connectFake();
    const ch = await model.createChannel();
    const events: string[] = [];
    ch.on('close', () => events.push('channel close'));
    model.on('close', (err) => events.push(`close ${String(err)}`));
    await model.close();
    events.push('resolved');
    const close = server.received.find((r) => r.method.name === 'connection.close')!;
    expect(close.method.args).toEqual({ replyCode: 200, replyText: 'Cheers, thanks', classId: 0, methodId: 0 });
    expect(events).toEqual(['channel close', 'close undefined', 'resolved']);
    const again = model.close();
    await expect(again).rejects.toThrow('Connection closed (by client)');
    await expect(again).rejects.toBeInstanceOf(IllegalOperationError);
    await expect(model.createChannel()).rejects.toBeInstanceOf(IllegalOperationError);
    expect(() => ch.sendToQueue('q', 'x')).toThrow('Channel closed');
    await settle();
    expect(server.closed).toBe(true);
  });

  it('a server close with 320 CONNECTION_FORCED emits close with the error, but no error event', async () => {
    const { model, server } = await connectFake();
    const events: string[] = [];
    model.on('error', (e) => events.push(`error ${e.message}`));
    model.on('close', (e) => events.push(`close ${e?.message} ${(e as { code?: number }).code}`));
    server.send(0, { name: 'connection.close', args: { replyCode: 320, replyText: "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'", classId: 0, methodId: 0 } });
    await server.waitFor((r) => r.method.name === 'connection.close-ok');
    expect(events).toEqual([
      `close Connection closed: 320 (CONNECTION-FORCED) with message "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'" 320`,
    ]);
  });

  it('a server close with a hard error emits error, then close', async () => {
    const { model, server } = await connectFake();
    const ch = await model.createChannel();
    const pending = ch.assertQueue('q');
    await server.waitFor((r) => r.method.name === 'queue.declare');
    const events: string[] = [];
    model.on('error', (e) => events.push(`error ${e.message}`));
    ch.on('close', () => events.push('channel close'));
    model.on('close', () => events.push('close'));
    server.send(0, { name: 'connection.close', args: { replyCode: 504, replyText: 'CHANNEL_ERROR - expected \'channel.open\'', classId: 60, methodId: 40 } });
    await expect(pending).rejects.toThrow('Channel ended, no reply will be forthcoming');
    expect(events).toEqual([
      `error Connection closed: 504 (CHANNEL-ERROR) with message "CHANNEL_ERROR - expected 'channel.open'"`,
      'channel close',
      'close',
    ]);
  });

  it('blocked and unblocked', async () => {
    const { model, server } = await connectFake();
    const events: string[] = [];
    model.on('blocked', (reason) => events.push(`blocked ${reason}`));
    model.on('unblocked', () => events.push('unblocked'));
    server.send(0, { name: 'connection.blocked', args: { reason: 'low on memory' } });
    server.send(0, { name: 'connection.unblocked' });
    await settle();
    expect(events).toEqual(['blocked low on memory', 'unblocked']);
    await model.close();
  });

  it('an unexpected end of the transport is an error, then close', async () => {
    const { model, server } = await connectFake();
    const events: string[] = [];
    model.on('error', (e) => events.push(`error ${e.message}`));
    model.on('close', (e) => events.push(`close ${e?.message}`));
    server.transport.close();
    await settle();
    expect(events).toEqual(['error Unexpected close', 'close Unexpected close']);
  });

  it('close() completes if the server hangs up instead of answering close-ok', async () => {
    const { model, server } = await connectFake('amqp://localhost', { closeOk: false });
    server.on((r) => {
      if (r.method.name === 'connection.close') server.transport.close();
    });
    const events: string[] = [];
    model.on('error', (e) => events.push(`error ${e.message}`));
    model.on('close', (e) => events.push(`close ${String(e)}`));
    await model.close();
    expect(events).toEqual(['close undefined']);
  });

  it('a malformed frame from the server is fatal', async () => {
    const { model, server } = await connectFake();
    const errors: string[] = [];
    model.on('error', (e) => errors.push(e.name));
    const closed = new Promise((resolve) => model.on('close', resolve));
    server.sendBytes(Uint8Array.of(1, 0, 0, 0, 0, 0, 4, 0, 10, 0, 11, 0)); // bad frame-end
    await closed;
    expect(errors).toEqual(['FrameError']);
  });

  it('sends heartbeats when asked to, and gives up on a silent server', async () => {
    const { model, server } = await connectFake('amqp://localhost?heartbeat=1', { tune: { heartbeat: 1 } });
    const seen: number[] = [];
    server.transport.onData((chunk) => {
      if (chunk[0] === 8) seen.push(chunk.length);
    });
    const error = new Promise<Error>((resolve) => model.on('error', resolve));
    expect((await error).message).toBe('Heartbeat timeout');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toBe(8);
  }, 10_000);

  it('treats frames on a channel it never opened as a connection error', async () => {
    const { model, server } = await connectFake();
    const error = new Promise<Error>((resolve) => model.on('error', resolve));
    server.send(7, { name: 'basic.qos-ok' });
    expect((await error).message).toBe('Frame on unknown channel: <channel:7>');
    const close = await server.waitFor((r) => r.method.name === 'connection.close');
    expect(close.method.args).toMatchObject({ replyCode: 504, replyText: 'Frame on unknown channel 7' });
  });
});

describe('FakeServer sanity', () => {
  it('decodes field tables the client sends', () => {
    expect(decodeFieldTable(Uint8Array.of(0, 0, 0, 0))).toEqual({});
    expect(FakeServer).toBeTypeOf('function');
  });
});
