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
export class Connection {
  readonly channels = new Map<number, Channel>();
  readonly exclusiveQueues = new Set<Queue>();
  open = true;
  blocked = false;

  readonly id: number;
  readonly info: ConnectionInfo;
  readonly sink: ConnectionSink;
  private readonly vhost: VHost;
  private readonly onClosed: (c: Connection) => void;

  constructor(id: number, info: ConnectionInfo, sink: ConnectionSink, vhost: VHost, onClosed: (c: Connection) => void) {
    this.id = id;
    this.info = info;
    this.sink = sink;
    this.vhost = vhost;
    this.onClosed = onClosed;
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
    this.emitChannelState(number, 'opening', 'open');
    return channel;
  }

  channelClosed(channel: Channel): void {
    if (this.channels.get(channel.id) === channel) this.channels.delete(channel.id);
    this.emitChannelState(channel.id, 'open', 'closed');
  }

  private emitChannelState(channel: number, from: string, to: string): void {
    const events = this.vhost.events;
    if (events.active) events.emit({ type: 'channel.state', connection: this.id, channel, from, to });
  }

  /** The client closed the connection, or its transport went away. */
  close(): void {
    if (!this.open) return;
    this.open = false;
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
    const events = this.vhost.events;
    if (events.active) events.emit({ type: 'connection.closed', connection: this.id, replyCode: error.replyCode, replyText: error.replyText });
    this.close();
  }

  setBlocked(blocked: boolean, reason = 'low on memory'): void {
    if (this.blocked === blocked) return;
    this.blocked = blocked;
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
