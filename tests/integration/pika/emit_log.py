#!/usr/bin/python3
"""Publish/Subscribe, the publisher: broadcast log lines through a fanout exchange."""

from common import connect, emit, parser

p = parser("broadcast messages on a fanout exchange")
p.add_argument("messages", nargs="+")
p.add_argument("--exchange", default="logs")
args = p.parse_args()

connection = connect(args.port)
channel = connection.channel()
channel.exchange_declare(exchange=args.exchange, exchange_type="fanout")
for message in args.messages:
    channel.basic_publish(exchange=args.exchange, routing_key="", body=message.encode())
    emit("sent", body=message)
connection.close()
