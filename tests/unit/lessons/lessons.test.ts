// Every lesson's solution passes its own checks and its starter fails them: each lesson's
// programs run through its scenario on a fresh in-process broker (harness.ts), then its
// checks grade the trace and the final state. A lesson that breaks either half cannot ship.

import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { grade, type Check, type CheckOutcome, type Scenario } from '../../../src/grader/index.ts';
import { readAllLessons } from '../../../src/lessons/loader.ts';
import type { LessonSource } from '../../../src/lessons/folder.ts';
import { runScenario, type ProgramSource, type RunResult } from './harness.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
const lessons = readAllLessons(ROOT, 'lessons', 'content/course.json');

interface ChecksModule {
  checks: readonly Check[];
  scenario: Scenario;
}

async function loadChecks(lesson: LessonSource): Promise<ChecksModule> {
  const mod = (await import(pathToFileURL(lesson.checks).href)) as Partial<ChecksModule>;
  const where = `lessons/${lesson.folder}/checks.ts`;
  if (!Array.isArray(mod.checks) || mod.checks.length === 0) throw new Error(`${where} must export \`checks\`: a non-empty list of check(name, run)`);
  if (!Array.isArray(mod.scenario) || mod.scenario.length === 0) throw new Error(`${where} must export \`scenario\`: the steps that run the programs`);
  return mod as ChecksModule;
}

async function attempt(lesson: LessonSource, variant: 'starter' | 'solution'): Promise<{ run: RunResult; outcomes: CheckOutcome[] }> {
  const { checks, scenario } = await loadChecks(lesson);
  const programs = new Map<string, ProgramSource>(
    lesson.programs.map((p) => [p.name, { source: p[variant], ...(p.args === undefined ? {} : { args: p.args }) }]),
  );
  const run = await runScenario(programs, scenario);
  const result = { run, outcomes: grade(checks, { trace: run.trace, state: run.state }) };
  // LESSON_DEBUG=1 npx vitest run tests/unit/lessons shows every attempt, not just failures.
  if (process.env['LESSON_DEBUG']) console.log(`=== ${lesson.folder} ${variant}\n${explain(result)}`);
  return result;
}

const explain = ({ run, outcomes }: { run: RunResult; outcomes: CheckOutcome[] }) =>
  [
    ...outcomes.map((o) => `${o.pass ? 'PASS' : 'FAIL'} ${o.name}: ${o.message}`),
    '--- program output',
    ...run.output,
    '--- errors',
    ...run.errors,
  ].join('\n');

it('finds the lessons', () => {
  expect(lessons.map((l) => l.folder)).toEqual(expect.arrayContaining(['01-hello-world', '02-work-queues']));
});

describe.each(lessons.map((l) => [l.folder, l] as const))('%s', (_folder, lesson) => {
  it('its solution passes every check, and no program fails', async () => {
    const result = await attempt(lesson, 'solution');
    expect(result.outcomes.filter((o) => !o.pass), explain(result)).toEqual([]);
    expect(result.run.errors, explain(result)).toEqual([]);
  });

  it('its starter fails at least one check', async () => {
    const result = await attempt(lesson, 'starter');
    expect(result.outcomes.some((o) => !o.pass), explain(result)).toBe(true);
  });
});
