// "Check my work": finding a lesson's checks, the summary line, and the page broker's
// trace since the last reset (what the checks grade).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BrokerHost } from '../../../src/playground/broker-host.ts';
import { checksKey } from '../../../src/playground/check-work.ts';
import { summarize } from '../../../src/playground/ui/check-panel.ts';

describe("a lesson's checks are found by its id", () => {
  const keys = ['/lessons/01-hello-world/checks.ts', '/lessons/02-work-queues/checks.ts', '/lessons/12-hello/checks.ts'];
  it.each([
    ['hello-world', '/lessons/01-hello-world/checks.ts'],
    ['work-queues', '/lessons/02-work-queues/checks.ts'],
    ['hello', '/lessons/12-hello/checks.ts'],
    ['world', undefined],
    ['01-hello-world', undefined],
  ])('%s -> %s', (id, key) => {
    expect(checksKey(keys, id)).toBe(key);
  });
});

describe('the summary line', () => {
  it.each([
    [2, 3, '2 of 3 checks pass.'],
    [0, 3, '0 of 3 checks pass.'],
    [3, 3, 'All 3 checks pass. Well done!'],
    [1, 1, 'The check passes. Well done!'],
    [0, 1, 'The check does not pass yet.'],
    [0, 0, 'This lesson has no checks yet.'],
  ])('%i of %i', (passed, total, text) => {
    expect(summarize(passed, total)).toBe(text);
  });
});

describe('the page broker keeps the trace since the last reset', () => {
  beforeAll(() => vi.stubGlobal('requestAnimationFrame', () => 1));
  afterAll(() => vi.unstubAllGlobals());

  it('leaves frames out, keeps the trace across a restart, starts afresh on reset', () => {
    const host = new BrokerHost();
    host.broker.events.emit({ type: 'frame', connection: 1, direction: 'in', channel: 0, frameType: 'heartbeat', size: 8 });
    host.broker.events.emit({ type: 'queue.purged', queue: 'a', messageCount: 0 });
    expect(host.trace.map((e) => e.type)).toEqual(['queue.purged']);
    host.restart();
    host.broker.events.emit({ type: 'queue.purged', queue: 'b', messageCount: 0 });
    // The restart's own events (the default exchanges declared again) are in it too.
    expect(host.trace.flatMap((e) => (e.type === 'queue.purged' ? [e.queue] : []))).toEqual(['a', 'b']);
    expect(host.trace.map((e) => e.seq)).toEqual([...host.trace.map((e) => e.seq)].sort((x, y) => x - y));
    host.reset();
    expect(host.trace).toEqual([]);
    host.broker.events.emit({ type: 'queue.purged', queue: 'c', messageCount: 0 });
    expect(host.trace.map((e) => e.type === 'queue.purged' && e.queue)).toEqual(['c']);
    expect(host.traceFull).toBe(false);
  });
});

describe('Reset broker tells whoever showed results of the old run', () => {
  beforeAll(() => vi.stubGlobal('requestAnimationFrame', () => 1));
  afterAll(() => vi.unstubAllGlobals());

  it('calls each reset listener and returns what they cleared, each sentence once', () => {
    const host = new BrokerHost();
    const cleared = 'Check results were cleared.';
    const calls: string[] = [];
    host.onReset(() => (calls.push('a'), cleared));
    host.onReset(() => (calls.push('b'), cleared));
    const stop = host.onReset(() => (calls.push('c'), undefined));
    expect(host.reset()).toEqual([cleared]);
    expect(calls).toEqual(['a', 'b', 'c']);
    stop();
    host.restart();
    expect(calls).toEqual(['a', 'b', 'c']);
    host.reset();
    expect(calls).toEqual(['a', 'b', 'c', 'a', 'b']);
  });

  it('a restart hands back what came back, and the trace records it', () => {
    const host = new BrokerHost();
    const conn = host.broker.connect();
    const ch = conn.openChannel(1);
    ch.queueDeclare('tasks', { durable: true });
    ch.queueDeclare('scratch');
    const restarted = host.restart();
    expect(restarted).toMatchObject({ type: 'broker.restarted', queues: [{ queue: 'tasks', messages: 0 }], messages: 0 });
    expect(host.trace.at(-1)).toBe(restarted);
  });
});
