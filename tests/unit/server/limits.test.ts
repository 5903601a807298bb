import { describe, expect, it } from 'vitest';
import { Broker, ManualClock } from '../../../src/broker/index.ts';
import { MemoryGuard, queuedBytes } from '../../../src/server/memory-guard.ts';
import { WireClient } from './wire-client.ts';

describe('heartbeats', () => {
  it('sends a heartbeat every half interval when nothing else went out', () => {
    const clock = new ManualClock();
    const client = new WireClient(new Broker({ clock }), { log: () => {} });
    client.handshake({ heartbeat: 10 });
    client.raw(new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0xce])); // the client's heartbeat
    clock.advance(5_000); // open-ok went out in this half interval
    expect(client.take()).toEqual([]);
    clock.advance(5_000);
    expect(client.take()).toEqual([{ type: 'heartbeat', channel: 0 }]);
    client.openChannel(1); // output in this half interval: no heartbeat needed
    clock.advance(5_000);
    expect(client.take()).toEqual([]);
  });

  it('closes a connection whose peer was silent for two intervals, requeueing its messages', () => {
    const clock = new ManualClock();
    const broker = new Broker({ clock });
    const lines: string[] = [];
    const client = new WireClient(broker, { log: (l) => lines.push(l) });
    client.handshake({ heartbeat: 10 });
    client.openChannel(1);
    client.send(1, { name: 'queue.declare', args: { queue: 'q' } });
    client.publish(1, 'q', 'm');
    client.send(1, { name: 'basic.get', args: { queue: 'q' } });
    clock.advance(15_000);
    client.raw(new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0xce])); // still alive at 15 s
    clock.advance(19_000);
    expect(client.closed).toBe(false);
    clock.advance(1_000);
    expect(client.closed).toBe(true);
    expect(lines.join('\n')).toContain('missed heartbeats from client, timeout: 10s');
    expect(broker.connections.size).toBe(0);
    expect(broker.vhost.queues.get('q')!.messageCount).toBe(1);
    const reason = client.session.machine.getSnapshot().context.reason;
    expect(reason).toEqual({ by: 'network', replyCode: null, replyText: 'missed heartbeats from client, timeout: 10s' });
  });

  it('never times out with heartbeat 0', () => {
    const clock = new ManualClock();
    const client = new WireClient(new Broker({ clock }));
    client.handshake({ heartbeat: 0 });
    clock.advance(3_600_000);
    expect(client.closed).toBe(false);
    expect(client.take()).toEqual([]);
  });
});

describe('the memory alarm', () => {
  it('blocks publishing connections above the watermark and unblocks them below it', () => {
    const clock = new ManualClock();
    const broker = new Broker({ clock });
    let used = 0;
    const guard = new MemoryGuard(broker, { highWatermark: 100, probe: () => used, intervalMs: 0 });
    const publisher = new WireClient(broker, { memoryGuard: guard });
    const idle = new WireClient(broker, { memoryGuard: guard });
    publisher.handshake();
    idle.handshake();
    publisher.openChannel(1);
    publisher.send(1, { name: 'queue.declare', args: { queue: 'q' } });
    publisher.take();

    used = 1000;
    guard.check();
    expect(guard.alarmed).toBe(true);
    // RabbitMQ blocks a connection when it publishes during the alarm, not before.
    expect(publisher.take()).toEqual([]);
    publisher.batch((w) => {
      w.writeMethod(1, { name: 'basic.publish', args: { routingKey: 'q' } });
      w.writeContent(1, 60, {}, new Uint8Array([1]), 131072);
      w.writeMethod(1, { name: 'queue.declare', args: { queue: 'q2' } }); // stays unread
    });
    expect(publisher.methods()).toEqual([{ name: 'connection.blocked', args: { reason: 'low on memory' } }]);
    expect(publisher.paused).toBe(true);
    expect(broker.vhost.queues.has('q2')).toBe(false);
    expect(publisher.session.machine.getSnapshot().value).toEqual({ open: 'blocked' });
    expect(idle.take()).toEqual([]);

    used = 10;
    clock.advance(1); // the guard re-checks on a timer while the alarm is on
    expect(guard.alarmed).toBe(false);
    expect(publisher.names()).toEqual(['connection.unblocked', 'queue.declare-ok']);
    expect(publisher.paused).toBe(false);
    expect(broker.vhost.queues.has('q2')).toBe(true);
    guard.dispose();
  });

  it('measures queued message bytes by default', () => {
    const broker = new Broker();
    const client = new WireClient(broker);
    client.handshake();
    client.openChannel(1);
    client.send(1, { name: 'queue.declare', args: { queue: 'q' } });
    client.publish(1, 'q', 'x'.repeat(1000));
    expect(queuedBytes(broker)).toBe(1000);
  });
});

describe('transport backpressure', () => {
  it('stops deliveries while the transport is full and resumes when drained', () => {
    const broker = new Broker();
    let full = false;
    const client = new WireClient(broker, { sendResult: () => !full });
    client.handshake();
    client.openChannel(1);
    client.send(1, { name: 'queue.declare', args: { queue: 'q' } });
    client.send(1, { name: 'basic.consume', args: { queue: 'q', noAck: true } });
    client.take();
    full = true;
    client.publish(1, 'q', 'a'); // delivered; the send reports the transport full
    expect(client.names()).toEqual(['basic.deliver']);
    client.publish(1, 'q', 'b');
    client.publish(1, 'q', 'c');
    expect(client.names()).toEqual([]);
    expect(broker.vhost.queues.get('q')!.messageCount).toBe(2);
    full = false;
    client.session.drained();
    expect(client.names()).toEqual(['basic.deliver', 'basic.deliver']);
  });
});
