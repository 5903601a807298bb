import type { BrokerEvent, EventOf } from '../../src/broker/events.ts';
import { check, fail, findEvents, pass, type Check, type CheckResult, type Scenario } from '../../src/grader/index.ts';

const QUEUE = 'rpc_queue';
/** What a client's replyTo becomes when it uses direct reply-to: the broker adds a suffix. */
const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to.';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const listed = (words: readonly string[]) => (words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`);
const isDirect = (replyTo: string) => replyTo.startsWith(DIRECT_REPLY_TO);

/** Said when an earlier attempt (e.g. the starter's) sits in the trace next to good ones. */
const RESET_HINT = ' If those came from an earlier attempt, press Reset broker and run your programs again: the checks look at everything since the last reset.';

type Published = EventOf<'message.published'>;

/** One request: a message sent to the request queue, and what became of it. */
interface Request {
  sent: Published;
  replyTo: string | undefined;
  correlationId: string | undefined;
  /** Did a queue called `replyTo` exist when the request went out? */
  replyQueueExisted: boolean;
  /** How many servers were consuming the request queue when it went out. */
  serversListening: number;
  /** Handed to a server (not a basic.get). */
  deliveries: EventOf<'message.delivered'>[];
  acks: EventOf<'message.acked'>[];
  /** The first message that answers it: to its replyTo, with its correlation id, after it reached a server. */
  answer: Published | undefined;
}

/** The whole exchange of questions and answers the trace shows. */
interface Story {
  requests: Request[];
  /** Connections that consume the request queue: the servers. */
  servers: Set<number>;
  serverConsumers: EventOf<'consumer.added'>[];
  /** What the servers published after they received a request: answers, or attempts at them. */
  serverPublishes: Published[];
  /** Answers: messages published to some request's replyTo address. */
  answers: Published[];
}

function story(trace: readonly BrokerEvent[]): Story {
  const requests: Request[] = [];
  const byId = new Map<number, Request>();
  const queues = new Set<string>();
  const servers = new Set<number>();
  const serverConsumers: EventOf<'consumer.added'>[] = [];
  const busy = new Set<number>(); // server connections that have received a request
  const serverPublishes: Published[] = [];
  let listening = 0;
  for (const e of trace) {
    switch (e.type) {
      case 'queue.declared':
        queues.add(e.queue);
        break;
      case 'queue.deleted':
        queues.delete(e.queue);
        break;
      case 'broker.restarted':
        listening = 0;
        break;
      case 'consumer.added':
        if (e.queue === QUEUE) {
          servers.add(e.connection);
          serverConsumers.push(e);
          listening++;
        }
        break;
      case 'consumer.cancelled':
        if (e.queue === QUEUE) listening = Math.max(0, listening - 1);
        break;
      case 'message.published': {
        if (busy.has(e.connection)) serverPublishes.push(e);
        if (e.exchange !== '' || e.routingKey !== QUEUE) break;
        const { replyTo, correlationId } = e.properties;
        const request: Request = {
          sent: e,
          replyTo,
          correlationId,
          replyQueueExisted: replyTo !== undefined && (queues.has(replyTo) || isDirect(replyTo)),
          serversListening: listening,
          deliveries: [],
          acks: [],
          answer: undefined,
        };
        requests.push(request);
        byId.set(e.messageId, request);
        break;
      }
      case 'message.delivered': {
        const request = e.queue === QUEUE && e.consumerTag !== null ? byId.get(e.messageId) : undefined;
        if (request === undefined) break;
        request.deliveries.push(e);
        busy.add(e.connection);
        break;
      }
      case 'message.acked':
        if (e.queue === QUEUE) byId.get(e.messageId)?.acks.push(e);
        break;
      default:
        break;
    }
  }
  const addresses = new Set(requests.flatMap((r) => (r.replyTo === undefined ? [] : [r.replyTo])));
  const answers = findEvents(trace, { type: 'message.published', exchange: '' }).filter((e) => e.routingKey !== QUEUE && addresses.has(e.routingKey));
  for (const r of requests) {
    const first = r.deliveries[0];
    if (first === undefined || r.replyTo === undefined || r.correlationId === undefined) continue;
    r.answer = answers.find((a) => a.seq > first.seq && a.routingKey === r.replyTo && a.properties.correlationId === r.correlationId);
  }
  return { requests, servers, serverConsumers, serverPublishes, answers };
}

