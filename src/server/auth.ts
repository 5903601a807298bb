// SASL PLAIN and AMQPLAIN as RabbitMQ's rabbit_auth_mechanism_plain/amqplain read them,
// and its two login rules: a user's password must match, and guest may only log in from
// the machine itself (loopback_users). A refusal carries the detail RabbitMQ logs; the
// client only ever sees the "see the broker logfile" text.

import { decodeFieldTable } from '../amqp/index.ts';
import { erlangBinary } from '../amqp/erlang-format.ts';
import { connectionError } from '../broker/errors.ts';

export interface Peer {
  /** e.g. "127.0.0.1:53412"; what logs and the visualiser show. */
  address: string;
  isLoopback: boolean;
}

export type Users = Readonly<Record<string, string>>;

export const DEFAULT_USERS: Users = { guest: 'guest' };
/** RabbitMQ's loopback_users default. */
const LOOPBACK_USERS = new Set(['guest']);

export type LoginResult = { ok: true; user: string } | { ok: false; user: string; log: string };

/**
 * Checks a start-ok. Throws 503 COMMAND_INVALID for a mechanism we do not offer and 502
 * SYNTAX_ERROR for a response that does not parse; returns a refusal for bad credentials.
 */
export function login(mechanism: string, response: Uint8Array, peer: Peer, users: Users): LoginResult {
  let credentials: { user: string; password: string };
  if (mechanism === 'PLAIN') credentials = parsePlain(response);
  else if (mechanism === 'AMQPLAIN') credentials = parseAmqplain(response);
  else throw connectionError('COMMAND_INVALID', `unknown authentication mechanism '${mechanism}'`);
  const { user, password } = credentials;
  if (!Object.hasOwn(users, user) || users[user] !== password) {
    return { ok: false, user, log: `${mechanism} login refused: user '${user}' - invalid credentials` };
  }
  if (LOOPBACK_USERS.has(user) && !peer.isLoopback) {
    return { ok: false, user, log: `${mechanism} login refused: user '${user}' can only connect via localhost` };
  }
  return { ok: true, user };
}

const utf8 = new TextDecoder();

/** `\0user\0password`; RabbitMQ requires the authorisation identity to be empty. */
function parsePlain(response: Uint8Array): { user: string; password: string } {
  const invalid = () => connectionError('SYNTAX_ERROR', `response ${erlangBinary(response)} invalid`);
  if (response[0] !== 0) throw invalid();
  const second = response.indexOf(0, 1);
  if (second < 0) throw invalid();
  const rest = response.subarray(second + 1);
  // The password runs to the next NUL, and nothing may follow it.
  if (rest.includes(0)) throw invalid();
  return { user: utf8.decode(response.subarray(1, second)), password: utf8.decode(rest) };
}

/** A field table without its length prefix, with LOGIN and PASSWORD as long strings. */
function parseAmqplain(response: Uint8Array): { user: string; password: string } {
  const framed = new Uint8Array(response.length + 4);
  new DataView(framed.buffer).setUint32(0, response.length);
  framed.set(response, 4);
  let table: Record<string, unknown>;
  try {
    table = decodeFieldTable(framed);
  } catch {
    throw connectionError('SYNTAX_ERROR', `AMQPLAIN auth info ${erlangBinary(response)} is invalid`);
  }
  const { LOGIN: user, PASSWORD: password } = table;
  if (typeof user !== 'string' || typeof password !== 'string') {
    throw connectionError('SYNTAX_ERROR', `AMQPLAIN auth info ${JSON.stringify(Object.keys(table))} is missing LOGIN or PASSWORD field`);
  }
  return { user, password };
}

/** What the client is told about any refused login (RabbitMQ's SafeMsg). */
export const refusedText = (mechanism: string): string =>
  `Login was refused using authentication mechanism ${mechanism}. For details see the broker logfile.`;

/** Whether a host name or address is this machine, as RabbitMQ's loopback check sees it. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  return a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.') || a === 'localhost';
}
