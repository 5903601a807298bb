import type { BrokerEvent } from '../../src/broker/events.ts';
import { check, fail, findEvents, pass, type Check, type Scenario } from '../../src/grader/index.ts';

const EXCHANGE = 'system-logs';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const quoted = (items: Iterable<string>) => [...items].map((k) => `'${k}'`).join(', ');
/** How many dot-separated words a routing key has: '' has none, 'kern.disk.critical' three. */
const wordCount = (key: string) => (key === '' ? 0 : key.split('.').length);
const isCritical = (key: string) => key.split('.').at(-1) === 'critical';

/** The type 'system-logs' had just before event `seq`, or undefined if it did not exist. */
function typeAt(trace: readonly BrokerEvent[], seq: number): string | undefined {
  let type: string | undefined;
  for (const e of trace) {
    if (e.seq >= seq) break;
    if (e.type === 'exchange.declared' && e.exchange === EXCHANGE) type = e.exchangeType;
    if (e.type === 'exchange.deleted' && e.exchange === EXCHANGE) type = undefined;
  }
  return type;
}

/** A line emit-log.ts published to the exchange while it was a topic exchange. */
interface Line {
  messageId: number;
  key: string;
  seq: number;
}

function topicLines(trace: readonly BrokerEvent[]): Line[] {
  return findEvents(trace, { type: 'message.published', exchange: EXCHANGE })
    .filter((e) => typeAt(trace, e.seq) === 'topic')
    .map((e) => ({ messageId: e.messageId, key: e.routingKey, seq: e.seq }));
}

/** One running receive-logs.ts: its consumer, its queue's patterns, and when it listened. */
interface Receiver {
  tag: string;
  queue: string;
  patterns: Set<string>;
  /** It listens after this seq (its consumer.added)... */
  from: number;
  /** ...and before this one: cancelled, queue deleted or connection closed (Infinity: still listening). */
  to: number;
  /** The message ids delivered to its consumer. */
  got: Set<number>;
}

function receiversIn(trace: readonly BrokerEvent[]): Receiver[] {
  const patterns = new Map<string, Set<string>>();
  for (const e of findEvents(trace, { type: 'binding.added', source: EXCHANGE, destinationKind: 'queue' })) {
    const set = patterns.get(e.destination) ?? new Set<string>();
    set.add(e.routingKey);
    patterns.set(e.destination, set);
  }
  return findEvents(trace, { type: 'consumer.added' })
    .filter((c) => patterns.has(c.queue))
    .map((c) => {
      const end = trace.find(
        (e) =>
          e.seq > c.seq &&
          ((e.type === 'consumer.cancelled' && e.consumerTag === c.consumerTag) ||
            (e.type === 'queue.deleted' && e.queue === c.queue) ||
            (e.type === 'connection.closed' && e.connection === c.connection)),
      );
      const got = new Set(findEvents(trace, { type: 'message.delivered', consumerTag: c.consumerTag }).map((d) => d.messageId));
      return { tag: c.consumerTag, queue: c.queue, patterns: patterns.get(c.queue)!, from: c.seq, to: end?.seq ?? Infinity, got };
    });
}

const listening = (r: Receiver, line: Line) => r.from < line.seq && line.seq < r.to;
const boundOnlyWith = (r: Receiver, pattern: string) => r.patterns.size === 1 && r.patterns.has(pattern);
const keysGot = (r: Receiver, lines: readonly Line[]) => new Set(lines.filter((l) => r.got.has(l.messageId)).map((l) => l.key));

/** No receiver bound with `pattern` (alone, if `alone`): what was bound instead, and what to run. */
function noneBound(receivers: readonly Receiver[], pattern: string, alone: boolean): string {
  const run = `Run receive-logs.ts with the argument ${pattern}.`;
  if (receivers.length === 0) return `No receiver has listened on '${EXCHANGE}' yet. ${run}`;
  const all = new Set(receivers.flatMap((r) => [...r.patterns]));
  return `The receivers so far were bound with ${quoted(all)}; none with '${pattern}'${alone ? ' alone' : ''}. ${run}`;
}

