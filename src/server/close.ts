// Every error a session reports becomes a close here, and only here (LavinMQ's client.cr
// does the same): the broker's AmqpError, the codec's ProtocolError, or a bug. The close
// carries RabbitMQ's reply code and text and the class/method ids of the failing method.

import { CodecError, ProtocolError } from '../amqp/index.ts';
import { AmqpError } from '../broker/errors.ts';

export interface Close {
  /** A channel close ends one channel; a connection close ends them all. */
  scope: 'channel' | 'connection';
  replyCode: number;
  replyText: string;
  classId: number;
  methodId: number;
}

/**
 * The close for `error`, raised while handling the method `classId`/`methodId` (0/0 for
 * none). Ids the error carries itself win: RabbitMQ names 'connection.tune' for a failed
 * negotiation even though tune-ok was the method being handled.
 */
export function closeFor(error: unknown, classId: number, methodId: number): Close {
  if (error instanceof AmqpError || error instanceof ProtocolError) {
    const own = error.classId !== 0;
    return {
      scope: error instanceof AmqpError ? error.scope : 'connection',
      replyCode: error.replyCode,
      replyText: shortText(error.replyText),
      classId: own ? error.classId : classId,
      methodId: own ? error.methodId : methodId,
    };
  }
  // Anything else is Warren's bug, not the client's: RabbitMQ answers its own crashes with
  // 541 INTERNAL_ERROR and keeps the other connections running. So do we.
  const detail = error instanceof CodecError || error instanceof Error ? error.message : String(error);
  return { scope: 'connection', replyCode: 541, replyText: shortText(`INTERNAL_ERROR - ${detail}`), classId, methodId };
}

/** The AmqpError that closes the core connection for a close that did not come from the core. */
export function asConnectionError(error: unknown, close: Close): AmqpError {
  if (error instanceof AmqpError && error.scope === 'connection') return error;
  if (error instanceof ProtocolError) return new AmqpError(error.code, error.detail, 'connection', close.classId, close.methodId);
  return new AmqpError('INTERNAL_ERROR', close.replyText.replace(/^INTERNAL_ERROR - /, ''), 'connection', close.classId, close.methodId);
}

const utf8 = new TextEncoder();

/**
 * reply-text is a shortstr: at most 255 bytes. RabbitMQ keeps the first 252 and adds
 * "..."; we cut at a character boundary so the text stays valid UTF-8.
 */
export function shortText(text: string): string {
  if (text.length <= 85 || utf8.encode(text).length <= 255) return text;
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const n = utf8.encode(ch).length;
    if (bytes + n > 252) break;
    bytes += n;
    end += ch.length;
  }
  return `${text.slice(0, end)}...`;
}
