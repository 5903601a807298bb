import amqp from 'amqplib';

const queue = 'hello';
const text = 'Hello from send.ts!';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

// Creates the queue if it is not there yet; does nothing if it is.
await channel.assertQueue(queue, { durable: false });

// TODO: send `text` to the queue.
// Messages travel as bytes: Buffer.from(text) turns the text into bytes.

// Closing waits until the broker has everything we sent.
await channel.close();
await connection.close();
