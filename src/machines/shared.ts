import type { StateValue } from 'xstate';

/** Why a connection or channel ended, kept in its machine's context for the learner. */
export interface CloseReason {
  /**
   * Who ended it: the client's close, the server's close, the connection under a channel,
   * or the network (socket gone, handshake timeout).
   */
  by: 'client' | 'server' | 'connection' | 'network';
  /** The close method's reply code; null when no close method carried one. */
  replyCode: number | null;
  replyText: string;
}

/**
 * A state value as one dotted name for the event stream and the visualiser:
 * `'closed'`, `{ open: 'blocked' }` -> `'open.blocked'`. Parallel regions join with `,`.
 */
export function stateLabel(value: StateValue): string {
  if (typeof value === 'string') return value;
  return Object.entries(value)
    .map(([key, child]) => (child === undefined ? key : `${key}.${stateLabel(child)}`))
    .join(',');
}
