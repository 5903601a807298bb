import { assign, setup, type SnapshotFrom } from 'xstate';
import type { ReplyCodeName } from '../amqp/constants.ts';
import type { CloseReason } from './shared.ts';

export type ChannelEvent =
  | { type: 'open.ok' }
  | { type: 'flow'; active: boolean }
  | { type: 'confirm.select'; nowait?: boolean }
  | { type: 'tx.select' }
  | { type: 'tx.commit' }
  | { type: 'tx.rollback' }
  | { type: 'close.received'; replyCode: number; replyText: string }
  | { type: 'close.sent'; replyCode: number; replyText: string }
  | { type: 'close-ok.received' }
  | { type: 'connection.closed' };

export type ChannelEventType = ChannelEvent['type'];
export type PublishingMode = 'normal' | 'confirm' | 'transactional';

export interface ChannelInput {
  id: number;
  connection: number;
}

export interface ChannelContext {
  id: number;
  connection: number;
  /** Why it closed; the first reason wins. */
  reason: CloseReason | null;
}

function reasonOf(event: ChannelEvent): CloseReason {
  switch (event.type) {
    case 'close.received':
      return { by: 'client', replyCode: event.replyCode, replyText: event.replyText };
    case 'close.sent':
      return { by: 'server', replyCode: event.replyCode, replyText: event.replyText };
    default:
      return { by: 'connection', replyCode: null, replyText: 'connection closed' };
  }
}

const connectionClosed = {
  'connection.closed': {
    target: 'closed',
    actions: 'recordReason',
    description: 'The connection under this channel closed, so the channel closes with it.',
  },
} as const;

/**
 * A channel as the server sees it. While open it is in one publishing mode: normal,
 * confirm (confirm.select) or transactional (tx.select). Like RabbitMQ, a mode once
 * chosen cannot be switched to the other; the machine simply has no such transition,
 * and `channelRefusal` turns "not accepted here" into RabbitMQ's error.
 *
 * There is no paused flow state: RabbitMQ refuses channel.flow active=false with 540
 * NOT_IMPLEMENTED (publishers are throttled by connection.blocked instead), and only
 * answers active=true with flow-ok.
 */
