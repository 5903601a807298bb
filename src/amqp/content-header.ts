// Content header frames: class id, weight (always 0), body size, then property flags and
// the properties they announce. Only basic (60) has content in 0-9-1.

import type { BasicProperties } from '../broker/types.ts';
import { ByteReader } from './byte-reader.ts';
import { ByteWriter } from './byte-writer.ts';
import { ClassId } from './generated/constants.ts';
import { readBasicProperties, writeBasicProperties } from './generated/properties.ts';

export interface ContentHeader {
  readonly classId: number;
  readonly weight: number;
  readonly bodySize: number;
  /** Decoded for basic; empty for any other class (the session rejects those). */
  readonly properties: BasicProperties;
}

/** Where the property flags start in a header payload. */
export const PROPERTIES_OFFSET = 12;

// Decoding never re-enters, so one reader serves every call.
const reader = new ByteReader();

/** Decodes a header frame's payload; a malformed one throws FrameError (501). */
export function decodeContentHeader(payload: Uint8Array): ContentHeader {
  const r = reader.reset(payload);
  const classId = r.u16();
  const weight = r.u16();
  const bodySize = r.u64();
  const properties = classId === ClassId.BASIC ? readBasicProperties(r) : {};
  return { classId, weight, bodySize, properties };
}

/**
 * The encoded flags and properties of a header payload, as a view. Hand them to
 * `FrameWriter.writeContent` to forward a message's properties exactly as received
 * (integer widths in headers included) without decoding them again.
 */
export function rawProperties(payload: Uint8Array): Uint8Array {
  return payload.subarray(PROPERTIES_OFFSET);
}

/** Basic properties encoded as property flags plus values. */
export function encodeProperties(properties: BasicProperties): Uint8Array {
  const w = new ByteWriter(64);
  writeBasicProperties(w, properties);
  return w.buf.slice(0, w.pos);
}

/** Decodes what `encodeProperties` or `rawProperties` gives. */
export function decodeProperties(bytes: Uint8Array): BasicProperties {
  return readBasicProperties(reader.reset(bytes));
}
