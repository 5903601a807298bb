import { describe, expect, it } from 'vitest';
import { Broker, ManualClock } from '../../../src/broker/index.ts';
import fixtures from '../../fixtures/rabbitmq-behaviour.json' with { type: 'json' };
import { CLIENT_CAPABILITIES, PROTOCOL_HEADER, WireClient, amqplain, closeArgs, plain } from './wire-client.ts';

interface RabbitClose { reply_code: number; reply_text: string; class_id: number; method_id: number }
const props = fixtures['connection.server-properties'].result;
const auth = fixtures['connection.auth'].result as unknown as Record<string, { 'connection.close': RabbitClose }>;
const asClose = (c: RabbitClose) => ({ name: 'connection.close', args: closeArgs(c.reply_code, c.reply_text, c.class_id, c.method_id) });

describe('the handshake', () => {
  it('offers what RabbitMQ offers in connection.start and connection.tune', () => {
    const client = new WireClient(new Broker());
    client.raw(PROTOCOL_HEADER);
    const [start] = client.methods();
    expect(start?.name).toBe('connection.start');
    if (start?.name !== 'connection.start') return;
    expect(start.args.versionMajor).toBe(0);
    expect(start.args.versionMinor).toBe(9);
    const typed = props['connection.start (typed)'];
    expect(start.args.mechanisms).toBe(typed.mechanisms);
    expect(start.args.locales).toBe(typed.locales);
    const ours = start.args.serverProperties;
    const theirs = props['server_properties (pika)'];
    expect(ours['product']).toBe('Warren');
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    expect(ours['capabilities']).toEqual(theirs.capabilities);
    expect(Object.keys(ours['capabilities'] as object)).toEqual(Object.keys(theirs.capabilities));

    client.startOk();
    const [tune] = client.methods();
    const offer = props['connection.tune (server proposal)'];
    expect(tune).toEqual({ name: 'connection.tune', args: { channelMax: offer.channel_max, frameMax: offer.frame_max, heartbeat: offer.heartbeat } });
  });

  it('opens with PLAIN and with AMQPLAIN, and hands the core the shared machine', () => {
    for (const response of [plain('guest', 'guest'), amqplain('guest', 'guest')]) {
      const broker = new Broker();
      const client = new WireClient(broker);
      client.raw(PROTOCOL_HEADER);
      client.startOk({ mechanism: response[0] === 0 ? 'PLAIN' : 'AMQPLAIN', response });
      expect(client.names()).toEqual(['connection.tune']);
      client.send(0, { name: 'connection.tune-ok', args: { channelMax: 2047, frameMax: 131072, heartbeat: 0 } });
      client.send(0, { name: 'connection.open', args: { virtualHost: '/' } });
      expect(client.names()).toEqual(['connection.open-ok']);
      expect(client.session.state).toBe('running');
      const connection = [...broker.connections.values()][0]!;
      expect(connection.info.user).toBe('guest');
      expect(connection.machine).toBe(client.session.machine);
      expect(connection.machine.getSnapshot().value).toEqual({ open: 'unblocked' });
    }
  });

  it('answers tune-ok and open sent together with open-ok, in one send', () => {
    const client = new WireClient(new Broker());
    client.handshake();
    expect(client.sends.length).toBe(3); // start, tune, open-ok
  });

  it('refuses a wrong protocol header with AMQP 0-0-9-1 and hangs up', () => {
    for (const header of ['AMQP\x01\x01\x00\x0a', 'GET / HTTP/1.1\r\n', 'hello wo']) {
      const client = new WireClient(new Broker());
      client.raw(new TextEncoder().encode(header));
      const [reply] = client.take();
      expect(reply).toEqual({ type: 'raw', bytes: PROTOCOL_HEADER });
      expect(client.closed).toBe(true);
      expect(client.session.state).toBe('closed');
      expect(client.session.machine.getSnapshot().context.reason?.replyText).toBe('invalid AMQP protocol header');
    }
  });

  it('accepts the 0-9 header as RabbitMQ does', () => {
    const client = new WireClient(new Broker());
    client.raw(Uint8Array.from([0x41, 0x4d, 0x51, 0x50, 1, 1, 0, 9]));
    expect(client.names()).toEqual(['connection.start']);
  });

  it('refuses a wrong password with 403 and RabbitMQ text, then waits for close-ok', () => {
    const client = new WireClient(new Broker(), { log: () => {} });
    client.raw(PROTOCOL_HEADER);
    client.startOk({ password: 'nope' });
    expect(client.methods()).toEqual([asClose(auth['wrong password']!['connection.close'])]);
    expect(client.closed).toBe(false);
    client.send(0, { name: 'connection.close-ok' });
    expect(client.closed).toBe(true);
  });

  it('lets guest in only from loopback, logging why', () => {
    const lines: string[] = [];
    const client = new WireClient(new Broker(), { peer: { address: '10.1.2.3:4000', isLoopback: false }, log: (l) => lines.push(l) });
    client.raw(PROTOCOL_HEADER);
    client.startOk({ mechanism: 'AMQPLAIN', response: amqplain('guest', 'guest') });
    const [close] = client.methods();
    expect(close).toEqual({
      name: 'connection.close',
      args: closeArgs(403, 'ACCESS_REFUSED - Login was refused using authentication mechanism AMQPLAIN. For details see the broker logfile.', 0, 0),
    });
    expect(lines.join('\n')).toContain("user 'guest' can only connect via localhost");

    const other = new WireClient(new Broker(), { peer: { address: '10.1.2.3:4001', isLoopback: false }, users: { alice: 's3cret' } });
    other.handshake({ user: 'alice', password: 's3cret' });
    expect(other.session.state).toBe('running');
  });

  it('hangs up without a close for a client without authentication_failure_close', () => {
    const client = new WireClient(new Broker(), { log: () => {} });
    client.raw(PROTOCOL_HEADER);
    client.startOk({ password: 'nope', capabilities: {} });
    expect(client.take()).toEqual([]);
    expect(client.closed).toBe(true);
  });

  it('closes for an unknown mechanism (503) and a malformed PLAIN response (502)', () => {
    const a = new WireClient(new Broker(), { log: () => {} });
    a.raw(PROTOCOL_HEADER);
    a.startOk({ mechanism: 'EXTERNAL' });
    expect(a.methods()).toEqual([{ name: 'connection.close', args: closeArgs(503, "COMMAND_INVALID - unknown authentication mechanism 'EXTERNAL'", 10, 11) }]);

    const b = new WireClient(new Broker(), { log: () => {} });
    b.raw(PROTOCOL_HEADER);
    b.startOk({ response: new TextEncoder().encode('guest:guest') });
    expect(b.methods()).toEqual([{ name: 'connection.close', args: closeArgs(502, 'SYNTAX_ERROR - response <<"guest:guest">> invalid', 10, 11) }]);
  });

  it('validates tune-ok like rabbit_reader', () => {
    const cases: [{ channelMax: number; frameMax: number }, string][] = [
      [{ channelMax: 2047, frameMax: 4096 }, 'NOT_ALLOWED - negotiated frame_max = 4096 is lower than the minimum allowed value (8192)'],
      [{ channelMax: 2047, frameMax: 0 }, 'NOT_ALLOWED - negotiated frame_max = 0 is higher than the maximum allowed value (131072)'],
      [{ channelMax: 2047, frameMax: 131073 }, 'NOT_ALLOWED - negotiated frame_max = 131073 is higher than the maximum allowed value (131072)'],
      [{ channelMax: 0, frameMax: 131072 }, 'NOT_ALLOWED - negotiated channel_max = 0 (no limit) is higher than the maximum allowed value (2047)'],
    ];
    for (const [tune, replyText] of cases) {
      const client = new WireClient(new Broker(), { log: () => {} });
      client.raw(PROTOCOL_HEADER);
      client.startOk();
      client.methods();
      client.send(0, { name: 'connection.tune-ok', args: { ...tune, heartbeat: 0 } });
      expect(client.methods()).toEqual([{ name: 'connection.close', args: closeArgs(530, replyText, 10, 30) }]);
    }
  });

  it('knows only the vhost "/" (530 on connection.open, as RabbitMQ)', () => {
    const client = new WireClient(new Broker(), { log: () => {} });
    client.raw(PROTOCOL_HEADER);
    client.startOk();
    client.methods();
    client.send(0, { name: 'connection.tune-ok', args: { channelMax: 2047, frameMax: 131072, heartbeat: 0 } });
    client.send(0, { name: 'connection.open', args: { virtualHost: 'nope' } });
    expect(client.methods()).toEqual([asClose(auth['unknown vhost']!['connection.close'])]);
    expect(client.session.machine.getSnapshot().value).toBe('closed');
  });

  it('refuses methods out of order with 504 naming the state', () => {
    const client = new WireClient(new Broker(), { log: () => {} });
    client.raw(PROTOCOL_HEADER);
    client.methods();
    client.send(0, { name: 'connection.open', args: { virtualHost: '/' } });
    expect(client.methods()).toEqual([{ name: 'connection.close', args: closeArgs(504, 'CHANNEL_ERROR - unexpected method in connection state starting', 10, 40) }]);
  });

  it('hangs up on a client that does not finish the handshake in 10 s', () => {
    const clock = new ManualClock();
    const client = new WireClient(new Broker({ clock }), { log: () => {} });
    client.raw(PROTOCOL_HEADER);
    clock.advance(9_999);
    expect(client.closed).toBe(false);
    clock.advance(1);
    expect(client.closed).toBe(true);
    expect(client.session.machine.getSnapshot().context.reason?.replyText).toBe('handshake_timeout');
  });

  it('capabilities of the client are honoured (consumer_cancel_notify off: no basic.cancel)', () => {
    const broker = new Broker();
    const client = new WireClient(broker);
    client.handshake({ capabilities: { ...CLIENT_CAPABILITIES, consumer_cancel_notify: false } });
    client.openChannel(1);
    client.send(1, { name: 'queue.declare', args: { queue: 'q' } });
    client.send(1, { name: 'basic.consume', args: { queue: 'q', consumerTag: 'c' } });
    client.send(1, { name: 'queue.delete', args: { queue: 'q' } });
    expect(client.names()).toEqual(['queue.declare-ok', 'basic.consume-ok', 'queue.delete-ok']);
  });
});