export const channelMachine = setup({
  types: {
    context: {} as ChannelContext,
    events: {} as ChannelEvent,
    input: {} as ChannelInput,
  },
  actions: {
    sendOpenOk: () => {},
    sendFlowOk: () => {},
    sendConfirmSelectOk: () => {},
    sendTxSelectOk: () => {},
    commitTx: () => {},
    rollbackTx: () => {},
    sendClose: () => {},
    sendCloseOk: () => {},
    cancelConsumers: () => {},
    requeueUnacked: () => {},
    recordReason: assign({ reason: ({ context, event }) => context.reason ?? reasonOf(event) }),
  },
  guards: {
    flowActive: ({ event }) => event.type === 'flow' && event.active,
  },
}).createMachine({
  id: 'channel',
  description: 'One channel: a lightweight lane inside a connection where the client does its work.',
  context: ({ input }) => ({ id: input.id, connection: input.connection, reason: null }),
  initial: 'opening',
  states: {
    opening: {
      description: 'The client sent channel.open with a new channel number.',
      on: {
        'open.ok': {
          target: 'open',
          actions: 'sendOpenOk',
          description: 'The broker answers channel.open-ok: the channel is ready.',
        },
        ...connectionClosed,
      },
    },
    open: {
      description: 'Ready for work: declare, bind, publish, consume, ack.',
      initial: 'normal',
      states: {
        normal: {
          description: 'Plain publishing: the broker does not tell the publisher whether a message arrived.',
          on: {
            'confirm.select': {
              target: 'confirm',
              actions: 'sendConfirmSelectOk',
              description: 'Turn on publisher confirms: from now on every publish is numbered and acknowledged.',
            },
            'tx.select': {
              target: 'transactional',
              actions: 'sendTxSelectOk',
              description: 'Turn on transactions: publishes and acks are held until tx.commit.',
            },
          },
        },
        confirm: {
          description: 'Publisher confirms: the broker answers each publish with basic.ack (or basic.nack) once the queues have it. Transactions are no longer allowed.',
          on: {
            'confirm.select': {
              actions: 'sendConfirmSelectOk',
              description: 'Already in confirm mode: nothing changes, the broker just answers select-ok.',
            },
          },
        },
        transactional: {
          description: 'Transactions: publishes, acks and rejects wait until tx.commit applies them all, or tx.rollback drops them. Confirms are no longer allowed.',
          on: {
            'tx.select': {
              actions: 'sendTxSelectOk',
              description: 'Already transactional: nothing changes, the broker just answers select-ok.',
            },
            'tx.commit': {
              actions: 'commitTx',
              description: 'Apply everything held in this transaction, answer tx.commit-ok, and start a new one.',
            },
            'tx.rollback': {
              actions: 'rollbackTx',
              description: 'Drop the held publishes and acks, answer tx.rollback-ok, and start a new transaction.',
            },
          },
        },
      },
      on: {
        flow: {
          guard: 'flowActive',
          actions: 'sendFlowOk',
          description: 'channel.flow active=true: deliveries continue; the broker answers flow-ok. (RabbitMQ refuses active=false.)',
        },
        'close.received': {
          target: 'closed',
          actions: ['recordReason', 'sendCloseOk'],
          description: 'The client sent channel.close: the broker answers channel.close-ok.',
        },
        'close.sent': {
          target: 'closing',
          actions: ['recordReason', 'sendClose'],
          description: 'A channel error (e.g. 404 NOT_FOUND, 406 PRECONDITION_FAILED): the broker sends channel.close. The connection stays up.',
        },
        ...connectionClosed,
      },
    },
    closing: {
      description: 'The broker sent channel.close and discards everything from the client except close-ok.',
      on: {
        'close-ok.received': {
          target: 'closed',
          description: 'The client acknowledged with channel.close-ok; the channel number is free again.',
        },
        'close.received': {
          target: 'closed',
          actions: 'sendCloseOk',
          description: 'Both sides sent channel.close at the same time; the broker answers close-ok.',
        },
        ...connectionClosed,
      },
    },
    closed: {
      type: 'final',
      entry: ['cancelConsumers', 'requeueUnacked'],
      description: 'Closed: its consumers are cancelled and its unacked messages go back to their queues, marked redelivered.',
    },
  },
});

export type ChannelSnapshot = SnapshotFrom<typeof channelMachine>;

/** The publishing mode of an open channel, or null when it is not open. */
export function publishingMode(snapshot: ChannelSnapshot): PublishingMode | null {
  if (snapshot.matches({ open: 'confirm' })) return 'confirm';
  if (snapshot.matches({ open: 'transactional' })) return 'transactional';
  if (snapshot.matches({ open: 'normal' })) return 'normal';
  return null;
}

/** A channel error as RabbitMQ words it; the core builds it with `channelError(code, detail)`. */
export interface ChannelRefusal {
  code: ReplyCodeName;
  detail: string;
}

/**
 * The error RabbitMQ raises when an open channel gets a method its machine does not
 * accept in the current state, or null when the machine accepts it (or the channel is
 * not open: while closing, the spec says to discard, not to raise).
 */
export function channelRefusal(snapshot: ChannelSnapshot, event: ChannelEvent): ChannelRefusal | null {
  if (!snapshot.matches('open') || snapshot.can(event)) return null;
  switch (event.type) {
    case 'confirm.select':
      return { code: 'PRECONDITION_FAILED', detail: 'cannot switch from tx to confirm mode' };
    case 'tx.select':
      return { code: 'PRECONDITION_FAILED', detail: 'cannot switch from confirm to tx mode' };
    case 'tx.commit':
    case 'tx.rollback':
      return { code: 'PRECONDITION_FAILED', detail: 'channel is not transactional' };
    case 'flow':
      return { code: 'NOT_IMPLEMENTED', detail: 'active=false' };
    default:
      return null;
  }
}
