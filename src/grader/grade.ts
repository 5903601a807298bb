// Defining and running checks.

import type { Check, CheckContext, CheckOutcome, CheckResult } from './types.ts';

export const pass = (message: string): CheckResult => ({ pass: true, message });
export const fail = (message: string): CheckResult => ({ pass: false, message });

/** A named check; the name is the goal the learner reads, e.g. "The queue 'hello' exists". */
export function check(name: string, run: Check['run']): Check {
  return { name, run };
}

/** Runs every check; a check that throws fails (with the error) instead of stopping the rest. */
export function grade(checks: readonly Check[], context: CheckContext): CheckOutcome[] {
  return checks.map((c) => {
    try {
      return { name: c.name, ...c.run(context) };
    } catch (error) {
      return { name: c.name, pass: false, message: `The check itself failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  });
}