const NUMBERS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
/** "two words", "one word", "12 words". */
const words = (n: number) => `${NUMBERS[n] ?? n} word${n === 1 ? '' : 's'}`;

/**
 * While 'system-logs' is not a topic exchange (the starter's direct one), no pattern check can
 * pass, and each says why instead of asking for more lines.
 */
function notTopic(trace: readonly BrokerEvent[], pattern: string): string | undefined {
  const type = typeAt(trace, Infinity);
  if (type === undefined || type === 'topic') return undefined;
  const literal = type === 'direct' ? `a plain key, not a pattern: a queue bound with it gets only the lines sent with the key '${pattern}' itself` : 'ignored';
  return `'${EXCHANGE}' is a ${type} exchange, and to it '${pattern}' is ${literal}. Make it a topic exchange first (see the first check), then run the receivers again.`;
}

export const checks: Check[] = [
  check(`emit-log.ts sends its lines to the topic exchange '${EXCHANGE}'`, ({ trace }) => {
    const type = typeAt(trace, Infinity);
    if (type === undefined) {
      return fail(`There is no exchange '${EXCHANGE}' yet. Run receive-logs.ts or emit-log.ts: both declare it with assertExchange('${EXCHANGE}', ...).`);
    }
    if (type !== 'topic') {
      const literally = type === 'direct' ? ` To a direct exchange, '*' and '#' are plain characters: the pattern '*.critical' only matches a line sent with the key '*.critical' itself.` : '';
      return fail(
        `'${EXCHANGE}' is a ${type} exchange.${literally} Declare it as 'topic' in both programs, then press Reset broker: ` +
          `an exchange keeps the type it was created with.`,
      );
    }
    const lines = topicLines(trace);
    if (lines.length === 0) {
      const clash = findEvents(trace, { type: 'channel.closed', replyCode: 406 }).find((e) => e.replyText.includes(`for exchange '${EXCHANGE}'`));
      if (clash !== undefined) {
        return fail(`The broker closed a channel: ${clash.replyText}. Both programs must declare '${EXCHANGE}' as 'topic'.`);
      }
      return fail(`No line went to '${EXCHANGE}' yet. Run emit-log.ts, for example with "kern.critical Out of memory: killed process 4242".`);
    }
    const keys = new Set(lines.map((l) => l.key));
    return pass(`${plural(lines.length, 'line')} went to the topic exchange '${EXCHANGE}', with the key${keys.size === 1 ? '' : 's'} ${quoted(keys)}.`);
  }),

  check(`A receiver bound with '*.critical' gets the critical lines of every facility`, ({ trace }) => {
    const blocked = notTopic(trace, '*.critical');
    if (blocked !== undefined) return fail(blocked);
    const receivers = receiversIn(trace);
    const candidates = receivers.filter((r) => boundOnlyWith(r, '*.critical'));
    if (candidates.length === 0) {
      return fail(noneBound(receivers, '*.critical', true));
    }
    const lines = topicLines(trace);
    const results = candidates.map((r) => {
      const keys = [...keysGot(r, lines)];
      const facilities = new Set(keys.filter((k) => isCritical(k) && wordCount(k) === 2).map((k) => k.split('.')[0]!));
      const heard = lines.filter((l) => listening(r, l)).length;
      return { r, keys, facilities, heard };
    });
    const best = results.sort((a, b) => b.facilities.size - a.facilities.size)[0]!;
    if (best.facilities.size >= 2) {
      const missed = best.heard - best.keys.length;
      const rest = missed > 0 ? `, and none of the ${plural(missed, 'other line')} sent while it listened` : '';
      return pass(`The '*.critical' receiver (queue ${best.r.queue}) got the lines with the keys ${quoted(best.keys)}${rest}: '*' stood in for the facility.`);
    }
    if (best.facilities.size === 1) {
      const [facility] = best.facilities;
      const other = facility === 'auth' ? 'kern.critical Out of memory: killed process 4242' : 'auth.critical Root login from 203.0.113.9';
      return fail(`The '*.critical' receiver (queue ${best.r.queue}) got '${facility}.critical' lines so far. While it runs, send a critical line from another facility too, e.g. "${other}": '*' matches any one word.`);
    }
    return fail(
      `The '*.critical' receiver (queue ${best.r.queue}) got no critical line yet. While it runs, run emit-log.ts with "kern.critical Out of memory: killed process 4242", ` +
        `then with "auth.critical Root login from 203.0.113.9".`,
    );
  }),

  check(`A receiver bound with 'kern.#' gets the kern lines, whatever their length`, ({ trace }) => {
    const blocked = notTopic(trace, 'kern.#');
    if (blocked !== undefined) return fail(blocked);
    const receivers = receiversIn(trace);
    const candidates = receivers.filter((r) => boundOnlyWith(r, 'kern.#'));
    if (candidates.length === 0) {
      return fail(noneBound(receivers, 'kern.#', true));
    }
    const lines = topicLines(trace);
    const results = candidates.map((r) => {
      const keys = [...keysGot(r, lines)];
      return { r, keys, lengths: new Set(keys.map(wordCount)) };
    });
    const best = results.sort((a, b) => b.lengths.size - a.lengths.size)[0]!;
    if (best.lengths.size >= 2) {
      const others = lines.filter((l) => listening(best.r, l) && l.key.split('.')[0] !== 'kern').length;
      const rest = others > 0 ? `, and none of the ${plural(others, 'line')} from other facilities` : '';
      const zero = best.keys.includes('kern') ? ` It even got 'kern' itself: '#' can be zero words.` : '';
      return pass(`The 'kern.#' receiver (queue ${best.r.queue}) got the keys ${quoted(best.keys)}${rest}: '#' stood in for every word after 'kern'.${zero}`);
    }
    if (best.lengths.size === 1) {
      const [n] = best.lengths;
      const longer = n === 2 ? '"kern.disk.critical Disk sda: 12 sectors unreadable"' : '"kern.info CPU 3 is now online"';
      return fail(
        `The 'kern.#' receiver (queue ${best.r.queue}) got only keys of ${words(n ?? 0)} so far (${quoted(best.keys)}). ` +
          `While it runs, send a kern line of another length, e.g. ${longer}: 'kern.*' would take only two-word keys, 'kern.#' takes them all.`,
      );
    }
    return fail(
      `The 'kern.#' receiver (queue ${best.r.queue}) got no kern line yet. While it runs, run emit-log.ts with "kern.info CPU 3 is now online", ` +
        `then with "kern.disk.critical Disk sda: 12 sectors unreadable".`,
    );
  }),

  check(`A receiver bound with '#' gets every line`, ({ trace }) => {
    const blocked = notTopic(trace, '#');
    if (blocked !== undefined) return fail(blocked);
    const receivers = receiversIn(trace);
    const candidates = receivers.filter((r) => r.patterns.has('#'));
    if (candidates.length === 0) {
      return fail(noneBound(receivers, '#', false));
    }
    const lines = topicLines(trace);
    const results = candidates.map((r) => {
      const heard = lines.filter((l) => listening(r, l));
      const missed = heard.filter((l) => !r.got.has(l.messageId));
      return { r, heard, missed, keys: new Set(heard.map((l) => l.key)) };
    });
    const best = results.filter((x) => x.missed.length === 0).sort((a, b) => b.keys.size - a.keys.size)[0];
    if (best !== undefined && best.keys.size >= 3) {
      return pass(
        `The '#' receiver (queue ${best.r.queue}) got all ${plural(best.heard.length, 'line')} sent while it listened, with the keys ${quoted(best.keys)}: ` +
          `'#' alone matches any key, as if the queue were bound to a fanout exchange.`,
      );
    }
    const short = results.find((x) => x.missed.length > 0);
    if (short !== undefined) {
      return fail(
        `The '#' receiver (queue ${short.r.queue}) got ${short.heard.length - short.missed.length} of the ${plural(short.heard.length, 'line')} sent while it listened ` +
          `(it missed ${quoted(new Set(short.missed.map((l) => l.key)))}). Check that it consumes from the queue it bound.`,
      );
    }
    const most = results.sort((a, b) => b.keys.size - a.keys.size)[0]!;
    const sofar = most.keys.size === 0 ? 'no line yet' : `lines with ${plural(most.keys.size, 'key')} (${quoted(most.keys)})`;
    return fail(
      `The '#' receiver (queue ${most.r.queue}) got ${sofar} while it listened. Keep it running and send lines with at least three different keys, ` +
        `e.g. "kern.info CPU 3 is now online", "cron.info Nightly backup done in 4 min" and "auth.critical Root login from 203.0.113.9".`,
    );
  }),

  check(`'*' is exactly one word: '*.critical' misses 'kern.disk.critical'`, ({ trace }) => {
    const blocked = notTopic(trace, '*.critical');
    if (blocked !== undefined) return fail(blocked);
    const receivers = receiversIn(trace).filter((r) => boundOnlyWith(r, '*.critical'));
    const lines = topicLines(trace).filter((l) => isCritical(l.key) && wordCount(l.key) >= 3);
    for (const line of lines) {
      const passed = receivers.find((r) => listening(r, line) && !r.got.has(line.messageId));
      if (passed === undefined) continue;
      const routed = findEvents(trace, { type: 'message.routed', messageId: line.messageId })[0];
      const elsewhere = routed === undefined || routed.queues.length === 0 ? 'no queue at all' : plural(routed.queues.length, 'other queue');
      const middle = line.key.split('.').slice(0, -1).join('.');
      return pass(
        `'${line.key}' went to ${elsewhere}, but not to the '*.critical' receiver (queue ${passed.queue}): '*' stands for exactly one word, and '${middle}' is ${words(wordCount(middle))}. ` +
          `To get critical lines of any length, bind with '#.critical'.`,
      );
    }
    if (receivers.length === 0) {
      return fail(`First run a receiver with the argument *.critical. Then send a critical line of three words, e.g. "kern.disk.critical Disk sda: 12 sectors unreadable", and see which receivers print it.`);
    }
    return fail(
      `No critical line of three words or more was sent while the '*.critical' receiver listened. Run emit-log.ts with ` +
        `"kern.disk.critical Disk sda: 12 sectors unreadable" and see which receivers print it.`,
    );
  }),
];

/**
 * Three receivers (every critical line, every kern line, everything) wait; then five lines go
 * out: two critical ones from two facilities, two info lines, and a three-word critical kern
 * line that '*.critical' must miss while 'kern.#' and '#' get it.
 */
export const scenario: Scenario = [
  { run: 'receive-logs.ts', as: 'critical', args: '*.critical' },
  { waitFor: { type: 'consumer.added' } },
  { run: 'receive-logs.ts', as: 'kernel', args: 'kern.#' },
  { waitFor: { type: 'consumer.added' }, count: 2 },
  { run: 'receive-logs.ts', as: 'everything', args: '#' },
  { waitFor: { type: 'consumer.added' }, count: 3 },
  { run: 'emit-log.ts', args: 'kern.critical Out of memory: killed process 4242' },
  { run: 'emit-log.ts', args: 'auth.critical Root login from 203.0.113.9' },
  { run: 'emit-log.ts', args: 'kern.info CPU 3 is now online' },
  { run: 'emit-log.ts', args: 'cron.info Nightly backup done in 4 min' },
  { run: 'emit-log.ts', args: 'kern.disk.critical Disk sda: 12 sectors unreadable' },
  { waitFor: { type: 'message.published' }, count: 5 },
];
