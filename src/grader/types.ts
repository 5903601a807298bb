// What a check sees and what it says. A check reads what really happened (the broker's
// event trace) and where things ended up (a snapshot of the broker), never the learner's
// source text, and answers in words a learner understands.

import type { BrokerEvent } from '../broker/events.ts';
import type { BrokerState } from './state.ts';

export interface CheckContext {
  /** Every event of the attempt, in order (frame events may be left out). */
  readonly trace: readonly BrokerEvent[];
  /** The broker when the checks run: programs still connected, consumers still there. */
  readonly state: BrokerState;
}

export interface CheckResult {
  readonly pass: boolean;
  /** Passed: what happened. Failed: what is missing and a hint where to look. */
  readonly message: string;
}

export interface Check {
  /** The goal, as the learner reads it in the check list, e.g. "The queue 'hello' exists". */
  readonly name: string;
  readonly run: (context: CheckContext) => CheckResult;
}

export interface CheckOutcome extends CheckResult {
  readonly name: string;
}
