// What `connect()` resolves to (amqplib's ChannelModel): open channels, close, and the
// connection's events.

import { Channel, ConfirmChannel } from './channel.ts';
import type { Connection, ConnectionEvents } from './connection.ts';
import { Emitter } from './emitter.ts';
import type { ChannelOptions } from './types.ts';

export class ChannelModel extends Emitter<ConnectionEvents> {
  /** The underlying connection (its `serverProperties` say what the broker is). */
  readonly connection: Connection;

  constructor(connection: Connection) {
    super();
    this.connection = connection;
    connection.on('error', (error) => this.emit('error', error));
    connection.on('close', (error) => this.emit('close', error));
    connection.on('blocked', (reason) => this.emit('blocked', reason));
    connection.on('unblocked', () => this.emit('unblocked'));
  }

  /** Opens a channel: almost everything (declaring, publishing, consuming) happens on a channel. */
  async createChannel(_options?: ChannelOptions): Promise<Channel> {
    const channel = new Channel(this.connection);
    await channel.open();
    return channel;
  }

  /** Opens a channel in confirm mode, where the server confirms each message you publish. */
  async createConfirmChannel(_options?: ChannelOptions): Promise<ConfirmChannel> {
    const channel = new ConfirmChannel(this.connection);
    await channel.open();
    return channel;
  }

  /** Closes the connection and every channel on it. */
  close(): Promise<void> {
    return this.connection.close();
  }
}
