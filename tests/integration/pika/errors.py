#!/usr/bin/python3
"""Errors as a pika program sees them: provoke one channel error and report the
ChannelClosedByBroker reply code and text, and whether the connection survived it."""

import pika
from pika.exceptions import ChannelClosedByBroker

from common import connect, emit, fail, parser

SCENARIOS = ("passive-declare", "inequivalent-durable", "quorum-then-classic", "unknown-delivery-tag", "publish-missing-exchange")

p = parser("provoke a channel error")
p.add_argument("scenario", choices=SCENARIOS)
p.add_argument("name", help="queue or exchange name, or the delivery tag")
args = p.parse_args()

connection = connect(args.port)
channel = connection.channel()
try:
    if args.scenario == "passive-declare":
        channel.queue_declare(queue=args.name, passive=True)
    elif args.scenario == "inequivalent-durable":
        channel.queue_declare(queue=args.name, durable=False, auto_delete=True)
        channel.queue_declare(queue=args.name, durable=True, auto_delete=True)
    elif args.scenario == "quorum-then-classic":
        channel.queue_declare(queue=args.name, durable=True, arguments={"x-queue-type": "quorum"})
        try:
            channel.queue_declare(queue=args.name, durable=True)
        finally:
            cleanup = connection.channel()
            cleanup.queue_delete(queue=args.name)
            cleanup.close()
    elif args.scenario == "unknown-delivery-tag":
        channel.basic_ack(delivery_tag=int(args.name))
        # basic.ack has no reply; the close arrives while we wait on the next round trip.
        channel.queue_declare(queue="", exclusive=True)
    elif args.scenario == "publish-missing-exchange":
        channel.basic_publish(exchange=args.name, routing_key="x", body=b"x")
        channel.queue_declare(queue="", exclusive=True)
    fail(f"{args.scenario}: the broker did not close the channel")
except ChannelClosedByBroker as err:
    # The connection must still be usable after a channel error.
    other = connection.channel()
    other.queue_declare(queue="", exclusive=True)
    emit("channel-closed", reply_code=err.reply_code, reply_text=err.reply_text,
         channel_open=channel.is_open, connection_open=connection.is_open)
connection.close()
