#!/usr/bin/python3
"""RPC, the client: sends fib(n) requests with reply_to and a fresh correlation_id and waits
for the matching answer. Replies come to an exclusive server-named callback queue, or with
--direct-reply-to to the pseudo-queue amq.rabbitmq.reply-to (no queue at all)."""

import uuid

import pika

from common import Pump, connect, emit, fail, parser

p = parser("call the Fibonacci RPC server")
p.add_argument("numbers", nargs="+", type=int)
p.add_argument("--queue", default="rpc_queue")
p.add_argument("--direct-reply-to", action="store_true")
p.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for each reply")
args = p.parse_args()

connection = connect(args.port)
channel = connection.channel()
if args.direct_reply_to:
    callback_queue = "amq.rabbitmq.reply-to"
else:
    callback_queue = channel.queue_declare(queue="", exclusive=True).method.queue
pump = Pump(connection)
pending = {"id": None, "answer": None}


def on_response(ch, method, props, body):
    pump.progress()
    if props.correlation_id == pending["id"]:
        pending["answer"] = body.decode()
    else:
        emit("stray", correlation_id=props.correlation_id, body=body.decode())


channel.basic_consume(queue=callback_queue, on_message_callback=on_response, auto_ack=True)
emit("ready", callback_queue=callback_queue)
for n in args.numbers:
    pending["id"] = str(uuid.uuid4())
    pending["answer"] = None
    channel.basic_publish(
        exchange="",
        routing_key=args.queue,
        properties=pika.BasicProperties(reply_to=callback_queue, correlation_id=pending["id"]),
        body=str(n).encode(),
    )
    pump.run(lambda: pending["answer"] is not None, args.timeout, f"the reply to fib({n})")
    emit("reply", n=n, result=int(pending["answer"]), correlation_id=pending["id"])
connection.close()
