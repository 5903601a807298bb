import type { BrokerEvent, EventOf } from '../../src/broker/events.ts';
import { check, fail, findEvents, findQueue, messagesAcked, messagesEnqueued, pass, type Check, type CheckResult, type Scenario } from '../../src/grader/index.ts';

const QUEUE = 'tasks';
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * A task a worker was handed and never acknowledged because its connection dropped, then
 * redelivered to another connection (no restart in between: that is the next check's
 * story), and whether that one acknowledged it.
 */
function handedOver(trace: readonly BrokerEvent[]): { messageId: number; from: number; to: number; acked: boolean } | undefined {
  const holder = new Map<number, number>();
  let found: { messageId: number; from: number; to: number; acked: boolean } | undefined;
  for (const e of trace) {
    if (e.type === 'broker.restarted') holder.clear();
    if (e.type === 'message.delivered' && e.queue === QUEUE && !e.noAck) {
      const from = holder.get(e.messageId);
      if (e.redelivered && from !== undefined && from !== e.connection && (found === undefined || !found.acked)) {
        found = { messageId: e.messageId, from, to: e.connection, acked: false };
      }
      holder.set(e.messageId, e.connection);
    }
    if (e.type === 'message.acked' && e.queue === QUEUE && found?.messageId === e.messageId && found.to === e.connection) found.acked = true;
  }
  return found;
}

/** What became of the tasks waiting in the queue when the broker restarted; undefined if none were. */
function afterRestart(trace: readonly BrokerEvent[], restart: EventOf<'broker.restarted'>): CheckResult | undefined {
  const waiting = new Set<number>();
  for (const e of trace) {
    if (e.seq >= restart.seq) break;
    // An earlier restart that brought no task back lost them all; one that did, kept them waiting.
    if (e.type === 'broker.restarted' && !e.queues.some((q) => q.queue === QUEUE && q.messages > 0)) waiting.clear();
    if (e.type === 'message.enqueued' && e.queue === QUEUE) waiting.add(e.messageId);
    if ((e.type === 'message.acked' || e.type === 'message.dropped') && e.queue === QUEUE) waiting.delete(e.messageId);
    if (e.type === 'message.delivered' && e.queue === QUEUE && e.noAck) waiting.delete(e.messageId);
  }
  if (waiting.size === 0) return undefined;
  const n = plural(waiting.size, 'task');
  const recovered = restart.queues.find((q) => q.queue === QUEUE);
  if (recovered === undefined) {
    return fail(`${n} waited in '${QUEUE}' when the broker restarted, and '${QUEUE}' did not come back: it was not durable. Declare it with { durable: true } in both programs.`);
  }
  if (recovered.messages < waiting.size) {
    return fail(`'${QUEUE}' came back after the restart with ${recovered.messages} of the ${n} waiting in it: the others were not persistent. Send tasks with { persistent: true }.`);
  }
  const delivered = new Set(findEvents(trace, { type: 'message.delivered', queue: QUEUE }).filter((e) => e.seq > restart.seq).map((e) => e.messageId));
  const untouched = [...waiting].filter((id) => !delivered.has(id)).length;
  if (untouched > 0) return fail(`'${QUEUE}' came back with all ${n}, but ${plural(untouched, 'task')} never reached a worker since. Run worker.ts.`);
  return pass(`'${QUEUE}' came back after the restart with all ${n} that waited in it, and a worker got them.`);
}

