import amqp from 'amqplib';

const queue = 'hello';
const text = 'Hello from send.ts!';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

// Creates the queue if it is not there yet; does nothing if it is.
await channel.assertQueue(queue, { durable: false });

// Through the default exchange: the routing key is the name of the queue.
channel.sendToQueue(queue, Buffer.from(text));
console.log(`sent: ${text}`);

// Closing waits until the broker has everything we sent.
await channel.close();
await connection.close();
