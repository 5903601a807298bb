import amqp from 'amqplib';

const queue = 'rpc_queue';

// The procedure the clients call. Slow on purpose: it works out the same
// values again and again, so the time it takes grows fast with n: fib(30)
// is quick, fib(38) keeps a server busy for a while, fib(40) longer.
function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

const connection = await amqp.connect('amqp://localhost');
const channel = await connection.createChannel();
await channel.assertQueue(queue, { durable: false });

// One request at a time: while this server is busy, the broker gives
// the next request to another server.
await channel.prefetch(1);

console.log(`waiting for requests on '${queue}'`);
await channel.consume(
  queue,
  (message) => {
    if (message === null) return; // the broker cancelled this consumer
    const n = Number(message.content.toString());
    const { replyTo, correlationId } = message.properties;
    console.log(`computing fib(${n})`);
    const result = fib(n);
    if (replyTo === undefined) {
      console.log('the request names no reply queue: nobody to answer');
    } else {
      // Through the default exchange to the queue the client named,
      // with the request's correlation id so the client can match it.
      const answer = Buffer.from(String(result));
      channel.sendToQueue(replyTo, answer, { correlationId });
      console.log(`fib(${n}) = ${result}, sent to ${replyTo}`);
    }
    // Done only now: if this server dies before this line, the broker
    // hands the request to another server.
    channel.ack(message);
  },
  { noAck: false },
);
