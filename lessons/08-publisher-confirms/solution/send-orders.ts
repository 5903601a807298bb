import amqp from 'amqplib';

const queue = 'orders';
// How many orders to place: `send-orders.ts 12`; 8 unless told.
const count = Number(process.argv[2] ?? 8);
const orders = Array.from({ length: count }, (_, i) => `order-${i + 1}`);

const connection = await amqp.connect('amqp://localhost');
// A confirm channel: the broker answers each publish with an ack or a nack.
const channel = await connection.createConfirmChannel();

// At most 5 orders wait in the queue; when it is full, it refuses more.
await channel.assertQueue(queue, {
  durable: true,
  maxLength: 5,
  overflow: 'reject-publish',
});

// Publishes one order. Resolves true when the broker acks it, false when
// it nacks it: the callback runs once the broker has answered.
function send(order: string): Promise<boolean> {
  return new Promise((resolve) => {
    const options = { persistent: true, messageId: order };
    channel.sendToQueue(queue, Buffer.from(order), options, (err) => {
      console.log(err ? `nacked: ${order}` : `confirmed: ${order}`);
      resolve(!err);
    });
  });
}

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

// Send them all; then, after a pause, the ones the broker refused.
let waiting = orders;
for (let attempt = 1; attempt <= 10 && waiting.length > 0; attempt++) {
  if (attempt > 1) {
    console.log(`${waiting.length} nacked; trying again in 2 s`);
    await pause(2000);
  }
  const taken = await Promise.all(waiting.map(send));
  waiting = waiting.filter((_, i) => !taken[i]);
}
if (waiting.length > 0) {
  console.error(`gave up on ${waiting.join(', ')}`);
  process.exitCode = 1;
}

await channel.close();
await connection.close();
