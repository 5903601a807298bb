import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { FrameParser, FrameWriter, decodeMethod, type Method, type MethodInput } from '../../../src/amqp/index.ts';
import { Broker } from '../../../src/broker/index.ts';
import { PORT_CLOSED, serveMessagePort } from '../../../src/server/message-port.ts';
import { CLIENT_CAPABILITIES, plain, text } from './wire-client.ts';

/** The learner's side of the port: frames out, methods and bodies in, awaitable. */
class PortClient {
  readonly #port: MessagePort;
  readonly #parser = new FrameParser({ frameMax: 0 });
  readonly #writer = new FrameWriter();
  readonly #inbox: (Method | string)[] = [];
  #waiters: (() => void)[] = [];
  closedByServer = false;

  constructor(port: MessagePort) {
    this.#port = port;
    port.on('message', (data: Uint8Array | null) => {
      if (data === PORT_CLOSED) this.closedByServer = true;
      else {
        this.#parser.push(data);
        for (const item of this.#parser) {
          if ('major' in item) continue;
          if (item.type === 1) this.#inbox.push(decodeMethod(item.payload));
          else if (item.type === 3) this.#inbox.push(text(item.payload));
        }
      }
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  send(write: (w: FrameWriter) => void): void {
    write(this.#writer);
    const bytes = this.#writer.take();
    this.#port.postMessage(bytes, [bytes.buffer as ArrayBuffer]);
  }

  method(channel: number, method: MethodInput): void {
    this.send((w) => w.writeMethod(channel, method));
  }

  async next(): Promise<Method | string> {
    while (this.#inbox.length === 0) await new Promise<void>((r) => this.#waiters.push(r));
    return this.#inbox.shift()!;
  }

  async expect(name: string): Promise<Method> {
    const got = await this.next();
    if (typeof got === 'string' || got.name !== name) throw new Error(`expected ${name}, got ${JSON.stringify(got)}`);
    return got;
  }

  close(): void {
    this.#port.close();
  }
}

describe('the MessagePort adapter', () => {
  it('serves a whole session over a MessageChannel', async () => {
    const broker = new Broker();
    const { port1, port2 } = new MessageChannel();
    const session = serveMessagePort(broker, port1);
    const client = new PortClient(port2);

    client.send((w) => void w.writeProtocolHeader());
    await client.expect('connection.start');
    client.method(0, { name: 'connection.start-ok', args: { clientProperties: { capabilities: CLIENT_CAPABILITIES }, mechanism: 'PLAIN', response: plain('guest', 'guest') } });
    await client.expect('connection.tune');
    client.send((w) => {
      w.writeMethod(0, { name: 'connection.tune-ok', args: { channelMax: 2047, frameMax: 131072, heartbeat: 0 } });
      w.writeMethod(0, { name: 'connection.open', args: { virtualHost: '/' } });
      w.writeMethod(1, { name: 'channel.open' });
      w.writeMethod(1, { name: 'queue.declare', args: { queue: 'hello' } });
      w.writeMethod(1, { name: 'basic.consume', args: { queue: 'hello', noAck: true, consumerTag: 'c' } });
      w.writeMethod(1, { name: 'basic.publish', args: { routingKey: 'hello' } });
      w.writeContent(1, 60, {}, new TextEncoder().encode('Hello World!'), 131072);
    });
    await client.expect('connection.open-ok');
    await client.expect('channel.open-ok');
    await client.expect('queue.declare-ok');
    await client.expect('basic.consume-ok');
    await client.expect('basic.deliver');
    expect(await client.next()).toBe('Hello World!');
    expect(session.state).toBe('running');

    client.method(0, { name: 'connection.close', args: { replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 } });
    await client.expect('connection.close-ok');
    while (!client.closedByServer) await new Promise((r) => setTimeout(r, 1));
    expect(session.state).toBe('closed');
    expect(broker.connections.size).toBe(0);
  });

  it('ends the session when the other side closes the port', async () => {
    const broker = new Broker();
    const { port1, port2 } = new MessageChannel();
    const session = serveMessagePort(broker, port1);
    const client = new PortClient(port2);
    client.send((w) => void w.writeProtocolHeader());
    await client.expect('connection.start');
    client.close();
    while (session.state !== 'closed') await new Promise((r) => setTimeout(r, 1));
    expect(session.machine.getSnapshot().value).toBe('closed');
  });

  it('imports nothing from node:', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const file of ['message-port.ts', 'session.ts', 'server-channel.ts', 'close.ts', 'auth.ts', 'flush-group.ts', 'heartbeat.ts', 'memory-guard.ts', 'frame-events.ts', 'server-properties.ts']) {
      const source = await readFile(new URL(`../../../src/server/${file}`, import.meta.url), 'utf8');
      expect(source, file).not.toMatch(/from ['"]node:/);
    }
  });
});
