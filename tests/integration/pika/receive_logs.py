#!/usr/bin/python3
"""Publish/Subscribe, a subscriber: its own exclusive, server-named queue bound to the fanout exchange."""

from common import Pump, connect, delivery, emit, fail, parser

p = parser("receive everything published on a fanout exchange")
p.add_argument("--exchange", default="logs")
p.add_argument("--count", type=int, required=True, help="stop after this many messages")
p.add_argument("--inactivity", type=float, default=5.0)
args = p.parse_args()

connection = connect(args.port)
channel = connection.channel()
channel.exchange_declare(exchange=args.exchange, exchange_type="fanout")
result = channel.queue_declare(queue="", exclusive=True)
queue = result.method.queue
if not queue.startswith("amq.gen-"):
    fail(f"server-named queue {queue!r} does not start with amq.gen-")
channel.queue_bind(exchange=args.exchange, queue=queue)
pump = Pump(connection)
received = []


def callback(ch, method, properties, body):
    pump.progress()
    received.append(body)
    emit("message", **delivery(method, properties, body))


channel.basic_consume(queue=queue, on_message_callback=callback, auto_ack=True)
emit("ready", queue=queue)
pump.run(lambda: len(received) >= args.count, args.inactivity, f"{args.count} messages from {args.exchange}")
connection.close()
