#!/usr/bin/python3
"""Work queues, the producer: persistent tasks on a durable queue. Dots in a task say how long it takes."""

import pika

from common import connect, emit, parser, queue_arguments

p = parser("queue tasks for the workers")
p.add_argument("tasks", nargs="+")
p.add_argument("--queue", default="task_queue")
p.add_argument("--quorum", action="store_true", help="declare a quorum queue")
args = p.parse_args()

connection = connect(args.port)
channel = connection.channel()
channel.queue_declare(queue=args.queue, durable=True, arguments=queue_arguments(args.quorum))
for task in args.tasks:
    channel.basic_publish(
        exchange="",
        routing_key=args.queue,
        body=task.encode(),
        properties=pika.BasicProperties(delivery_mode=2),
    )
    emit("sent", body=task)
connection.close()
