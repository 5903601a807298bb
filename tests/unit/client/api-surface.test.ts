// Every channel operation sends the method amqplib sends, and resolves with what amqplib
// resolves; publish reports back-pressure and 'drain'; the browser entry never reaches
// Node-only code.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { MethodInput } from '../../../src/amqp/index.ts';
import { connect } from '../../../src/client/connect.ts';
import { transportPair } from '../../../src/client/memory.ts';
import { setTransportFactory, type ByteTransport } from '../../../src/client/transport.ts';
import { FakeServer, connectFake } from './fake-server.ts';

describe('each operation on the wire', () => {
  it('sends amqplib\'s method and arguments and resolves with its reply', async () => {
    const { model, server } = await connectFake();
    const oks: Record<string, MethodInput> = {
      'queue.declare': { name: 'queue.declare-ok', args: { queue: 'q', messageCount: 1, consumerCount: 2 } },
      'queue.unbind': { name: 'queue.unbind-ok' },
      'exchange.declare': { name: 'exchange.declare-ok' },
      'exchange.delete': { name: 'exchange.delete-ok' },
      'exchange.bind': { name: 'exchange.bind-ok' },
      'exchange.unbind': { name: 'exchange.unbind-ok' },
      'basic.qos': { name: 'basic.qos-ok' },
      'basic.recover': { name: 'basic.recover-ok' },
    };
    server.on((r) => {
      const ok = oks[r.method.name];
      if (ok !== undefined) server.send(r.channel, ok);
    });
    const ch = await model.createChannel();
    const cases: [() => Promise<unknown>, string, object, unknown][] = [
      [() => ch.checkQueue('q'), 'queue.declare', { queue: 'q', passive: true }, { queue: 'q', messageCount: 1, consumerCount: 2 }],
      [() => ch.unbindQueue('q', 'x', 'k', { a: 1 }), 'queue.unbind', { queue: 'q', exchange: 'x', routingKey: 'k', arguments: { a: 1 } }, {}],
      [() => ch.checkExchange('x'), 'exchange.declare', { exchange: 'x', passive: true }, {}],
      [() => ch.deleteExchange('x', { ifUnused: true }), 'exchange.delete', { exchange: 'x', ifUnused: true }, {}],
      [() => ch.bindExchange('dst', 'src', 'k.#'), 'exchange.bind', { destination: 'dst', source: 'src', routingKey: 'k.#', arguments: {} }, {}],
      [() => ch.unbindExchange('dst', 'src', 'k.#'), 'exchange.unbind', { destination: 'dst', source: 'src', routingKey: 'k.#' }, {}],
      [() => ch.qos(5, true), 'basic.qos', { prefetchCount: 5, global: true }, {}],
      [() => ch.recover(), 'basic.recover', { requeue: true }, {}],
    ];
    for (const [call, name, args, reply] of cases) {
      expect(await call()).toEqual(reply);
      const sent = server.received.filter((r) => r.method.name === name).at(-1)!;
      expect(sent.method.args).toMatchObject(args);
    }
    await model.close();
  });
});

describe('back-pressure', () => {
  it('publish returns false while the transport is full, then the channel emits drain', async () => {
    const [client, serverEnd] = transportPair();
    new FakeServer(serverEnd);
    let full = false;
    let onDrain: (() => void) | undefined;
    const throttled: ByteTransport = {
      send: (bytes) => (client.send(bytes), !full),
      close: () => client.close(),
      onData: (l) => client.onData(l),
      onClose: (l) => client.onClose(l),
      onDrain: (l) => {
        onDrain = l;
      },
    };
    const previous = setTransportFactory(() => throttled);
    const model = await connect('amqp://localhost');
    setTransportFactory(previous);
    const ch = await model.createChannel();
    const other = await model.createChannel();
    let drains = 0;
    let otherDrains = 0;
    ch.on('drain', () => drains++);
    other.on('drain', () => otherDrains++);
    expect(ch.sendToQueue('q', 'a')).toBe(true);
    full = true;
    expect(ch.sendToQueue('q', 'b')).toBe(false);
    full = false;
    onDrain!();
    expect(drains).toBe(1);
    expect(otherDrains).toBe(0); // only channels that were told "full" hear about it
    await model.close();
  });
});

describe('the browser entry', () => {
  it('never imports node:* or the TCP transport, nor the broker core or server', () => {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');
    const seen = new Set<string>();
    const runtimeImports: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)';/gms)) {
        const [, , typeOnly, spec] = m;
        if (!spec!.startsWith('.')) {
          if (!typeOnly) runtimeImports.push(spec!);
          continue;
        }
        const target = resolve(dirname(file), spec!);
        if (!typeOnly) runtimeImports.push(target.slice(root.length + 1));
        visit(target);
      }
      for (const m of text.matchAll(/^import\s+'([^']+)';/gm)) runtimeImports.push(m[1]!);
    };
    visit(resolve(root, 'client/index.ts'));
    expect(runtimeImports.filter((s) => s.startsWith('node:'))).toEqual([]);
    expect(runtimeImports).not.toContain('client/tcp.ts');
    expect(runtimeImports).not.toContain('client/register-tcp.ts');
    // broker/types.ts (the codec's Typed values) is the one broker file the codec needs.
    expect(runtimeImports.filter((s) => (s.startsWith('broker/') && s !== 'broker/types.ts') || s.startsWith('server/'))).toEqual([]);
  });
});
