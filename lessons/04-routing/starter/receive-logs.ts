import amqp from 'amqplib';

const exchange = 'severity-logs';
// The severities this receiver wants, e.g. `receive-logs.ts warning error`.
const severities = process.argv.slice(2);
if (severities.length === 0) {
  console.error('usage: receive-logs.ts [info] [warning] [error]');
  process.exit(1);
}

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();
await channel.assertExchange(exchange, 'direct', { durable: false });

// A queue of our own: the broker names it and deletes it when we disconnect.
const { queue } = await channel.assertQueue('', { exclusive: true });

// TODO: a binding with the key '' lets in only lines sent with the key ''.
// Bind the queue once for each severity in `severities` instead.
await channel.bindQueue(queue, exchange, '');

console.log(`waiting for ${severities.join(', ')} lines on ${queue}`);
await channel.consume(
  queue,
  (message) => {
    if (message === null) return; // the broker cancelled this consumer
    // The routing key the line was published with comes along with it.
    const severity = message.fields.routingKey;
    console.log(`[${severity}] ${message.content.toString()}`);
  },
  { noAck: true },
);
