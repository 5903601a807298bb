import amqp from 'amqplib';

const exchange = 'logs';
// The log line to send: the arguments, or a default.
const line = process.argv.slice(2).join(' ') || 'info: service started';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

// Fanout: a copy of every message goes to every queue bound to it.
await channel.assertExchange(exchange, 'fanout', { durable: false });

// Fanout ignores the routing key, so it stays empty.
channel.publish(exchange, '', Buffer.from(line));
console.log(`sent: ${line}`);

await channel.close();
await connection.close();
