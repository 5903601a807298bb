import amqp from 'amqplib';

const queue = 'hello';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

// Declared here too: whichever program starts first creates the queue.
await channel.assertQueue(queue, { durable: false });

console.log(`waiting for messages on '${queue}'; stop the program to quit`);
await channel.consume(
  queue,
  (message) => {
    if (message === null) return; // the broker cancelled this consumer
    console.log(`received: ${message.content.toString()}`);
  },
  // The broker forgets each message as soon as it hands it over (lesson 2 does better).
  { noAck: true },
);
