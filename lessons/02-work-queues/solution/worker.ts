import amqp from 'amqplib';

const queue = 'tasks';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();
await channel.assertQueue(queue, { durable: true });

// At most one unacknowledged task at a time: a busy worker gets nothing new.
await channel.prefetch(1);

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
      // Only now may the broker forget the task.
      channel.ack(message);
    }, seconds * 1000);
  },
  { noAck: false },
);
