// 'frame' events for the frame inspector: every frame in and out of a session. Built only
// while someone listens (events.active), so they cost nothing otherwise; outgoing bytes
// are parsed back into frames here rather than traced at every write.

import { decodeMethod, FrameParser, type Frame } from '../amqp/index.ts';
import type { EventStream } from '../broker/events.ts';

const FRAME_TYPES = { 1: 'method', 2: 'header', 3: 'body', 8: 'heartbeat' } as const;

export function emitFrame(events: EventStream, connection: number, direction: 'in' | 'out', frame: Frame): void {
  let method: string | undefined;
  let fields: Record<string, unknown> | undefined;
  if (frame.type === 1) {
    try {
      const decoded = decodeMethod(frame.payload);
      method = decoded.name;
      fields = decoded.args as Record<string, unknown>;
    } catch {
      method = 'undecodable';
    }
  }
  events.emit({
    type: 'frame', connection, direction, channel: frame.channel, frameType: FRAME_TYPES[frame.type], size: frame.payload.length + 8,
    ...(method === undefined ? {} : { method }),
    ...(fields === undefined ? {} : { fields }),
  });
}

export function emitProtocolHeader(events: EventStream, connection: number, direction: 'in' | 'out'): void {
  events.emit({ type: 'frame', connection, direction, channel: 0, frameType: 'protocol-header', size: 8 });
}

/** Everything one send carries, frame by frame. */
export function emitSent(events: EventStream, connection: number, bytes: Uint8Array): void {
  const parser = new FrameParser({ frameMax: 0 });
  parser.push(bytes);
  try {
    for (const item of parser) {
      if ('major' in item) continue;
      emitFrame(events, connection, 'out', item);
    }
  } catch {
    // A refused protocol header ("AMQP" 0 0 9 1) is the only non-frame we send.
    emitProtocolHeader(events, connection, 'out');
  }
}
