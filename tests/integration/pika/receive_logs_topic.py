#!/usr/bin/python3
"""Topics, a subscriber: binding keys with * (one word) and # (zero or more words)."""

from common import Pump, connect, delivery, emit, parser

p = parser("receive what matches the binding keys on a topic exchange")
p.add_argument("binding_keys", nargs="+")
p.add_argument("--exchange", default="topic_logs")
p.add_argument("--count", type=int, required=True)
p.add_argument("--inactivity", type=float, default=5.0)
args = p.parse_args()

connection = connect(args.port)
channel = connection.channel()
channel.exchange_declare(exchange=args.exchange, exchange_type="topic")
queue = channel.queue_declare(queue="", exclusive=True).method.queue
for binding_key in args.binding_keys:
    channel.queue_bind(exchange=args.exchange, queue=queue, routing_key=binding_key)
pump = Pump(connection)
received = []


def callback(ch, method, properties, body):
    pump.progress()
    received.append(body)
    emit("message", **delivery(method, properties, body))


channel.basic_consume(queue=queue, on_message_callback=callback, auto_ack=True)
emit("ready", queue=queue)
pump.run(lambda: len(received) >= args.count, args.inactivity, f"{args.count} messages")
connection.close()
