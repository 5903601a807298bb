import amqp from 'amqplib';

const queue = 'tasks';
// Each dot in a task stands for one second of work: "resize photo..." takes three.
const task = process.argv.slice(2).join(' ') || 'resize photo...';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

// durable: the queue itself comes back after a broker restart.
await channel.assertQueue(queue, { durable: true });

// persistent: so do the messages waiting in it.
channel.sendToQueue(queue, Buffer.from(task), { persistent: true });
console.log(`queued: ${task}`);

await channel.close();
await connection.close();
