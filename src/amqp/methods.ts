// Method frame payloads: class id, method id, then the arguments, decoded by the
// generated straight-line decoder for that method.

import { ByteReader } from './byte-reader.ts';
import { decodeMethodArgs } from './generated/method-codec.ts';
import type { Method } from './generated/method-types.ts';

// Decoding never re-enters, so one reader serves every call.
const reader = new ByteReader();

/**
 * Decodes a method frame's payload. Unknown ids throw UnknownMethodError (540); a payload
 * that is truncated, too long or malformed throws FrameError (501, RabbitMQ's "cannot
 * decode"), carrying the class and method ids for the connection.close.
 */
export function decodeMethod(payload: Uint8Array): Method {
  const r = reader.reset(payload);
  if (payload.length < 4) r.fail('a method frame needs a class and a method id');
  const classId = r.u16();
  const methodId = r.u16();
  r.classId = classId;
  r.methodId = methodId;
  return decodeMethodArgs(r, classId, methodId);
}
