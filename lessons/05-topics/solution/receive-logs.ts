import amqp from 'amqplib';

const exchange = 'system-logs';
// The binding patterns this receiver wants, e.g.
// `receive-logs.ts *.critical kern.#`.
const patterns = process.argv.slice(2);
if (patterns.length === 0) {
  console.error('usage: receive-logs.ts <pattern>... (e.g. *.critical)');
  process.exit(1);
}

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

// Declared here too, with the same type: either program may start first.
await channel.assertExchange(exchange, 'topic', { durable: false });

// Our own queue: the broker names it and deletes it when we disconnect.
const { queue } = await channel.assertQueue('', { exclusive: true });

// One binding per pattern: * stands for one word, # for any number.
for (const pattern of patterns) {
  await channel.bindQueue(queue, exchange, pattern);
}

console.log(`waiting for ${patterns.join(' ')} lines on ${queue}`);
await channel.consume(
  queue,
  (message) => {
    if (message === null) return; // the broker cancelled this consumer
    // The full routing key the line was published with comes along.
    const key = message.fields.routingKey;
    console.log(`[${key}] ${message.content.toString()}`);
  },
  { noAck: true },
);
