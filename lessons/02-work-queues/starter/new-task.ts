import amqp from 'amqplib';

const queue = 'tasks';
// Each dot in a task stands for one second of work: "resize photo..." takes three.
const task = process.argv.slice(2).join(' ') || 'resize photo...';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

// TODO: make the queue survive a broker restart (worker.ts declares it too).
await channel.assertQueue(queue, { durable: false });

// TODO: and the tasks waiting in it.
channel.sendToQueue(queue, Buffer.from(task));
console.log(`queued: ${task}`);

await channel.close();
await connection.close();
