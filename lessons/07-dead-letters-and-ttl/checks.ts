import type { BrokerEvent, EventOf } from '../../src/broker/events.ts';
import type { FieldTable, FieldValue } from '../../src/broker/types.ts';
import { check, fail, findEvent, findEvents, findQueue, messagesAcked, messagesEnqueued, pass, type Check, type Scenario } from '../../src/grader/index.ts';

const QUEUE = 'jobs';
const WAIT = 'jobs.wait';
const DLX = 'jobs.dlx';
const PARKED = 'jobs.parked';
const MAX_ATTEMPTS = 3;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const times = (n: number) => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);
const ordinal = (n: number) => ['zeroth', 'first', 'second', 'third', 'fourth', 'fifth'][n] ?? `${n}th`;

/** Said whenever the fix means declaring a queue again with other arguments. */
const RESET =
  'A queue keeps the arguments it was created with (declaring it with others fails with 406 PRECONDITION_FAILED), so press Reset broker before you run the worker again.';

/** A number from a queue argument, whether it arrived plain or with its wire type. */
function numberOf(value: FieldValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value !== null && typeof value === 'object' && 'value' in value && 'type' in value) {
    const inner = (value as { value: unknown }).value;
    return typeof inner === 'number' || typeof inner === 'bigint' ? Number(inner) : undefined;
  }
  return undefined;
}

/** The arguments a queue was (last) declared with, or those it has now. */
function argumentsOf(context: { trace: readonly BrokerEvent[]; state: { queues: readonly { name: string; arguments: FieldTable }[] } }, queue: string): FieldTable | undefined {
  return findEvents(context.trace, { type: 'queue.declared', queue }).at(-1)?.arguments ?? context.state.queues.find((q) => q.name === queue)?.arguments;
}

/** How many times `queue` had dead-lettered the message for `reason` before event `seq`. */
function deathsBefore(trace: readonly BrokerEvent[], messageId: number, queue: string, reason: string, seq: number): number {
  return trace.filter((e) => e.seq < seq && e.type === 'message.dead-lettered' && e.messageId === messageId && e.queue === queue && e.reason === reason).length;
}

/**
 * The x-death header the message carried at event `seq`, as RabbitMQ builds it: one entry
 * per (queue, reason), the most recent first, each with a count.
 */
function xDeathAt(trace: readonly BrokerEvent[], messageId: number, seq: number): string {
  const entries: { queue: string; reason: string; count: number }[] = [];
  for (const e of trace) {
    if (e.seq >= seq) break;
    if (e.type !== 'message.dead-lettered' || e.messageId !== messageId) continue;
    const i = entries.findIndex((d) => d.queue === e.queue && d.reason === e.reason);
    const entry = i >= 0 ? entries.splice(i, 1)[0]! : { queue: e.queue, reason: e.reason, count: 0 };
    entry.count++;
    entries.unshift(entry);
  }
  return entries.map((d) => `{ reason: '${d.reason}', queue: '${d.queue}', count: ${d.count} }`).join(', ');
}

/** A job the worker gave up on: copied to the parking queue while it handled it. */
interface Parked {
  job: number;
  copy: number;
  attempts: number;
  /** The publish of the copy. */
  seq: number;
}

function parkedJobs(trace: readonly BrokerEvent[]): Parked[] {
  const parked: Parked[] = [];
  for (const arrived of findEvents(trace, { type: 'message.enqueued', queue: PARKED })) {
    const published = findEvent(trace, { type: 'message.published', messageId: arrived.messageId });
    if (published === undefined) continue;
    // The job this worker was holding when it published the copy.
    const handled = findEvents(trace, { type: 'message.delivered', queue: QUEUE, connection: published.connection })
      .filter((d) => d.seq < published.seq)
      .at(-1);
    if (handled === undefined || parked.some((p) => p.copy === arrived.messageId)) continue;
    const attempts = deathsBefore(trace, handled.messageId, QUEUE, 'rejected', published.seq) + 1;
    parked.push({ job: handled.messageId, copy: arrived.messageId, attempts, seq: published.seq });
  }
  return parked;
}

/** The worker refused these deliveries from 'jobs' (nack or reject). */
function refusals(trace: readonly BrokerEvent[]): (EventOf<'message.nacked'> | EventOf<'message.rejected'>)[] {
  return trace.filter((e): e is EventOf<'message.nacked'> | EventOf<'message.rejected'> => (e.type === 'message.nacked' || e.type === 'message.rejected') && e.queue === QUEUE);
}

