#!/usr/bin/python3
"""Publisher confirms: with confirm_delivery() each basic_publish returns only once the
broker confirmed it, and raises when the broker nacks it (NackError) or returns it as
unroutable (UnroutableError, with mandatory=True)."""

import pika
from pika.exceptions import NackError, UnroutableError

from common import connect, emit, fail, parser

p = parser("publish with confirms")
p.add_argument("--queue", required=True, help="durable queue for the persistent messages")
p.add_argument("--count", type=int, default=10)
p.add_argument("--unroutable", action="store_true", help="also publish a mandatory message nothing routes")
p.add_argument("--reject-publish", metavar="QUEUE", help="also overflow a queue with x-max-length 1 and x-overflow reject-publish")
args = p.parse_args()

connection = connect(args.port)
channel = connection.channel()
channel.confirm_delivery()
channel.queue_declare(queue=args.queue, durable=True)
persistent = pika.BasicProperties(delivery_mode=2)
for i in range(args.count):
    channel.basic_publish(exchange="", routing_key=args.queue, body=f"m{i}".encode(), properties=persistent)
emit("confirmed", count=args.count)

if args.unroutable:
    try:
        channel.basic_publish(exchange="", routing_key=args.queue + ".nobody", body=b"lost", mandatory=True)
        fail("an unroutable mandatory message was confirmed without being returned")
    except UnroutableError as err:
        returned = err.messages[0]
        emit("unroutable", count=len(err.messages), reply_code=returned.method.reply_code,
             reply_text=returned.method.reply_text, routing_key=returned.method.routing_key, body=returned.body.decode())

if args.reject_publish:
    channel.queue_declare(queue=args.reject_publish, arguments={"x-max-length": 1, "x-overflow": "reject-publish"})
    channel.basic_publish(exchange="", routing_key=args.reject_publish, body=b"fits")
    emit("confirmed", count=1, queue=args.reject_publish)
    try:
        channel.basic_publish(exchange="", routing_key=args.reject_publish, body=b"overflows")
        fail("a message beyond x-max-length with x-overflow reject-publish was confirmed")
    except NackError:
        emit("nacked", queue=args.reject_publish)

connection.close()
