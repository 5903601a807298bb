import amqp from 'amqplib';

const queue = 'orders';
// How many orders to place: `send-orders.ts 12`; 8 unless told.
const count = Number(process.argv[2] ?? 8);
const orders = Array.from({ length: count }, (_, i) => `order-${i + 1}`);

const connection = await amqp.connect('amqp://localhost');
// TODO: on a plain channel the broker never answers a publish.
// Open a confirm channel instead.
const channel = await connection.createChannel();

// At most 5 orders wait in the queue; when it is full, it refuses more.
await channel.assertQueue(queue, {
  durable: true,
  maxLength: 5,
  overflow: 'reject-publish',
});

// TODO: find out which orders the broker took (ack) and which it
// refused (nack), and send the refused ones again after a pause.
for (const order of orders) {
  const options = { persistent: true, messageId: order };
  channel.sendToQueue(queue, Buffer.from(order), options);
  console.log(`sent: ${order}`);
}

await channel.close();
await connection.close();
