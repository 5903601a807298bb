// The 8 bytes a client sends first. RabbitMQ accepts `AMQP 0 0 9 1` (and the 0-9 header
// `AMQP 1 1 0 9`, which it treats as 0-9-1); anything else is refused by writing back
// the header it does speak and closing, without a connection.close.

import { ProtocolHeaderError } from './errors.ts';

const HEADER = [0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1] as const; // "AMQP" 0 0 9 1

/** A fresh copy of `AMQP\x00\x00\x09\x01` (callers may keep or hand it to a socket). */
export const protocolHeaderBytes = (): Uint8Array => Uint8Array.from(HEADER);

export interface ProtocolHeader {
  readonly type: 'protocol-header';
  readonly major: number;
  readonly minor: number;
  readonly revision: number;
}

const isAmqp = (b: Uint8Array): boolean => b[0] === 0x41 && b[1] === 0x4d && b[2] === 0x51 && b[3] === 0x50;

/** Checks the first 8 bytes of a connection; throws ProtocolHeaderError (with the reply to send) if they are wrong. */
export function checkProtocolHeader(bytes: Uint8Array): ProtocolHeader {
  const b = bytes.subarray(0, 8);
  if (b.length === 8 && isAmqp(b)) {
    if (b[4] === 0 && b[5] === 0 && b[6] === 9 && b[7] === 1) return { type: 'protocol-header', major: 0, minor: 9, revision: 1 };
    if (b[4] === 1 && b[5] === 1 && b[6] === 0 && b[7] === 9) return { type: 'protocol-header', major: 0, minor: 9, revision: 0 };
  }
  const reason = isAmqp(b)
    ? 'bad-version'
    : b[0] === 0x47 && b[1] === 0x45 && b[2] === 0x54 && b[3] === 0x20
      ? 'http'
      : b[0] === 0x16 && b[1] === 0x03 && b[5] === 0x01
        ? 'tls'
        : 'not-amqp';
  throw new ProtocolHeaderError(b.slice(), protocolHeaderBytes(), reason);
}
