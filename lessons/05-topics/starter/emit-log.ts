import amqp from 'amqplib';

const exchange = 'system-logs';
// The first word is the routing key, the rest is the line:
// `kern.critical Out of memory: killed process 4242`.
const [key = 'app.info', ...words] = process.argv.slice(2);
const line = words.join(' ') || 'Hello from emit-log.ts';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

// TODO: a direct exchange compares whole keys, letter for letter.
// Declare a topic exchange instead, which matches keys to patterns.
await channel.assertExchange(exchange, 'direct', { durable: false });

// The key says where the line comes from and how bad it is.
channel.publish(exchange, key, Buffer.from(line));
console.log(`sent [${key}] ${line}`);

await channel.close();
await connection.close();
