import type { BrokerEvent, EventOf } from '../../src/broker/events.ts';
import { check, fail, findEvents, pass, type Check, type Scenario } from '../../src/grader/index.ts';

const QUEUE = 'orders';
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const listed = (items: readonly string[]) => {
  const shown = items.length > 4 ? [...items.slice(0, 3), `${items.length - 3} more`] : items;
  return shown.length < 2 ? shown.join('') : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
};

/** Said when old attempts (e.g. the starter's) sit in the trace next to good ones. */
const RESET_HINT =
  ' If that was an earlier attempt, press Reset broker and run your programs again: the checks look at everything since the last reset.';

/** One publish to the queue 'orders', and what the broker answered (if it was asked to). */
interface Sent {
  publish: EventOf<'message.published'>;
  /** The order it carries: its messageId property, or the broker's number for it when it has none. */
  order: string;
  /** The channel was in confirm mode, so the broker owed it an ack or a nack. */
  confirmMode: boolean;
  answer: 'ack' | 'nack' | undefined;
}

/**
 * Every publish to 'orders', with the broker's answer. Once a channel is in confirm mode,
 * its publishes are numbered 1, 2, 3, ... and a confirm's delivery tag is that number; with
 * `multiple` it settles every publish up to it that is still waiting.
 */
function sentOrders(trace: readonly BrokerEvent[]): Sent[] {
  /** Per channel in confirm mode: its publishes in order, publish n at index n - 1. */
  const numbered = new Map<string, Sent[]>();
  const orders: Sent[] = [];
  for (const e of trace) {
    if (e.type === 'broker.restarted') numbered.clear();
    else if (e.type === 'channel.state') {
      const key = `${e.connection}/${e.channel}`;
      if (e.to === 'open.confirm') numbered.set(key, []);
      else if (e.to === 'closed') numbered.delete(key);
    } else if (e.type === 'message.published') {
      const publishes = numbered.get(`${e.connection}/${e.channel}`);
      const sent: Sent = { publish: e, order: e.properties.messageId ?? `#${e.messageId}`, confirmMode: publishes !== undefined, answer: undefined };
      publishes?.push(sent);
      if (e.exchange === '' && e.routingKey === QUEUE) orders.push(sent);
    } else if (e.type === 'message.confirmed') {
      const publishes = numbered.get(`${e.connection}/${e.channel}`) ?? [];
      const answer = e.ack ? 'ack' : 'nack';
      for (const [i, sent] of publishes.entries()) {
        if (i + 1 > e.deliveryTag) break;
        if (sent.answer !== undefined || (!e.multiple && i + 1 !== e.deliveryTag)) continue;
        sent.answer = answer;
      }
    }
  }
  return orders;
}

/** The orders in the order they were first sent, each once. */
const distinct = (sent: readonly Sent[]) => [...new Set(sent.map((s) => s.order))];

/** What the last declaration of 'orders' said, in words, when it cannot refuse anything. */
function queueProblem(trace: readonly BrokerEvent[]): string | undefined {
  const declared = findEvents(trace, { type: 'queue.declared', queue: QUEUE }).at(-1);
  if (declared === undefined) return undefined;
  const args = declared.arguments;
  if (args['x-overflow'] === 'reject-publish' && typeof args['x-max-length'] === 'number') return undefined;
  return (
    `The queue '${QUEUE}' was declared without { maxLength: 5, overflow: 'reject-publish' }, so it never refuses an order. ` +
    'Declare it as the starter does in both programs, then press Reset broker: a queue keeps the settings it was created with.'
  );
}

