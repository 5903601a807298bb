#!/usr/bin/python3
"""Hello World, the sending side: declare a queue and put messages on it."""

import pika

from common import connect, emit, parser, queue_arguments

p = parser("send messages to a queue through the default exchange")
p.add_argument("messages", nargs="+")
p.add_argument("--queue", default="hello")
p.add_argument("--quorum", action="store_true", help="declare a durable quorum queue")
args = p.parse_args()

connection = connect(args.port)
channel = connection.channel()
channel.queue_declare(queue=args.queue, durable=args.quorum, arguments=queue_arguments(args.quorum))
for message in args.messages:
    channel.basic_publish(exchange="", routing_key=args.queue, body=message.encode())
    emit("sent", body=message)
connection.close()
