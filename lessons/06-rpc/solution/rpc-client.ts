import amqp from 'amqplib';

const queue = 'rpc_queue';
const timeoutMs = 5000;
// One question per argument: `rpc-client.ts 38 30 35` asks for fib(38),
// fib(30) and fib(35), all at once.
const numbers = process.argv.slice(2).map(Number);
if (numbers.length === 0 || !numbers.every((n) => Number.isInteger(n))) {
  console.error('usage: rpc-client.ts n [n ...] (whole numbers)');
  process.exit(1);
}

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();
await channel.assertQueue(queue, { durable: false });

// Answers come back to a queue of our own: the broker names it, and
// deletes it when this client disconnects.
const { queue: replyQueue } = await channel.assertQueue('', {
  exclusive: true,
});

// The questions still waiting for an answer, by correlation id.
const waiting = new Map<string, (answer: string) => void>();

await channel.consume(
  replyQueue,
  (message) => {
    if (message === null) return; // the broker cancelled this consumer
    const id = message.properties.correlationId;
    const settle = id === undefined ? undefined : waiting.get(id);
    if (id === undefined || settle === undefined) {
      // Late (we gave up on it) or a duplicate: nobody waits for it.
      console.log(`ignored an answer to no question of ours (${id})`);
      return;
    }
    waiting.delete(id);
    settle(message.content.toString());
  },
  { noAck: true },
);

// Asks for fib(n): resolves with the answer, or fails after timeoutMs.
function call(n: number): Promise<string> {
  const correlationId = crypto.randomUUID();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(correlationId);
      reject(new Error(`no answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    waiting.set(correlationId, (answer) => {
      clearTimeout(timer);
      resolve(answer);
    });
    channel.sendToQueue(queue, Buffer.from(String(n)), {
      replyTo: replyQueue,
      correlationId,
    });
    console.log(`asked for fib(${n})`);
  });
}

// Every answer is printed as it arrives, in whatever order that is.
await Promise.all(
  numbers.map(async (n) => {
    try {
      console.log(`fib(${n}) = ${await call(n)}`);
    } catch (error) {
      console.log(`fib(${n}): ${(error as Error).message}`);
    }
  }),
);

await connection.close();
