// Errors as amqplib words them, so learner code that prints or checks them reads the same
// here as against RabbitMQ with amqplib.

import { ReplyCode } from '../amqp/index.ts';

/**
 * Thrown when an operation is not allowed in the current state, e.g. using a channel after
 * it closed ("Channel closed") or a connection after it closed.
 */
export class IllegalOperationError extends Error {
  override name = 'IllegalOperationError';
  /** Where the channel or connection changed state (a stack trace), when known. */
  stackAtStateChange: string | undefined;

  constructor(message: string, stackAtStateChange?: string) {
    super(message);
    this.stackAtStateChange = stackAtStateChange;
  }
}

/** An error from the server: `code` is the AMQP reply code, `classId`/`methodId` name the method that failed. */
export interface ServerError extends Error {
  code: number;
  classId?: number;
  methodId?: number;
}

/** What a close method carries. */
export interface CloseFields {
  replyCode: number;
  replyText: string;
  classId: number;
  methodId: number;
}

const CODE_NAMES = new Map<number, string>(Object.entries(ReplyCode).map(([name, code]) => [code, name.replaceAll('_', '-')]));

/** `404 (NOT-FOUND) with message "NOT_FOUND - no queue 'q' in vhost '/'"`, amqplib's closeMessage. */
export function closeMessage(close: CloseFields): string {
  return `${close.replyCode} (${CODE_NAMES.get(close.replyCode) ?? 'undefined'}) with message "${close.replyText}"`;
}

/** amqplib's name for a method: `queue.declare-ok` becomes `QueueDeclareOk`. */
export function methodDisplayName(name: string): string {
  return name
    .split(/[.-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** `<ConnectionClose channel:0>`, amqplib's way of naming an unexpected frame. */
export function inspectFrame(channel: number, name: string): string {
  return `<${methodDisplayName(name)} channel:${channel}>`;
}

/** An Error carrying a server's reply code and the ids of the method it names. */
export function serverError(message: string, close: CloseFields): ServerError {
  const error = new Error(message) as ServerError;
  error.code = close.replyCode;
  error.classId = close.classId;
  error.methodId = close.methodId;
  return error;
}

/**
 * The rejection of the RPC that was waiting when the server closed the channel: "Operation
 * failed: QueueDeclare; ..." when the close names that very method, else "Channel closed by
 * server: ..." (amqplib's convertCloseFrameToError).
 */
export function rpcCloseError(method: { classId: number; methodId: number; name: string }, close: CloseFields): ServerError {
  const same = method.classId === close.classId && method.methodId === close.methodId;
  const text = same ? `Operation failed: ${methodDisplayName(method.name)}; ${closeMessage(close)}` : `Channel closed by server: ${closeMessage(close)}`;
  return serverError(text, close);
}

/** A stack trace naming why a channel or connection changed state (amqplib's stackCapture). */
export function stackCapture(reason: string): string {
  const stack = new Error().stack ?? '';
  return `Stack capture: ${reason}\n${stack.split('\n').slice(2).join('\n')}`;
}
