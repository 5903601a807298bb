// Everything the codec throws on purpose is a CodecError, so a caller can tell a peer's
// bad bytes (or its own bad arguments) from a bug: a TypeError or RangeError escaping the
// codec is a bug, and the fuzz test holds it to that.

import { ReplyCode } from './generated/constants.ts';
import { erlangBinary } from './erlang-format.ts';

type ReplyCodeName = keyof typeof ReplyCode;

export class CodecError extends Error {
  override name = 'CodecError';
}

/**
 * Bytes from the peer that must close the connection. `code`/`detail` read like
 * RabbitMQ's close (`FRAME_ERROR - type 1, all octets = <<>>: {frame_too_large,...}`);
 * `classId`/`methodId` name the method being decoded, or 0 when the frame itself is bad.
 */
export class ProtocolError extends CodecError {
  override name = 'ProtocolError';
  readonly code: ReplyCodeName;
  readonly replyCode: number;
  readonly detail: string;
  readonly classId: number;
  readonly methodId: number;

  constructor(code: ReplyCodeName, detail: string, classId = 0, methodId = 0, reason?: string) {
    super(reason === undefined ? `${code} - ${detail}` : `${code} - ${detail} (${reason})`);
    this.code = code;
    this.replyCode = ReplyCode[code];
    this.detail = detail;
    this.classId = classId;
    this.methodId = methodId;
  }

  /** The reply-text for connection.close, as RabbitMQ writes it (ASCII, at most 255 bytes). */
  get replyText(): string {
    return `${this.code} - ${this.detail}`.slice(0, 255);
  }
}

/** 501 FRAME_ERROR: a bad frame, or a payload that cannot be decoded. */
export class FrameError extends ProtocolError {
  override name = 'FrameError';
  constructor(detail: string, classId = 0, methodId = 0, reason?: string) {
    super('FRAME_ERROR', detail, classId, methodId, reason);
  }
}

/** A method frame naming a class/method id pair the spec does not define (540). */
export class UnknownMethodError extends ProtocolError {
  override name = 'UnknownMethodError';
  constructor(classId: number, methodId: number) {
    super('NOT_IMPLEMENTED', `unknown method (class ${classId}, method ${methodId})`, classId, methodId);
  }
}

/**
 * The first 8 bytes were not `AMQP 0 0 9 1`. RabbitMQ answers by writing the protocol
 * header it speaks (`reply`) and closing the socket; no close method is sent.
 */
export class ProtocolHeaderError extends CodecError {
  override name = 'ProtocolHeaderError';
  readonly received: Uint8Array;
  readonly reply: Uint8Array;
  readonly reason: 'bad-version' | 'http' | 'tls' | 'not-amqp';

  constructor(received: Uint8Array, reply: Uint8Array, reason: ProtocolHeaderError['reason']) {
    super(`client did not start with the AMQP 0-9-1 protocol header (${reason}): ${erlangBinary(received)}`);
    this.received = received;
    this.reply = reply;
    this.reason = reason;
  }
}

/** A value that cannot be encoded: the caller's mistake, named by method and field. */
export class EncodeError extends CodecError {
  override name = 'EncodeError';
}
