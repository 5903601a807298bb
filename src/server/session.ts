// One AMQP 0-9-1 connection as the server sees it, over any byte transport: the protocol
// header, the start/tune/open handshake, channels, content assembly, heartbeats, the
// close handshakes, and every error as RabbitMQ's channel.close or connection.close.
// Bytes in through receive(); bytes out through transport.send(), once per read.
//
// Errors: whatever a frame causes is thrown (by the core, the codec or this file) and
// caught in #frame, which hands it to closeFor (close.ts) and sends the close it names.
// Nothing escapes receive(): a bug closes this connection with 541, not the server.

import { createActor, type Actor } from 'xstate';
import { FRAME_MIN_SIZE, FrameParser, FrameWriter, ProtocolHeaderError, type Frame, type Method, type MethodInput, type ProtocolHeader } from '../amqp/index.ts';
import type { Broker } from '../broker/broker.ts';
import { CONNECTION_LOST, type Connection } from '../broker/connection.ts';
import { AmqpError, connectionError } from '../broker/errors.ts';
import type { ConnectionSink } from '../broker/sink.ts';
import type { FieldTable } from '../broker/types.ts';
import { connectionMachine, type ConnectionEvent } from '../machines/connection.ts';
import { DEFAULT_USERS, login, refusedText, type Peer, type Users } from './auth.ts';
import { asConnectionError, closeFor, type Close } from './close.ts';
import { flushGroupOf, type Flushable, type FlushGroup } from './flush-group.ts';
import { emitFrame, emitProtocolHeader, emitSent } from './frame-events.ts';
import { Heartbeat, type HeartbeatPeer } from './heartbeat.ts';
import type { MemoryGuard } from './memory-guard.ts';
import { contentUnexpected, decodeMethodFrame, negotiated, unexpectedFrame, unexpectedMethod, unknownFrame } from './protocol-errors.ts';
import { LOCALES, MECHANISMS, TUNE, serverProperties, type ServerIdentity } from './server-properties.ts';
import { ServerChannel, type ChannelWire } from './server-channel.ts';

/** What a session needs from the connection it runs over (a socket, a MessagePort, a test). */
export interface SessionTransport {
  /** Send bytes; the session never touches them again. Return false to ask for a pause
   * in deliveries until `session.drained()`. */
  send(bytes: Uint8Array): boolean | void;
  /** Close gracefully once what was sent is out. The session calls it at most once. */
  close(): void;
  /** Stop / start reading (a blocked connection); optional. */
  pause?(): void;
  resume?(): void;
  readonly peer: Peer;
}

export interface SessionOptions extends ServerIdentity {
  /** user -> password; default guest/guest (guest only from loopback, as in RabbitMQ). */
  users?: Users;
  /** Offered in connection.tune; RabbitMQ's defaults: 2047, 131072, 60 s. */
  channelMax?: number;
  frameMax?: number;
  heartbeat?: number;
  /** Hang up on a client that has not finished the handshake in time; default 10 s. */
  handshakeTimeoutMs?: number;
  /** Longest wait for close-ok after the server closed; default as RabbitMQ: the heartbeat if under 30 s, else 30 s. */
  closeTimeoutMs?: number;
  /** Largest message body; default 128 MiB (max_message_size). */
  maxMessageSize?: number;
  /** Shared by all sessions of one server: blocks publishers when memory runs high. */
  memoryGuard?: MemoryGuard;
  /** Lines RabbitMQ would write to its log (refused logins, missed heartbeats, errors). */
  log?: (line: string) => void;
}

/**
 * Where the session is: waiting for the protocol header, in the handshake (RabbitMQ's
 * names, as in "unexpected method in connection state tuning"), open, closing (a close
 * was sent or answered; only the close handshake is read) or closed.
 */
export type SessionState = 'header' | 'starting' | 'tuning' | 'opening' | 'running' | 'closing' | 'closed';

export class AmqpSession {
  readonly broker: Broker;
  /** The connection machine the core and the visualiser share; driven here through the handshake. */
  readonly machine: Actor<typeof connectionMachine>;
  /** The core's connection, once connection.open succeeded. */
  connection: Connection | null = null;

  #state: SessionState = 'header';
  readonly #transport: SessionTransport;
  readonly #users: Users;
  readonly #offer: { channelMax: number; frameMax: number; heartbeat: number };
  readonly #handshakeTimeoutMs: number;
  readonly #closeTimeoutMs: number | undefined;
  readonly #guard: MemoryGuard | undefined;
  readonly #log: ((line: string) => void) | undefined;
  readonly #identity: ServerIdentity;

