import amqp from 'amqplib';

const queue = 'logs';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

// TODO: declare the fanout exchange 'logs' here too.

// TODO: a queue for this receiver alone: let the broker name it, and
// make it exclusive so that it goes away when this receiver stops.
await channel.assertQueue(queue, { durable: false });

// TODO: bind the queue to the exchange, or nothing ever arrives in it.

console.log(`waiting for logs in '${queue}'; stop the program to quit`);
await channel.consume(
  queue,
  (message) => {
    if (message === null) return; // the broker cancelled this consumer
    console.log(`log: ${message.content.toString()}`);
  },
  { noAck: true },
);
