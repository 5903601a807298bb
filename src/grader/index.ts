// Exercise checks over the broker's event trace and final state.

export { check, fail, grade, pass } from './grade.ts';
export { expectEvent, findEvent, findEvents, matches, type AnyEventPattern, type EventPattern } from './events.ts';
export { findQueue, messagesAcked, messagesEnqueued, queueExists } from './queues.ts';
export type { Scenario, ScenarioStep } from './scenario.ts';
export { snapshotBroker, type BindingState, type BrokerState, type ConsumerState, type ExchangeState, type QueueState } from './state.ts';
export type { Check, CheckContext, CheckOutcome, CheckResult } from './types.ts';
