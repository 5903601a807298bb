import amqp from 'amqplib';

const queue = 'logs';
// The log line to send: the arguments, or a default.
const line = process.argv.slice(2).join(' ') || 'info: service started';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

// TODO: declare a fanout exchange called 'logs' instead of this queue.
await channel.assertQueue(queue, { durable: false });

// TODO: publish the line to the exchange. Through the default exchange
// it lands in one queue, where the receivers take turns at the lines.
channel.sendToQueue(queue, Buffer.from(line));
console.log(`sent: ${line}`);

await channel.close();
await connection.close();
