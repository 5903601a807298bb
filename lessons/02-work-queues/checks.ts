import { check, fail, findEvents, findQueue, messagesAcked, messagesEnqueued, pass, restarts, type Check, type Scenario } from '../../src/grader/index.ts';

const QUEUE = 'tasks';
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

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

  check('Waiting tasks survive a broker restart', ({ trace }) => {
    const points = restarts(trace);
    const last = points.at(-1);
    if (last === undefined) return fail('The broker was not restarted yet. Stop the workers, queue a few tasks, press Restart broker, then run a worker.');
    const acked = new Set<number>();
    const waiting = new Set<number>();
    for (const e of trace) {
      if (e.seq >= last) break;
      if (e.type === 'message.enqueued' && e.queue === QUEUE) waiting.add(e.messageId);
      if ((e.type === 'message.acked' || e.type === 'message.dropped') && e.queue === QUEUE) acked.add(e.messageId);
      if (e.type === 'message.delivered' && e.queue === QUEUE && e.noAck) acked.add(e.messageId);
    }
    for (const id of acked) waiting.delete(id);
    if (waiting.size === 0) return fail('No task was waiting when the broker restarted. Queue a few tasks with no worker running, then restart.');
    const after = new Set(findEvents(trace, { type: 'message.delivered', queue: QUEUE }).filter((e) => e.seq > last).map((e) => e.messageId));
    const lost = [...waiting].filter((id) => !after.has(id));
    if (lost.length > 0) {
      return fail(`${plural(lost.length, 'task')} waiting at the restart never came back (or no worker ran since). Durable queue and persistent messages: both are needed.`);
    }
    return pass(`${plural(waiting.size, 'task')} waiting at the restart came back and reached a worker.`);
  }),
];

/**
 * Two workers share the tasks; one is stopped in the middle of a slow task (its task must
 * go to the other); then tasks are queued with no worker running, the broker restarts, and
 * a new worker must still find them.
 */
export const scenario: Scenario = [
  { run: 'worker.ts', as: 'worker 1' },
  { run: 'worker.ts', as: 'worker 2' },
  { run: 'new-task.ts', args: 'slow report..........' },
  { run: 'new-task.ts', args: 'resize photo..' },
  { run: 'new-task.ts', args: 'send email.' },
  { waitFor: { type: 'message.delivered', queue: QUEUE }, count: 2 },
  { stop: 'worker 1' },
  { run: 'new-task.ts', args: 'tidy up.' },
  { wait: 'idle' },
  { stop: 'worker 2' },
  { run: 'new-task.ts', args: 'nightly backup...' },
  { run: 'new-task.ts', args: 'clear cache.' },
  { restart: true },
  { run: 'worker.ts', as: 'worker 3' },
];
