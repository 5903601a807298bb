import { assign, setup } from 'xstate';
import { compileTransitions, createStepper, type FlatStateOf } from './compile.ts';

export type CancelledBy = 'client' | 'server' | 'channel-closed';

export type ConsumerEvent =
  | { type: 'consume.ok' }
  | { type: 'consume.standby' }
  | { type: 'activate' }
  | { type: 'cancel.client'; nowait?: boolean }
  | { type: 'cancel.server' }
  | { type: 'channel.closed' };

export type ConsumerEventType = ConsumerEvent['type'];

export interface ConsumerInput {
  tag: string;
  queue: string;
}

export interface ConsumerContext {
  tag: string;
  queue: string;
  cancelledBy: CancelledBy | null;
}

// Every live state can be cancelled the same three ways; spelled once, used thrice.
const cancellable = {
  'cancel.client': {
    target: 'cancelled',
    actions: [{ type: 'markCancelled', params: { by: 'client' } }, 'sendCancelOk'],
    description: 'The client sent basic.cancel; the broker answers basic.cancel-ok and stops delivering.',
  },
  'cancel.server': {
    target: 'cancelled',
    actions: [{ type: 'markCancelled', params: { by: 'server' } }, 'sendCancel'],
    description: 'The queue was deleted (or its node went away): the broker sends basic.cancel to tell the client.',
  },
  'channel.closed': {
    target: 'cancelled',
    actions: [{ type: 'markCancelled', params: { by: 'channel-closed' } }],
    description: 'The channel closed, taking its consumers with it; their unacked messages go back to the queue.',
  },
} as const;

/**
 * A consumer on a queue, from basic.consume to its cancellation. On a queue with
 * x-single-active-consumer only one consumer receives messages; the others wait in
 * `waiting` until the active one goes away. Effects (`sendConsumeOk`, `sendCancelOk`,
 * `sendCancel`) are no-ops here; the session provides them with `provide()`.
 */
export const consumerMachine = setup({
  types: {
    context: {} as ConsumerContext,
    events: {} as ConsumerEvent,
    input: {} as ConsumerInput,
  },
  actions: {
    sendConsumeOk: () => {},
    sendCancelOk: () => {},
    sendCancel: () => {},
    markCancelled: assign((_, params: { by: CancelledBy }) => ({ cancelledBy: params.by })),
  },
}).createMachine({
  id: 'consumer',
  description: 'A subscription of one channel to one queue (basic.consume), until it is cancelled.',
  context: ({ input }) => ({ tag: input.tag, queue: input.queue, cancelledBy: null }),
  initial: 'subscribing',
  states: {
    subscribing: {
      description: 'The client sent basic.consume; the broker is registering the consumer.',
      on: {
        'consume.ok': {
          target: 'active',
          actions: 'sendConsumeOk',
          description: 'Registered: the broker answers basic.consume-ok and starts delivering to it.',
        },
        'consume.standby': {
          target: 'waiting',
          actions: 'sendConsumeOk',
          description: 'Registered on a single-active-consumer queue that already has an active consumer: it waits its turn.',
        },
        ...cancellable,
      },
    },
    waiting: {
      description: 'Standing by (single active consumer): subscribed, but the queue delivers only to the active consumer.',
      on: {
        activate: {
          target: 'active',
          description: 'The active consumer went away, so the queue picks this one: deliveries start.',
        },
        ...cancellable,
      },
    },
    active: {
      description: 'Receiving messages from the queue, as many unacked at a time as its prefetch allows.',
      on: { ...cancellable },
    },
    cancelled: {
      type: 'final',
      description: 'No longer subscribed: the queue will not deliver to this consumer tag again.',
    },
  },
});

export type ConsumerState = FlatStateOf<typeof consumerMachine>;

/** state -> event -> next state, compiled from `consumerMachine` at load. */
export const consumerTransitions = compileTransitions(consumerMachine);

/** The next state, or an Error such as "illegal consumer transition: cancelled --activate-->". */
export const nextConsumerState: (state: ConsumerState, eventType: ConsumerEventType) => ConsumerState =
  createStepper(consumerTransitions, 'consumer');
