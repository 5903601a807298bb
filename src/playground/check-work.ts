// "Check my work", loaded when the learner first presses the button: finds the lesson's
// checks.ts (one lazy chunk per lesson) and grades the page broker's trace since the last
// Reset broker, with a snapshot of the broker now. Scenarios are never run here: the
// checks judge only what the learner did, and say what to do for what they could not see.

import { grade, snapshotBroker, type Check, type CheckOutcome } from '../grader/index.ts';
import type { BrokerHost } from './broker-host.ts';

const modules = import.meta.glob<{ checks: Check[] }>('/lessons/*/checks.ts');

/** The glob key of a lesson's checks: its folder is `<number>-<id>`. */
export function checksKey(keys: readonly string[], lessonId: string): string | undefined {
  return keys.find((key) => {
    const folder = /^\/lessons\/\d+-([^/]+)\/checks\.ts$/.exec(key)?.[1];
    return folder === lessonId;
  });
}

export interface CheckReport {
  outcomes: CheckOutcome[];
  /** How many events the checks looked at. */
  events: number;
  /** The trace hit its limit: later events were not recorded. */
  truncated: boolean;
}

export async function checkWork(host: BrokerHost, lessonId: string): Promise<CheckReport> {
  const key = checksKey(Object.keys(modules), lessonId);
  const load = key === undefined ? undefined : modules[key];
  if (load === undefined) throw new Error(`no checks.ts for the lesson "${lessonId}"`);
  const { checks } = await load();
  // The trace and the state are read together, after the checks module arrived.
  const trace = [...host.trace];
  const outcomes = grade(checks, { trace, state: snapshotBroker(host.broker) });
  return { outcomes, events: trace.length, truncated: host.traceFull };
}
