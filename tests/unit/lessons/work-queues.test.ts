// Lesson 2's promises, one at a time: a worker crashed halfway through a task gives it up
// to another worker (and the scenario can make that happen whatever the timing), and its
// checks tell a missing crash or a lost restart apart with the fix for each.

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BrokerEvent, EventBody } from '../../../src/broker/events.ts';
import { findEvents, grade, type CheckOutcome, type Scenario } from '../../../src/grader/index.ts';
import { readLesson } from '../../../src/lessons/folder.ts';
import { checks } from '../../../lessons/02-work-queues/checks.ts';
import { runScenario, type ProgramSource, type RunOptions, type RunResult } from './harness.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
// This lesson alone: another lesson being written must not break these tests.
const lesson = readLesson(`${ROOT}/lessons`, '02-work-queues', ROOT);

/** The solution's programs, each passed through `edit` (to break one thing on purpose). */
function solution(edit: (source: string) => string = (s) => s): Map<string, ProgramSource> {
  return new Map(lesson.programs.map((p) => [p.name, { source: edit(p.solution), ...(p.args === undefined ? {} : { args: p.args }) }]));
}

async function outcome(programs: Map<string, ProgramSource>, scenario: Scenario, name: string, options?: RunOptions): Promise<{ run: RunResult; check: CheckOutcome }> {
  const run = await runScenario(programs, scenario, options);
  const check = grade(checks, { trace: run.trace, state: run.state }).find((o) => o.name === name);
  if (check === undefined) throw new Error(`no check named "${name}"`);
  return { run, check };
}

const REDELIVERY = "A stopped worker's unfinished task goes to another worker";
const RESTART = 'Waiting tasks survive a broker restart';

describe('a worker stopped while it holds a task', () => {
  it('dies holding it even when the work takes no time at all, so the other worker redoes it', async () => {
    const scenario: Scenario = [
      { run: 'worker.ts', as: 'worker 1' },
      { run: 'worker.ts', as: 'worker 2' },
      { stop: 'worker 1', when: 'holding' },
      { run: 'new-task.ts', args: 'report.' },
    ];
    // timeScale 0: every "second of work" is a zero-delay timer, so a worker that ran on
    // after the delivery would have acked before any later step could stop it.
    const { run, check } = await outcome(solution(), scenario, REDELIVERY, { timeScale: 0 });
    expect(run.errors).toEqual([]);
    expect(run.output.filter((line) => line.startsWith('worker 1: working'))).toEqual([]);
    expect(run.output).toContain('worker 2: done: "report."');
    const [first, second] = findEvents(run.trace, { type: 'message.delivered', queue: 'tasks' });
    expect([first?.redelivered, second?.redelivered, second?.messageId]).toEqual([false, true, first?.messageId]);
    expect(check.pass, check.message).toBe(true);
  });

  it('is required: with no worker stopped halfway, the check says how to make it happen', async () => {
    const scenario: Scenario = [{ run: 'worker.ts' }, { run: 'new-task.ts' }];
    const { run, check } = await outcome(solution(), scenario, REDELIVERY);
    expect(run.errors).toEqual([]);
    expect(check).toMatchObject({ pass: false, message: expect.stringContaining('press Stop on the worker that is busy with it') });
  });

  it('the run says so when the program never held a message to acknowledge', async () => {
    const noAck = solution((s) => s.replace('{ noAck: false }', '{ noAck: true }').replace('channel.ack(message);', ''));
    const { run, check } = await outcome(noAck, [{ run: 'worker.ts', as: 'worker 1' }, { stop: 'worker 1', when: 'holding' }, { run: 'new-task.ts' }], REDELIVERY);
    expect(run.errors).toEqual(['scenario: worker 1 never held an unacknowledged message, so it was not stopped']);
    expect(check).toMatchObject({ pass: false, message: expect.stringContaining('{ noAck: true }') });
  });
});

describe('a task redelivered because the broker restarted', () => {
  let seq = 0;
  const ev = (body: EventBody): BrokerEvent => ({ ...body, seq: ++seq, time: seq }) as BrokerEvent;
  const delivered = (connection: number, redelivered: boolean) =>
    ev({ type: 'message.delivered', messageId: 1, queue: 'tasks', consumerTag: `c${connection}`, deliveryTag: 1, redelivered, deliveryCount: 0, connection, channel: 1, noAck: false });
  const acked = (connection: number) => ev({ type: 'message.acked', messageId: 1, queue: 'tasks', deliveryTag: 1, connection, channel: 1 });
  const state = { queues: [], exchanges: [], bindings: [] };
  const redelivery = (trace: BrokerEvent[]) => grade(checks, { trace, state }).find((o) => o.name === REDELIVERY)!;

  it("is the restart's story, not a stopped worker's", () => {
    const restarted = ev({ type: 'broker.restarted', queues: [{ queue: 'tasks', messages: 1 }], messages: 1 });
    expect(redelivery([delivered(1, false), restarted, delivered(3, true), acked(3)])).toMatchObject({ pass: false, message: expect.stringContaining('No worker has stopped') });
    expect(redelivery([delivered(1, false), delivered(3, true), acked(3)])).toMatchObject({ pass: true });
  });
});

describe('the restart check reads what the restart brought back', () => {
  const scenario: Scenario = [{ run: 'new-task.ts', args: 'a.' }, { run: 'new-task.ts', args: 'b.' }, { restart: true }, { run: 'worker.ts' }];

  it('passes when the durable queue came back with every persistent task and a worker took them', async () => {
    const { check } = await outcome(solution(), scenario, RESTART);
    expect(check).toEqual({ name: RESTART, pass: true, message: "'tasks' came back after the restart with all 2 tasks that waited in it, and a worker got them." });
  });

  it('names persistence when the queue came back without its tasks', async () => {
    const transient = solution((s) => s.replace('{ persistent: true }', '{}'));
    const { run, check } = await outcome(transient, scenario, RESTART);
    expect(findEvents(run.trace, { type: 'broker.restarted' })).toMatchObject([{ queues: [{ queue: 'tasks', messages: 0 }], messages: 0 }]);
    expect(check).toMatchObject({ pass: false, message: expect.stringContaining('with 0 of the 2 tasks waiting in it') });
    expect(check.message).toContain('{ persistent: true }');
  });

  it('names durability when the queue did not come back at all', async () => {
    const transient = solution((s) => s.replaceAll('{ durable: true }', '{ durable: false }'));
    const { check } = await outcome(transient, scenario, RESTART);
    expect(check).toMatchObject({ pass: false, message: expect.stringContaining("'tasks' did not come back: it was not durable") });
  });
});
