import amqp from 'amqplib';

const queue = 'orders';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();
// The same declaration as send-orders.ts, or the broker refuses it.
await channel.assertQueue(queue, {
  durable: true,
  maxLength: 5,
  overflow: 'reject-publish',
});

// One order at a time: the others wait in the queue.
await channel.prefetch(1);

console.log('packer ready, waiting for orders');
await channel.consume(
  queue,
  (message) => {
    if (message === null) return; // the broker cancelled this consumer
    const order = message.content.toString();
    console.log(`packing ${order}`);
    // Packing takes a second.
    setTimeout(() => {
      console.log(`shipped ${order}`);
      channel.ack(message);
    }, 1000);
  },
  { noAck: false },
);
