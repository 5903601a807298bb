// The client's public shapes, named as amqplib names them (its index.d.ts and
// lib/properties.d.ts), with a line of plain words on each for the editor's hover.

import type { FieldTable, FieldValue } from '../broker/types.ts';

export type { FieldTable, FieldValue };

/**
 * A message body as received: a Buffer in Node, elsewhere a Uint8Array whose `toString()`
 * decodes UTF-8 — so `msg.content.toString()` works in both.
 */
export interface MessageContent extends Uint8Array {
  /** The body as text (UTF-8 unless you name 'hex' or 'base64'). */
  toString(encoding?: 'utf8' | 'utf-8' | 'hex' | 'base64'): string;
}

/** What you can publish: bytes (a Buffer or Uint8Array), or a string (sent as UTF-8). */
export type PublishContent = Uint8Array | string;

/** Replies from the server. */
export namespace Replies {
  /** An operation that succeeded and has nothing to report. */
  export type Empty = Record<string, never>;
  /** The queue's name (the server picks one if you passed ''), and how many messages and consumers it has. */
  export interface AssertQueue {
    queue: string;
    messageCount: number;
    consumerCount: number;
  }
  /** How many messages the purge removed. */
  export interface PurgeQueue {
    messageCount: number;
  }
  /** How many messages were still in the deleted queue. */
  export interface DeleteQueue {
    messageCount: number;
  }
  /** The exchange's name. */
  export interface AssertExchange {
    exchange: string;
  }
  /** The consumer's tag: pass it to `cancel` to stop consuming. */
  export interface Consume {
    consumerTag: string;
  }
  /** The tag of the consumer that was cancelled. */
  export interface Cancel {
    consumerTag: string;
  }
}

/** Options for the channel operations. */
export namespace Options {
  /** Where and how to connect, as an object instead of a URL. */
  export interface Connect {
    /** 'amqp' (the default). */
    protocol?: string;
    /** The broker's host name (default 'localhost'). */
    hostname?: string;
    /** The broker's port (default 5672). */
    port?: number;
    /** User name (default 'guest'). */
    username?: string;
    /** Password (default 'guest'). */
    password?: string;
    /** Locale for the server's messages (default 'en_US'). */
    locale?: string;
    /** Largest frame to accept, in bytes (default 131072). */
    frameMax?: number;
    /** Seconds between heartbeats; 0 (the default here) turns them off. */
    heartbeat?: number;
    /** Virtual host (default '/'). */
    vhost?: string;
    /** Most channels to allow (0, the default, means as many as the server allows). */
    channelMax?: number;
  }

  /** How to declare a queue. */
  export interface AssertQueue {
    /** Only this connection may use the queue, and it is deleted when the connection closes. */
    exclusive?: boolean;
    /** The queue survives a broker restart (default true). */
    durable?: boolean;
    /** Delete the queue once its last consumer is cancelled. */
    autoDelete?: boolean;
    /** Extra queue arguments (x-...), sent as they are. */
    arguments?: FieldTable;
    /** Messages expire after this many milliseconds in the queue (x-message-ttl). */
    messageTtl?: number;
    /** Delete the queue after this many milliseconds unused (x-expires). */
    expires?: number;
    /** Exchange that rejected or expired messages are republished to (x-dead-letter-exchange). */
    deadLetterExchange?: string;
    /** Routing key for dead-lettered messages (x-dead-letter-routing-key). */
    deadLetterRoutingKey?: string;
    /** Most messages the queue holds; the oldest are dropped first (x-max-length). */
    maxLength?: number;
    /** Highest message priority the queue honours (x-max-priority). */
    maxPriority?: number;
    /** What to do when the queue is full: 'drop-head', 'reject-publish' or 'reject-publish-dlx' (x-overflow). */
    overflow?: string;
    /** 'default' or 'lazy' (x-queue-mode). */
    queueMode?: string;
  }

  /** When to refuse a queue deletion. */
  export interface DeleteQueue {
    /** Only delete if the queue has no consumers. */
    ifUnused?: boolean;
    /** Only delete if the queue has no messages. */
    ifEmpty?: boolean;
  }

  /** How to declare an exchange. */
  export interface AssertExchange {
    /** The exchange survives a broker restart (default true). */
    durable?: boolean;
    /** Publishers cannot publish to it directly, only other exchanges can. */
    internal?: boolean;
    /** Delete the exchange once its last binding is removed. */
    autoDelete?: boolean;
    /** Where to send messages this exchange cannot route (alternate-exchange). */
    alternateExchange?: string;
    /** Extra exchange arguments, sent as they are. */
    arguments?: FieldTable;
  }

  /** When to refuse an exchange deletion. */
  export interface DeleteExchange {
    /** Only delete if the exchange has no bindings. */
    ifUnused?: boolean;
  }

