import { setup } from 'xstate';
import { compileTransitions, createStepper, indexTransitions, type FlatStateOf } from './compile.ts';

/**
 * One message's life in one queue. On fan-out every queue holds its own copy (sharing
 * the body), and each copy walks this machine on its own from `routed`. A dead-lettered
 * message starts a new life, as a new copy, in the queues the dead-letter exchange
 * routes it to.
 *
 * The core never runs an actor per message: it keeps the state name on the message and
 * steps it with `nextMessageState`, a table compiled from this very machine. So the
 * machine has no context worth keeping and no actions: the core performs the effects.
 */
export const MESSAGE_EVENT_TYPES = [
  'route.matched',
  'route.none',
  'return',
  'enqueue',
  'reject',
  'deliver',
  'deliver.noAck',
  'ack',
  'requeue',
  'expire',
  'deadLetter',
  'drop',
] as const;

export type MessageEventType = (typeof MESSAGE_EVENT_TYPES)[number];
export type MessageEvent = { type: MessageEventType };

export interface MessageInput {
  messageId: number;
}

export const messageMachine = setup({
  types: {
    context: {} as { messageId: number },
    events: {} as MessageEvent,
    input: {} as MessageInput,
  },
}).createMachine({
  id: 'message',
  description: 'The life of one message in one queue, from publish to its last step.',
  context: ({ input }) => ({ messageId: input.messageId }),
  initial: 'published',
  states: {
    published: {
      description: 'A publisher sent basic.publish; the exchange is about to route it.',
      on: {
        'route.matched': {
          target: 'routed',
          description: 'At least one binding matched, so the exchange routes the message to a queue.',
        },
        'route.none': {
          target: 'unroutable',
          description: 'No binding matched the routing key: the exchange has nowhere to put it.',
        },
      },
    },
    unroutable: {
      description: 'No queue wants this message. What happens next depends on the mandatory flag.',
      on: {
        return: {
          target: 'returned',
          description: 'Published with mandatory=true: the broker sends it back with basic.return (312 NO_ROUTE).',
        },
        drop: {
          target: 'dropped',
          description: 'Published without mandatory: the broker silently discards it.',
        },
      },
    },
    returned: {
      type: 'final',
      description: 'Sent back to the publisher with basic.return; no queue ever held it.',
    },
    routed: {
      description: 'The exchange picked this queue; the queue decides whether to accept it.',
      on: {
        enqueue: {
          target: 'ready',
          description: 'The queue accepts the message and adds it to the back of the line.',
        },
        reject: {
          target: 'rejected',
          description: 'The queue is full and its overflow is reject-publish: it refuses the message (a publisher in confirm mode gets a basic.nack).',
        },
      },
    },
    rejected: {
      type: 'final',
      description: 'Refused by a full queue (x-overflow: reject-publish); it was never stored.',
    },
    ready: {
      description: 'Waiting in the queue for a consumer (basic.consume) or a basic.get.',
      on: {
        deliver: {
          target: 'unacked',
          description: 'Delivered to a consumer that must acknowledge it (manual ack). The queue keeps it until then.',
        },
        'deliver.noAck': {
          target: 'consumed',
          description: 'Delivered with auto-ack (no-ack consumer or basic.get no-ack): the queue forgets it the moment it is sent.',
        },
        expire: {
          target: 'expired',
          description: 'Its time-to-live ran out while waiting, and the queue has no dead-letter exchange.',
        },
        deadLetter: {
          target: 'deadLettered',
          description: 'Expired, pushed out by max-length, or over its delivery limit, and the queue has a dead-letter exchange: it is republished there.',
        },
        drop: {
          target: 'dropped',
          description: 'Removed without a dead-letter exchange: pushed out by max-length (drop-head), over its delivery limit, purged, or its queue was deleted.',
        },
      },
    },
    unacked: {
      description: 'Delivered and waiting for the consumer to ack, nack or reject it. It counts against the prefetch limit.',
      on: {
        ack: {
          target: 'acked',
          description: 'The consumer sent basic.ack: the work is done and the queue deletes the message.',
        },
        requeue: {
          target: 'ready',
          description: 'Back into the queue at its original position, flagged redelivered: nack/reject with requeue, basic.recover, or the channel closed before an ack.',
        },
        deadLetter: {
          target: 'deadLettered',
          description: 'Nacked or rejected without requeue (or over the delivery limit) and the queue has a dead-letter exchange: it is republished there.',
        },
        drop: {
          target: 'dropped',
          description: 'Nacked or rejected without requeue (or over the delivery limit) and no dead-letter exchange: it is gone; or its queue was deleted.',
        },
      },
    },
    acked: {
      type: 'final',
      description: 'Acknowledged by a consumer and removed from the queue. The normal happy ending.',
    },
    consumed: {
      type: 'final',
      description: 'Handed to a consumer with auto-ack: removed as it was sent. If that consumer crashes, the message is lost.',
    },
    expired: {
      type: 'final',
      description: 'Its time-to-live (message TTL or queue x-message-ttl) ran out and nobody will see it.',
    },
    deadLettered: {
      type: 'final',
      description: 'Republished to the dead-letter exchange with an x-death header; its new copies start over there.',
    },
    dropped: {
      type: 'final',
      description: 'Discarded by the broker without delivery or dead-lettering.',
    },
  },
});

export type MessageState = FlatStateOf<typeof messageMachine>;

/** Every state name, in the order the machine declares them. */
export const MESSAGE_STATES = Object.keys(messageMachine.states) as MessageState[];

/** state -> event -> next state, compiled from `messageMachine` at load. */
export const messageTransitions = compileTransitions(messageMachine);

/** The next state, or an Error such as "illegal message transition: ready --ack-->". */
export const nextMessageState: (state: MessageState, eventType: MessageEventType) => MessageState =
  createStepper(messageTransitions, 'message');

/**
 * The table with numbered states and events: the core keeps a message's state as a number
 * and steps it with one typed-array read (`MESSAGE_EVENT.enqueue` names the event).
 */
export const messageIndexed = indexTransitions(messageTransitions, MESSAGE_STATES, MESSAGE_EVENT_TYPES);
export const MESSAGE_EVENT = messageIndexed.eventIndex;
export const MESSAGE_STATE = messageIndexed.stateIndex;