/** A request's life is over on the server's side: acknowledged, or taken without acks. */
const finished = (r: Request) => r.acks.length > 0 || r.deliveries.some((d) => d.noAck);

/** Why a request that reached a server got no proper answer, judged from what the servers did publish. */
function whyUnanswered(s: Story, r: Request): CheckResult {
  const replyTo = r.replyTo ?? '';
  const after = s.serverPublishes.filter((p) => p.seq > (r.deliveries[0]?.seq ?? Infinity));
  const toQueue = after.filter((p) => p.exchange === '' && p.routingKey === replyTo);
  const other = toQueue.find((p) => p.properties.correlationId !== r.correlationId);
  if (other !== undefined) {
    const carried = other.properties.correlationId === undefined ? 'no correlation id' : `the correlation id '${other.properties.correlationId}'`;
    return fail(
      `An answer went to '${replyTo}', the right queue, but with ${carried} instead of the request's '${r.correlationId}', so the client cannot tell which question it answers. ` +
        'Send it with { correlationId: message.properties.correlationId }.',
    );
  }
  const elsewhere = after.find((p) => p.exchange !== '' || p.routingKey !== replyTo);
  if (elsewhere !== undefined) {
    const where = elsewhere.exchange === '' ? `the queue '${elsewhere.routingKey}'` : `the exchange '${elsewhere.exchange}' with the routing key '${elsewhere.routingKey}'`;
    return fail(
      `The server sent a message to ${where}, but the request asked for its answer in '${replyTo}' (its replyTo). ` +
        'Answer through the default exchange to that very queue: channel.sendToQueue(message.properties.replyTo, ...).',
    );
  }
  return fail(
    `The server received ${plural(s.requests.filter((q) => q.deliveries.length > 0).length, 'request')} but sent no answer back. In rpc-server.ts, send the result to the queue ` +
      'the request names: channel.sendToQueue(message.properties.replyTo, Buffer.from(String(result)), { correlationId: message.properties.correlationId }).',
  );
}