  readonly #parser = new FrameParser({ protocolHeader: true });
  readonly #writer = new FrameWriter();
  readonly #group: FlushGroup;
  readonly #flusher: Flushable;
  readonly #wire: { writer: FrameWriter; frameMax: number; maxMessageSize: number; cancelNotify: boolean } & ChannelWire;
  readonly #pulse: HeartbeatPeer;

  /** Indexed by channel number (at most channel-max + 1 long). */
  readonly #channels: (ServerChannel | undefined)[] = [];
  #channelCount = 0;
  #channelMax: number = TUNE.channelMax;
  #user = '';
  /** client-properties connection_name, shown in the visualiser. */
  #clientName: string | undefined;
  /** The client's capabilities table: it gets connection.blocked and basic.cancel only if it asked. */
  #capabilities: FieldTable = {};
  #heartbeatSeconds = 0;

  #processing = false;
  /** Blocked by the memory alarm: frames stay unread in the parser. */
  #blocked = false;
  #alarm = false;
  #heartbeat: Heartbeat | null = null;
  #timer: unknown = null;
  #closeAfterFlush = false;
  #transportClosed = false;
  #deliveriesPaused = false;

  constructor(broker: Broker, transport: SessionTransport, options: SessionOptions = {}) {
    this.broker = broker;
    this.#transport = transport;
    this.#users = options.users ?? DEFAULT_USERS;
    this.#offer = {
      channelMax: options.channelMax ?? TUNE.channelMax,
      frameMax: options.frameMax ?? TUNE.frameMax,
      heartbeat: options.heartbeat ?? TUNE.heartbeat,
    };
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
    this.#closeTimeoutMs = options.closeTimeoutMs;
    this.#guard = options.memoryGuard;
    this.#log = options.log;
    this.#identity = options;
    this.#group = flushGroupOf(broker);
    this.#flusher = { queuedForFlush: false, flush: () => this.#flush() };
    const group = this.#group;
    const flusher = this.#flusher;
    const session = this;
    this.#wire = {
      writer: this.#writer,
      frameMax: this.#parser.frameMax,
      maxMessageSize: options.maxMessageSize ?? 134_217_728,
      cancelNotify: false,
      wrote: () => group.dirty(flusher),
      channelClosedByBroker: (channel, error) => this.#closeChannel(channel, closeFor(error, 0, 0)),
    };
    this.#pulse = {
      sentSinceTick: false,
      lastReceivedAt: 0,
      get readingPaused() {
        return session.#blocked;
      },
      sendHeartbeat: () => {
        this.#writer.writeHeartbeat();
        this.#flush();
      },
      heartbeatTimeout: () => {
        const reason = `missed heartbeats from client, timeout: ${this.#heartbeatSeconds}s`;
        this.#log?.(`closing AMQP connection (${this.peer}): ${reason}`);
        this.#abort({ type: 'socket.closed', reason });
      },
    };
    this.machine = createActor(connectionMachine, { input: { id: 0 } });
    this.machine.start();
    this.#timer = broker.clock.setTimer(this.#handshakeTimedOut, this.#handshakeTimeoutMs);
  }

  /** The peer's address, as the transport gave it. */
  get peer(): string {
    return this.#transport.peer.address;
  }

  /** 'running' once connection.open succeeded; 'closed' when the session is over. */
  get state(): SessionState {
    return this.#state;
  }

  // ---- transport in ----

  /** Bytes from the peer. Never throws; the chunk must not be reused by the caller. */
  receive(chunk: Uint8Array): void {
    if (this.#state === 'closed') return;
    this.#pulse.lastReceivedAt = this.broker.clock.now();
    this.#parser.push(chunk);
    this.#pump();
  }

  /** The transport closed (peer hung up, socket error). Idempotent. */
  transportClosed(): void {
    this.#transportClosed = true;
    this.#teardown({ type: 'socket.closed' });
  }

  /** The transport can take more after send() returned false: deliveries resume. */
  drained(): void {
    if (!this.#deliveriesPaused) return;
    this.#deliveriesPaused = false;
    this.#group.enter();
    try {
      for (const ch of this.#channels) {
        const core = ch?.core;
        if (!core?.open || ch!.closing) continue;
        core.flowActive = true;
        for (const consumer of core.consumers.values()) consumer.queue.dispatch();
      }
    } finally {
      this.#group.exit();
    }
  }

  /**
   * Closes the connection from the server side: 320 CONNECTION_FORCED "broker forced
   * connection closure with reason '<reason>'", then waits (bounded) for close-ok.
   */
  close(reason = 'shutdown'): void {
    this.#group.enter();
    try {
      const error = connectionError('CONNECTION_FORCED', `broker forced connection closure with reason '${reason}'`);
      if (this.#state === 'running') this.#fail(error, 0, 0, 0);
      else if (this.#state !== 'closing' && this.#state !== 'closed') this.#abort({ type: 'socket.closed', reason });
    } finally {
      this.#group.exit();
    }
  }

  #pump(): void {
    if (this.#processing) return; // re-entered from a send: the loop below reads it
    this.#processing = true;
    this.#group.enter();
    try {
      this.#readFrames();
    } catch (error) {
      this.#fail(error, 0, 0, 0);
    } finally {
      this.#processing = false;
      this.#guard?.maybeCheck();
      this.#group.exit();
    }
  }

  #readFrames(): void {
    const parser = this.#parser;
    while (!this.#blocked) {
      const state = this.#state;
      if (state === 'closed') return;
      let item: Frame | ProtocolHeader | undefined;
      try {
        item = parser.read();
      } catch (error) {
        // The stream is out of sync and stays so (the parser keeps failing): nothing more
        // can be read, not even a close-ok; the close timer ends the connection.
        if (state === 'closing') return;
        if (error instanceof ProtocolHeaderError) this.#badHeader();
        else this.#fail(error, 0, 0, 0);
        return;
      }
      if (item === undefined) return;
      if (item.type === 'protocol-header') this.#protocolHeader();
      else this.#frame(item);
    }
  }

  // ---- frames ----

  #frame(frame: Frame): void {
    const events = this.broker.events;
    if (events.active) emitFrame(events, this.connection?.id ?? 0, 'in', frame);
    try {
      if (frame.channel === 0) this.#channelZero(frame);
      else this.#channelFrame(frame);
    } catch (error) {
      const p = frame.payload;
      const named = frame.type === 1 && p.length >= 4;
      this.#fail(error, named ? (p[0]! << 8) | p[1]! : 0, named ? (p[2]! << 8) | p[3]! : 0, frame.channel);
    }
  }

  #channelZero(frame: Frame): void {
    const closing = this.#state === 'closing';
    if (frame.type === 8) {
      if (frame.payload.length !== 0 && !closing) throw unknownFrame(frame);
      return;
    }
    if (frame.type !== 1) {
      if (closing) return;
      throw unexpectedFrame(frame);
    }
    let method: Method;
    try {
      method = decodeMethodFrame(frame);
    } catch (error) {
      if (closing) return; // RabbitMQ logs it and keeps waiting for close-ok
      throw error;
    }
    this.#connectionMethod(method);
  }

  #connectionMethod(method: Method): void {
    switch (this.#state) {
      case 'starting':
        if (method.name === 'connection.start-ok') return this.#startOk(method.args.mechanism, method.args.response, method.args.clientProperties);
        break;
      case 'tuning':
        if (method.name === 'connection.tune-ok') return this.#tuneOk(method.args.channelMax, method.args.frameMax, method.args.heartbeat);
        break;
      case 'opening':
        if (method.name === 'connection.open') return this.#open(method.args.virtualHost);
        break;
      case 'running':
        if (method.name === 'connection.update-secret') return this.#send(0, { name: 'connection.update-secret-ok' });
        break;
      case 'closing':
        // Only the close handshake matters now; everything else is dropped unread.
        if (method.name === 'connection.close-ok') this.#closeTransport();
        else if (method.name === 'connection.close') {
          this.#send(0, { name: 'connection.close-ok' });
          this.#closeTransport();
        }
        return;
      default:
        return;
    }
    if (method.name === 'connection.close') return this.#clientClose(method.args.replyCode, method.args.replyText);
    throw unexpectedMethod(this.#blocked ? 'blocked' : this.#state);
  }

  #channelFrame(frame: Frame): void {
    const state = this.#state;
    if (state === 'closing') return;
    if (state !== 'running' || frame.type === 8) throw unexpectedFrame(frame);
    const ch = this.#channels[frame.channel];
    if (ch === undefined) return this.#newChannelFrame(frame);
    if (ch.closing) return this.#closingChannelFrame(ch, frame);
    const expecting = ch.expecting;
    if (frame.type === 1) {
      if (expecting !== 'method') throw contentUnexpected(expecting);
      const method = decodeMethodFrame(frame);
      if (method.name === 'channel.close') return this.#clientChannelClose(ch);
      ch.handle(method);
      return;
    }
    const kind = frame.type === 2 ? 'header' : 'body';
    if (expecting !== kind) throw contentUnexpected(expecting);
    if (kind === 'header') {
      if (frame.payload.length < 12) throw unknownFrame(frame);
      ch.header(frame.payload);
    } else ch.body(frame.payload);
    // rabbit_reader's publish_received: a publishing connection blocks while the alarm is on.
    if (this.#alarm) this.#block();
  }

  #newChannelFrame(frame: Frame): void {
    if (this.#channelCount >= this.#channelMax) {
      // rabbit_reader:create_channel refuses before looking at the frame: no method named.
      const error = connectionError('NOT_ALLOWED', `number of channels opened (${this.#channelCount}) has reached the negotiated channel_max (${this.#channelMax})`);
      this.#fail(error, 0, 0, 0);
      return;
    }
    if (frame.type !== 1) throw contentUnexpected('method');
    const method = decodeMethodFrame(frame);
    if (method.name !== 'channel.open') throw connectionError('CHANNEL_ERROR', "expected 'channel.open'");
    const id = frame.channel;
    if (id > this.#channelMax) {
      throw connectionError('CHANNEL_ERROR', `channel number ${id} is higher than the negotiated channel_max (${this.#channelMax})`);
    }
    const ch = new ServerChannel(id, this.#wire);
    ch.core = this.connection!.openChannel(id, ch);
    this.#channels[id] = ch;
    this.#channelCount++;
    this.#send(id, { name: 'channel.open-ok' });
  }

  #closingChannelFrame(ch: ServerChannel, frame: Frame): void {
    if (frame.type !== 1) return;
    const method = decodeMethodFrame(frame);
    if (method.name === 'channel.close-ok') {
      ch.core?.closeOk();
      this.#forgetChannel(ch);
    } else if (method.name === 'channel.close') this.#send(ch.id, { name: 'channel.close-ok' });
  }

  #clientChannelClose(ch: ServerChannel): void {
    ch.core?.confirmBeforeClose();
    ch.abandon();
    ch.core?.close();
    this.#forgetChannel(ch);
    this.#send(ch.id, { name: 'channel.close-ok' });
  }

  #forgetChannel(ch: ServerChannel): void {
    if (this.#channels[ch.id] !== ch) return;
    this.#channels[ch.id] = undefined;
    this.#channelCount--;
  }

  // ---- the handshake ----

  #protocolHeader(): void {
    this.machine.send({ type: 'header.received' });
    const events = this.broker.events;
    if (events.active) emitProtocolHeader(events, 0, 'in');
    this.#send(0, {
      name: 'connection.start',
      args: { versionMajor: 0, versionMinor: 9, serverProperties: serverProperties(this.#identity), mechanisms: MECHANISMS, locales: LOCALES },
    });
    this.#state = 'starting';
  }

  #badHeader(): void {
    // RabbitMQ writes the header it speaks and hangs up, without connection.close.
    this.machine.send({ type: 'header.invalid' });
    this.#writer.writeProtocolHeader();
    this.#state = 'closing';
    this.#closeTransport();
  }

  #startOk(mechanism: string, response: Uint8Array, clientProperties: FieldTable): void {
    const capabilities = clientProperties['capabilities'];
    if (capabilities !== null && typeof capabilities === 'object' && !Array.isArray(capabilities) && !(capabilities instanceof Uint8Array) && !(capabilities instanceof Date)) {
      this.#capabilities = capabilities as FieldTable;
    }
    this.#wire.cancelNotify = this.#capabilities['consumer_cancel_notify'] === true;
    const name = clientProperties['connection_name'];
    this.#clientName = typeof name === 'string' ? name : undefined;
    const result = login(mechanism, response, this.#transport.peer, this.#users);
    if (!result.ok) {
      this.#log?.(`Error on AMQP connection (${this.peer}, state: starting): ${result.log}`);
      // Clients that do not announce authentication_failure_close just see the socket close.
      if (this.#capabilities['authentication_failure_close'] !== true) {
        this.#abort({ type: 'handshake.failed', replyCode: 403, replyText: `ACCESS_REFUSED - ${refusedText(mechanism)}` });
        return;
      }
      this.#fail(new AmqpError('ACCESS_REFUSED', refusedText(mechanism), 'connection'), 0, 0, 0);
      return;
    }
    this.#user = result.user;
    this.machine.send({ type: 'start-ok.received', user: result.user });
    this.#send(0, { name: 'connection.tune', args: this.#offer });
    this.#state = 'tuning';
  }

  #tuneOk(channelMax: number, frameMax: number, heartbeat: number): void {
    negotiated('frame_max', FRAME_MIN_SIZE, this.#offer.frameMax, frameMax);
    negotiated('channel_max', 1, this.#offer.channelMax, channelMax);
    this.#channelMax = channelMax;
    this.#parser.frameMax = frameMax;
    this.#wire.frameMax = frameMax;
    this.#heartbeatSeconds = heartbeat;
    if (heartbeat > 0) this.#heartbeat = new Heartbeat(this.broker.clock, this.#pulse, heartbeat);
    this.machine.send({ type: 'tune-ok.received' });
    this.#state = 'opening';
  }

  #open(vhost: string): void {
    if (vhost !== this.broker.vhost.name) throw connectionError('NOT_ALLOWED', `vhost ${vhost} not found`);
    const info = this.#clientName === undefined ? { user: this.#user, peer: this.peer } : { user: this.#user, peer: this.peer, name: this.#clientName };
    this.connection = this.broker.connect(info, this.#connectionSink, this.machine);
    this.machine.send({ type: 'open.received', vhost });
    this.#clearTimer();
    this.#state = 'running';
    this.#send(0, { name: 'connection.open-ok' });
    this.#guard?.register(this.#alarmable);
  }

  readonly #handshakeTimedOut = (): void => {
    this.#timer = null;
    if (this.#state === 'running' || this.#state === 'closed' || this.#state === 'closing') return;
    this.#log?.(`closing AMQP connection (${this.peer}): handshake_timeout`);
    this.#abort({ type: 'timeout' });
  };

  // ---- what the core says about the connection ----

  readonly #connectionSink: ConnectionSink = {
    blocked: (reason) => {
      if (this.#capabilities['connection.blocked'] === true) this.#send(0, { name: 'connection.blocked', args: { reason } });
    },
    unblocked: () => {
      if (this.#capabilities['connection.blocked'] === true) this.#send(0, { name: 'connection.unblocked' });
    },
    closed: (error) => this.#fail(error, 0, 0, 0),
  };

  // ---- the memory alarm ----

  readonly #alarmable = { memoryAlarm: (on: boolean) => this.#memoryAlarm(on) };

  #memoryAlarm(on: boolean): void {
    this.#alarm = on;
    if (on || !this.#blocked) return;
    this.#blocked = false;
    this.connection?.setBlocked(false);
    this.#transport.resume?.();
    this.#flushSoon();
    // Frames that arrived while blocked wait in the parser.
    if (this.#state !== 'closed') this.#pump();
  }

  #block(): void {
    if (this.#blocked || this.#state !== 'running') return;
    this.#blocked = true;
    this.connection?.setBlocked(true, 'low on memory');
    this.#transport.pause?.();
  }

  // ---- closing ----

  /** The one place a thrown error becomes a close (see close.ts). */
  #fail(error: unknown, classId: number, methodId: number, channel: number): void {
    const close = closeFor(error, classId, methodId);
    if (close.scope === 'channel' && channel !== 0) {
      const ch = this.#channels[channel];
      if (ch === undefined || ch.closing) return;
      const core = ch.core;
      if (core?.open && error instanceof AmqpError) {
        try {
          core.fail(error);
        } catch {
          // fail() throws the error back after closing the channel: expected.
        }
      }
      this.#closeChannel(ch, close);
      return;
    }
    this.#closeConnection(close, error);
  }

  #closeChannel(ch: ServerChannel, close: Close): void {
    if (ch.closing || this.#channels[ch.id] !== ch) return;
    ch.closing = true;
    ch.abandon();
    this.#send(ch.id, { name: 'channel.close', args: { replyCode: close.replyCode, replyText: close.replyText, classId: close.classId, methodId: close.methodId } });
  }

  #closeConnection(close: Close, error: unknown): void {
    const state = this.#state;
    if (state === 'closing' || state === 'closed') return;
    if (close.replyCode !== 320) this.#log?.(`Error on AMQP connection (${this.peer}, state: ${state}): ${close.replyText}`);
    if (!(error instanceof AmqpError || error instanceof Error)) this.#log?.(String(error));
    else if (!(error instanceof AmqpError) && close.replyCode === 541) this.#log?.(error.stack ?? error.message);
    const connection = this.connection;
    if (connection?.open) {
      try {
        connection.fail(asConnectionError(error, close));
      } catch {
        // fail() throws the error back after closing the connection: expected.
      }
    } else if (connection === null) this.#machineSend({ type: 'handshake.failed', replyCode: close.replyCode, replyText: close.replyText });
    this.#abandonChannels();
    this.#send(0, { name: 'connection.close', args: { replyCode: close.replyCode, replyText: close.replyText, classId: close.classId, methodId: close.methodId } });
    this.#state = 'closing';
    this.#stopHeartbeat();
    this.#clearTimer();
    // rabbit_reader: the negotiated heartbeat when shorter, else 30 s.
    const heartbeat = this.#heartbeatSeconds;
    const wait = this.#closeTimeoutMs ?? (heartbeat > 0 && heartbeat < 30 ? heartbeat * 1000 : 30_000);
    this.#timer = this.broker.clock.setTimer(this.#closeTimedOut, wait);
  }

  readonly #closeTimedOut = (): void => {
    this.#timer = null;
    if (this.#state !== 'closing') return;
    this.#closeTransport();
    this.#flush();
  };

  #clientClose(replyCode: number, replyText: string): void {
    for (const ch of this.#channels) ch?.core?.confirmBeforeClose();
    // The core closes every channel (unacked messages requeued, exclusive queues gone).
    this.#abandonChannels();
    if (this.connection === null) this.#machineSend({ type: 'close.received', replyCode: 200, replyText: 'OK' });
    else this.connection.close({ by: 'client', replyCode, replyText });
    this.#send(0, { name: 'connection.close-ok' });
    this.#state = 'closing';
    this.#closeTransport();
  }

  #abandonChannels(): void {
    for (const ch of this.#channels) ch?.abandon();
    this.#channels.length = 0;
    this.#channelCount = 0;
  }

  /** Hangs up without a close method (bad login without the capability, timeouts). */
  #abort(event: ConnectionEvent): void {
    this.#machineSend(event);
    this.#writer.take();
    this.#transportClosed = true;
    this.#transport.close();
    this.#teardown(event);
  }

  /** Closes the transport once pending output is sent. */
  #closeTransport(): void {
    this.#closeAfterFlush = true;
    this.#flushSoon();
  }

  #teardown(event: ConnectionEvent): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#stopHeartbeat();
    this.#clearTimer();
    this.#guard?.unregister(this.#alarmable);
    this.#machineSend(event);
    const connection = this.connection;
    if (connection?.open) {
      this.#group.enter();
      try {
        // No connection.close from the client reached the core: the transport went away
        // (or timed out).
        connection.close(CONNECTION_LOST);
      } finally {
        this.#group.exit();
      }
    }
    this.#abandonChannels();
    if (this.#blocked) this.#blocked = false;
  }

  #machineSend(event: ConnectionEvent): void {
    const machine = this.machine;
    if (machine.getSnapshot().status === 'active') machine.send(event);
  }

  #stopHeartbeat(): void {
    this.#heartbeat?.stop();
    this.#heartbeat = null;
  }

  #clearTimer(): void {
    if (this.#timer !== null) this.broker.clock.clearTimer(this.#timer);
    this.#timer = null;
  }

  // ---- transport out ----

  #send(channel: number, method: MethodInput): void {
    this.#writer.writeMethod(channel, method);
    this.#group.dirty(this.#flusher);
  }

  /** Sends now unless a read is under way (its end sends everything at once). */
  #flushSoon(): void {
    if (this.#processing) this.#group.dirty(this.#flusher);
    else this.#flush();
  }

  #flush(): void {
    const writer = this.#writer;
    if (writer.length > 0) {
      const bytes = writer.take();
      if (!this.#transportClosed) {
        this.#pulse.sentSinceTick = true;
        const events = this.broker.events;
        if (events.active) emitSent(events, this.connection?.id ?? 0, bytes);
        if (this.#transport.send(bytes) === false) this.#pauseDeliveries();
      }
    }
    if (this.#closeAfterFlush) {
      this.#closeAfterFlush = false;
      if (!this.#transportClosed) {
        this.#transportClosed = true;
        this.#transport.close();
      }
      this.#teardown({ type: 'socket.closed', reason: 'connection closed' });
    }
  }

  /** The transport is full: no more deliveries to this connection until drained(). */
  #pauseDeliveries(): void {
    if (this.#deliveriesPaused || this.#state === 'closed') return;
    this.#deliveriesPaused = true;
    for (const ch of this.#channels) if (ch?.core?.open) ch.core.flowActive = false;
  }
}
