import type { BrokerEvent } from '../../src/broker/events.ts';
import { check, fail, findEvent, findEvents, pass, type Check, type Scenario } from '../../src/grader/index.ts';

const EXCHANGE = 'logs';
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const list = (names: readonly string[]) => names.map((n) => `'${n}'`).join(', ');
const unique = <T>(items: readonly T[]) => [...new Set(items)];

/** RabbitMQ refuses queue names starting with "amq.", so "amq.gen-" means the broker chose it. */
const serverNamed = (queue: string) => queue.startsWith('amq.gen-');

/** One receiver: a consumer, and the stretch of the trace while it was listening. */
interface Receiver {
  tag: string;
  queue: string;
  /** The seq of its consumer.added: it listens after this... */
  from: number;
  /** ...and before this: cancelled, its queue deleted or its connection closed (Infinity: still listening). */
  to: number;
}

function receiversIn(trace: readonly BrokerEvent[]): Receiver[] {
  return findEvents(trace, { type: 'consumer.added' }).map((c) => {
    const end = trace.find(
      (e) =>
        e.seq > c.seq &&
        ((e.type === 'consumer.cancelled' && e.consumerTag === c.consumerTag) ||
          (e.type === 'queue.deleted' && e.queue === c.queue) ||
          (e.type === 'connection.closed' && e.connection === c.connection)),
    );
    return { tag: c.consumerTag, queue: c.queue, from: c.seq, to: end?.seq ?? Infinity };
  });
}

const listening = (r: Receiver, seq: number) => r.from < seq && seq < r.to;
const bound = (trace: readonly BrokerEvent[], queue: string) =>
  findEvent(trace, { type: 'binding.added', source: EXCHANGE, destination: queue, destinationKind: 'queue' }) !== undefined;
const exclusive = (trace: readonly BrokerEvent[], queue: string) => findEvents(trace, { type: 'queue.declared', queue }).at(-1)?.exclusive === true;

/** Said when old attempts (e.g. the starter's) sit in the trace next to good ones. */
const RESET_HINT =
  ' If that was an earlier attempt, press Reset broker and run your programs again: the checks look at everything since the last reset.';

