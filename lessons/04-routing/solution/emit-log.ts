import amqp from 'amqplib';

const exchange = 'severity-logs';
// The first word is the severity, the rest is the line: `error Disk full`.
const [severity = 'info', ...words] = process.argv.slice(2);
const line = words.join(' ') || 'Hello from emit-log.ts';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

// direct: a line goes to each queue bound with its routing key.
await channel.assertExchange(exchange, 'direct', { durable: false });

// The severity is the routing key.
channel.publish(exchange, severity, Buffer.from(line));
console.log(`sent [${severity}] ${line}`);

await channel.close();
await connection.close();
