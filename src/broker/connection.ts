import { createActor, type Actor } from 'xstate';
import { connectionMachine, stateLabel } from '../machines/index.ts';
import { Channel } from './channel.ts';
import { type AmqpError, connectionError } from './errors.ts';
import type { Queue } from './queue.ts';
import { type ChannelSink, type ConnectionSink, silentChannelSink } from './sink.ts';
import type { VHost } from './vhost.ts';

export interface ConnectionInfo {
  user: string;
  /** What the client calls itself (client-properties connection_name), for panels. */
  name?: string;
  /** Where it connects from, e.g. "127.0.0.1:53412" or "worker 2". */
  peer?: string;
}

/**
 * A client connection in the core: its channels and the exclusive queues it owns. Closing
 * it (for any reason) closes every channel, requeueing their unacked messages, and deletes
 * its exclusive queues.
 */
/** How a connection ended, as the `connection.closed` event tells it. */
export interface ConnectionEnd {
  by: 'client' | 'server' | 'lost';
  replyCode: number;
  replyText: string;
}

const CLIENT_CLOSE: ConnectionEnd = { by: 'client', replyCode: 200, replyText: 'OK' };

/** The transport went away with no close: what RabbitMQ logs for it. */
export const CONNECTION_LOST: ConnectionEnd = { by: 'lost', replyCode: 0, replyText: 'client unexpectedly closed TCP connection' };

export class Connection {
  readonly channels = new Map<number, Channel>();
  readonly exclusiveQueues = new Set<Queue>();
  open = true;
  blocked = false;
  /**
   * The connection's lifecycle, run by the machine the visualiser draws. A server session
   * drives the handshake itself and hands the machine over once open; an in-process
   * connection walks it through the handshake at once.
   */
  readonly machine: Actor<typeof connectionMachine>;

  readonly id: number;
  readonly info: ConnectionInfo;
  readonly sink: ConnectionSink;
  private readonly vhost: VHost;
  private readonly onClosed: (c: Connection) => void;

  constructor(
    id: number,
    info: ConnectionInfo,
    sink: ConnectionSink,
    vhost: VHost,
    onClosed: (c: Connection) => void,
    machine?: Actor<typeof connectionMachine>,
  ) {
    this.id = id;
    this.info = info;
    this.sink = sink;
    this.vhost = vhost;
    this.onClosed = onClosed;
    this.machine = machine ?? createActor(connectionMachine, { input: { id } });
    let label = stateLabel(this.machine.getSnapshot().value);
    this.machine.subscribe((snapshot) => {
      const next = stateLabel(snapshot.value);
      if (next !== label && vhost.events.active) vhost.events.emit({ type: 'connection.state', connection: id, from: label, to: next });
      label = next;
    });
    if (!machine) {
      this.machine.start();
      this.machine.send({ type: 'header.received' });
      this.machine.send({ type: 'start-ok.received', user: info.user });
      this.machine.send({ type: 'tune-ok.received' });
      this.machine.send({ type: 'open.received', vhost: vhost.name });
    }
  }

  /** Opens channel `id` (or the lowest free number). */
  openChannel(id?: number, sink: ChannelSink = silentChannelSink): Channel {
    if (!this.open) throw connectionError('CHANNEL_ERROR', 'connection is closed');
    let number = id ?? 1;
    if (id === undefined) while (this.channels.has(number)) number++;
    else if (this.channels.has(number)) {
      const error = connectionError('CHANNEL_ERROR', `second 'channel.open' seen`);
      this.fail(error);
    }
    const channel = new Channel(number, this, sink, this.vhost);
    this.channels.set(number, channel);
    return channel;
  }

  channelClosed(channel: Channel): void {
    if (this.channels.get(channel.id) === channel) this.channels.delete(channel.id);
  }

  /**
   * The client closed the connection (with its reply code and text), or its transport went
   * away without a close (`lost`).
   */
  close(how: ConnectionEnd = CLIENT_CLOSE): void {
    if (!this.open) return;
    this.open = false;
    if (this.machine.getSnapshot().status === 'active') {
      this.machine.send(how.by === 'lost' ? { type: 'socket.closed', reason: how.replyText } : { type: 'close.received', replyCode: how.replyCode, replyText: how.replyText });
    }
    const events = this.vhost.events;
    if (how.by !== 'server' && events.active) events.emit({ type: 'connection.closed', connection: this.id, ...how });
    for (const channel of [...this.channels.values()]) channel.close();
    for (const queue of [...this.exclusiveQueues]) this.vhost.deleteQueue(queue, 'owner-closed');
    this.exclusiveQueues.clear();
    this.onClosed(this);
  }

  /** A connection error: closes it and throws it for the caller to report. */
  fail(error: AmqpError): never {
    this.closeWith(error);
    throw error;
  }

  /** Closes the connection with an error and tells the client through its sink. */
  forceClose(error: AmqpError): void {
    if (!this.open) return;
    this.closeWith(error);
    this.sink.closed(error);
  }

  private closeWith(error: AmqpError): void {
    if (!this.open) return;
    this.machine.send({ type: 'close.sent', replyCode: error.replyCode, replyText: error.replyText });
    const events = this.vhost.events;
    if (events.active) events.emit({ type: 'connection.closed', connection: this.id, replyCode: error.replyCode, replyText: error.replyText, by: 'server' });
    this.close({ by: 'server', replyCode: error.replyCode, replyText: error.replyText });
  }

  setBlocked(blocked: boolean, reason = 'low on memory'): void {
    if (this.blocked === blocked) return;
    this.blocked = blocked;
    this.machine.send(blocked ? { type: 'alarm.raised', reason } : { type: 'alarm.cleared' });
    const events = this.vhost.events;
    if (blocked) {
      if (events.active) events.emit({ type: 'connection.blocked', connection: this.id, reason });
      this.sink.blocked(reason);
    } else {
      if (events.active) events.emit({ type: 'connection.unblocked', connection: this.id });
      this.sink.unblocked();
    }
  }
}
