import amqp from 'amqplib';

const exchange = 'logs';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

// Declared here too: either program may start first.
await channel.assertExchange(exchange, 'fanout', { durable: false });

// No name: the broker makes up a unique one (amq.gen-...).
// Exclusive: the queue belongs to this connection and is deleted
// when it closes, so it lives exactly as long as this receiver.
const { queue } = await channel.assertQueue('', { exclusive: true });

// A copy of everything sent to the exchange; fanout ignores the key ''.
await channel.bindQueue(queue, exchange, '');

console.log(`waiting for logs in '${queue}'; stop the program to quit`);
await channel.consume(
  queue,
  (message) => {
    if (message === null) return; // the broker cancelled this consumer
    console.log(`log: ${message.content.toString()}`);
  },
  // No acks: if this receiver dies, its queue goes with it, so there
  // would be nothing to redeliver anyway.
  { noAck: true },
);
