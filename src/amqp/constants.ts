// Reply codes and frame constants of AMQP 0-9-1, generated from RabbitMQ's spec
// (src/amqp/generated/constants.ts); the broker imports ReplyCode and ReplyCodeName
// from here.

import { FRAME_MIN_SIZE, type ReplyCode } from './generated/constants.ts';

export {
  ClassId,
  FRAME_BODY,
  FRAME_END,
  FRAME_HEADER,
  FRAME_HEARTBEAT,
  FRAME_METHOD,
  FRAME_MIN_SIZE,
  PROTOCOL,
  ReplyCode,
  ReplyCodeKind,
} from './generated/constants.ts';

export type ReplyCodeName = keyof typeof ReplyCode;

/** Type, channel and size before a payload, frame-end after it: frame-max counts these too. */
export const FRAME_OVERHEAD = 8;

/**
 * The frame-max RabbitMQ enforces before tune-ok settles one, and the least it accepts
 * in tune-ok: 8192 since RabbitMQ 4.1 (4096 before, so in Debian's 3.10).
 */
export const INITIAL_FRAME_MAX = FRAME_MIN_SIZE;

/** RabbitMQ's default frame-max offer in connection.tune. */
export const DEFAULT_FRAME_MAX = 131072;
