import type { BrokerEvent } from '../../src/broker/events.ts';
import { check, fail, findEvent, findEvents, pass, type Check, type Scenario } from '../../src/grader/index.ts';

const EXCHANGE = 'severity-logs';
const SEVERITIES = ['info', 'warning', 'error'];

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const quoted = (keys: Iterable<string>) => [...keys].map((k) => `'${k}'`).join(', ');
const listed = (words: readonly string[], and = 'and') => (words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} ${and} ${words.at(-1)}`);

/** Every binding key a queue ever had on the exchange, per queue, in the order they came. */
function keysByQueue(trace: readonly BrokerEvent[]): Map<string, Set<string>> {
  const keys = new Map<string, Set<string>>();
  for (const e of findEvents(trace, { type: 'binding.added', source: EXCHANGE, destinationKind: 'queue' })) {
    const set = keys.get(e.destination) ?? new Set<string>();
    set.add(e.routingKey);
    keys.set(e.destination, set);
  }
  return keys;
}

/** The binding keys on the exchange just before event `seq` (any queue). */
function liveKeysAt(trace: readonly BrokerEvent[], seq: number): Set<string> {
  const live = new Map<string, number>();
  for (const e of trace) {
    if (e.seq >= seq) break;
    if ((e.type === 'binding.added' || e.type === 'binding.removed') && e.source === EXCHANGE) {
      live.set(e.routingKey, (live.get(e.routingKey) ?? 0) + (e.type === 'binding.added' ? 1 : -1));
    }
  }
  return new Set([...live].filter(([, n]) => n > 0).map(([key]) => key));
}

/** What happened to the lines one queue was given: their routing keys, and which reached a consumer. */
function linesOf(trace: readonly BrokerEvent[], queue: string): { routed: Map<number, string>; delivered: Set<string> } {
  const routed = new Map<number, string>();
  for (const e of findEvents(trace, { type: 'message.routed', exchange: EXCHANGE })) {
    if (e.queues.includes(queue)) routed.set(e.messageId, e.routingKey);
  }
  const delivered = new Set<string>();
  for (const e of findEvents(trace, { type: 'message.delivered', queue })) {
    const key = routed.get(e.messageId);
    if (e.consumerTag !== null && key !== undefined) delivered.add(key);
  }
  return { routed, delivered };
}

/** A hint for when lines reach no queue because emit-log.ts still publishes with the key ''. */
function blankHint(trace: readonly BrokerEvent[]): string {
  const last = findEvents(trace, { type: 'message.published', exchange: EXCHANGE }).at(-1);
  return last?.routingKey === '' ? ` (emit-log.ts still publishes with the routing key '', which no binding matches: see above.)` : '';
}

/** "The queues on 'severity-logs' are bound with ''" or "... no queue is bound to it yet". */
function boundSoFar(keys: Map<string, Set<string>>): string {
  if (keys.size === 0) return `No queue is bound to '${EXCHANGE}' yet.`;
  const all = new Set([...keys.values()].flatMap((s) => [...s]));
  return `The queues on '${EXCHANGE}' were bound with ${quoted(all)}.`;
}

export const checks: Check[] = [
  check(`emit-log.ts sends its lines to the direct exchange '${EXCHANGE}'`, ({ trace }) => {
    const declared = findEvents(trace, { type: 'exchange.declared', exchange: EXCHANGE }).at(-1);
    if (declared === undefined) {
      return fail(`There is no exchange '${EXCHANGE}' yet. Run emit-log.ts or receive-logs.ts: both declare it with assertExchange('${EXCHANGE}', 'direct').`);
    }
    if (declared.exchangeType !== 'direct') {
      return fail(
        `'${EXCHANGE}' is a ${declared.exchangeType} exchange, so it does not route by key. Declare it as 'direct' in both programs, then press Reset broker: ` +
          `an exchange keeps the type it was created with.`,
      );
    }
    const sent = findEvents(trace, { type: 'message.published', exchange: EXCHANGE });
    if (sent.length === 0) return fail(`No log line went to '${EXCHANGE}' yet. Run emit-log.ts, for example with the arguments "error Payment service unreachable".`);
    return pass(`${plural(sent.length, 'line')} went to the direct exchange '${EXCHANGE}'.`);
  }),

  check('Each line goes out with its severity as the routing key', ({ trace }) => {
    const sent = findEvents(trace, { type: 'message.published', exchange: EXCHANGE });
    if (sent.length === 0) return fail(`No log line went to '${EXCHANGE}' yet. Run emit-log.ts.`);
    if (sent.at(-1)?.routingKey === '') {
      return fail(
        `The last line went out with the empty routing key '', which only a binding with the empty key matches. ` +
          `In emit-log.ts, give publish the severity as its routing key: channel.publish(exchange, severity, ...).`,
      );
    }
    // Lines from before the fix (with the key '') no longer count.
    const lastBlank = sent.findLastIndex((e) => e.routingKey === '');
    const since = sent.slice(lastBlank + 1);
    const keys = new Set(since.map((e) => e.routingKey));
    const missing = SEVERITIES.filter((s) => !keys.has(s));
    if (missing.length > 0) {
      return fail(`Lines went out with the routing keys ${quoted(keys)}; none was ${quoted(missing)} yet. Run emit-log.ts once per severity, e.g. with "${missing[0]} Something happened".`);
    }
    return pass(`${plural(since.length, 'line')} went out with the routing keys ${quoted(keys)}.`);
  }),

  check(`A receiver bound only with 'error' gets the error lines and nothing else`, ({ trace }) => {
    const keys = keysByQueue(trace);
    const candidates = [...keys].filter(([, set]) => set.size === 1 && set.has('error')).map(([queue]) => queue);
    if (candidates.length === 0) {
      return fail(
        `${boundSoFar(keys)} None is bound with 'error' alone. Run receive-logs.ts with the argument "error", and make it bind its queue once for each ` +
          `severity it is given: channel.bindQueue(queue, exchange, severity).`,
      );
    }
    const results = candidates.map((queue) => {
      const { routed, delivered } = linesOf(trace, queue);
      const others = [...routed.values()].filter((key) => key !== 'error');
      return { queue, others, gotError: delivered.has('error') };
    });
    const clean = results.filter((r) => r.others.length === 0);
    const polluted = results.find((r) => r.others.length > 0);
    if (clean.length === 0 && polluted !== undefined) {
      return fail(
        `${polluted.queue} is bound only with 'error' but also got ${plural(polluted.others.length, 'line')} with the keys ${quoted(new Set(polluted.others))}. ` +
          `A direct exchange never does that: declare '${EXCHANGE}' as 'direct' (press Reset broker if it exists with another type).`,
      );
    }
    const good = clean.find((r) => r.gotError);
    if (good === undefined) {
      return fail(`${clean[0]?.queue ?? 'A queue'} is bound with 'error' but no error line reached its consumer yet. While that receiver runs, run emit-log.ts with "error Payment service unreachable".${blankHint(trace)}`);
    }
    const { routed } = linesOf(trace, good.queue);
    return pass(`${good.queue}, bound with 'error', received ${plural(routed.size, 'error line')} and no info or warning lines.`);
  }),

  check(`A receiver bound with 'info', 'warning' and 'error' gets every severity`, ({ trace }) => {
    const keys = keysByQueue(trace);
    const candidates = [...keys].filter(([, set]) => SEVERITIES.every((s) => set.has(s))).map(([queue]) => queue);
    if (candidates.length === 0) {
      return fail(
        `${boundSoFar(keys)} None is bound with all of 'info', 'warning' and 'error'. Run receive-logs.ts with the arguments "info warning error": ` +
          `one queue, three bindings, one bindQueue call per severity.`,
      );
    }
    const best = candidates
      .map((queue) => ({ queue, delivered: linesOf(trace, queue).delivered }))
      .sort((a, b) => SEVERITIES.filter((s) => b.delivered.has(s)).length - SEVERITIES.filter((s) => a.delivered.has(s)).length)[0]!;
    const missing = SEVERITIES.filter((s) => !best.delivered.has(s));
    if (missing.length > 0) {
      return fail(`${best.queue} is bound with all three severities, but no ${listed(missing, 'or')} line reached its consumer yet. While it runs, send one of each with emit-log.ts.${blankHint(trace)}`);
    }
    return pass(`${best.queue}, with one binding per severity, received info, warning and error lines.`);
  }),

  check('A line with a severity nobody is bound for is dropped', ({ trace }) => {
    for (const e of findEvents(trace, { type: 'message.unroutable', exchange: EXCHANGE })) {
      const live = liveKeysAt(trace, e.seq);
      if (e.routingKey === '' || live.size === 0) continue;
      const returned = findEvents(trace, { type: 'message.returned', messageId: e.messageId }).length > 0;
      const fate = returned ? 'came back to emit-log.ts (it was mandatory)' : 'was dropped';
      return pass(`The '${e.routingKey}' line ${fate}: '${EXCHANGE}' had bindings for ${quoted([...live].sort())}, and none equals '${e.routingKey}'.`);
    }
    const tryIt = `With the receivers running, run emit-log.ts with a severity none of them binds, e.g. "debug Cache warmed in 12 ms", and watch the exchange drop it.`;
    if (findEvent(trace, { type: 'message.unroutable', exchange: EXCHANGE, routingKey: '' }) !== undefined) {
      return fail(`Lines with the empty routing key '' found no queue, but that is emit-log.ts not sending the severity (see above). Fix that first. ${tryIt}`);
    }
    return fail(`Every line so far found a queue (or no receiver was bound yet). ${tryIt}`);
  }),
];

/** Two receivers (errors only, and everything) wait; then the emitter sends one line per severity, and a debug line no one wants. */
export const scenario: Scenario = [
  { run: 'receive-logs.ts', as: 'errors only', args: 'error' },
  { waitFor: { type: 'consumer.added' } },
  { run: 'receive-logs.ts', as: 'everything', args: 'info warning error' },
  { waitFor: { type: 'consumer.added' }, count: 2 },
  { run: 'emit-log.ts', args: 'info Server listening on port 8080' },
  { run: 'emit-log.ts', args: 'warning Disk 85% full' },
  { run: 'emit-log.ts', args: 'error Payment service unreachable' },
  { run: 'emit-log.ts', args: 'debug Cache warmed in 12 ms' },
];
