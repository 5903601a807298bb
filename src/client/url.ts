// What `connect()` needs from its first argument, parsed the way amqplib parses it
// (lib/connect.js): `amqp://user:pass@host:port/vhost?heartbeat=10&frameMax=...`.

import type { Options } from './types.ts';

export interface ConnectParams {
  protocol: 'amqp:' | 'amqps:';
  host: string;
  port: number;
  username: string;
  password: string;
  vhost: string;
  locale: string;
  frameMax: number;
  channelMax: number;
  /** Seconds; undefined when not asked for (this client then turns heartbeats off). */
  heartbeat: number | undefined;
}

const DEFAULT_FRAME_MAX = 131072;

function badProtocol(protocol: string): never {
  throw new Error(`Expected amqp: or amqps: as the protocol; got ${protocol}`);
}

function checkProtocol(protocol: string): 'amqp:' | 'amqps:' {
  return protocol === 'amqp:' || protocol === 'amqps:' ? protocol : badProtocol(protocol);
}

const intOr = (value: string | number | undefined | null, fallback: number): number =>
  value === undefined || value === null ? fallback : typeof value === 'number' ? value : parseInt(value, 10);

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Parses a URL string or an Options.Connect object; throws amqplib's error for a non-AMQP protocol. */
export function parseConnectTarget(url: string | Options.Connect | undefined): ConnectParams {
  if (url !== undefined && typeof url === 'object') return fromObject(url);
  const text = url ?? 'amqp://localhost';
  let parts: URL | undefined;
  try {
    parts = new URL(text);
  } catch {
    parts = undefined;
  }
  if (parts === undefined) return badProtocol(''); // amqplib's text for a URL that does not parse
  const protocol = checkProtocol(parts.protocol);
  const query = parts.searchParams;
  const credentialsGiven = parts.username !== '' || parts.password !== '';
  const path = parts.pathname;
  return {
    protocol,
    host: parts.hostname.replace(/^\[|\]$/g, '') || 'localhost',
    port: parseInt(parts.port, 10) || (protocol === 'amqp:' ? 5672 : 5671),
    username: credentialsGiven ? decode(parts.username) : 'guest',
    password: credentialsGiven ? decode(parts.password) : 'guest',
    vhost: path.length > 1 ? decode(path.slice(1)) : '/',
    locale: query.get('locale') ?? 'en_US',
    frameMax: intOr(query.get('frameMax'), DEFAULT_FRAME_MAX),
    channelMax: intOr(query.get('channelMax'), 0),
    heartbeat: query.has('heartbeat') ? intOr(query.get('heartbeat'), 0) : undefined,
  };
}

function fromObject(o: Options.Connect): ConnectParams {
  const protocol = checkProtocol(`${o.protocol ?? 'amqp'}:`.replace(/::$/, ':'));
  const defaulted = o.username === undefined && o.password === undefined;
  return {
    protocol,
    host: o.hostname ?? 'localhost',
    port: o.port ?? (protocol === 'amqp:' ? 5672 : 5671),
    username: defaulted ? 'guest' : (o.username ?? ''),
    password: defaulted ? 'guest' : (o.password ?? ''),
    vhost: o.vhost ? o.vhost : '/',
    locale: o.locale ?? 'en_US',
    frameMax: o.frameMax ?? DEFAULT_FRAME_MAX,
    channelMax: o.channelMax ?? 0,
    heartbeat: o.heartbeat,
  };
}