export const checks: Check[] = [
  check(`emit-log.ts publishes to the fanout exchange '${EXCHANGE}'`, ({ trace, state }) => {
    const published = findEvents(trace, { type: 'message.published' });
    const first = published[0];
    if (first === undefined) return fail('Nothing was published yet. Run emit-log.ts.');
    const toExchange = published.filter((e) => e.exchange === EXCHANGE);
    if (toExchange.length === 0) {
      if (first.exchange === '') {
        return fail(
          `emit-log.ts sends through the default exchange (''), which puts each line into the one queue named by the routing key ('${first.routingKey}'); ` +
            `receivers sharing that queue take turns. Declare a fanout exchange with await channel.assertExchange('${EXCHANGE}', 'fanout', { durable: false }) ` +
            `and publish to it: channel.publish('${EXCHANGE}', '', Buffer.from(line)).`,
        );
      }
      return fail(`The lines went to the exchange '${first.exchange}'. Publish them to '${EXCHANGE}': channel.publish('${EXCHANGE}', '', Buffer.from(line)).`);
    }
    const type = findEvents(trace, { type: 'exchange.declared', exchange: EXCHANGE }).at(-1)?.exchangeType ?? state.exchanges.find((x) => x.name === EXCHANGE)?.type;
    if (type !== 'fanout') {
      return fail(
        `'${EXCHANGE}' is a ${type ?? 'missing'} exchange, not a fanout one. Declare it with assertExchange('${EXCHANGE}', 'fanout', { durable: false }) in both programs. ` +
          'An exchange keeps the type it was created with: press Reset broker so that the next declaration creates it afresh.',
      );
    }
    return pass(`${plural(toExchange.length, 'line')} went to '${EXCHANGE}', a fanout exchange.`);
  }),

  check('Each receiver declares a queue of its own, named by the broker and exclusive', ({ trace }) => {
    const receivers = receiversIn(trace);
    if (receivers.length === 0) return fail('No receiver is listening yet. Run receive-logs.ts, twice to see that both get every line.');
    const good = receivers.filter((r) => serverNamed(r.queue) && exclusive(trace, r.queue));
    const hint = good.length > 0 ? RESET_HINT : '';
    const named = receivers.find((r) => !serverNamed(r.queue));
    if (named !== undefined) {
      const sharing = receivers.filter((r) => r.queue === named.queue).length;
      return fail(
        `A receiver consumes from '${named.queue}', a queue with a name you chose${sharing > 1 ? `, and ${sharing} receivers share it` : ''}. ` +
          'Every receiver that declares that name gets the same queue, and a queue gives each message to one consumer only. ' +
          "Declare the queue without a name, assertQueue('', { exclusive: true }), and consume from the name the broker returns (its .queue)." +
          hint,
      );
    }
    const lasting = receivers.find((r) => !exclusive(trace, r.queue));
    if (lasting !== undefined) {
      return fail(
        `The queue '${lasting.queue}' is not exclusive, so it stays after its receiver stops and keeps collecting lines that nobody will read. ` +
          "Declare it with assertQueue('', { exclusive: true })." +
          hint,
      );
    }
    const queues = unique(receivers.map((r) => r.queue));
    const who = receivers.length === 1 ? 'The receiver' : receivers.length === 2 ? 'Both receivers' : `All ${receivers.length} receivers`;
    return pass(`${who} declared a queue of their own (${list(queues)}), named by the broker and exclusive: each one goes away when its receiver stops.`);
  }),

  check(`Each receiver's queue is bound to '${EXCHANGE}'`, ({ trace }) => {
    const receivers = receiversIn(trace);
    if (receivers.length === 0) return fail('No receiver is listening yet. Run receive-logs.ts.');
    const queues = unique(receivers.map((r) => r.queue));
    const unbound = queues.filter((q) => !bound(trace, q));
    const first = unbound[0];
    if (first !== undefined) {
      const hint = unbound.length < queues.length ? RESET_HINT : '';
      return fail(
        `The queue '${first}' has a receiver but no binding to the exchange '${EXCHANGE}', so the exchange never puts anything into it. ` +
          `After declaring the queue, call await channel.bindQueue(queue, '${EXCHANGE}', '').` +
          hint,
      );
    }
    const which = queues.length === 1 ? 'The queue is' : queues.length === 2 ? 'Both queues are' : `All ${queues.length} queues are`;
    return pass(`${which} bound to '${EXCHANGE}', so each gets a copy of every line.`);
  }),

  check(`The fanout exchange copies a line into two or more queues`, ({ trace }) => {
    const routed = findEvents(trace, { type: 'message.routed', exchange: EXCHANGE });
    if (routed.length === 0) {
      return fail(`No line has gone through the exchange '${EXCHANGE}' yet. Make emit-log.ts publish to it, start two receivers, then run emit-log.ts.`);
    }
    const widest = routed.reduce((a, b) => (b.queues.length > a.queues.length ? b : a));
    const reached = unique(widest.queues);
    if (reached.length >= 2) return pass(`Line #${widest.messageId} was copied into ${reached.length} queues at once (${list(reached)}): one copy for each receiver.`);
    if (reached.length === 1) {
      return fail(`Each line reached one queue at most. Run receive-logs.ts a second time, then emit-log.ts again: every bound queue gets its own copy.`);
    }
    return fail(
      `${plural(routed.length, 'line')} reached '${EXCHANGE}' while no queue was bound to it, so the broker dropped them. ` +
        'Start two receivers (each binds its own queue), then run emit-log.ts.',
    );
  }),

  check('Every receiver gets every line sent while it is listening', ({ trace }) => {
    const receivers = receiversIn(trace);
    if (receivers.length === 0) return fail('No receiver is listening yet. Run receive-logs.ts twice, then emit-log.ts.');
    const lines = findEvents(trace, { type: 'message.published' });
    const together = lines.filter((l) => receivers.filter((r) => listening(r, l.seq)).length >= 2);
    if (together.length === 0) {
      return fail('No line was sent while two receivers were listening. Run receive-logs.ts twice, then emit-log.ts a few times.');
    }
    const deliveries = findEvents(trace, { type: 'message.delivered' });
    const got = new Set(deliveries.map((d) => `${d.consumerTag} ${d.messageId}`));
    const missing = (r: Receiver) => lines.filter((l) => listening(r, l.seq) && !got.has(`${r.tag} ${l.messageId}`));
    const short = receivers.find((r) => missing(r).length > 0);
    if (short !== undefined) {
      const missed = missing(short);
      const due = lines.filter((l) => listening(short, l.seq)).length;
      // Taken by another consumer of the same queue: the receivers compete instead of each getting a copy.
      const taken = missed.some((l) => deliveries.some((d) => d.messageId === l.messageId && d.queue === short.queue && d.consumerTag !== short.tag));
      const why = taken
        ? `it shares the queue '${short.queue}' with another receiver, and a queue hands each message to one consumer only. Give every receiver a queue of its own.`
        : !bound(trace, short.queue)
          ? `its queue '${short.queue}' is not bound to the exchange '${EXCHANGE}', so no copy reaches it.`
          : `check that emit-log.ts publishes to '${EXCHANGE}' and that the receiver consumes from the queue it bound.`;
      const hint = receivers.some((r) => missing(r).length === 0 && lines.some((l) => listening(r, l.seq))) ? RESET_HINT : '';
      return fail(`A receiver (on the queue '${short.queue}') got ${due - missed.length} of the ${plural(due, 'line')} sent while it was listening: ${why}${hint}`);
    }
    const heard = receivers.filter((r) => lines.some((l) => listening(r, l.seq))).length;
    const who = heard === 2 ? 'Both receivers' : `All ${heard} receivers`;
    return pass(`${who} got every line sent while they were listening; ${plural(together.length, 'line')} reached two or more of them at once.`);
  }),

  check('A line sent while no queue is bound goes nowhere', ({ trace }) => {
    const dropped = findEvents(trace, { type: 'message.routed', exchange: EXCHANGE }).find((e) => e.queues.length === 0);
    if (dropped !== undefined) {
      return pass(
        `Line #${dropped.messageId} reached '${EXCHANGE}' while no queue was bound to it, and the broker dropped it: an exchange stores nothing, so a receiver that starts later never sees that line.`,
      );
    }
    return fail(
      `See it happen: with no receiver running (stop them, or press Reset broker), run emit-log.ts and look for the line in the broker panel. Then start the receivers again.`,
    );
  }),
];

/**
 * One line goes out before anyone listens (dropped); two receivers start, then three lines
 * go out (each receiver must get all three); one receiver stops (its queue goes with it)
 * and a last line reaches the other only. A `run` step ends as soon as the broker is quiet,
 * which can be before the program has done anything, so the waits pin the order down.
 */
export const scenario: Scenario = [
  { run: 'emit-log.ts', args: 'info: nobody is listening yet' },
  { waitFor: { type: 'message.published' } },
  { run: 'receive-logs.ts', as: 'receiver 1' },
  { run: 'receive-logs.ts', as: 'receiver 2' },
  { waitFor: { type: 'consumer.added' }, count: 2 },
  { run: 'emit-log.ts', args: 'warning: disk 91% full' },
  { run: 'emit-log.ts', args: 'error: payment service timed out' },
  { run: 'emit-log.ts' },
  { waitFor: { type: 'message.published' }, count: 4 },
  { wait: 'idle' },
  { stop: 'receiver 1' },
  { run: 'emit-log.ts', args: 'info: receiver 1 has left' },
  { waitFor: { type: 'message.published' }, count: 5 },
];
