import { assign, setup } from 'xstate';
import type { CloseReason } from './shared.ts';

export type ConnectionEvent =
  | { type: 'header.received' }
  | { type: 'header.invalid' }
  | { type: 'start-ok.received'; user: string }
  | { type: 'tune-ok.received' }
  | { type: 'open.received'; vhost: string }
  | { type: 'handshake.failed'; replyCode: number; replyText: string }
  | { type: 'alarm.raised'; reason: string }
  | { type: 'alarm.cleared' }
  | { type: 'close.received'; replyCode: number; replyText: string }
  | { type: 'close.sent'; replyCode: number; replyText: string }
  | { type: 'close-ok.received' }
  | { type: 'timeout' }
  | { type: 'socket.closed'; reason?: string };

export type ConnectionEventType = ConnectionEvent['type'];

export interface ConnectionInput {
  id: number;
}

export interface ConnectionContext {
  id: number;
  user: string | null;
  vhost: string | null;
  /** Why it closed; the first reason wins (a later socket close does not overwrite it). */
  reason: CloseReason | null;
}

function reasonOf(event: ConnectionEvent): CloseReason {
  switch (event.type) {
    case 'close.received':
      return { by: 'client', replyCode: event.replyCode, replyText: event.replyText };
    case 'close.sent':
    case 'handshake.failed':
      return { by: 'server', replyCode: event.replyCode, replyText: event.replyText };
    case 'header.invalid':
      return { by: 'server', replyCode: null, replyText: 'invalid AMQP protocol header' };
    case 'timeout':
      return { by: 'server', replyCode: null, replyText: 'handshake_timeout' };
    case 'socket.closed':
      return { by: 'network', replyCode: null, replyText: event.reason ?? 'client unexpectedly closed TCP connection' };
    default:
      return { by: 'server', replyCode: null, replyText: event.type };
  }
}

// The socket can vanish in any live state; spelled once, spread into each.
const socketClosed = {
  'socket.closed': {
    target: 'closed',
    actions: 'recordReason',
    description: 'The TCP connection dropped (client crashed, network failure, missed heartbeats): everything on it is gone.',
  },
} as const;

const handshakeFailures = {
  'handshake.failed': {
    target: 'closed',
    actions: ['recordReason', 'sendClose'],
    description: 'The handshake was refused (wrong password: 403 ACCESS_REFUSED; unknown vhost: 530 NOT_ALLOWED). The broker sends connection.close and hangs up.',
  },
  timeout: {
    target: 'closed',
    actions: 'recordReason',
    description: 'The client took too long to finish the handshake (10 s by default), so the broker hangs up.',
  },
  ...socketClosed,
} as const;

/**
 * An AMQP 0-9-1 connection as the server sees it: protocol header, the
 * start/tune/open handshake, the open connection (blocked while a resource alarm is in
 * effect) and the close. No secure step: PLAIN and AMQPLAIN send the credentials in
 * connection.start-ok. Effects are no-op actions here; the session provides them.
 */
export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionEvent,
    input: {} as ConnectionInput,
  },
  actions: {
    sendProtocolHeader: () => {},
    sendStart: () => {},
    sendTune: () => {},
    sendOpenOk: () => {},
    sendBlocked: () => {},
    sendUnblocked: () => {},
    sendClose: () => {},
    sendCloseOk: () => {},
    closeChannels: () => {},
    closeSocket: () => {},
    rememberUser: assign({
      user: ({ context, event }) => (event.type === 'start-ok.received' ? event.user : context.user),
    }),
    rememberVhost: assign({
      vhost: ({ context, event }) => (event.type === 'open.received' ? event.vhost : context.vhost),
    }),
    recordReason: assign({ reason: ({ context, event }) => context.reason ?? reasonOf(event) }),
  },
}).createMachine({
  id: 'connection',
  description: 'One client TCP connection: the handshake, the open connection its channels live on, and the close.',
  context: ({ input }) => ({ id: input.id, user: null, vhost: null, reason: null }),
  initial: 'awaitingHeader',
  states: {
    awaitingHeader: {
      description: 'A client opened a TCP connection; the broker waits for the 8-byte protocol header "AMQP 0 0 9 1".',
      on: {
        'header.received': {
          target: 'starting',
          description: 'The client speaks AMQP 0-9-1: the handshake begins.',
        },
        'header.invalid': {
          target: 'closed',
          actions: ['recordReason', 'sendProtocolHeader'],
          description: 'Not AMQP 0-9-1: the broker answers with the header it does speak and hangs up.',
        },
        timeout: handshakeFailures.timeout,
        ...socketClosed,
      },
    },
    starting: {
      description: 'The broker sent connection.start (its version, capabilities and auth mechanisms) and waits for start-ok with the credentials.',
      entry: 'sendStart',
      on: {
        'start-ok.received': {
          target: 'tuning',
          actions: 'rememberUser',
          description: 'The client logged in (PLAIN: username and password) and the credentials are good.',
        },
        ...handshakeFailures,
      },
    },
    tuning: {
      description: 'The broker sent connection.tune with its limits (channel-max, frame-max, heartbeat) and waits for the client to agree.',
      entry: 'sendTune',
      on: {
        'tune-ok.received': {
          target: 'opening',
          description: 'The client accepted limits no larger than the broker\'s: both sides now use them.',
        },
        ...handshakeFailures,
      },
    },
    opening: {
      description: 'Waiting for connection.open, which names the virtual host to work in.',
      on: {
        'open.received': {
          target: 'open',
          actions: ['rememberVhost', 'sendOpenOk'],
          description: 'The vhost exists and the user may use it: the broker answers connection.open-ok.',
        },
        ...handshakeFailures,
      },
    },
    open: {
      description: 'Ready: the client can open channels and do its work on them.',
      initial: 'unblocked',
      states: {
        unblocked: {
          description: 'Publishing flows normally.',
          on: {
            'alarm.raised': {
              target: 'blocked',
              actions: 'sendBlocked',
              description: 'The broker is low on memory or disk: it sends connection.blocked and stops reading from publishers.',
            },
          },
        },
        blocked: {
          description: 'A resource alarm is in effect: the broker will not accept published messages until it clears. Consumers still receive.',
          on: {
            'alarm.cleared': {
              target: 'unblocked',
              actions: 'sendUnblocked',
              description: 'The alarm cleared: the broker sends connection.unblocked and publishing resumes.',
            },
          },
        },
      },
      on: {
        'close.received': {
          target: 'closed',
          actions: ['recordReason', 'sendCloseOk'],
          description: 'The client sent connection.close: the broker closes every channel and answers connection.close-ok.',
        },
        'close.sent': {
          target: 'closing',
          actions: ['recordReason', 'sendClose'],
          description: 'The broker closes the connection (a connection error such as 504 CHANNEL_ERROR, or forced: 320 CONNECTION_FORCED).',
        },
        ...socketClosed,
      },
    },
    closing: {
      description: 'The broker sent connection.close and ignores everything but the client\'s close-ok.',
      on: {
        'close-ok.received': {
          target: 'closed',
          description: 'The client acknowledged with connection.close-ok.',
        },
        'close.received': {
          target: 'closed',
          actions: 'sendCloseOk',
          description: 'Both sides sent connection.close at the same time; the broker answers close-ok and is done.',
        },
        timeout: {
          target: 'closed',
          description: 'No close-ok came in time, so the broker hangs up anyway.',
        },
        ...socketClosed,
      },
    },
    closed: {
      type: 'final',
      entry: ['closeChannels', 'closeSocket'],
      description: 'The connection is over: its channels are closed (unacked messages requeued) and the socket is shut.',
    },
  },
});
