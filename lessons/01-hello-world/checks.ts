import { check, fail, findEvent, findEvents, findQueue, pass, type Check, type Scenario } from '../../src/grader/index.ts';

const QUEUE = 'hello';
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const checks: Check[] = [
  check(`The queue '${QUEUE}' exists`, ({ state }) => {
    const queue = findQueue(state, QUEUE);
    if (queue === undefined) return fail(`There is no queue '${QUEUE}'. Both programs should declare it with assertQueue('${QUEUE}').`);
    return pass(`'${QUEUE}' is there, with ${plural(queue.ready, 'message')} waiting and ${plural(queue.consumers.length, 'consumer')}.`);
  }),

  check(`send.ts sends a message to '${QUEUE}' through the default exchange`, ({ trace }) => {
    const routed = findEvent(trace, { type: 'message.routed', exchange: '', routingKey: QUEUE });
    if (routed !== undefined) return pass(`The default exchange routed message #${routed.messageId} to '${QUEUE}', the queue its routing key names.`);
    const elsewhere = findEvents(trace, { type: 'message.published' });
    const first = elsewhere[0];
    if (first === undefined) return fail('Nothing was published yet. In send.ts, call channel.sendToQueue(queue, Buffer.from(text)) before closing.');
    return fail(
      `A message went to exchange '${first.exchange}' with routing key '${first.routingKey}', which is not the queue '${QUEUE}'. ` +
        `With the default exchange (''), the routing key must be the queue's name.`,
    );
  }),

  check(`receive.ts receives the message from '${QUEUE}'`, ({ trace }) => {
    const delivered = findEvents(trace, { type: 'message.delivered', queue: QUEUE }).find((e) => e.consumerTag !== null);
    if (delivered !== undefined) return pass(`Message #${delivered.messageId} reached '${QUEUE}' and the broker delivered it to consumer ${delivered.consumerTag}.`);
    if (findEvent(trace, { type: 'message.enqueued', queue: QUEUE })) {
      return fail(`A message is waiting in '${QUEUE}', but no consumer took it. Run receive.ts: it consumes from '${QUEUE}'.`);
    }
    return fail(`No message reached '${QUEUE}' yet, so there was nothing to receive. Make send.ts send one first.`);
  }),
];

/** The consumer starts first and waits; then the producer sends and exits. */
export const scenario: Scenario = [{ run: 'receive.ts' }, { run: 'send.ts' }];