/** Jobs that came back to 'jobs' after a rejection, with how many times they were rejected in all. */
function returnedJobs(trace: readonly BrokerEvent[]): Map<number, number> {
  const back = new Map<number, number>();
  for (const d of findEvents(trace, { type: 'message.dead-lettered', queue: QUEUE, reason: 'rejected' })) {
    if (findEvent(trace, { type: 'message.enqueued', queue: QUEUE, messageId: d.messageId }, d.seq) !== undefined) {
      back.set(d.messageId, deathsBefore(trace, d.messageId, QUEUE, 'rejected', Infinity));
    }
  }
  return back;
}

const FAILING_JOB = 'Run worker.ts, then new-job.ts with a job that fails, like "send invoice!" (each ! is one failed attempt).';
const NO_WAIT_QUEUE =
  `There is no queue '${WAIT}' yet. In worker.ts, declare it with messageTtl: 2000, deadLetterExchange: '' and deadLetterRoutingKey: '${QUEUE}'.`;

/** Why a job's trail ends at event `last`, when it ends badly; undefined when it is still on its way. */
function lostBecause(trace: readonly BrokerEvent[], last: BrokerEvent): string | undefined {
  if (last.type === 'message.dropped') {
    if (last.reason === 'rejected') return `the worker rejected it and '${last.queue}' has no dead-letter exchange, so the broker threw it away`;
    if (last.reason === 'expired') return `it expired in '${last.queue}', which has no dead-letter exchange`;
    if (last.reason === 'dead-letter-cycle') return `RabbitMQ saw it going round in a circle with no rejection on the way, and dropped it`;
    return `it was dropped from '${last.queue}' (${last.reason})`;
  }
  if (last.type === 'message.expired') {
    const dead = findEvent(trace, { type: 'message.dead-lettered', messageId: last.messageId }, last.seq);
    if (dead === undefined) return `it expired in '${last.queue}', which has no dead-letter exchange`;
  }
  if (last.type === 'message.enqueued' && last.queue !== QUEUE && last.queue !== WAIT) {
    return `it was dead-lettered into '${last.queue}', where no worker takes it`;
  }
  if (last.type === 'message.dead-lettered') {
    return `'${last.queue}' dead-lettered it to the exchange '${last.deadLetterExchange}' with the routing key '${last.routingKey}', which put it in no queue`;
  }
  return undefined;
}

