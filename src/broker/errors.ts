import { ReplyCode, type ReplyCodeName } from '../amqp/constants.ts';

/**
 * A failed operation, as RabbitMQ reports it. `scope` says what it closes: a channel
 * error closes the channel it happened on, a connection error the whole connection.
 * The server turns this into channel.close / connection.close in one place; `classId`
 * and `methodId` name the method that failed (the session fills them when the core
 * does not know them).
 */
export class AmqpError extends Error {
  readonly replyCode: number;
  readonly code: ReplyCodeName;
  /** Text after the code name, e.g. "no queue 'hello' in vhost '/'". */
  readonly detail: string;
  readonly scope: 'channel' | 'connection';
  classId: number;
  methodId: number;

  constructor(code: ReplyCodeName, detail: string, scope: 'channel' | 'connection', classId = 0, methodId = 0) {
    super(`${code} - ${detail}`);
    this.name = 'AmqpError';
    this.code = code;
    this.detail = detail;
    this.scope = scope;
    this.classId = classId;
    this.methodId = methodId;
    this.replyCode = ReplyCode[code];
  }

  /** The reply-text RabbitMQ puts in the close method: "NOT_FOUND - no queue 'x' in vhost '/'". */
  get replyText(): string {
    return this.message;
  }
}

/** RabbitMQ closes the channel for soft errors (3xx, 403-406) and the connection for the rest. */
export const errorFor = (code: ReplyCodeName, detail: string): AmqpError => {
  const n = ReplyCode[code];
  return new AmqpError(code, detail, (n >= 311 && n <= 313) || (n >= 403 && n <= 406) ? 'channel' : 'connection');
};

export const channelError = (code: ReplyCodeName, detail: string): AmqpError =>
  new AmqpError(code, detail, 'channel');

export const connectionError = (code: ReplyCodeName, detail: string): AmqpError =>
  new AmqpError(code, detail, 'connection');

/** RabbitMQ's way of naming a resource in error texts: "queue 'hello' in vhost '/'". */
export const describe = (kind: 'queue' | 'exchange', name: string, vhost: string): string =>
  `${kind} '${name}' in vhost '${vhost}'`;