export const checks: Check[] = [
  check('send-orders.ts publishes on a confirm channel', ({ trace }) => {
    const sent = sentOrders(trace);
    if (sent.length === 0) return fail(`No order was sent to '${QUEUE}' yet. Run packer.ts, then send-orders.ts.`);
    const plain = sent.filter((s) => !s.confirmMode);
    if (plain.length > 0) {
      const hint = plain.length < sent.length ? RESET_HINT : '';
      return fail(
        `${plural(plain.length, 'order')} went out on a plain channel, where the broker never says whether it took a message: send-orders.ts can only hope. ` +
          `Open the channel with await connection.createConfirmChannel() instead of createChannel().${hint}`,
      );
    }
    const acks = sent.filter((s) => s.answer === 'ack').length;
    const nacks = sent.filter((s) => s.answer === 'nack').length;
    const publishes = sent.length === 1 ? 'The one publish' : `All ${sent.length} publishes`;
    return pass(`${publishes} went out on a confirm channel, and the broker answered: ${plural(acks, 'ack')}, ${plural(nacks, 'nack')}.`);
  }),

  check('The full queue refuses an order, and send-orders.ts hears a nack', ({ trace }) => {
    const sent = sentOrders(trace);
    if (sent.length === 0) return fail(`No order was sent to '${QUEUE}' yet. Run packer.ts, then send-orders.ts.`);
    const nacked = sent.filter((s) => s.answer === 'nack');
    if (nacked.length > 0) {
      const orders = distinct(nacked);
      const them = orders.length === 1 ? 'it' : 'them';
      return pass(`The broker nacked ${listed(orders)}: '${QUEUE}' was full and refused ${them}, and send-orders.ts was told so.`);
    }
    const refused = new Set(findEvents(trace, { type: 'message.rejected-by-queue', queue: QUEUE }).map((e) => e.messageId));
    const unheard = sent.filter((s) => refused.has(s.publish.messageId));
    if (unheard.length > 0) {
      return fail(
        `'${QUEUE}' was full and refused ${listed(distinct(unheard))}, but on a plain channel the broker has no way to say so: send-orders.ts printed "sent" anyway. ` +
          'On a confirm channel, the same refusal comes back as a nack.',
      );
    }
    const problem = queueProblem(trace);
    if (problem !== undefined) return fail(problem);
    return fail(
      `Every order found room in '${QUEUE}', so nothing was nacked. Send more orders than it holds: with packer.ts stopped, run send-orders.ts (8 orders, 5 places).`,
    );
  }),

  check('Every nacked order is sent again until the broker acks it', ({ trace }) => {
    const sent = sentOrders(trace);
    const nacked = sent.filter((s) => s.answer === 'nack');
    if (nacked.length === 0) return fail('No order was nacked yet, so there was nothing to send again. See the check above.');
    const laterAck = (n: Sent) => sent.some((s) => s.order === n.order && s.publish.seq > n.publish.seq && s.answer === 'ack');
    const stuck = distinct(nacked.filter((n) => !laterAck(n)));
    if (stuck.length > 0) {
      const retried = stuck.filter((order) => sent.filter((s) => s.order === order).length > 1);
      if (stuck.some((order) => order.startsWith('#'))) {
        return fail('An order was nacked, and orders go out without a messageId, so a retry cannot be told apart from a new order. Keep { messageId: order } in the publish options.');
      }
      if (retried.length === stuck.length) {
        const tries = Math.max(...stuck.map((order) => sent.filter((s) => s.order === order).length));
        return fail(
          `${listed(stuck)} went out up to ${tries} times and ${stuck.length === 1 ? 'was' : 'were'} nacked every time: '${QUEUE}' stayed full. ` +
            'Keep packer.ts running so the queue drains, and wait a moment between tries.',
        );
      }
      const lost = stuck.filter((order) => !retried.includes(order));
      return fail(
        `${listed(lost)} ${lost.length === 1 ? 'was' : 'were'} nacked and never sent again, so ${lost.length === 1 ? 'it is' : 'they are'} lost. ` +
          'Find out which orders were nacked (a callback on each publish tells you), wait a moment, and publish them again.',
      );
    }
    const orders = distinct(nacked);
    return pass(`${listed(orders)} ${orders.length === 1 ? 'was' : 'were'} nacked, sent again, and acked in the end.`);
  }),

  check(`Every order reaches the queue '${QUEUE}'`, ({ trace }) => {
    const sent = sentOrders(trace);
    if (sent.length === 0) return fail(`No order was sent to '${QUEUE}' yet. Run packer.ts, then send-orders.ts.`);
    const enqueued = new Set(findEvents(trace, { type: 'message.enqueued', queue: QUEUE }).map((e) => e.messageId));
    const orders = distinct(sent);
    const missing = orders.filter((order) => !sent.some((s) => s.order === order && enqueued.has(s.publish.messageId)));
    if (missing.length > 0) {
      const plain = sent.some((s) => missing.includes(s.order) && !s.confirmMode);
      const [them, they] = missing.length === 1 ? ['it', 'it was'] : ['them', 'they were'];
      const why = plain
        ? `The queue was full and refused ${them}, and send-orders.ts, on a plain channel, never heard about it.`
        : `The queue refused ${them}, and ${they} not sent again once it had room.`;
      const which = missing.length === 1 ? `1 of the ${orders.length} orders` : `${missing.length} of the ${orders.length} orders`;
      return fail(`${which} never got into '${QUEUE}': ${listed(missing)}. ${why}`);
    }
    return pass(`All ${plural(orders.length, 'order')} got into '${QUEUE}', none lost.`);
  }),

  check('An ack means "on disk": orders are persistent, in a durable queue', ({ trace }) => {
    const sent = sentOrders(trace);
    if (sent.length === 0) return fail(`No order was sent to '${QUEUE}' yet. Run packer.ts, then send-orders.ts.`);
    const declared = findEvents(trace, { type: 'queue.declared', queue: QUEUE }).at(-1);
    if (declared !== undefined && !declared.durable) {
      return fail(
        `'${QUEUE}' is not durable, so an ack only means the order is in memory: a restart loses it. Declare it with { durable: true } in both programs, then press Reset broker.`,
      );
    }
    const transient = sent.filter((s) => s.publish.properties.deliveryMode !== 2);
    if (transient.length > 0) {
      return fail(`${plural(transient.length, 'order')} went out without { persistent: true }: the broker acks those once they are in memory, not on disk.`);
    }
    const acks = sent.some((s) => s.answer === 'ack') ? 'each ack came only once its order was on disk' : 'on a confirm channel, each ack will mean its order is on disk';
    return pass(`Every order was persistent and '${QUEUE}' is durable, so ${acks}.`);
  }),
];

/**
 * The packer waits for orders (one at a time, a second each); then send-orders.ts sends 8
 * at once into a queue that holds 5 waiting: some are refused, and must be sent again
 * until the packer has made room.
 */
export const scenario: Scenario = [
  { run: 'packer.ts' },
  { waitFor: { type: 'consumer.added', queue: QUEUE } },
  { run: 'send-orders.ts' },
];
