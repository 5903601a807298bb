import amqp from 'amqplib';

// How many times the worker tries a job before it gives up on it.
const maxAttempts = 3;

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

// TODO: a waiting room, the queue 'jobs.wait'. A job should sit there
// for 2 s (messageTtl), then be dead-lettered through the default
// exchange ('') with the routing key 'jobs', back into 'jobs'.

// TODO: a fanout exchange 'jobs.dlx', with 'jobs.wait' bound to it.

// TODO: make 'jobs.dlx' the dead-letter exchange of 'jobs'. A queue
// keeps the arguments it was created with: press Reset broker first.
await channel.assertQueue('jobs', { durable: true });

// Jobs that failed every attempt wait here for a human to look at.
await channel.assertQueue('jobs.parked', { durable: true });

// One entry of the x-death header.
type Death = { queue: string; reason: string; count: number };

await channel.prefetch(1);
console.log('worker ready, waiting for jobs');
await channel.consume(
  'jobs',
  (message) => {
    if (message === null) return; // the broker cancelled this consumer
    const job = message.content.toString();
    // Each ! in a job stands for one attempt that fails.
    const failures = job.split('!').length - 1;

    // RabbitMQ writes x-death when it dead-letters a message: one entry
    // per queue and reason, newest first, each with a count.
    const { headers } = message.properties;
    const deaths = (headers?.['x-death'] ?? []) as Death[];
    for (const d of deaths) {
      console.log(`  x-death: ${d.reason} from '${d.queue}', ${d.count}x`);
    }
    // TODO: every attempt looks like the first. Find the entry of
    // 'deaths' for queue 'jobs' and reason 'rejected': its count is how
    // many attempts have failed so far.
    const attempt = 1;

    if (attempt > failures) {
      console.log(`done: "${job}" (attempt ${attempt})`);
      channel.ack(message);
    } else if (attempt < maxAttempts) {
      console.log(`failed: "${job}" (attempt ${attempt}), retry in 2 s`);
      // requeue false: the broker dead-letters the job instead of
      // putting it back at the head of 'jobs'.
      channel.nack(message, false, false);
    } else {
      console.log(`gave up on "${job}" after ${attempt} attempts`);
      channel.sendToQueue('jobs.parked', message.content, {
        persistent: true,
        headers: { attempts: attempt },
      });
      channel.ack(message);
    }
  },
  { noAck: false },
);
