#!/usr/bin/python3
"""Routing, the publisher: each message goes out with a severity as its routing key."""

from common import connect, emit, parser

p = parser("publish SEVERITY MESSAGE pairs on a direct exchange")
p.add_argument("pairs", nargs="+", metavar="SEVERITY MESSAGE")
p.add_argument("--exchange", default="direct_logs")
args = p.parse_args()
if len(args.pairs) % 2:
    p.error("give SEVERITY MESSAGE pairs")

connection = connect(args.port)
channel = connection.channel()
channel.exchange_declare(exchange=args.exchange, exchange_type="direct")
for severity, message in zip(args.pairs[::2], args.pairs[1::2]):
    channel.basic_publish(exchange=args.exchange, routing_key=severity, body=message.encode())
    emit("sent", routing_key=severity, body=message)
connection.close()
