// The real TCP adapter on an ephemeral loopback port, with amqplib as the client.

import { connect, type Socket } from 'node:net';
import amqp from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../../src/broker/index.ts';
import { startServer, type RunningServer } from '../../../src/server/tcp.ts';

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('the TCP server', () => {
  it('runs the RabbitMQ hello-world tutorial with amqplib, unmodified', async () => {
    const broker = new Broker();
    running = await startServer({ broker, host: '127.0.0.1', port: 0 });
    expect(running.url).toMatch(/^amqp:\/\/127\.0\.0\.1:\d+$/);

    // send.js
    const sender = await amqp.connect(running.url);
    const sendChannel = await sender.createChannel();
    await sendChannel.assertQueue('hello', { durable: false });
    sendChannel.sendToQueue('hello', Buffer.from('Hello World!'));
    await sendChannel.close();
    await sender.close();

    // receive.js
    const receiver = await amqp.connect(running.url);
    expect(receiver.connection.serverProperties.product).toBe('Warren');
    const channel = await receiver.createChannel();
    await channel.assertQueue('hello', { durable: false });
    const message = await new Promise<string>((resolve) => {
      void channel.consume('hello', (msg) => msg && resolve(msg.content.toString()), { noAck: true });
    });
    expect(message).toBe('Hello World!');
    await receiver.close();
    expect(broker.connections.size).toBe(0);
  });

  it('carries big bodies, confirms and RabbitMQ errors through amqplib', async () => {
    running = await startServer({ broker: new Broker(), host: '127.0.0.1', port: 0 });
    const connection = await amqp.connect(running.url);
    const channel = await connection.createConfirmChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true });
    const big = Buffer.alloc(300_000, 7);
    channel.sendToQueue(queue, big);
    await channel.waitForConfirms();
    const got = await channel.get(queue, { noAck: true });
    expect(got && Buffer.compare(got.content, big)).toBe(0);

    const other = await connection.createChannel();
    const closed = new Promise<Error>((resolve) => other.once('error', resolve));
    await expect(other.checkQueue('nope')).rejects.toThrow(/404 \(NOT-FOUND\) with message "NOT_FOUND - no queue 'nope' in vhost '\/'"/);
    expect((await closed).message).toContain("NOT_FOUND - no queue 'nope' in vhost '/'");
    await connection.close();
  });

  it('closes connections with 320 CONNECTION_FORCED on shutdown', async () => {
    const server = await startServer({ broker: new Broker(), host: '127.0.0.1', port: 0 });
    const connection = await amqp.connect(server.url);
    // amqplib reports 320 as the reason of 'close', not as an 'error'.
    const error = new Promise<Error & { code?: number }>((resolve) => connection.once('close', resolve));
    await server.close();
    const e = await error;
    expect(e.code).toBe(320);
    expect(e.message).toContain("CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'");
  });

  it('refuses a port in use with EADDRINUSE', async () => {
    running = await startServer({ broker: new Broker(), host: '127.0.0.1', port: 0 });
    await expect(startServer({ broker: new Broker(), host: '127.0.0.1', port: running.address.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('ends a session whose socket dies, without touching the others', async () => {
    const broker = new Broker();
    running = await startServer({ broker, host: '127.0.0.1', port: 0 });
    const survivor = await amqp.connect(running.url);
    const port = running.address.port;
    const raw = await new Promise<Socket>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket));
    });
    raw.write(Buffer.from('AMQP\x00\x00\x09\x01'));
    await new Promise((r) => setTimeout(r, 20));
    expect(running.sessions.size).toBe(2);
    raw.destroy();
    await new Promise((r) => setTimeout(r, 20));
    expect(running.sessions.size).toBe(1);
    const ch = await survivor.createChannel();
    await ch.assertQueue('still-fine');
    await survivor.close();
  });

  it('blocks a publisher when memory runs high and unblocks it when it drops (connection.blocked)', async () => {
    running = await startServer({ broker: new Broker(), host: '127.0.0.1', port: 0, memory: { highWatermark: 10_000, intervalMs: 0 } });
    const publisher = await amqp.connect(running.url);
    const blocked = new Promise<string>((resolve) => publisher.once('blocked', resolve));
    const unblocked = new Promise<void>((resolve) => publisher.once('unblocked', () => resolve()));
    const pch = await publisher.createChannel();
    await pch.assertQueue('big');
    pch.sendToQueue('big', Buffer.alloc(20_000));
    await pch.checkQueue('big'); // the alarm goes off after the read that carried the message
    pch.sendToQueue('big', Buffer.alloc(10)); // published during the alarm: blocks
    expect(await blocked).toBe('low on memory');

    const other = await amqp.connect(running.url);
    const och = await other.createChannel();
    await och.purgeQueue('big');
    await unblocked;
    await other.close();
    await publisher.close();
  });
});
