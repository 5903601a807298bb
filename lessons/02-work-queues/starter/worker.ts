import amqp from 'amqplib';

const queue = 'tasks';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();
// TODO: durable, to match new-task.ts.
await channel.assertQueue(queue, { durable: false });

// TODO: take one task at a time.

console.log('worker ready, waiting for tasks');
await channel.consume(
  queue,
  (message) => {
    if (message === null) return; // the broker cancelled this consumer
    const task = message.content.toString();
    const seconds = task.split('.').length - 1;
    console.log(`working on "${task}" (${seconds} s)`);
    setTimeout(() => {
      console.log(`done: "${task}"`);
      // TODO: tell the broker the task is done.
    }, seconds * 1000);
  },
  // TODO: with noAck the broker forgets a task the moment it sends it.
  { noAck: true },
);
