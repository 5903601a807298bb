// The first two RabbitMQ tutorials as playground programs, retold in our own words: hello
// world (send.ts, receive.ts) and work queues (new_task.ts, worker.ts). The demo page
// (src/pages/playground.astro) and the e2e tests use them; a unit test type-checks them
// as the editor does.

import type { PlaygroundProgram } from './types.ts';

const send = `import amqp from 'amqplib';

// Connect to the broker. It runs inside this page, but the URL is the one
// you would use for a RabbitMQ on your own machine.
const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

const queue = 'hello';
const text = 'Hello World!';

// Declaring a queue only creates it if it is not there yet,
// so every program that uses it can declare it.
await channel.assertQueue(queue, { durable: false });

// The default exchange delivers to the queue named by the routing key.
channel.sendToQueue(queue, Buffer.from(text));
console.log(" [x] Sent '%s'", text);

// Give the message a moment to leave, then hang up. With nothing
// left to do, the program ends.
setTimeout(() => connection.close(), 500);
`;

const receive = `import amqp from 'amqplib';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

const queue = 'hello';
// The receiver may start before the sender: declare the queue here too.
await channel.assertQueue(queue, { durable: false });

console.log(' [*] Waiting for messages in %s. Press Stop to end.', queue);

// The broker pushes each message to this function as it arrives.
// noAck: the broker forgets a message as soon as it sends it.
await channel.consume(queue, (msg) => {
  if (msg === null) return; // the broker cancelled this consumer
  console.log(' [x] Received %s', msg.content.toString());
}, { noAck: true });
`;

const newTask = `import amqp from 'amqplib';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

const queue = 'task_queue';
// The words typed after the program's name form the task.
// Each dot stands for one second of work.
const task = process.argv.slice(2).join(' ') || 'Hello World!';

// durable: the queue outlives a broker restart...
await channel.assertQueue(queue, { durable: true });
// ...and persistent: so does the message while it waits in it.
channel.sendToQueue(queue, Buffer.from(task), { persistent: true });
console.log(" [x] Sent '%s'", task);

setTimeout(() => connection.close(), 500);
`;

const worker = `import amqp from 'amqplib';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

const queue = 'task_queue';
await channel.assertQueue(queue, { durable: true });

// Fair dispatch: hand this worker a new task only once it has
// acknowledged the one it is working on.
await channel.prefetch(1);
console.log(' [*] Waiting for tasks. Press Stop to end.');

await channel.consume(queue, (msg) => {
  if (msg === null) return;
  const task = msg.content.toString();
  const seconds = task.split('.').length - 1;
  const again = msg.fields.redelivered ? ' (redelivered)' : '';
  console.log(" [x] Received '%s'%s", task, again);

  // Pretend to work: one second per dot.
  setTimeout(() => {
    console.log(' [x] Done');
    // Acknowledge only when the work is done. If this worker dies
    // first, the broker gives the task to another one.
    channel.ack(msg);
  }, seconds * 1000);
}, { noAck: false });
`;

export const helloWorld: PlaygroundProgram[] = [
  { name: 'send.ts', starter: send },
  { name: 'receive.ts', starter: receive },
];

export const workQueues: PlaygroundProgram[] = [
  { name: 'new_task.ts', starter: newTask, args: 'First message.' },
  { name: 'worker.ts', starter: worker },
];

const countStarter = `import amqp from 'amqplib';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

// Exercise: print how many messages wait in the queue 'hello'.
// Hint: declaring a queue answers with its messageCount.

await connection.close();
`;

const countSolution = `import amqp from 'amqplib';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

const { messageCount } = await channel.assertQueue('hello', { durable: false });
console.log(' [i] %d message(s) wait in hello', messageCount);

await connection.close();
`;

/** A one-program exercise with a solution (the demo of the Solution view). */
export const exercise: PlaygroundProgram[] = [{ name: 'count.ts', starter: countStarter, solution: countSolution }];
