// Message bodies. Received ones become a Buffer when the platform has one (Node, or a
// page that installed a Buffer polyfill), so they behave exactly as amqplib's; otherwise a
// Uint8Array whose toString() decodes UTF-8, so `msg.content.toString()` still works.

import type { MessageContent, PublishContent } from './types.ts';

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** A received body outside Node: bytes that print as text. */
export class Utf8Content extends Uint8Array {
  override toString(encoding?: 'utf8' | 'utf-8' | 'hex' | 'base64'): string {
    if (encoding === 'hex') return toHex(this);
    if (encoding === 'base64') return toBase64(this);
    return utf8Decoder.decode(this);
  }
}

interface BufferLike {
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): MessageContent;
}

/** Wraps received bytes without copying them. */
export function toContent(bytes: Uint8Array): MessageContent {
  // Looked up each time: a page may install a Buffer polyfill after this module loads.
  const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;
  if (NodeBuffer !== undefined) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new Utf8Content(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The bytes to publish. A string is a convenience of this client (sent as UTF-8):
 * amqplib itself throws "content is not a buffer" for one.
 */
export function toBody(content: PublishContent): Uint8Array {
  if (content instanceof Uint8Array) return content;
  if (typeof content === 'string') return utf8Encoder.encode(content);
  throw new TypeError('content is not a buffer');
}

/** One array from body frames (no copy for a single frame). */
export function joinChunks(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
