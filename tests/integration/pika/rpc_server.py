#!/usr/bin/python3
"""RPC, the server: answers fib(n) requests from rpc_queue to each request's reply_to,
with the request's correlation_id; one request at a time (prefetch 1), acked after replying."""

import time

import pika

from common import Pump, connect, emit, parser

p = parser("serve Fibonacci numbers over RPC")
p.add_argument("--queue", default="rpc_queue")
p.add_argument("--count", type=int, required=True, help="stop after this many requests")
p.add_argument("--inactivity", type=float, default=5.0)
args = p.parse_args()


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


connection = connect(args.port)
channel = connection.channel()
channel.queue_declare(queue=args.queue)
channel.basic_qos(prefetch_count=1)
pump = Pump(connection)
served = []


def on_request(ch, method, props, body):
    pump.progress()
    n = int(body)
    emit("request", n=n, reply_to=props.reply_to, correlation_id=props.correlation_id)
    ch.basic_publish(
        exchange="",
        routing_key=props.reply_to,
        properties=pika.BasicProperties(correlation_id=props.correlation_id),
        body=str(fib(n)).encode(),
    )
    ch.basic_ack(delivery_tag=method.delivery_tag)
    served.append(n)


channel.basic_consume(queue=args.queue, on_message_callback=on_request)
emit("ready", queue=args.queue)
pump.run(lambda: len(served) >= args.count, args.inactivity, f"{args.count} requests")
# Let the last reply leave before closing.
connection.process_data_events(time_limit=0.05)
connection.close()