export const checks: Check[] = [
  check('Each request names a reply queue (replyTo) and carries a correlation id of its own', ({ trace }) => {
    const { requests } = story(trace);
    if (requests.length === 0) return fail(`No request was sent to '${QUEUE}' yet. Run rpc-client.ts.`);
    const good = requests.filter((r) => r.replyTo !== undefined && r.correlationId !== undefined).length;
    const hint = good > 0 ? RESET_HINT : '';
    const noReplyTo = requests.filter((r) => r.replyTo === undefined).length;
    const noId = requests.filter((r) => r.correlationId === undefined).length;
    if (noReplyTo > 0 || noId > 0) {
      const missing = listed([...(noReplyTo > 0 ? ['replyTo'] : []), ...(noId > 0 ? ['correlationId'] : [])]);
      const n = Math.max(noReplyTo, noId);
      return fail(
        `${n === requests.length ? `All ${plural(n, 'request')}` : `${n} of ${plural(requests.length, 'request')}`} went out without ${missing}: without replyTo a server does not know where to answer, ` +
          'and without a correlation id the client cannot tell which question an answer belongs to. In rpc-client.ts, send each request with ' +
          '{ replyTo: replyQueue, correlationId }.' +
          hint,
      );
    }
    const loop = requests.find((r) => r.replyTo === QUEUE);
    if (loop !== undefined) {
      return fail(`A request names '${QUEUE}' itself as its replyTo: its answer would land among the requests, and a server would take it for one. Name the client's own reply queue.`);
    }
    const nowhere = requests.find((r) => !r.replyQueueExisted);
    if (nowhere !== undefined) {
      return fail(
        `A request names '${nowhere.replyTo}' as its replyTo, but no queue of that name existed when it went out, so its answer could go nowhere. ` +
          "Declare the reply queue first, assertQueue('', { exclusive: true }), and use the name it returns (its .queue).",
      );
    }
    const seen = new Map<string, Request>();
    for (const r of requests) {
      const key = `${r.sent.connection} ${r.correlationId}`;
      const twin = seen.get(key);
      if (twin !== undefined) {
        return fail(
          `Two requests from the same client carry the same correlation id '${r.correlationId}', so their answers cannot be told apart. ` +
            'Make a new one for every request, e.g. crypto.randomUUID().',
        );
      }
      seen.set(key, r);
    }
    const queues = [...new Set(requests.map((r) => r.replyTo ?? ''))];
    const where = queues.every(isDirect) ? 'through direct reply-to' : queues.length === 1 ? `'${queues[0]}'` : plural(queues.length, 'reply queue');
    return pass(`All ${plural(requests.length, 'request')} named where to answer (${where}) and carried a correlation id of their own.`);
  }),

  check('The server takes one request at a time (prefetch 1)', ({ trace }) => {
    const { serverConsumers } = story(trace);
    if (serverConsumers.length === 0) return fail(`No server has subscribed to '${QUEUE}' yet. Run rpc-server.ts.`);
    if (serverConsumers.some((c) => c.noAck)) {
      return fail(
        `A server consumes '${QUEUE}' with { noAck: true }, and prefetch only limits unacknowledged messages: with noAck there are none, so the server is sent every request at once. ` +
          'Consume with { noAck: false }, ack each request, and call await channel.prefetch(1) before consume.',
      );
    }
    const greedy = serverConsumers.find((c) => c.prefetch !== 1);
    if (greedy !== undefined) {
      const limit = greedy.prefetch === 0 ? 'no limit' : `a limit of ${greedy.prefetch}`;
      return fail(
        `A server subscribed with ${limit} on unacknowledged requests, so requests pile up at a busy server while another one idles. ` +
          'In rpc-server.ts, call await channel.prefetch(1) before consume.',
      );
    }
    return pass(`Every server asked for one request at a time (${plural(serverConsumers.length, 'consumer')}), so the next request goes to a server that is free.`);
  }),

  check("The server answers each request to its replyTo queue, with the request's correlation id", ({ trace }) => {
    const s = story(trace);
    const reached = s.requests.filter((r) => r.deliveries.length > 0);
    if (reached.length === 0) {
      return fail(s.requests.length === 0 ? 'No request was sent yet. Run rpc-server.ts, then rpc-client.ts.' : `No server took a request from '${QUEUE}' yet. Run rpc-server.ts.`);
    }
    const answerable = reached.filter((r) => r.replyTo !== undefined && r.correlationId !== undefined);
    if (answerable.length === 0) {
      return fail('The requests that reached a server name no reply queue or carry no correlation id, so no answer can find its way back. Fix rpc-client.ts first (see the first check).');
    }
    const answered = answerable.filter((r) => r.answer !== undefined);
    const first = answerable[0]!;
    if (answered.length === 0) return whyUnanswered(s, first);
    const unanswered = answerable.find((r) => finished(r) && r.answer === undefined);
    if (unanswered !== undefined) return whyUnanswered(s, unanswered);
    const direct = answered.every((r) => isDirect(r.replyTo ?? ''));
    return pass(
      `${plural(answered.length, 'answer')} went back, each to the ${direct ? 'direct reply-to address' : 'queue'} its request named in replyTo and with the request's correlation id.`,
    );
  }),

  check('The server acknowledges each request after answering it', ({ trace }) => {
    const s = story(trace);
    if (s.serverConsumers.length === 0) return fail(`No server has subscribed to '${QUEUE}' yet. Run rpc-server.ts.`);
    if (s.serverConsumers.some((c) => c.noAck)) {
      return fail(
        `A server consumes '${QUEUE}' with { noAck: true }: the broker forgets each request as it hands it over, so a server that dies while it computes loses the question for good. ` +
          'Use { noAck: false } and call channel.ack(message) once the answer is sent.',
      );
    }
    const acked = s.requests.filter((r) => r.acks.length > 0);
    if (acked.length === 0) {
      const reached = s.requests.some((r) => r.deliveries.length > 0);
      return fail(reached ? 'The server never acknowledged a request. In rpc-server.ts, call channel.ack(message) right after sending the answer.' : `No request reached a server yet. With rpc-server.ts running, run rpc-client.ts.`);
    }
    const early = acked.find((r) => r.answer !== undefined && r.answer.seq > r.acks[0]!.seq);
    if (early !== undefined) {
      return fail(
        `Request #${early.sent.messageId} was acknowledged before its answer went out. Send the answer first, then ack: a server that dies in between ` +
          'would have told the broker the request is done, and the client would never get an answer.',
      );
    }
    const note = acked.every((r) => r.answer !== undefined) ? ', each after its answer went out' : '';
    return pass(`The servers acknowledged ${plural(acked.length, 'request')}${note}.`);
  }),

  check('The client receives every answer', ({ trace }) => {
    const { answers } = story(trace);
    if (answers.length === 0) return fail('No answer was sent back yet, so there was nothing to receive (see the checks above).');
    const delivered = new Set(findEvents(trace, { type: 'message.delivered' }).filter((e) => e.consumerTag !== null).map((e) => e.messageId));
    const dropped = new Set(findEvents(trace, { type: 'message.unroutable', exchange: '' }).map((e) => e.messageId));
    // Direct reply-to hands an answer straight to the waiting channel: no queue, no delivery event.
    const got = answers.filter((a) => delivered.has(a.messageId) || (isDirect(a.routingKey) && !dropped.has(a.messageId)));
    const lost = answers.filter((a) => dropped.has(a.messageId));
    const stuck = answers.filter((a) => !got.includes(a) && !lost.includes(a));
    const first = stuck[0];
    if (first !== undefined) {
      return fail(
        `${plural(stuck.length, 'answer')} sit in '${first.routingKey}' with nobody reading them. In rpc-client.ts, consume the reply queue before sending the requests: ` +
          'channel.consume(replyQueue, onAnswer, { noAck: true }).',
      );
    }
    if (got.length === 0) {
      return fail(
        `Every answer so far found its client gone (${plural(lost.length, 'answer')} dropped: the reply queue no longer existed). With a server running, run rpc-client.ts and let it wait for its answers.`,
      );
    }
    const late = lost.length > 0 ? ` ${plural(lost.length, 'late answer')} found ${lost.length === 1 ? 'its' : 'their'} client gone and ${lost.length === 1 ? 'was' : 'were'} dropped.` : '';
    return pass(`The client received all ${plural(got.length, 'answer')} sent while it waited.${late}`);
  }),

  check('Two servers share the requests', ({ trace }) => {
    const { requests } = story(trace);
    const handled = new Map<number, number>();
    for (const r of requests) {
      const by = r.acks[0]?.connection ?? r.answer?.connection;
      if (by !== undefined) handled.set(by, (handled.get(by) ?? 0) + 1);
    }
    const counts = [...handled.values()];
    if (counts.length >= 2) {
      return pass(`${counts.length} servers handled requests (${listed(counts.map(String))}): while one was busy, the broker gave the next request to another.`);
    }
    const who = counts.length === 0 ? 'No server has finished a request yet.' : 'Only one server has finished requests so far.';
    return fail(
      `${who} Run rpc-server.ts twice (each run is one more server), then rpc-client.ts with a few numbers, e.g. 38 30 35: each server takes one request at a time, so they share the work.`,
    );
  }),

  check('With no server running, the client gives up instead of waiting forever', ({ trace }) => {
    const { requests } = story(trace);
    const closed = findEvents(trace, { type: 'connection.closed' });
    let stopped: number | undefined;
    for (const r of requests) {
      if (r.serversListening > 0) continue;
      const end = closed.find((c) => c.connection === r.sent.connection && c.seq > r.sent.seq);
      if (end === undefined || (r.answer !== undefined && r.answer.seq < end.seq)) continue;
      // Giving up is the client's own decision: it closes its connection. A program that
      // was stopped (or crashed) just vanishes.
      if (end.by !== 'client') {
        stopped ??= r.sent.messageId;
        continue;
      }
      const late = r.answer !== undefined ? ' A server answered it later, into a reply queue that was gone: the work was wasted.' : '';
      return pass(`Request #${r.sent.messageId} went out while no server was listening on '${QUEUE}', and its client stopped waiting and closed its connection without an answer.${late}`);
    }
    if (stopped !== undefined) {
      return fail(
        `Request #${stopped}'s client was stopped before it gave up by itself. Let rpc-client.ts run with no server: after 5 s it should stop waiting, say so, and close its connection.`,
      );
    }
    return fail(
      'See it happen: stop every rpc-server.ts, then run rpc-client.ts. Its request waits in the queue, and after 5 s the client gives up. ' +
        'Then start a server again and watch what becomes of that request.',
    );
  }),
];

/**
 * A client asks while no server runs: the request waits, and the client gives up. Then two
 * servers start (the first answers the stale request, into a reply queue that is gone), and
 * a client asks four questions at once, which the two servers share.
 */
export const scenario: Scenario = [
  { run: 'rpc-client.ts', as: 'impatient client', args: '7' },
  { waitFor: { type: 'connection.state', to: 'closed' } },
  { run: 'rpc-server.ts', as: 'server 1' },
  { run: 'rpc-server.ts', as: 'server 2' },
  { waitFor: { type: 'consumer.added', queue: QUEUE }, count: 2 },
  { run: 'rpc-client.ts', args: '10 20 25 5' },
];
