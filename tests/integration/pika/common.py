"""Shared bits of the pika programs used by Warren's integration suite.

Every program takes the broker's port as its first argument, connects as
guest/guest to 127.0.0.1, prints one JSON object per line on stdout (what it
did and what it received, flushed at once so the test can follow along), and
exits 0 on success, 1 when something went wrong or a wait ran out, 2 on
usage errors and 3 when its overall time limit is reached.
"""

import argparse
import json
import logging
import os
import signal
import sys
import time

import pika

logging.basicConfig(level=logging.CRITICAL)  # pika logs every broker close as an error

# A program that is still running after this many seconds stops itself.
TIME_LIMIT = float(os.environ.get("PIKA_TIME_LIMIT", "30"))


def _time_limit_reached(signum, frame):
    print(f"{os.path.basename(sys.argv[0])}: time limit of {TIME_LIMIT:g} s reached", file=sys.stderr, flush=True)
    os._exit(3)


signal.signal(signal.SIGALRM, _time_limit_reached)
signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT)


def parser(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("port", type=int, help="broker port on 127.0.0.1")
    return p


def connect(port):
    params = pika.ConnectionParameters(
        host="127.0.0.1",
        port=port,
        credentials=pika.PlainCredentials("guest", "guest"),
        connection_attempts=1,
        socket_timeout=5,
        stack_timeout=10,
        blocked_connection_timeout=10,
    )
    return pika.BlockingConnection(params)


def emit(event, **fields):
    print(json.dumps({"event": event, **fields}), flush=True)


def fail(message):
    print(f"{os.path.basename(sys.argv[0])}: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def queue_arguments(quorum):
    """Quorum queues are declared as RabbitMQ's current tutorials do: durable, x-queue-type quorum."""
    return {"x-queue-type": "quorum"} if quorum else None


def text(body):
    return body.decode("utf-8", "replace")


def delivery(method, properties, body, **extra):
    headers = properties.headers or {}
    return {
        "body": text(body),
        "redelivered": bool(method.redelivered),
        "routing_key": method.routing_key,
        "exchange": method.exchange,
        "delivery_count": headers.get("x-delivery-count"),
        **extra,
    }


class Pump:
    """Runs pika's I/O loop with bounded waits.

    Callbacks call `progress()` when something arrives; `run(done, inactivity, what)`
    processes I/O until done() is true and fails when nothing arrived for `inactivity`
    seconds.
    """

    def __init__(self, connection):
        self.connection = connection
        self.last = time.monotonic()

    def progress(self):
        self.last = time.monotonic()

    def run(self, done, inactivity, what):
        self.last = time.monotonic()
        while not done():
            self.connection.process_data_events(time_limit=0.05)
            if not done() and time.monotonic() - self.last > inactivity:
                fail(f"nothing arrived for {inactivity:g} s while waiting for {what}")
