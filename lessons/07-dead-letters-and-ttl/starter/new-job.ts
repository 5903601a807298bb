import amqp from 'amqplib';

// Each ! stands for one attempt that fails: "send invoice!" fails once,
// then works on its second attempt.
const job = process.argv.slice(2).join(' ') || 'send invoice!';

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

// worker.ts declares 'jobs' with its dead-letter settings. Declaring it
// here as well would mean repeating them exactly (any difference fails
// with 406), so this program only checks that the queue is there.
await channel.checkQueue('jobs');

channel.sendToQueue('jobs', Buffer.from(job), { persistent: true });
console.log(`queued: ${job}`);

await channel.close();
await connection.close();
