#!/usr/bin/python3
"""Hello World, the receiving side: consume (auto-ack) until `--count` messages arrived."""

from common import Pump, connect, delivery, emit, parser, queue_arguments

p = parser("receive messages from a queue")
p.add_argument("--queue", default="hello")
p.add_argument("--quorum", action="store_true", help="declare a durable quorum queue")
p.add_argument("--count", type=int, required=True, help="stop after this many messages")
p.add_argument("--inactivity", type=float, default=5.0, help="fail after this many seconds without a message")
args = p.parse_args()

connection = connect(args.port)
channel = connection.channel()
channel.queue_declare(queue=args.queue, durable=args.quorum, arguments=queue_arguments(args.quorum))
pump = Pump(connection)
received = []


def callback(ch, method, properties, body):
    pump.progress()
    received.append(body)
    emit("message", **delivery(method, properties, body))


channel.basic_consume(queue=args.queue, on_message_callback=callback, auto_ack=True)
emit("ready", queue=args.queue)
pump.run(lambda: len(received) >= args.count, args.inactivity, f"{args.count} messages on {args.queue}")
connection.close()
