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

// TODO: one request at a time, so that a busy server gets no more.

console.log(`waiting for requests on '${queue}'`);
await channel.consume(
  queue,
  (message) => {
    if (message === null) return; // the broker cancelled this consumer
    const n = Number(message.content.toString());
    console.log(`computing fib(${n})`);
    const result = fib(n);
    console.log(`fib(${n}) = ${result}, but nobody is told`);
    // TODO: send `result` back to the queue named in the request's
    // message.properties.replyTo, with the request's correlationId.
    // TODO: then acknowledge the request.
  },
  { noAck: false },
);