export const checks: Check[] = [
  check(`A job the worker rejects is dead-lettered into '${WAIT}'`, ({ trace, state }) => {
    const refused = refusals(trace);
    if (refused.length === 0) return fail(`The worker has not rejected a job yet. ${FAILING_JOB}`);
    for (const d of findEvents(trace, { type: 'message.dead-lettered', queue: QUEUE, reason: 'rejected' })) {
      if (findEvent(trace, { type: 'message.enqueued', queue: WAIT, messageId: d.messageId }, d.seq) !== undefined) {
        const through = d.deadLetterExchange === '' ? 'the default exchange' : `'${d.deadLetterExchange}'`;
        return pass(`The worker rejected job #${d.messageId} with requeue false, and '${QUEUE}' dead-lettered it through ${through} into '${WAIT}'.`);
      }
    }
    const dropped = findEvents(trace, { type: 'message.dropped', queue: QUEUE, reason: 'rejected' }).at(-1);
    if (dropped !== undefined) {
      return fail(
        `The worker rejected job #${dropped.messageId} and the broker threw it away: '${QUEUE}' has no dead-letter exchange. ` +
          `Declare '${QUEUE}' with deadLetterExchange: '${DLX}'. ${RESET}`,
      );
    }
    const dead = findEvents(trace, { type: 'message.dead-lettered', queue: QUEUE, reason: 'rejected' }).at(-1);
    if (dead !== undefined) {
      const landed = findEvent(trace, { type: 'message.enqueued', messageId: dead.messageId }, dead.seq);
      if (landed !== undefined) {
        return fail(`'${QUEUE}' dead-lettered job #${dead.messageId}, but it landed in '${landed.queue}' instead of '${WAIT}'. Bind '${WAIT}' to '${DLX}', and nothing else.`);
      }
      if (!state.exchanges.some((x) => x.name === dead.deadLetterExchange)) {
        return fail(
          `'${QUEUE}' dead-lettered job #${dead.messageId} to the exchange '${dead.deadLetterExchange}', which does not exist, so the job was lost without a word. ` +
            `Declare it in worker.ts: assertExchange('${DLX}', 'fanout').`,
        );
      }
      return fail(
        `'${QUEUE}' dead-lettered job #${dead.messageId} to the exchange '${dead.deadLetterExchange}', which put it in no queue. ` +
          `Bind the waiting room to it: bindQueue('${WAIT}', '${DLX}', '').`,
      );
    }
    if (refused.every((e) => e.requeue)) {
      return fail(
        `The worker rejected ${plural(refused.length, 'job')} with requeue true, which puts a job back at the head of '${QUEUE}', where it fails again straight away. ` +
          'Pass requeue false: channel.nack(message, false, false).',
      );
    }
    return fail(`The worker rejected a job, but it never reached '${WAIT}'. Declare '${QUEUE}' with deadLetterExchange: '${DLX}', and bind '${WAIT}' to '${DLX}'.`);
  }),

  check(`'${WAIT}' holds each job for a while, then dead-letters it back to '${QUEUE}'`, (context) => {
    const { trace } = context;
    const args = argumentsOf(context, WAIT);
    if (args === undefined) return fail(NO_WAIT_QUEUE);
    const ttl = numberOf(args['x-message-ttl']);
    if (ttl === undefined) {
      return fail(`'${WAIT}' has no message TTL, so a job would wait there for ever. Declare it with messageTtl: 2000 (milliseconds). ${RESET}`);
    }
    const expired = findEvents(trace, { type: 'message.expired', queue: WAIT });
    for (const e of expired) {
      const back = findEvent(trace, { type: 'message.enqueued', queue: QUEUE, messageId: e.messageId }, e.seq);
      if (back === undefined) continue;
      const entered = findEvents(trace, { type: 'message.enqueued', queue: WAIT, messageId: e.messageId }).filter((x) => x.seq < e.seq).at(-1);
      const waited = entered === undefined ? '' : ` ${((e.time - entered.time) / 1000).toFixed(1)} s`;
      return pass(`Job #${e.messageId} waited${waited} in '${WAIT}' (message TTL ${ttl} ms), expired there, and was dead-lettered back into '${QUEUE}' for another attempt.`);
    }
    const last = expired.at(-1);
    if (last === undefined) {
      if (findEvent(trace, { type: 'message.enqueued', queue: WAIT }) !== undefined) {
        return fail(`A job is waiting in '${WAIT}', and its ${ttl} ms are not over yet. Give it a moment, then check again.`);
      }
      if (refusals(trace).length > 0) return fail(`The worker rejected a job, but none has reached '${WAIT}' yet: see the check above.`);
      return fail(`No job has waited in '${WAIT}' yet. ${FAILING_JOB}`);
    }
    const id = last.messageId;
    const dead = findEvent(trace, { type: 'message.dead-lettered', queue: WAIT, messageId: id }, last.seq);
    const after = trace.find((e) => e.seq > last.seq && (e.type === 'message.enqueued' || e.type === 'message.dropped') && e.messageId === id);
    const what =
      dead === undefined
        ? `and was dropped: '${WAIT}' has no dead-letter exchange`
        : after?.type === 'message.enqueued'
          ? `and was dead-lettered into '${after.queue}' instead of '${QUEUE}'`
          : after?.type === 'message.dropped'
            ? `and was dead-lettered, but the broker dropped it (${after.reason})`
            : `and was dead-lettered to the exchange '${dead.deadLetterExchange}' with the routing key '${dead.routingKey}', which put it in no queue`;
    return fail(`Job #${id} expired in '${WAIT}' ${what}. Give '${WAIT}' deadLetterExchange: '' (the default exchange) and deadLetterRoutingKey: '${QUEUE}'. ${RESET}`);
  }),

  check('A job that fails once is done on its second attempt', ({ trace }) => {
    const parked = new Set(parkedJobs(trace).map((p) => p.job));
    for (const ack of findEvents(trace, { type: 'message.acked', queue: QUEUE })) {
      if (parked.has(ack.messageId)) continue;
      const failed = deathsBefore(trace, ack.messageId, QUEUE, 'rejected', ack.seq);
      if (failed > 0) {
        return pass(`Job #${ack.messageId} failed ${times(failed)}, waited in '${WAIT}', came back and was done on its ${ordinal(failed + 1)} attempt.`);
      }
    }
    const back = returnedJobs(trace);
    const again = [...back].find(([, rejections]) => rejections >= 2);
    if (again !== undefined) {
      return fail(
        `Job #${again[0]} came back from '${WAIT}' and failed again, ${plural(again[1], 'rejection')} so far. If it was a job with a single ! (like "send invoice!"), ` +
          `the worker takes every attempt for the first: work out the attempt from the x-death header (see the last TODO in worker.ts).`,
      );
    }
    if (back.size > 0) return fail(`A job came back from '${WAIT}' and is on its way to the worker. Keep worker.ts running and check again in a moment.`);
    return fail(`No job has come back from '${WAIT}' to '${QUEUE}' yet. Pass the two checks above first, then run new-job.ts with "send invoice!" and wait 2 s.`);
  }),

  check(`A job that keeps failing is parked in '${PARKED}' after ${MAX_ATTEMPTS} attempts`, ({ trace }) => {
    const parked = parkedJobs(trace);
    const good = parked.find((p) => p.attempts === MAX_ATTEMPTS);
    if (good !== undefined) {
      const acked = findEvent(trace, { type: 'message.acked', queue: QUEUE, messageId: good.job }) !== undefined;
      if (acked) {
        return pass(
          `Job #${good.job} failed ${times(MAX_ATTEMPTS - 1)} and waited ${times(MAX_ATTEMPTS - 1)} in '${WAIT}'; on its ${ordinal(MAX_ATTEMPTS)} attempt the worker ` +
            `copied it to '${PARKED}' and acknowledged it. Its x-death header then read [${xDeathAt(trace, good.job, good.seq)}].`,
        );
      }
      return fail(`The worker copied job #${good.job} to '${PARKED}' on its ${ordinal(MAX_ATTEMPTS)} attempt but never acknowledged it in '${QUEUE}'. Call channel.ack(message) after parking it.`);
    }
    const other = parked[0];
    if (other !== undefined) {
      return fail(`The worker parked job #${other.job} on its ${ordinal(other.attempts)} attempt. Give a job ${MAX_ATTEMPTS} attempts: park it when attempt reaches maxAttempts (${MAX_ATTEMPTS}).`);
    }
    const looping = [...returnedJobs(trace)].find(([, rejections]) => rejections >= MAX_ATTEMPTS);
    if (looping !== undefined) {
      return fail(
        `Job #${looping[0]} has been rejected ${plural(looping[1], 'time')} and keeps going round: the worker takes every attempt for the first. ` +
          `Work out the attempt from x-death: the count of its entry with queue '${QUEUE}' and reason 'rejected', plus one.`,
      );
    }
    return fail(
      `No job has used up its ${MAX_ATTEMPTS} attempts yet. Once the checks above pass, run new-job.ts with "sync stock!!!!!" (a job that always fails) and wait about 4 s: two rounds in '${WAIT}'.`,
    );
  }),

  check('No job is lost: each one is done or parked', ({ trace, state }) => {
    const jobs = messagesEnqueued(trace, QUEUE);
    if (jobs.length === 0) return fail(`No job has reached '${QUEUE}' yet. Run worker.ts, then new-job.ts.`);
    const acked = messagesAcked(trace, QUEUE);
    const open = jobs.filter((id) => !acked.has(id));
    const lost: { id: number; why: string }[] = [];
    for (const id of open) {
      const trail = trace.filter((e) => 'messageId' in e && e.messageId === id && e.type !== 'message.published' && e.type !== 'message.routed');
      const last = trail.at(-1);
      const why = last === undefined ? undefined : lostBecause(trace, last);
      if (why !== undefined) lost.push({ id, why });
    }
    const first = lost[0];
    if (first !== undefined) {
      return fail(`${plural(lost.length, 'job')} of ${jobs.length} got lost. Job #${first.id}: ${first.why}. The checks above say what to change.`);
    }
    if (open.length > 0) {
      const waiting = findQueue(state, WAIT)?.ready ?? 0;
      const where = waiting > 0 ? ` (${waiting} waiting in '${WAIT}')` : '';
      return fail(`${plural(open.length, 'job')} of ${jobs.length} are still on their way${where}. Keep worker.ts running and check again in a few seconds.`);
    }
    const parked = parkedJobs(trace).filter((p) => acked.has(p.job)).length;
    return pass(`All ${plural(jobs.length, 'job')} came to an end: ${jobs.length - parked} done, ${parked} parked for a human to look at. None was dropped.`);
  }),
];

/**
 * The worker starts; three jobs go out: one that works at once, one that fails once, one
 * that always fails. The waits cover the two rounds in the waiting room (2 s each, on the
 * broker's real clock): after the first, "send invoice!" is done; after the second, "sync
 * stock!!!!!" has had its three attempts and is parked.
 */
export const scenario: Scenario = [
  { run: 'worker.ts' },
  { waitFor: { type: 'consumer.added', queue: QUEUE } },
  { run: 'new-job.ts', args: 'resize photo' },
  { run: 'new-job.ts', args: 'send invoice!' },
  { run: 'new-job.ts', args: 'sync stock!!!!!' },
  { waitFor: { type: 'message.expired', queue: WAIT }, count: 2 },
  { waitFor: { type: 'message.enqueued', queue: PARKED } },
];
