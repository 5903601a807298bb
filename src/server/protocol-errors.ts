// The errors rabbit_reader and rabbit_command_assembler raise about frames and the
// handshake, with RabbitMQ's texts. Each is an AmqpError; close.ts turns it into a close.

import { decodeMethod, type Frame, type Method } from '../amqp/index.ts';
import { payloadSnippet } from '../amqp/erlang-format.ts';
import { AmqpError, connectionError } from '../broker/errors.ts';

export function decodeMethodFrame(frame: Frame): Method {
  // rabbit_command_assembler:analyze_frame refuses a method frame too short for its ids.
  if (frame.payload.length < 4) throw unknownFrame(frame);
  return decodeMethod(frame.payload);
}

export const unknownFrame = (frame: Frame): AmqpError =>
  connectionError('FRAME_ERROR', `type ${frame.type}, ${payloadSnippet(frame.payload)}: unknown_frame`);

export const unexpectedFrame = (frame: Frame): AmqpError =>
  connectionError('UNEXPECTED_FRAME', `type ${frame.type}, ${payloadSnippet(frame.payload)}`);

/** The assembler's texts for a frame of the wrong kind; during content they name basic.publish. */
export function contentUnexpected(expecting: 'method' | 'header' | 'body'): AmqpError {
  if (expecting === 'method') return connectionError('UNEXPECTED_FRAME', 'expected method frame, got non method frame instead');
  const detail = expecting === 'header'
    ? 'expected content header for class 60, got non content header frame instead'
    : 'expected content body, got non content body frame instead';
  return new AmqpError('UNEXPECTED_FRAME', detail, 'connection', 60, 40);
}

/** rabbit_reader:validate_negotiated_integer_value; failures name connection.tune. */
export function negotiated(field: 'frame_max' | 'channel_max', min: number, server: number, client: number): void {
  const fail = (detail: string) => new AmqpError('NOT_ALLOWED', detail, 'connection', 10, 30);
  if (client !== 0 && client < min) throw fail(`negotiated ${field} = ${client} is lower than the minimum allowed value (${min})`);
  if (server !== 0 && (client === 0 || client > server)) {
    const noLimit = field === 'channel_max' && client === 0 ? ' (no limit)' : '';
    throw fail(`negotiated ${field} = ${client}${noLimit} is higher than the maximum allowed value (${server})`);
  }
}

/** rabbit_reader's handle_method0 fallback: a connection method the state does not expect. */
export const unexpectedMethod = (state: string): AmqpError =>
  connectionError('CHANNEL_ERROR', `unexpected method in connection state ${state}`);
