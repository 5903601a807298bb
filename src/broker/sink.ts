import type { AmqpError } from './errors.ts';
import type { QueuedMessage } from './message.ts';

/**
 * What the broker says to a client on one channel, unprompted. The server session turns
 * each call into frames; in-process users (tests, the grader) record them.
 */
export interface ChannelSink {
  /** basic.deliver; the message's exchange, routing key, properties and body are the content. */
  deliver(consumerTag: string, deliveryTag: number, redelivered: boolean, message: QueuedMessage): void;
  /** basic.return of an unroutable mandatory message. */
  returned(replyCode: number, replyText: string, message: QueuedMessage): void;
  /** basic.ack / basic.nack of a publish in confirm mode. */
  confirm(deliveryTag: number, multiple: boolean, ack: boolean): void;
  /** basic.cancel from the server: the queue went away. */
  cancelled(consumerTag: string): void;
  /** The broker closed the channel (an error noticed outside a client call). */
  closed(error: AmqpError): void;
}

/** What the broker says to a client about its whole connection. */
export interface ConnectionSink {
  blocked(reason: string): void;
  unblocked(): void;
  /** The broker closed the connection (forced close, restart). */
  closed(error: AmqpError): void;
}

export const silentChannelSink: ChannelSink = {
  deliver() {},
  returned() {},
  confirm() {},
  cancelled() {},
  closed() {},
};

export const silentConnectionSink: ConnectionSink = {
  blocked() {},
  unblocked() {},
  closed() {},
};
