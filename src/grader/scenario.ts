// How a lesson's programs are run to grade them end to end: the test suite runs every
// lesson's solution and starter through its scenario on a fresh broker. A step starts a
// program (like typing `node worker.ts` in a new terminal), waits (for an event, or until
// the programs are idle), stops a program (like a crash: its connections drop without a
// goodbye; optionally the moment it is handed a message to acknowledge) or restarts the
// broker. After the last step the runner waits until the programs are idle, then runs the
// checks with the programs still running.

import type { AnyEventPattern } from './events.ts';

export type ScenarioStep =
  /** Start a program; the step ends when it exits or goes idle. `as` names this run for `stop`. */
  | { run: string; as?: string; args?: string }
  /** Wait until an event fitting the pattern has happened (since the scenario began). */
  | { waitFor: AnyEventPattern; count?: number }
  /**
   * End a running program at once: its timers stop and its connections drop. With
   * `when: 'holding'` the step does not wait: from here on, the program is stopped by the
   * very delivery that hands it a message it must acknowledge, before it runs another line
   * (at once if it already holds one). A crash in the middle of a task, whatever the
   * timing, so the broker must redeliver that message. The run reports a program that
   * never held one.
   */
  | { stop: string; when?: 'holding' }
  /** Wait until every program is idle: no broker event for a moment and no timer pending. */
  | { wait: 'idle' }
  /** Restart the broker: connections close; durable queues and persistent messages survive. */
  | { restart: true };

export type Scenario = readonly ScenarioStep[];