export const checks: Check[] = [
  check(`The queue '${QUEUE}' is durable`, ({ state }) => {
    const queue = findQueue(state, QUEUE);
    if (queue === undefined) return fail(`There is no queue '${QUEUE}' now. Run worker.ts or new-task.ts to declare it.`);
    if (!queue.durable) {
      return fail(`'${QUEUE}' is not durable: a broker restart deletes it, with every task in it. Declare it with { durable: true } in both programs.`);
    }
    return pass(`'${QUEUE}' is durable: it comes back after a restart.`);
  }),

  check('Tasks are sent as persistent messages', ({ trace }) => {
    const sent = findEvents(trace, { type: 'message.published', exchange: '', routingKey: QUEUE });
    if (sent.length === 0) return fail('No task was sent yet. Run new-task.ts.');
    const transient = sent.filter((e) => e.properties.deliveryMode !== 2);
    if (transient.length > 0) {
      return fail(`${plural(transient.length, 'task')} of ${sent.length} went out without { persistent: true }: a restart loses them even in a durable queue.`);
    }
    return pass(`All ${plural(sent.length, 'task')} were persistent (delivery mode 2).`);
  }),

  check('The worker acknowledges each task itself', ({ trace }) => {
    const consumers = findEvents(trace, { type: 'consumer.added', queue: QUEUE });
    if (consumers.length === 0) return fail(`No worker has subscribed to '${QUEUE}' yet. Run worker.ts.`);
    if (consumers.some((c) => c.noAck)) {
      return fail('A worker consumes with { noAck: true }, so the broker forgets each task as it sends it; if the worker dies, the task is lost. Use { noAck: false } and call channel.ack(message) when the work is done.');
    }
    const acks = findEvents(trace, { type: 'message.acked', queue: QUEUE });
    if (acks.length === 0) return fail('The worker never acknowledged a task. Call channel.ack(message) once the work is done.');
    return pass(`Workers acknowledged ${plural(acks.length, 'task')}, each after finishing it.`);
  }),

  check('The worker takes one task at a time (prefetch 1)', ({ trace }) => {
    const consumers = findEvents(trace, { type: 'consumer.added', queue: QUEUE });
    if (consumers.length === 0) return fail(`No worker has subscribed to '${QUEUE}' yet. Run worker.ts.`);
    const greedy = consumers.find((c) => c.prefetch !== 1);
    if (greedy !== undefined) {
      const limit = greedy.prefetch === 0 ? 'no limit' : `a limit of ${greedy.prefetch}`;
      return fail(`A worker subscribed with ${limit} on unacknowledged tasks, so a busy worker keeps getting more. Call await channel.prefetch(1) before consume.`);
    }
    return pass('Every worker asked for one task at a time, so a busy worker gets no more until it acknowledges.');
  }),

  check('No task was lost', ({ trace }) => {
    const queued = messagesEnqueued(trace, QUEUE);
    if (queued.length === 0) return fail('No task reached the queue yet. Run new-task.ts.');
    const acked = messagesAcked(trace, QUEUE);
    const missing = queued.filter((id) => !acked.has(id));
    if (missing.length > 0) {
      return fail(`${plural(missing.length, 'task')} of ${queued.length} never got acknowledged: they are still waiting, or they were lost. Keep a worker running, and check the acknowledgements and durability above.`);
    }
    const retried = findEvents(trace, { type: 'message.delivered', queue: QUEUE, redelivered: true }).length;
    const note = retried > 0 ? ` (${retried} redelivered after a worker stopped halfway)` : '';
    return pass(`All ${plural(queued.length, 'task')} were done and acknowledged${note}.`);
  }),

  check("A stopped worker's unfinished task goes to another worker", ({ trace }) => {
    const consumers = findEvents(trace, { type: 'consumer.added', queue: QUEUE });
    if (consumers.some((c) => c.noAck)) {
      return fail('A worker consumes with { noAck: true }: when it stops halfway, its task is simply gone, so there is nothing to redeliver. Use { noAck: false } and channel.ack(message).');
    }
    const handover = handedOver(trace);
    if (handover === undefined) {
      return fail("No worker has stopped in the middle of a task yet. Run worker.ts twice, queue a slow task (new-task.ts with 'slow report..........'), and press Stop on the worker that is busy with it.");
    }
    if (!handover.acked) {
      return fail(`Task #${handover.messageId} went back to the queue and on to another worker, marked redelivered, but was not acknowledged there yet. Keep that worker running until it is done.`);
    }
    return pass(`Task #${handover.messageId} was unfinished when its worker stopped; the broker redelivered it to another worker, which did it and acknowledged it.`);
  }),

  check('Waiting tasks survive a broker restart', ({ trace }) => {
    const restarts = findEvents(trace, { type: 'broker.restarted' });
    if (restarts.length === 0) return fail('The broker was not restarted yet. Stop the workers, queue a few tasks, press Restart broker, then run a worker.');
    // Any restart with tasks waiting will do (an earlier one may have cleared a leftover queue); the latest speaks for a failure.
    const results = restarts.flatMap((r) => afterRestart(trace, r) ?? []);
    const result = results.find((r) => r.pass) ?? results.at(-1);
    return result ?? fail('No task was waiting when the broker restarted. Stop the workers, queue a few tasks with none running, then press Restart broker.');
  }),
];

/**
 * Two workers share the tasks. Worker 1 is stopped the moment it is handed a task it must
 * acknowledge (the slow one: it subscribed first), so whatever the timing it dies holding
 * that task, which must go to worker 2. Then tasks are queued with no worker running, the
 * broker restarts, and a new worker must still find them.
 */
export const scenario: Scenario = [
  { run: 'worker.ts', as: 'worker 1' },
  { run: 'worker.ts', as: 'worker 2' },
  { stop: 'worker 1', when: 'holding' },
  { run: 'new-task.ts', args: 'slow report..........' },
  { run: 'new-task.ts', args: 'resize photo..' },
  { run: 'new-task.ts', args: 'send email.' },
  { wait: 'idle' },
  { stop: 'worker 2' },
  { run: 'new-task.ts', args: 'nightly backup...' },
  { run: 'new-task.ts', args: 'clear cache.' },
  { restart: true },
  { run: 'worker.ts', as: 'worker 3' },
];