  /** Message properties and publishing flags. */
  export interface Publish {
    /** Milliseconds until the message expires (sent as a string). */
    expiration?: string | number;
    /** The user the message claims to come from; the server checks it. */
    userId?: string;
    /** More routing keys to route the message with (kept in the headers). */
    CC?: string | string[];
    /** Return the message (a 'return' event) if no queue gets it. */
    mandatory?: boolean;
    /** Keep the message on disk so it survives a restart (deliveryMode 2). */
    persistent?: boolean;
    /** 1 (transient) or 2 (persistent); `persistent` is the friendlier name. */
    deliveryMode?: boolean | number;
    /** Like CC, but removed from the message before delivery. */
    BCC?: string | string[];
    /** MIME type of the body, e.g. 'application/json'. */
    contentType?: string;
    /** Encoding of the body, e.g. 'gzip'. */
    contentEncoding?: string;
    /** Your own key/value headers (the headers exchange routes on them). */
    headers?: FieldTable;
    /** Priority, 0 to 255 (honoured by queues with maxPriority). */
    priority?: number;
    /** Ties a reply to its request (RPC). */
    correlationId?: string;
    /** The queue a reply should go to (RPC). */
    replyTo?: string;
    /** Your id for this message. */
    messageId?: string;
    /** Seconds since 1970. */
    timestamp?: number;
    /** Your name for the kind of message. */
    type?: string;
    /** Your application's name. */
    appId?: string;
  }

  /** How to consume. */
  export interface Consume {
    /** Your own tag for the consumer (the server makes one up otherwise). */
    consumerTag?: string;
    /** Do not receive messages published on this connection (RabbitMQ ignores this). */
    noLocal?: boolean;
    /** The server forgets each message as soon as it sends it: no ack needed, none possible. */
    noAck?: boolean;
    /** Be the queue's only consumer. */
    exclusive?: boolean;
    /** Consumers with higher priority get messages first (x-priority). */
    priority?: number;
    /** Extra consumer arguments, sent as they are. */
    arguments?: FieldTable;
  }

  /** How to get one message. */
  export interface Get {
    /** The server forgets the message as soon as it sends it: no ack needed. */
    noAck?: boolean;
  }
}

/** Options for `connect()` beyond the URL; the transport gets them too (e.g. TCP's noDelay). */
export interface SocketOptions {
  /** Turn off Nagle's algorithm on TCP. */
  noDelay?: boolean;
  /** Give up connecting after this many milliseconds. */
  timeout?: number;
  /** TCP keep-alive. */
  keepAlive?: boolean;
  /** TCP keep-alive delay, in milliseconds. */
  keepAliveDelay?: number;
  /** Extra client properties to show the server (e.g. connection_name). */
  clientProperties?: FieldTable;
  /** How to log in, instead of the URL's user and password (see `credentials`). */
  credentials?: Credentials;
  /** Anything else is handed to the transport as is. */
  [option: string]: unknown;
}

/** A SASL mechanism and the response it sends. */
export interface Credentials {
  mechanism: string;
  response(): Uint8Array;
  username?: string;
  password?: string;
}

/** Options when opening a channel. */
export interface ChannelOptions {
  /** Accepted for amqplib compatibility; this client has no per-channel write buffer. */
  highWaterMark?: number;
}

/** Where a delivered message came from. */
export interface CommonMessageFields {
  /** Number to ack, nack or reject this message with (per channel, from 1). */
  deliveryTag: number;
  /** True if the message was delivered before and not acknowledged. */
  redelivered: boolean;
  /** The exchange it was published to ('' for the default exchange). */
  exchange: string;
  /** The routing key it was published with. */
  routingKey: string;
}

/** Fields of a message from `consume` or `get`. */
export interface MessageFields extends CommonMessageFields {
  /** Messages left in the queue (only from `get`). */
  messageCount?: number;
  /** The consumer it was delivered to (only from `consume`). */
  consumerTag?: string;
}

/** Fields of a message from `get`. */
export interface GetMessageFields extends CommonMessageFields {
  /** Messages left in the queue after this one. */
  messageCount: number;
}

/** Fields of a message delivered to a consumer. */
export interface ConsumeMessageFields extends CommonMessageFields {
  /** The consumer it was delivered to. */
  consumerTag: string;
}

/** Why the server returned a message (a 'return' event). */
export interface ReturnMessageFields {
  /** 312 (NO_ROUTE) when no queue matched a mandatory message. */
  replyCode: number;
  /** e.g. 'NO_ROUTE'. */
  replyText: string;
  /** The exchange it was published to. */
  exchange: string;
  /** The routing key it was published with. */
  routingKey: string;
}

/** Message properties as received; absent ones are undefined. */
export interface MessageProperties {
  contentType: string | undefined;
  contentEncoding: string | undefined;
  /** Headers set by the publisher, plus x-death etc. added by the broker. */
  headers: FieldTable | undefined;
  /** 2 means persistent. */
  deliveryMode: number | undefined;
  priority: number | undefined;
  correlationId: string | undefined;
  replyTo: string | undefined;
  /** Milliseconds, as a string. */
  expiration: string | undefined;
  messageId: string | undefined;
  /** Seconds since 1970. */
  timestamp: number | undefined;
  type: string | undefined;
  userId: string | undefined;
  appId: string | undefined;
  clusterId: string | undefined;
}

/** A message: its body (`content`), where it came from (`fields`) and its `properties`. */
export interface Message {
  /** The body: call `toString()` for text. */
  content: MessageContent;
  fields: MessageFields;
  properties: MessageProperties;
}

/** A message from `get`. */
export interface GetMessage extends Message {
  fields: GetMessageFields;
}

/** A message delivered to a consumer. */
export interface ConsumeMessage extends Message {
  fields: ConsumeMessageFields;
}

/** A message the server sent back (mandatory and unroutable). */
export interface ReturnMessage {
  content: MessageContent;
  fields: ReturnMessageFields;
  properties: MessageProperties;
}

/** What the server says about itself when you connect. */
export interface ServerProperties {
  product?: string;
  version?: string;
  platform?: string;
  [key: string]: FieldValue | undefined;
}
