#!/usr/bin/python3
"""Topics, the publisher: routing keys like "kern.critical" (<facility>.<severity>)."""

from common import connect, emit, parser

p = parser("publish ROUTING_KEY MESSAGE pairs on a topic exchange")
p.add_argument("pairs", nargs="+", metavar="ROUTING_KEY MESSAGE")
p.add_argument("--exchange", default="topic_logs")
args = p.parse_args()
if len(args.pairs) % 2:
    p.error("give ROUTING_KEY MESSAGE pairs")

connection = connect(args.port)
channel = connection.channel()
channel.exchange_declare(exchange=args.exchange, exchange_type="topic")
for key, message in zip(args.pairs[::2], args.pairs[1::2]):
    channel.basic_publish(exchange=args.exchange, routing_key=key, body=message.encode())
    emit("sent", routing_key=key, body=message)
connection.close()
