import amqp from 'amqplib';

// How many times the worker tries a job before it gives up on it.
const maxAttempts = 3;

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();

// The waiting room. A failed job sits here for 2 s; then it expires and
// is dead-lettered through the default exchange ('') with the routing
// key 'jobs', which puts it back in the queue 'jobs'.
await channel.assertQueue('jobs.wait', {
  durable: true,
  messageTtl: 2000,
  deadLetterExchange: '',
  deadLetterRoutingKey: 'jobs',
});

// The dead-letter exchange of 'jobs': what 'jobs' throws out goes
// through it into the waiting room.
await channel.assertExchange('jobs.dlx', 'fanout', { durable: true });
await channel.bindQueue('jobs.wait', 'jobs.dlx', '');

await channel.assertQueue('jobs', {
  durable: true,
  deadLetterExchange: 'jobs.dlx',
});

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
    const rejected = deaths.find(
      (d) => d.queue === 'jobs' && d.reason === 'rejected',
    );
    const attempt = (rejected?.count ?? 0) + 1;

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
