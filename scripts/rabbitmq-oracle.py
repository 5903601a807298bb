#!/usr/bin/python3
"""RabbitMQ behaviour oracle for Warren.

Connects to a running RabbitMQ (port from argv, guest/guest on 127.0.0.1),
runs one scenario per behaviour we must copy, each on fresh connections and
channels, and records exactly what RabbitMQ answered: reply code, reply text,
class/method id and whether the channel or the connection was closed for
errors; the returned values (counts, names, headers with their AMQP field
types, redelivered flags, order) for successes.

Writes tests/fixtures/rabbitmq-behaviour.json (keys = scenario ids, plus
"_meta") and tests/fixtures/RABBITMQ-BEHAVIOUR.md.

Run it against a throw-away node (see tests/support/rabbitmq.ts):

    node tests/support/rabbitmq.ts /usr/bin/python3 scripts/rabbitmq-oracle.py {port}

or against a node you started yourself:

    /usr/bin/python3 scripts/rabbitmq-oracle.py 5672 [out-dir]

Needs Debian's python3-pika (1.2); uses /usr/bin/python3, not a pyenv one.
Every wait is bounded (process_data_events(time_limit=...)).
"""

import datetime
import decimal
import json
import logging
import os
import re
import struct
import sys
import time
import traceback

import pika
from pika import spec
from pika.exceptions import (
    ChannelClosedByBroker,
    ConnectionClosedByBroker,
    NackError,
    UnroutableError,
)

logging.basicConfig(level=logging.CRITICAL)  # pika warns on every broker close

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 5672
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "tests", "fixtures")

# ---------------------------------------------------------------------------
# Typed AMQP field tables: pika turns 'I' and 'l' both into int, loses the
# type letter of every value. We re-parse the raw bytes so the fixture keeps
# the wire type of each header (x-death 'count' is 'l', 'time' is 'T', ...).
# ---------------------------------------------------------------------------


def _shortstr(buf, pos):
    n = buf[pos]
    return buf[pos + 1 : pos + 1 + n].decode("utf-8", "replace"), pos + 1 + n


def _typed_value(buf, pos):
    kind = chr(buf[pos])
    pos += 1
    if kind == "t":
        return {"type": "t", "value": bool(buf[pos])}, pos + 1
    if kind == "b":
        return {"type": "b", "value": struct.unpack_from(">b", buf, pos)[0]}, pos + 1
    if kind == "B":
        return {"type": "B", "value": buf[pos]}, pos + 1
    if kind == "s":
        return {"type": "s", "value": struct.unpack_from(">h", buf, pos)[0]}, pos + 2
    if kind == "u":
        return {"type": "u", "value": struct.unpack_from(">H", buf, pos)[0]}, pos + 2
    if kind == "I":
        return {"type": "I", "value": struct.unpack_from(">i", buf, pos)[0]}, pos + 4
    if kind == "i":
        return {"type": "i", "value": struct.unpack_from(">I", buf, pos)[0]}, pos + 4
    if kind == "l":
        return {"type": "l", "value": struct.unpack_from(">q", buf, pos)[0]}, pos + 8
    if kind == "L":
        return {"type": "L", "value": struct.unpack_from(">Q", buf, pos)[0]}, pos + 8
    if kind == "f":
        return {"type": "f", "value": struct.unpack_from(">f", buf, pos)[0]}, pos + 4
    if kind == "d":
        return {"type": "d", "value": struct.unpack_from(">d", buf, pos)[0]}, pos + 8
    if kind == "D":
        scale = buf[pos]
        raw = struct.unpack_from(">i", buf, pos + 1)[0]
        return {"type": "D", "value": {"scale": scale, "value": raw}}, pos + 5
    if kind in ("S", "x"):
        n = struct.unpack_from(">I", buf, pos)[0]
        raw = bytes(buf[pos + 4 : pos + 4 + n])
        try:
            val = raw.decode("utf-8")
        except UnicodeDecodeError:
            val = {"hex": raw.hex()}
        return {"type": kind, "value": val}, pos + 4 + n
    if kind == "A":
        n = struct.unpack_from(">I", buf, pos)[0]
        end = pos + 4 + n
        pos += 4
        items = []
        while pos < end:
            item, pos = _typed_value(buf, pos)
            items.append(item)
        return {"type": "A", "value": items}, end
    if kind == "T":
        secs = struct.unpack_from(">Q", buf, pos)[0]
        return {"type": "T", "value": secs}, pos + 8
    if kind == "F":
        table, pos = _typed_table(buf, pos)
        return {"type": "F", "value": table}, pos
    if kind == "V":
        return {"type": "V", "value": None}, pos
    raise ValueError("unknown field type %r" % kind)


def _typed_table(buf, pos):
    n = struct.unpack_from(">I", buf, pos)[0]
    end = pos + 4 + n
    pos += 4
    out = {}
    while pos < end:
        key, pos = _shortstr(buf, pos)
        out[key], pos = _typed_value(buf, pos)
    return out, end


_orig_props_decode = spec.BasicProperties.decode


def _props_decode(self, encoded, offset=0):
    result = _orig_props_decode(self, encoded, offset)
    try:
        flags = struct.unpack_from(">H", encoded, offset)[0]
        pos = offset + 2
        if flags & spec.BasicProperties.FLAG_CONTENT_TYPE:
            pos += 1 + encoded[pos]
        if flags & spec.BasicProperties.FLAG_CONTENT_ENCODING:
            pos += 1 + encoded[pos]
        if flags & spec.BasicProperties.FLAG_HEADERS:
            self._typed_headers = _typed_table(encoded, pos)[0]
    except Exception as exc:  # never break pika
        self._typed_headers = {"_parse_error": repr(exc)}
    return result


spec.BasicProperties.decode = _props_decode

SERVER_START = {}
_orig_start_decode = spec.Connection.Start.decode


def _start_decode(self, encoded, offset=0):
    result = _orig_start_decode(self, encoded, offset)
    try:
        SERVER_START["version_major"] = encoded[offset]
        SERVER_START["version_minor"] = encoded[offset + 1]
        table, pos = _typed_table(encoded, offset + 2)
        SERVER_START["server_properties_typed"] = table
        n = struct.unpack_from(">I", encoded, pos)[0]
        SERVER_START["mechanisms"] = bytes(encoded[pos + 4 : pos + 4 + n]).decode()
        pos += 4 + n
        n = struct.unpack_from(">I", encoded, pos)[0]
        SERVER_START["locales"] = bytes(encoded[pos + 4 : pos + 4 + n]).decode()
    except Exception as exc:
        SERVER_START["_parse_error"] = repr(exc)
    return result


spec.Connection.Start.decode = _start_decode

# Remember the class/method ids of the last Channel.Close / Connection.Close.
LAST_CLOSE = {}
_orig_ch_close = pika.channel.Channel._on_close_from_broker


def _ch_close(self, method_frame):
    LAST_CLOSE["channel"] = method_frame.method
    return _orig_ch_close(self, method_frame)


pika.channel.Channel._on_close_from_broker = _ch_close

_orig_conn_close = pika.connection.Connection._on_connection_close_from_broker


def _conn_close(self, method_frame):
    LAST_CLOSE["connection"] = method_frame.method
    return _orig_conn_close(self, method_frame)


pika.connection.Connection._on_connection_close_from_broker = _conn_close

TUNE = {}
_orig_tune = pika.connection.Connection._on_connection_tune


def _tune(self, method_frame):
    m = method_frame.method
    TUNE.update(channel_max=m.channel_max, frame_max=m.frame_max, heartbeat=m.heartbeat)
    return _orig_tune(self, method_frame)


pika.connection.Connection._on_connection_tune = _tune

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def params(user="guest", password="guest", vhost="/"):
    return pika.ConnectionParameters(
        host="127.0.0.1",
        port=PORT,
        virtual_host=vhost,
        credentials=pika.PlainCredentials(user, password),
        socket_timeout=5,
        stack_timeout=10,
        blocked_connection_timeout=10,
        connection_attempts=1,
        heartbeat=0,
    )


def amqp_name(pika_name):
    """'Queue.DeclareOk' -> 'queue.declare-ok' (the spec's spelling)."""
    cls, meth = pika_name.split(".")
    return cls.lower() + "." + re.sub(r"(?<!^)([A-Z])", r"-\1", meth).lower()


def method_name(class_id, method_id):
    cls = spec.methods.get((class_id << 16) | method_id)
    return amqp_name(cls.NAME) if cls else "%d.%d" % (class_id, method_id)


def jsonable(v):
    if isinstance(v, bytes):
        try:
            return v.decode("utf-8")
        except UnicodeDecodeError:
            return {"hex": v.hex()}
    if isinstance(v, datetime.datetime):
        return {"datetime": v.isoformat()}
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    return v


def with_py_types(v):
    """pika's decoded value annotated with Python type names."""
    if isinstance(v, dict):
        return {k: with_py_types(x) for k, x in v.items()}
    if isinstance(v, list):
        return [with_py_types(x) for x in v]
    return {"py": type(v).__name__, "value": jsonable(v)}


def mdict(frame_or_method):
    m = getattr(frame_or_method, "method", frame_or_method)
    d = {"method": amqp_name(m.NAME)}
    for k, v in vars(m).items():
        if not k.startswith("_"):
            d[k] = jsonable(v)
    return d


def props_dict(props):
    d = {}
    for k in (
        "content_type",
        "content_encoding",
        "delivery_mode",
        "priority",
        "correlation_id",
        "reply_to",
        "expiration",
        "message_id",
        "timestamp",
        "type",
        "user_id",
        "app_id",
        "cluster_id",
    ):
        v = getattr(props, k, None)
        if v is not None:
            d[k] = jsonable(v)
    if props.headers is not None:
        d["headers"] = getattr(props, "_typed_headers", jsonable(props.headers))
    return d


def msg(method, props, body):
    d = {
        "body": jsonable(body),
        "redelivered": method.redelivered,
        "delivery_tag": method.delivery_tag,
        "exchange": method.exchange,
        "routing_key": method.routing_key,
    }
    if isinstance(method, spec.Basic.GetOk):
        d["message_count"] = method.message_count
    if isinstance(method, spec.Basic.Deliver):
        d["consumer_tag"] = method.consumer_tag
    p = props_dict(props)
    if p:
        d["properties"] = p
    return d


def err_dict(kind, exc):
    m = LAST_CLOSE.get(kind)
    d = {
        "error": kind,  # what the broker closed: "channel" or "connection"
        "reply_code": exc.reply_code,
        "reply_text": exc.reply_text,
    }
    if m is not None:
        d["class_id"] = m.class_id
        d["method_id"] = m.method_id
        d["method"] = method_name(m.class_id, m.method_id) if m.class_id else None
    return d


def probe(ch):
    """A harmless round trip: surfaces a close caused by an async method."""
    ch.exchange_declare("amq.direct", exchange_type="direct", passive=True)


def attempt(fn, probe_ch=None):
    """Run fn(); return {"ok": ...} or the broker's error as a dict."""
    LAST_CLOSE.clear()
    try:
        r = fn()
        if probe_ch is not None:
            probe(probe_ch)
        return {"ok": summarize(r)}
    except ChannelClosedByBroker as exc:
        return err_dict("channel", exc)
    except ConnectionClosedByBroker as exc:
        return err_dict("connection", exc)


def summarize(r):
    if r is None:
        return None
    if isinstance(r, tuple) and len(r) == 3 and (r[0] is None or hasattr(r[0], "delivery_tag")):
        return msg(*r) if r[0] is not None else {"get_empty": True}
    if hasattr(r, "method") and hasattr(r.method, "NAME"):
        return mdict(r)
    if isinstance(r, (list, tuple)):
        return [summarize(x) for x in r]
    return jsonable(r)


class Ctx:
    """Connections and channels of one scenario; all closed at the end."""

    def __init__(self, sid):
        self.sid = sid
        self.conns = []
        self.conn = self.connect()

    def connect(self, **kw):
        c = pika.BlockingConnection(params(**kw))
        self.conns.append(c)
        return c

    def chan(self, conn=None):
        conn = conn or self.conn
        if not conn.is_open:
            conn = self.conn = self.connect()
        return conn.channel()

    def n(self, suffix="q"):
        return "%s.%s" % (self.sid, suffix)

    def close(self):
        for c in self.conns:
            try:
                if c.is_open:
                    c.close()
            except Exception:
                pass


def pump(conn, until=lambda: False, timeout=1.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if until():
            return True
        conn.process_data_events(time_limit=0.05)
    return until()


def get_wait(ch, queue, timeout=3.0, auto_ack=True):
    """basic.get, retrying until a message arrives or timeout."""
    deadline = time.time() + timeout
    while True:
        r = ch.basic_get(queue, auto_ack=auto_ack)
        if r[0] is not None or time.time() >= deadline:
            return r
        ch.connection.process_data_events(time_limit=0.05)


def drain(ch, queue, auto_ack=True, limit=100):
    out = []
    for _ in range(limit):
        r = ch.basic_get(queue, auto_ack=auto_ack)
        if r[0] is None:
            break
        out.append(r)
    return out


def publish(ch, queue_or_rk, body, exchange="", **props):
    ch.basic_publish(exchange, queue_or_rk, body, pika.BasicProperties(**props) if props else None)


def raw_rpc(ch, method, replies, timeout=2.0):
    """Send a method pika would refuse to send (or handles client-side) and
    wait (bounded) for the reply frame."""
    got = []
    ch._impl._rpc(method, lambda frame: got.append(frame), replies)
    pump(ch.connection, until=lambda: bool(got) or not ch.is_open, timeout=timeout)
    probe(ch)  # raises if the broker closed the channel/connection instead
    return got[0] if got else {"no_reply_within_s": timeout}


def raw_send(ch, method, content=None):
    ch._impl._send_method(method, content)


class Consumer:
    def __init__(self, ch, queue, auto_ack=False, exclusive=False, arguments=None, tag=None):
        self.ch = ch
        self.got = []
        kw = {"auto_ack": auto_ack, "exclusive": exclusive, "arguments": arguments}
        if tag:
            kw["consumer_tag"] = tag
        self.tag = ch.basic_consume(queue, self._on, **kw)

    def _on(self, ch, method, props, body):
        self.got.append((method, props, body))

    def bodies(self):
        return [b.decode() for (_, _, b) in self.got]


# ---------------------------------------------------------------------------
# scenarios
# ---------------------------------------------------------------------------

SCENARIOS = []  # (id, section, description, fn)


def scenario(sid, section, description):
    def deco(fn):
        SCENARIOS.append((sid, section, description, fn))
        return fn

    return deco


# --- queue equivalence -----------------------------------------------------

S_EQ = "Queue redeclare equivalence (inequivalent arg)"


def redeclare(ctx, first, second):
    q = ctx.n()
    ch = ctx.chan()
    ch.queue_declare(q, **first)
    ch2 = ctx.chan()
    return {
        "first": {k: jsonable(v) for k, v in first.items()},
        "second": {k: jsonable(v) for k, v in second.items()},
        "redeclare": attempt(lambda: ch2.queue_declare(q, **second)),
    }


EQ_CASES = [
    ("queue.eq.durable.false-then-true", dict(durable=False), dict(durable=True)),
    ("queue.eq.durable.true-then-false", dict(durable=True), dict(durable=False)),
    ("queue.eq.auto_delete.false-then-true", dict(), dict(auto_delete=True)),
    ("queue.eq.auto_delete.true-then-false", dict(auto_delete=True), dict()),
    ("queue.eq.exclusive.false-then-true", dict(), dict(exclusive=True)),
    ("queue.eq.exclusive.true-then-false", dict(exclusive=True), dict()),
    (
        "queue.eq.x-message-ttl.differs",
        dict(arguments={"x-message-ttl": 1000}),
        dict(arguments={"x-message-ttl": 2000}),
    ),
    ("queue.eq.x-message-ttl.absent-then-set", dict(), dict(arguments={"x-message-ttl": 1000})),
    ("queue.eq.x-message-ttl.set-then-absent", dict(arguments={"x-message-ttl": 1000}), dict()),
    (
        "queue.eq.x-message-ttl.int32-then-int64",
        dict(arguments={"x-message-ttl": 1000}),
        dict(arguments={"x-message-ttl": 2**40}),
    ),
    (
        "queue.eq.x-max-length.differs",
        dict(arguments={"x-max-length": 10}),
        dict(arguments={"x-max-length": 20}),
    ),
    (
        "queue.eq.x-dead-letter-exchange.differs",
        dict(arguments={"x-dead-letter-exchange": "dlx1"}),
        dict(arguments={"x-dead-letter-exchange": "dlx2"}),
    ),
    (
        "queue.eq.x-dead-letter-exchange.absent-then-set",
        dict(),
        dict(arguments={"x-dead-letter-exchange": "dlx1"}),
    ),
    (
        "queue.eq.x-queue-type.classic-then-quorum",
        dict(durable=True, arguments={"x-queue-type": "classic"}),
        dict(durable=True, arguments={"x-queue-type": "quorum"}),
    ),
    (
        "queue.eq.x-queue-type.quorum-then-classic",
        dict(durable=True, arguments={"x-queue-type": "quorum"}),
        dict(durable=True, arguments={"x-queue-type": "classic"}),
    ),
    (
        "queue.eq.x-queue-type.quorum-then-absent",
        dict(durable=True, arguments={"x-queue-type": "quorum"}),
        dict(durable=True),
    ),
    (
        "queue.eq.x-queue-type.absent-then-classic",
        dict(durable=True),
        dict(durable=True, arguments={"x-queue-type": "classic"}),
    ),
    (
        "queue.eq.x-queue-type.absent-then-quorum",
        dict(durable=True),
        dict(durable=True, arguments={"x-queue-type": "quorum"}),
    ),
    (
        "queue.eq.x-max-priority.differs",
        dict(arguments={"x-max-priority": 5}),
        dict(arguments={"x-max-priority": 10}),
    ),
    (
        "queue.eq.x-expires.differs",
        dict(arguments={"x-expires": 100000}),
        dict(arguments={"x-expires": 200000}),
    ),
    (
        "queue.eq.x-overflow.differs",
        dict(arguments={"x-overflow": "drop-head"}),
        dict(arguments={"x-overflow": "reject-publish"}),
    ),
    (
        "queue.eq.unknown-arg.differs",
        dict(arguments={"x-foo": 1}),
        dict(arguments={"x-foo": 2}),
    ),
    (
        "queue.eq.same-args-ok",
        dict(durable=True, arguments={"x-message-ttl": 1000}),
        dict(durable=True, arguments={"x-message-ttl": 1000}),
    ),
    (
        "queue.eq.passive-ignores-props",
        dict(durable=True, arguments={"x-message-ttl": 1000}),
        dict(passive=True, durable=False, arguments={"x-message-ttl": 5}),
    ),
]


def _eq_factory(first, second):
    return lambda ctx: redeclare(ctx, first, second)


for _sid, _first, _second in EQ_CASES:
    scenario(_sid, S_EQ, "declare %r, then redeclare %r" % (_first, _second))(
        _eq_factory(_first, _second)
    )

# --- missing entities --------------------------------------------------------

S_MISSING = "Missing queues and exchanges"


@scenario("missing.queue.passive-declare", S_MISSING, "queue.declare passive=True of a missing queue")
def _(ctx):
    ch = ctx.chan()
    return {"declare": attempt(lambda: ch.queue_declare("nope.q", passive=True))}


@scenario("missing.exchange.passive-declare", S_MISSING, "exchange.declare passive=True of a missing exchange")
def _(ctx):
    ch = ctx.chan()
    return {"declare": attempt(lambda: ch.exchange_declare("nope.x", passive=True))}


@scenario("missing.queue.ops", S_MISSING, "consume/get/bind/unbind/purge/delete on a missing queue")
def _(ctx):
    out = {}
    cb = lambda *a: None
    ops = {
        "basic.consume": lambda ch: ch.basic_consume("nope.q", cb),
        "basic.get": lambda ch: ch.basic_get("nope.q"),
        "queue.bind": lambda ch: ch.queue_bind("nope.q", "amq.direct", "k"),
        "queue.unbind": lambda ch: ch.queue_unbind("nope.q", "amq.direct", "k"),
        "queue.purge": lambda ch: ch.queue_purge("nope.q"),
        "queue.delete": lambda ch: ch.queue_delete("nope.q"),
        "queue.delete.if_unused": lambda ch: ch.queue_delete("nope.q", if_unused=True),
        "queue.delete.if_empty": lambda ch: ch.queue_delete("nope.q", if_empty=True),
    }
    for name, op in ops.items():
        ch = ctx.chan()
        out[name] = attempt(lambda: op(ch))
    return out


@scenario("missing.exchange.ops", S_MISSING, "publish/bind/unbind/exchange.bind/delete with a missing exchange")
def _(ctx):
    out = {}
    ch = ctx.chan()
    q = ctx.n()
    ch.queue_declare(q)
    ch.exchange_declare(ctx.n("x"), "direct")
    ops = {
        "basic.publish": (lambda ch: ch.basic_publish("nope.x", "k", b"m"), True),
        "basic.publish.confirm": (
            lambda ch: (ch.confirm_delivery(), ch.basic_publish("nope.x", "k", b"m")),
            False,
        ),
        "queue.bind.missing-exchange": (lambda ch: ch.queue_bind(q, "nope.x", "k"), False),
        "queue.bind.missing-queue-and-exchange": (lambda ch: ch.queue_bind("nope.q", "nope.x", "k"), False),
        "queue.unbind.missing-exchange": (lambda ch: ch.queue_unbind(q, "nope.x", "k"), False),
        "queue.unbind.no-such-binding": (lambda ch: ch.queue_unbind(q, "amq.direct", "never-bound"), False),
        "exchange.bind.missing-source": (lambda ch: ch.exchange_bind(ctx.n("x"), "nope.x", "k"), False),
        "exchange.bind.missing-destination": (lambda ch: ch.exchange_bind("nope.x", ctx.n("x"), "k"), False),
        "exchange.delete": (lambda ch: ch.exchange_delete("nope.x"), False),
        "exchange.delete.if_unused": (lambda ch: ch.exchange_delete("nope.x", if_unused=True), False),
    }
    for name, (op, needs_probe) in ops.items():
        ch = ctx.chan()
        out[name] = attempt(lambda: op(ch), probe_ch=ch if needs_probe else None)
    return out


# --- reserved names and the default exchange -------------------------------

S_RESERVED = "Reserved names (amq.*) and the default exchange"


@scenario("reserved.names", S_RESERVED, "declare/delete amq.* names; bind/delete the default exchange")
def _(ctx):
    q = ctx.n()
    ctx.chan().queue_declare(q)
    ops = {
        "exchange.declare amq.foo": lambda ch: ch.exchange_declare("amq.foo", "direct"),
        "exchange.declare amq.foo passive": lambda ch: ch.exchange_declare("amq.foo", "direct", passive=True),
        "exchange.declare amq.direct (same type)": lambda ch: ch.exchange_declare("amq.direct", "direct", durable=True),
        "exchange.declare amq.direct passive": lambda ch: ch.exchange_declare("amq.direct", passive=True),
        "exchange.declare amq.direct (other type)": lambda ch: ch.exchange_declare("amq.direct", "fanout", durable=True),
        "queue.declare amq.foo": lambda ch: ch.queue_declare("amq.foo"),
        "queue.declare amq.gen-abc": lambda ch: ch.queue_declare("amq.gen-abc"),
        "queue.declare amq.foo passive": lambda ch: ch.queue_declare("amq.foo", passive=True),
        "exchange.delete amq.direct": lambda ch: ch.exchange_delete("amq.direct"),
        "exchange.delete amq.foo (missing)": lambda ch: ch.exchange_delete("amq.foo"),
        "exchange.declare '' (default)": lambda ch: ch.exchange_declare("", "direct", durable=True),
        "exchange.declare '' passive": lambda ch: ch.exchange_declare("", passive=True),
        "exchange.delete ''": lambda ch: ch.exchange_delete(""),
        "queue.bind to ''": lambda ch: ch.queue_bind(q, "", "k"),
        "queue.unbind from ''": lambda ch: ch.queue_unbind(q, "", q),
        "exchange.bind dest ''": lambda ch: ch.exchange_bind("", "amq.direct", "k"),
        "exchange.bind source ''": lambda ch: ch.exchange_bind("amq.direct", "", "k"),
        "queue.bind to amq.default": lambda ch: ch.queue_bind(q, "amq.default", "k"),
        "exchange.declare amq.default passive": lambda ch: ch.exchange_declare("amq.default", passive=True),
    }
    out = {}
    for name, op in ops.items():
        ch = ctx.chan()
        out[name] = attempt(lambda: op(ch))
    return out


@scenario("reserved.default-exchange-publish", S_RESERVED, "publish via the default exchange ('' and amq.default) routes by queue name")
def _(ctx):
    ch = ctx.chan()
    q = ctx.n()
    ch.queue_declare(q)
    publish(ch, q, b"via-default")
    time.sleep(0.1)
    out = {"publish to '' with routing key = queue name": [msg(*r) for r in drain(ch, q)]}
    out["publish to 'amq.default'"] = attempt(lambda: ch.basic_publish("amq.default", q, b"via-amq.default"), probe_ch=ch)
    return out


# --- exchange equivalence ----------------------------------------------------

S_XEQ = "Exchange redeclare equivalence, unknown type, internal"


def xredeclare(ctx, first, second):
    x = ctx.n("x")
    ctx.chan().exchange_declare(x, **first)
    ch = ctx.chan()
    return {
        "first": jsonable(first),
        "second": jsonable(second),
        "redeclare": attempt(lambda: ch.exchange_declare(x, **second)),
    }


XEQ_CASES = [
    ("exchange.eq.type", dict(exchange_type="direct"), dict(exchange_type="fanout")),
    ("exchange.eq.durable", dict(exchange_type="direct"), dict(exchange_type="direct", durable=True)),
    ("exchange.eq.auto_delete", dict(exchange_type="direct"), dict(exchange_type="direct", auto_delete=True)),
    ("exchange.eq.internal", dict(exchange_type="direct"), dict(exchange_type="direct", internal=True)),
    (
        "exchange.eq.alternate-exchange",
        dict(exchange_type="direct", arguments={"alternate-exchange": "ae1"}),
        dict(exchange_type="direct", arguments={"alternate-exchange": "ae2"}),
    ),
    (
        "exchange.eq.unknown-arg",
        dict(exchange_type="direct", arguments={"x-foo": 1}),
        dict(exchange_type="direct", arguments={"x-foo": 2}),
    ),
    ("exchange.eq.passive-other-type", dict(exchange_type="direct"), dict(exchange_type="fanout", passive=True)),
]


def _xeq_factory(first, second):
    return lambda ctx: xredeclare(ctx, first, second)


for _sid, _first, _second in XEQ_CASES:
    scenario(_sid, S_XEQ, "exchange.declare %r, then %r" % (_first, _second))(_xeq_factory(_first, _second))


@scenario("exchange.unknown-type", S_XEQ, "exchange.declare with type 'foo' (and passive with type 'foo')")
def _(ctx):
    ch = ctx.chan()
    r = {"declare": attempt(lambda: ch.exchange_declare(ctx.n("x"), "foo"))}
    ch = ctx.chan()
    ch.exchange_declare(ctx.n("x2"), "direct")
    ch = ctx.chan()
    r["passive existing with type foo"] = attempt(lambda: ch.exchange_declare(ctx.n("x2"), "foo", passive=True))
    return r


@scenario("exchange.internal-publish", S_XEQ, "publish to an internal exchange; route through it via exchange.bind")
def _(ctx):
    ch = ctx.chan()
    x = ctx.n("internal")
    q = ctx.n()
    ch.exchange_declare(x, "fanout", internal=True)
    ch.queue_declare(q)
    ch.queue_bind(q, x)
    r = {"publish": attempt(lambda: ch.basic_publish(x, "k", b"m"), probe_ch=ch)}
    ch = ctx.chan()
    ch.exchange_declare(ctx.n("front"), "fanout")
    ch.exchange_bind(x, ctx.n("front"))
    ch.basic_publish(ctx.n("front"), "k", b"through-e2e")
    time.sleep(0.1)
    r["via exchange.bind"] = [msg(*m) for m in drain(ch, q)]
    return r


# --- exclusive queues ----------------------------------------------------------

S_EXCL = "Exclusive queues and exclusive consumers"


@scenario("exclusive.other-connection", S_EXCL, "exclusive queue of connection A used from connection B")
def _(ctx):
    q = ctx.n()
    a = ctx.chan()
    a.queue_declare(q, exclusive=True)
    a.queue_bind(q, "amq.fanout")  # so B's unbind targets an existing binding
    b_conn = ctx.connect()
    cb = lambda *x: None
    ops = {
        "queue.declare (same props)": lambda ch: ch.queue_declare(q, exclusive=True),
        "queue.declare (non-exclusive)": lambda ch: ch.queue_declare(q),
        "queue.declare passive": lambda ch: ch.queue_declare(q, passive=True),
        "basic.consume": lambda ch: ch.basic_consume(q, cb),
        "basic.get": lambda ch: ch.basic_get(q),
        "queue.delete": lambda ch: ch.queue_delete(q),
        "queue.bind": lambda ch: ch.queue_bind(q, "amq.direct", "k"),
        "queue.unbind (existing binding)": lambda ch: ch.queue_unbind(q, "amq.fanout"),
        "queue.purge": lambda ch: ch.queue_purge(q),
        "basic.publish (allowed?)": lambda ch: (publish(ch, q, b"from-b"), probe(ch)),
    }
    out = {}
    for name, op in ops.items():
        ch = ctx.chan(b_conn)
        b_conn = ch.connection
        out[name] = attempt(lambda: op(ch))
    a = ctx.chan()
    out["owner sees published message"] = attempt(lambda: a.basic_get(q, auto_ack=True))
    return out


@scenario("exclusive.deleted-on-close", S_EXCL, "exclusive queue disappears when its connection closes")
def _(ctx):
    q = ctx.n()
    other = ctx.connect()
    other.channel().queue_declare(q, exclusive=True)
    other.close()
    time.sleep(0.2)
    ch = ctx.chan()
    return {"passive declare after owner closed": attempt(lambda: ch.queue_declare(q, passive=True))}


@scenario("exclusive.consumer", S_EXCL, "exclusive consume on a queue that has a consumer, and consume on a queue with an exclusive consumer")
def _(ctx):
    q1, q2 = ctx.n("q1"), ctx.n("q2")
    ch = ctx.chan()
    ch.queue_declare(q1)
    ch.queue_declare(q2)
    cb = lambda *x: None
    ch.basic_consume(q1, cb)
    ch.basic_consume(q2, cb, exclusive=True)
    out = {}
    c2 = ctx.chan()
    out["exclusive consume on queue with a consumer (other channel)"] = attempt(lambda: c2.basic_consume(q1, cb, exclusive=True))
    c2 = ctx.chan()
    out["consume on queue with exclusive consumer (other channel)"] = attempt(lambda: c2.basic_consume(q2, cb))
    c2 = ctx.chan()
    out["exclusive consume on queue with exclusive consumer"] = attempt(lambda: c2.basic_consume(q2, cb, exclusive=True))
    out["consume on queue with exclusive consumer (same channel)"] = attempt(lambda: ch.basic_consume(q2, cb))
    c3 = ctx.chan()
    out["basic.get on queue with exclusive consumer"] = attempt(lambda: c3.basic_get(q2))
    return out


# --- acknowledgements -----------------------------------------------------------

S_ACK = "Acknowledgements with bad delivery tags"


_ack_counter = [0]


def _ack_setup(ctx, n=1):
    ch = ctx.chan()
    _ack_counter[0] += 1
    q = ctx.n("q%d" % _ack_counter[0])
    ch.queue_declare(q)
    for i in range(n):
        publish(ch, q, ("m%d" % (i + 1)).encode())
    return ch, q


@scenario("ack.errors", S_ACK, "ack/nack/reject of unknown tags, double ack, ack on another channel, multiple with tag 0")
def _(ctx):
    out = {}
    ch, q = _ack_setup(ctx)
    out["basic.ack unknown tag 5"] = attempt(lambda: ch.basic_ack(5), probe_ch=ch)
    ch, q = _ack_setup(ctx)
    m = ch.basic_get(q)
    ch.basic_ack(m[0].delivery_tag)
    out["basic.ack twice"] = attempt(lambda: ch.basic_ack(m[0].delivery_tag), probe_ch=ch)
    ch, q = _ack_setup(ctx)
    out["basic.ack multiple=True tag 0, nothing outstanding"] = attempt(lambda: ch.basic_ack(0, multiple=True), probe_ch=ch)
    ch, q = _ack_setup(ctx, 2)
    ch.basic_get(q)
    ch.basic_get(q)
    r = attempt(lambda: ch.basic_ack(0, multiple=True), probe_ch=ch)
    r["queue after"] = mdict(ch.queue_declare(q, passive=True)) if ch.is_open else None
    out["basic.ack multiple=True tag 0 with 2 outstanding"] = r
    ch, q = _ack_setup(ctx)
    out["basic.ack multiple=False tag 0"] = attempt(lambda: ch.basic_ack(0), probe_ch=ch)
    ch, q = _ack_setup(ctx)
    ch.basic_get(q)
    out["basic.ack multiple=True unknown tag 7 (1 outstanding)"] = attempt(lambda: ch.basic_ack(7, multiple=True), probe_ch=ch)
    ch, q = _ack_setup(ctx)
    out["basic.nack unknown tag 3"] = attempt(lambda: ch.basic_nack(3), probe_ch=ch)
    ch, q = _ack_setup(ctx)
    out["basic.nack multiple=True tag 0, nothing outstanding"] = attempt(lambda: ch.basic_nack(0, multiple=True), probe_ch=ch)
    ch, q = _ack_setup(ctx)
    out["basic.reject unknown tag 4"] = attempt(lambda: ch.basic_reject(4), probe_ch=ch)
    ch, q = _ack_setup(ctx)
    m = ch.basic_get(q)
    other = ctx.chan()
    out["basic.ack on a different channel"] = attempt(lambda: other.basic_ack(m[0].delivery_tag), probe_ch=other)
    ch, q = _ack_setup(ctx)
    m = ch.basic_get(q, auto_ack=True)
    out["basic.ack of a message got with no_ack"] = attempt(lambda: ch.basic_ack(m[0].delivery_tag), probe_ch=ch)
    return out


# --- consumers ---------------------------------------------------------------

S_CONS = "Consumer tags"


@scenario("consumer.tags", S_CONS, "duplicate consumer tag on one channel; cancel of an unknown tag; server-generated tag")
def _(ctx):
    out = {}
    ch = ctx.chan()
    q = ctx.n()
    ch.queue_declare(q)
    ch.basic_consume(q, lambda *a: None, consumer_tag="dup")
    out["basic.consume duplicate tag 'dup'"] = attempt(
        lambda: raw_rpc(ch, spec.Basic.Consume(queue=q, consumer_tag="dup"), [spec.Basic.ConsumeOk])
    )
    ch = ctx.chan()
    ch.basic_consume(q, lambda *a: None, consumer_tag="same")
    ch2 = ctx.chan()
    out["same tag on another channel"] = attempt(
        lambda: raw_rpc(ch2, spec.Basic.Consume(queue=q, consumer_tag="same"), [spec.Basic.ConsumeOk])
    )
    ch = ctx.chan()
    out["basic.cancel unknown tag"] = attempt(
        lambda: raw_rpc(ch, spec.Basic.Cancel(consumer_tag="nope"), [spec.Basic.CancelOk])
    )
    tags = []
    for _ in range(3):
        ch = ctx.chan()
        tags.append(attempt(lambda: raw_rpc(ch, spec.Basic.Consume(queue=q, consumer_tag=""), [spec.Basic.ConsumeOk])))
    out["server-generated consumer tags (consumer_tag='')"] = tags
    return out


@scenario("consumer.cancel-notify", S_CONS, "queue deleted under a consumer: the server sends basic.cancel (consumer_cancel_notify)")
def _(ctx):
    ch = ctx.chan()
    q = ctx.n()
    ch.queue_declare(q)
    cancels = []
    ch._impl.add_on_cancel_callback(lambda frame: cancels.append(mdict(frame)))
    c = Consumer(ch, q, tag="watcher")
    other = ctx.chan()
    other.queue_delete(q)
    pump(ch.connection, until=lambda: bool(cancels), timeout=1)
    return {"basic.cancel from server": cancels, "channel still open": ch.is_open}


@scenario("exchange.auto-delete", S_XEQ, "auto-delete exchange: kept until it had a binding and lost its last one")
def _(ctx):
    ch = ctx.chan()
    x, q = ctx.n("x"), ctx.n()
    ch.exchange_declare(x, "direct", auto_delete=True)
    ch.queue_declare(q)
    out = {"never bound, after 0.1 s": attempt(lambda: (time.sleep(0.1), ch.exchange_declare(x, passive=True))[1])}
    ch.queue_bind(q, x, "a")
    ch.queue_bind(q, x, "b")
    ch.queue_unbind(q, x, "a")
    out["one of two bindings removed"] = attempt(lambda: ch.exchange_declare(x, passive=True))
    ch.queue_unbind(q, x, "b")
    time.sleep(0.1)
    out["last binding removed"] = attempt(lambda: ch.exchange_declare(x, passive=True))
    return out


# --- conditional deletes ---------------------------------------------------------

S_DEL = "Conditional deletes"


@scenario("delete.conditional", S_DEL, "queue.delete if_unused with a consumer, if_empty with messages; exchange.delete if_unused with bindings")
def _(ctx):
    out = {}
    ch = ctx.chan()
    q = ctx.n()
    ch.queue_declare(q)
    ch.basic_consume(q, lambda *a: None)
    c2 = ctx.chan()
    out["queue.delete if_unused with consumer"] = attempt(lambda: c2.queue_delete(q, if_unused=True))
    q2 = ctx.n("q2")
    c2 = ctx.chan()
    c2.queue_declare(q2)
    publish(c2, q2, b"m")
    time.sleep(0.05)
    out["queue.delete if_empty with 1 message"] = attempt(lambda: c2.queue_delete(q2, if_empty=True))
    c2 = ctx.chan()
    out["queue.delete (unconditional) returns message_count"] = attempt(lambda: c2.queue_delete(q2))
    x = ctx.n("x")
    c2.exchange_declare(x, "direct")
    q3 = ctx.n("q3")
    c2.queue_declare(q3)
    c2.queue_bind(q3, x, "k")
    out["exchange.delete if_unused with a binding"] = attempt(lambda: c2.exchange_delete(x, if_unused=True))
    c2 = ctx.chan()
    x2 = ctx.n("x2")
    c2.exchange_declare(x2, "direct")
    c2.exchange_bind(x2, x, "k")
    c2 = ctx.chan()
    out["exchange.delete if_unused, exchange is only a binding's destination"] = attempt(
        lambda: c2.exchange_delete(x2, if_unused=True)
    )
    c2 = ctx.chan()
    out["exchange.delete if_unused without bindings"] = attempt(lambda: c2.exchange_delete(x2, if_unused=True))
    return out


# --- qos, recover, tx, confirms -------------------------------------------------------

S_QOS = "basic.qos, basic.recover, tx and confirm modes, channel.flow"


@scenario("qos.prefetch-size", S_QOS, "basic.qos with prefetch_size=1")
def _(ctx):
    ch = ctx.chan()
    return {"basic.qos prefetch_size=1": attempt(lambda: ch.basic_qos(prefetch_size=1, prefetch_count=1))}


@scenario("qos.global", S_QOS, "basic.qos global=True prefetch 2 with two consumers on one channel (6 messages)")
def _(ctx):
    ch = ctx.chan()
    q = ctx.n()
    ch.queue_declare(q)
    r = {"basic.qos global=True": attempt(lambda: ch.basic_qos(prefetch_count=2, global_qos=True))}
    a = Consumer(ch, q)
    b = Consumer(ch, q)
    for i in range(6):
        publish(ch, q, ("m%d" % (i + 1)).encode())
    pump(ch.connection, timeout=0.5)
    r["consumer A"] = a.bodies()
    r["consumer B"] = b.bodies()
    # Both limits, in both orders: per-consumer 1 and global 3, 4 consumers, 8 messages.
    for label, order in (
        ("basic.qos(1, global=False) then basic.qos(3, global=True)", (False, True)),
        ("basic.qos(3, global=True) then basic.qos(1, global=False)", (True, False)),
    ):
        ch2 = ctx.chan()
        q2 = ctx.n("q%d" % len(r))
        ch2.queue_declare(q2)
        for g in order:
            ch2.basic_qos(prefetch_count=3 if g else 1, global_qos=g)
        cs = [Consumer(ch2, q2) for _ in range(4)]
        for i in range(8):
            publish(ch2, q2, ("n%d" % (i + 1)).encode())
        pump(ch2.connection, timeout=0.5)
        r[label + ": deliveries per consumer"] = [x.bodies() for x in cs]
    return r


@scenario("recover", S_QOS, "basic.recover requeue=False / True; basic.recover_async")
def _(ctx):
    out = {}
    ch = ctx.chan()
    q = ctx.n()
    ch.queue_declare(q)
    for i in range(3):
        publish(ch, q, ("m%d" % (i + 1)).encode())
    c = Consumer(ch, q)
    pump(ch.connection, until=lambda: len(c.got) == 3)
    out["first deliveries"] = [msg(*m) for m in c.got]
    out["basic.recover requeue=False"] = attempt(lambda: ch.basic_recover(requeue=False))
    ch = ctx.chan()
    c = Consumer(ch, q)
    pump(ch.connection, until=lambda: len(c.got) == 3)
    out["deliveries on a new channel"] = [msg(*m) for m in c.got]
    c.got.clear()
    out["basic.recover requeue=True"] = attempt(lambda: ch.basic_recover(requeue=True))
    pump(ch.connection, until=lambda: len(c.got) == 3)
    out["deliveries after recover requeue=True"] = [msg(*m) for m in c.got]
    ch2 = ctx.chan()
    out["basic.recover_async requeue=True (class 60 method 100)"] = attempt(
        lambda: raw_send(ch2, spec.Basic.RecoverAsync(requeue=True)), probe_ch=ch2
    )
    return out


@scenario("tx-confirm", S_QOS, "switching between tx and confirm modes; tx.commit/rollback without tx.select; tx semantics")
def _(ctx):
    out = {}
    ch = ctx.chan()
    ch.tx_select()
    out["confirm.select after tx.select"] = attempt(lambda: ch.confirm_delivery())
    ch = ctx.chan()
    ch.confirm_delivery()
    out["tx.select after confirm.select"] = attempt(lambda: ch.tx_select())
    ch = ctx.chan()
    out["tx.commit without tx.select"] = attempt(lambda: ch.tx_commit())
    ch = ctx.chan()
    out["tx.rollback without tx.select"] = attempt(lambda: ch.tx_rollback())
    ch = ctx.chan()
    out["tx.select twice"] = attempt(lambda: (ch.tx_select(), ch.tx_select()))
    ch = ctx.chan()
    out["confirm.select twice"] = attempt(
        lambda: (raw_rpc(ch, spec.Confirm.Select(), [spec.Confirm.SelectOk]), raw_rpc(ch, spec.Confirm.Select(), [spec.Confirm.SelectOk]))
    )
    # tx semantics
    ch = ctx.chan()
    q = ctx.n()
    ch.queue_declare(q)
    ch.tx_select()
    publish(ch, q, b"rolled-back")
    ch.tx_rollback()
    out["count after publish + rollback"] = ch.queue_declare(q, passive=True).method.message_count
    publish(ch, q, b"committed")
    out["count before commit"] = ch.queue_declare(q, passive=True).method.message_count
    ch.tx_commit()
    out["count after commit"] = ch.queue_declare(q, passive=True).method.message_count
    m = ch.basic_get(q)
    ch.basic_ack(m[0].delivery_tag)
    ch.tx_rollback()
    ch2 = ctx.chan()
    out["ack then rollback: count seen from another channel"] = ch2.queue_declare(q, passive=True).method.message_count
    out["ack then rollback: ack same tag again after rollback"] = attempt(
        lambda: (ch.basic_ack(m[0].delivery_tag), ch.tx_commit())
    )
    ch = ctx.chan()
    ch.tx_select()
    out["publish to missing exchange inside tx, then commit"] = attempt(
        lambda: (ch.basic_publish("nope.x", "k", b"m"), ch.tx_commit())
    )
    return out


@scenario("channel.flow", S_QOS, "channel.flow active=False and active=True")
def _(ctx):
    ch = ctx.chan()
    out = {"channel.flow active=False": attempt(lambda: raw_rpc(ch, spec.Channel.Flow(active=False), [spec.Channel.FlowOk]))}
    ch = ctx.chan()
    out["channel.flow active=True"] = attempt(lambda: raw_rpc(ch, spec.Channel.Flow(active=True), [spec.Channel.FlowOk]))
    return out


# --- queue argument validation -----------------------------------------------

S_ARGS = "Queue argument validation"

ARG_CASES = [
    ("x-max-priority", 300),
    ("x-max-priority", 256),
    ("x-max-priority", 255),
    ("x-max-priority", -1),
    ("x-max-priority", 0),
    ("x-max-priority", "5"),
    ("x-max-length", -1),
    ("x-max-length", 0),
    ("x-max-length", "10"),
    ("x-max-length-bytes", -1),
    ("x-message-ttl", -1),
    ("x-message-ttl", "abc"),
    ("x-message-ttl", decimal.Decimal("1.5")),
    ("x-message-ttl", 0),
    ("x-expires", 0),
    ("x-expires", -1),
    ("x-expires", "abc"),
    ("x-overflow", "foo"),
    ("x-overflow", 1),
    ("x-queue-mode", "foo"),
    ("x-queue-mode", "lazy"),
    ("x-dead-letter-exchange", 1),
    ("x-delivery-limit", 5),
    ("x-single-active-consumer", "yes"),
    ("x-queue-type", "foo"),
    ("x-queue-type", 1),
    ("x-foo-unknown", "whatever"),
]


@scenario("queue.args.validation", S_ARGS, "classic queue.declare with bad or edge-case x-arguments")
def _(ctx):
    out = {}
    for i, (k, v) in enumerate(ARG_CASES):
        ch = ctx.chan()
        label = "%s=%s" % (k, json.dumps(jsonable(v)) + (" (decimal)" if isinstance(v, decimal.Decimal) else ""))
        out[label] = attempt(lambda: ch.queue_declare(ctx.n("a%d" % i), arguments={k: v}))
    ch = ctx.chan()
    out["x-dead-letter-routing-key without x-dead-letter-exchange"] = attempt(
        lambda: ch.queue_declare(ctx.n("dlrk"), arguments={"x-dead-letter-routing-key": "k"})
    )
    ch = ctx.chan()
    out["x-dead-letter-exchange naming a missing exchange (allowed?)"] = attempt(
        lambda: ch.queue_declare(ctx.n("dlx-missing"), arguments={"x-dead-letter-exchange": "nope.x"})
    )
    return out


# --- quorum queues and streams --------------------------------------------------

S_QQ = "Quorum queues and streams"


@scenario("quorum.declare", S_QQ, "quorum/stream declare variants")
def _(ctx):
    cases = {
        "quorum non-durable": dict(durable=False, arguments={"x-queue-type": "quorum"}),
        "quorum exclusive": dict(durable=True, exclusive=True, arguments={"x-queue-type": "quorum"}),
        "quorum auto-delete": dict(durable=True, auto_delete=True, arguments={"x-queue-type": "quorum"}),
        "quorum x-max-priority": dict(durable=True, arguments={"x-queue-type": "quorum", "x-max-priority": 5}),
        "quorum x-overflow drop-head": dict(durable=True, arguments={"x-queue-type": "quorum", "x-overflow": "drop-head"}),
        "quorum x-overflow reject-publish": dict(durable=True, arguments={"x-queue-type": "quorum", "x-overflow": "reject-publish"}),
        "quorum x-overflow reject-publish-dlx": dict(
            durable=True, arguments={"x-queue-type": "quorum", "x-overflow": "reject-publish-dlx"}
        ),
        "quorum x-message-ttl": dict(durable=True, arguments={"x-queue-type": "quorum", "x-message-ttl": 1000}),
        "quorum x-queue-mode lazy": dict(durable=True, arguments={"x-queue-type": "quorum", "x-queue-mode": "lazy"}),
        "quorum x-expires": dict(durable=True, arguments={"x-queue-type": "quorum", "x-expires": 100000}),
        "quorum x-delivery-limit": dict(durable=True, arguments={"x-queue-type": "quorum", "x-delivery-limit": 3}),
        "quorum server-named (queue '')": dict(durable=True, arguments={"x-queue-type": "quorum"}),
        "stream durable": dict(durable=True, arguments={"x-queue-type": "stream"}),
        "stream non-durable": dict(durable=False, arguments={"x-queue-type": "stream"}),
        "stream exclusive": dict(durable=True, exclusive=True, arguments={"x-queue-type": "stream"}),
        "stream x-max-priority": dict(durable=True, arguments={"x-queue-type": "stream", "x-max-priority": 5}),
        "x-queue-type foo": dict(durable=True, arguments={"x-queue-type": "foo"}),
        "x-queue-type classic explicit": dict(durable=True, arguments={"x-queue-type": "classic"}),
    }
    out = {}
    for i, (label, kw) in enumerate(cases.items()):
        ch = ctx.chan()
        name = "" if "server-named" in label else ctx.n("q%d" % i)
        out[label] = attempt(lambda: ch.queue_declare(name, **kw))
    return out


def qq(ch, name, **args):
    a = {"x-queue-type": "quorum"}
    a.update(args)
    ch.queue_declare(name, durable=True, arguments=a)


@scenario("quorum.redelivery", S_QQ, "quorum: x-delivery-count after nack requeue=True (1 and 2 requeues), basic.get, redelivered flag")
def _(ctx):
    ch = ctx.chan()
    q = ctx.n()
    qq(ch, q)
    publish(ch, q, b"m1", headers={"h": "v"})
    out = {}
    steps = []
    for i in range(3):
        m = get_wait(ch, q, auto_ack=False)
        steps.append(msg(*m))
        if i < 2:
            ch.basic_nack(m[0].delivery_tag, requeue=True)
        else:
            ch.basic_ack(m[0].delivery_tag)
    out["basic.get after 0, 1, 2 nack requeue=True"] = steps
    publish(ch, q, b"m2")
    m = get_wait(ch, q, auto_ack=False)
    ch.basic_reject(m[0].delivery_tag, requeue=True)
    m = get_wait(ch, q, auto_ack=False)
    out["after basic.reject requeue=True"] = msg(*m)
    ch.close()
    ch = ctx.chan()
    m = get_wait(ch, q, auto_ack=False)
    out["after channel close with it unacked"] = msg(*m)
    ch.basic_ack(m[0].delivery_tag)
    # consumer path
    publish(ch, q, b"m3")
    c = Consumer(ch, q)
    pump(ch.connection, until=lambda: len(c.got) == 1)
    ch.basic_nack(c.got[0][0].delivery_tag, requeue=True)
    pump(ch.connection, until=lambda: len(c.got) == 2)
    out["consumer: delivery then redelivery after nack"] = [msg(*x) for x in c.got]
    return out


@scenario("quorum.delivery-limit", S_QQ, "quorum x-delivery-limit=1 with requeues, then dead-letter (x-death reason)")
def _(ctx):
    ch = ctx.chan()
    q, dlq = ctx.n(), ctx.n("dlq")
    ch.queue_declare(dlq)
    qq(ch, q, **{"x-delivery-limit": 1, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": dlq})
    publish(ch, q, b"m1")
    steps = []
    for i in range(4):
        m = get_wait(ch, q, auto_ack=False, timeout=0.5)
        if m[0] is None:
            steps.append({"get_empty": True})
            break
        steps.append(msg(*m))
        ch.basic_nack(m[0].delivery_tag, requeue=True)
    out = {"gets (each followed by nack requeue=True)": steps}
    d = get_wait(ch, dlq, timeout=3)
    out["dead-lettered message"] = msg(*d) if d[0] else None
    if d[0] is not None and d[1].headers:
        out["headers, pika python types"] = with_py_types(d[1].headers)
    out["source queue after"] = mdict(ch.queue_declare(q, passive=True))
    return out


@scenario("quorum.global-qos", S_QQ, "quorum: consume on a channel with global qos")
def _(ctx):
    ch = ctx.chan()
    q = ctx.n()
    qq(ch, q)
    ch.basic_qos(prefetch_count=1, global_qos=True)
    return {"basic.consume with global qos": attempt(lambda: ch.basic_consume(q, lambda *a: None))}


@scenario("quorum.overflow", S_QQ, "quorum x-max-length=1: drop-head vs reject-publish with confirms")
def _(ctx):
    out = {}
    for ov in ("drop-head", "reject-publish"):
        ch = ctx.chan()
        q = ctx.n(ov)
        qq(ch, q, **{"x-max-length": 1, "x-overflow": ov})
        ch.confirm_delivery()
        res = []
        for i in range(3):
            try:
                ch.basic_publish("", q, ("m%d" % (i + 1)).encode())
                res.append("ack")
            except NackError:
                res.append("nack")
        out[ov] = {
            "confirms": res,
            "queue": mdict(ch.queue_declare(q, passive=True)),
            "messages": [m[2].decode() for m in drain(ch, q)],
        }
    return out


@scenario("stream.ops", S_QQ, "stream queue: basic.get, consume without prefetch, auto_ack consume, consume with x-stream-offset")
def _(ctx):
    ch = ctx.chan()
    q = ctx.n()
    ch.queue_declare(q, durable=True, arguments={"x-queue-type": "stream"})
    ch.confirm_delivery()
    for i in range(3):
        publish(ch, q, ("s%d" % (i + 1)).encode())
    out = {"basic.get": attempt(lambda: ch.basic_get(q))}
    ch = ctx.chan()
    out["basic.consume without basic.qos"] = attempt(lambda: ch.basic_consume(q, lambda *a: None))
    ch = ctx.chan()
    ch.basic_qos(prefetch_count=10)
    out["basic.consume auto_ack=True"] = attempt(lambda: ch.basic_consume(q, lambda *a: None, auto_ack=True))
    ch = ctx.chan()
    ch.basic_qos(prefetch_count=10)
    c = Consumer(ch, q, arguments={"x-stream-offset": "first"})
    pump(ch.connection, until=lambda: len(c.got) == 3, timeout=3)
    out["consume x-stream-offset=first"] = [msg(*m) for m in c.got]
    return out


# --- dead-lettering ---------------------------------------------------------------

S_DLX = "Dead-lettering (x-death headers)"


def dl_setup(ctx, ch, src_args, src_name=None, quorum=False):
    """src queue dead-letters via fanout exchange dlx -> dlq."""
    dlx, dlq = ctx.n("dlx"), ctx.n("dlq")
    src = src_name or ctx.n("src")
    ch.exchange_declare(dlx, "fanout")
    ch.queue_declare(dlq)
    ch.queue_bind(dlq, dlx)
    args = {"x-dead-letter-exchange": dlx}
    args.update(src_args)
    if quorum:
        qq(ch, src, **args)
    else:
        ch.queue_declare(src, arguments=args)
    return src, dlq


def dl_result(ch, dlq, timeout=3.0):
    m = get_wait(ch, dlq, timeout=timeout)
    if m[0] is None:
        return {"dead_lettered": None}
    r = {"dead_lettered": msg(*m)}
    if m[1].headers is not None:
        r["headers, pika python types"] = with_py_types(m[1].headers)
    r["more_in_dlq"] = len(drain(ch, dlq))
    return r


@scenario("dlx.ttl0", S_DLX, "x-message-ttl=0 + DLX: full headers of the dead-lettered message")
def _(ctx):
    ch = ctx.chan()
    src, dlq = dl_setup(ctx, ch, {"x-message-ttl": 0})
    ch.basic_publish(
        "",
        src,
        b"body",
        pika.BasicProperties(
            headers={"app": "warren", "n": 1}, content_type="text/plain", delivery_mode=2, message_id="id-1", priority=3
        ),
    )
    return dl_result(ch, dlq)


@scenario("dlx.rejected", S_DLX, "basic.reject requeue=False and basic.nack requeue=False -> DLX")
def _(ctx):
    ch = ctx.chan()
    src, dlq = dl_setup(ctx, ch, {})
    publish(ch, src, b"r1", headers={"app": "warren"})
    m = get_wait(ch, src, auto_ack=False)
    ch.basic_reject(m[0].delivery_tag, requeue=False)
    out = {"reject": dl_result(ch, dlq)}
    publish(ch, src, b"n1")
    m = get_wait(ch, src, auto_ack=False)
    ch.basic_nack(m[0].delivery_tag, requeue=False)
    out["nack"] = dl_result(ch, dlq)
    publish(ch, src, b"c1")
    c = Consumer(ch, src)
    pump(ch.connection, until=lambda: len(c.got) == 1)
    ch.basic_reject(c.got[0][0].delivery_tag, requeue=False)
    ch.basic_cancel(c.tag)
    out["reject of a consumer delivery (consumer tag irrelevant)"] = dl_result(ch, dlq)
    return out


@scenario("dlx.maxlen", S_DLX, "x-max-length=1 (drop-head) + DLX: publish 2, the first is dead-lettered")
def _(ctx):
    ch = ctx.chan()
    src, dlq = dl_setup(ctx, ch, {"x-max-length": 1})
    publish(ch, src, b"first")
    publish(ch, src, b"second")
    r = dl_result(ch, dlq)
    r["left in source"] = [m[2].decode() for m in drain(ch, src)]
    return r


@scenario("dlx.expiration", S_DLX, "per-message expiration + DLX: original-expiration in x-death? expiration removed?")
def _(ctx):
    ch = ctx.chan()
    src, dlq = dl_setup(ctx, ch, {})
    publish(ch, src, b"exp", expiration="50", headers={"k": "v"})
    out = {"expired": dl_result(ch, dlq)}
    ch2 = ctx.chan()
    src2, dlq2 = dl_setup(ctx, ch2, {}, src_name=ctx.n("src2"))
    publish(ch2, src2, b"exp-rejected", expiration="60000")
    m = get_wait(ch2, src2, auto_ack=False)
    ch2.basic_reject(m[0].delivery_tag, requeue=False)
    out["rejected while carrying expiration=60000"] = dl_result(ch2, dlq2)
    return out


@scenario("dlx.routing-key", S_DLX, "x-dead-letter-routing-key: delivered routing key vs x-death routing-keys; CC header")
def _(ctx):
    ch = ctx.chan()
    x, dlx, dlq, src = ctx.n("x"), ctx.n("dlx"), ctx.n("dlq"), ctx.n("src")
    ch.exchange_declare(x, "direct")
    ch.exchange_declare(dlx, "direct")
    ch.queue_declare(dlq)
    ch.queue_bind(dlq, dlx, "dead")
    ch.queue_declare(src, arguments={"x-dead-letter-exchange": dlx, "x-dead-letter-routing-key": "dead"})
    ch.queue_bind(src, x, "orig")
    ch.queue_bind(src, x, "cc1")
    ch.basic_publish(x, "orig", b"m", pika.BasicProperties(headers={"CC": ["cc1"]}))
    time.sleep(0.1)
    msgs = drain(ch, src, auto_ack=False)
    for m in msgs:
        ch.basic_reject(m[0].delivery_tag, requeue=False)
    out = {"source copies": len(msgs)}
    out["dlq"] = [msg(*m) for m in [get_wait(ch, dlq)] + drain(ch, dlq) if m[0] is not None]
    return out


@scenario("dlx.twice", S_DLX, "dead-lettered twice through the same queue (reject ping-pong q1 -> q2 -> q1 -> q2): x-death counts")
def _(ctx):
    ch = ctx.chan()
    q1, q2 = ctx.n("q1"), ctx.n("q2")
    ch.queue_declare(q1, arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": q2})
    ch.queue_declare(q2, arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": q1})
    publish(ch, q1, b"ping")
    hops = []
    for q in (q1, q2, q1):
        m = get_wait(ch, q, auto_ack=False)
        hops.append({"got_from": q, "msg": msg(*m)})
        ch.basic_reject(m[0].delivery_tag, requeue=False)
    m = get_wait(ch, q2)
    hops.append({"got_from": q2, "msg": msg(*m)})
    return {"hops": hops}


@scenario("dlx.cycle", S_DLX, "automatic cycle (ttl 0 both ways, no rejections): is the message dropped?")
def _(ctx):
    ch = ctx.chan()
    q1, q2 = ctx.n("q1"), ctx.n("q2")
    ch.queue_declare(q1, arguments={"x-message-ttl": 0, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": q2})
    ch.queue_declare(q2, arguments={"x-message-ttl": 0, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": q1})
    publish(ch, q1, b"loop")
    time.sleep(1.0)
    return {
        "q1": mdict(ch.queue_declare(q1, passive=True)),
        "q2": mdict(ch.queue_declare(q2, passive=True)),
    }


@scenario("dlx.quorum-rejected", S_DLX, "quorum source queue, reject requeue=False -> DLX headers")
def _(ctx):
    ch = ctx.chan()
    src, dlq = dl_setup(ctx, ch, {}, quorum=True)
    publish(ch, src, b"q-reject")
    m = get_wait(ch, src, auto_ack=False)
    ch.basic_reject(m[0].delivery_tag, requeue=False)
    return dl_result(ch, dlq)


@scenario("dlx.missing-exchange", S_DLX, "DLX names a missing exchange: message silently dropped?")
def _(ctx):
    ch = ctx.chan()
    q = ctx.n()
    ch.queue_declare(q, arguments={"x-dead-letter-exchange": "nope.x"})
    publish(ch, q, b"m")
    m = get_wait(ch, q, auto_ack=False)
    r = attempt(lambda: ch.basic_reject(m[0].delivery_tag, requeue=False), probe_ch=ch)
    r["queue after"] = mdict(ctx.chan().queue_declare(q, passive=True))
    return r


# --- overflow ------------------------------------------------------------------

S_OVF = "Length limits and overflow"


@scenario("overflow.classic", S_OVF, "classic x-max-length=1 with drop-head / reject-publish / reject-publish-dlx, publisher confirms")
def _(ctx):
    out = {}
    for ov in ("drop-head", "reject-publish", "reject-publish-dlx"):
        ch = ctx.chan()
        src, dlq = dl_setup(ctx, ch, {"x-max-length": 1, "x-overflow": ov}, src_name=ctx.n(ov))
        ch.confirm_delivery()
        res = []
        for i in range(3):
            try:
                ch.basic_publish("", src, ("m%d" % (i + 1)).encode())
                res.append("ack")
            except NackError:
                res.append("nack")
        time.sleep(0.1)
        out[ov] = {
            "confirms": res,
            "queue": [m[2].decode() for m in drain(ch, src)],
            "dlq": [msg(*m) for m in drain(ch, dlq)],
        }
    ch = ctx.chan()
    q = ctx.n("noconfirm")
    ch.queue_declare(q, arguments={"x-max-length": 1, "x-overflow": "reject-publish"})
    for i in range(3):
        publish(ch, q, ("m%d" % (i + 1)).encode())
    out["reject-publish without confirms: channel stays open, queue"] = attempt(
        lambda: [m[2].decode() for m in drain(ch, q)]
    )
    ch = ctx.chan()
    q = ctx.n("bytes")
    ch.queue_declare(q, arguments={"x-max-length-bytes": 5})
    for body in (b"aaa", b"bbb", b"cc"):
        publish(ch, q, body)
    time.sleep(0.1)
    out["x-max-length-bytes=5, publish aaa,bbb,cc"] = [m[2].decode() for m in drain(ch, q)]
    ch = ctx.chan()
    q = ctx.n("zero")
    ch.queue_declare(q, arguments={"x-max-length": 0})
    ch.confirm_delivery()
    try:
        ch.basic_publish("", q, b"z")
        conf = "ack"
    except NackError:
        conf = "nack"
    out["x-max-length=0 drop-head, confirm"] = {"confirm": conf, "queue": mdict(ch.queue_declare(q, passive=True))}
    return out


# --- mandatory / routing ---------------------------------------------------------------

S_ROUTE = "Mandatory, immediate, routing"


@scenario("mandatory.no-route", S_ROUTE, "mandatory publish with no route: basic.return (with and without confirms); immediate=True")
def _(ctx):
    out = {}
    ch = ctx.chan()
    returned = []
    ch.add_on_return_callback(lambda c, m, p, b: returned.append({"method": mdict(m), "properties": props_dict(p), "body": b.decode()}))
    ch.basic_publish("amq.direct", "nowhere", b"m1", pika.BasicProperties(headers={"h": 1}), mandatory=True)
    ch.basic_publish("", "no.such.queue", b"m2", mandatory=True)
    ch.basic_publish("amq.direct", "nowhere", b"m3-not-mandatory")
    pump(ch.connection, until=lambda: len(returned) >= 2, timeout=1)
    out["basic.return frames"] = returned
    ch = ctx.chan()
    ch.confirm_delivery()
    out["with confirms (pika raises UnroutableError; broker returns then acks)"] = attempt(
        lambda: _catch_unroutable(ch)
    )
    q = ctx.n()
    ch.queue_declare(q)
    ch2 = ctx.chan()
    out["basic.publish immediate=True"] = attempt(
        lambda: raw_send(ch2, spec.Basic.Publish(exchange="", routing_key=q, immediate=True), (spec.BasicProperties(), b"imm")),
        probe_ch=ch2,
    )
    ch = ctx.chan()
    ch.confirm_delivery()
    out["non-mandatory unroutable publish with confirms"] = attempt(lambda: ch.basic_publish("", "no.such.queue", b"x"))
    return out


def _catch_unroutable(ch):
    try:
        ch.basic_publish("amq.direct", "nowhere", b"m", mandatory=True)
        return "acked, no return"
    except UnroutableError as e:
        return {"UnroutableError": [{"method": mdict(m.method), "body": m.body.decode()} for m in e.messages]}


@scenario("routing.invalid-expiration", S_ROUTE, "publish with expiration 'abc' / '-1' / '0'")
def _(ctx):
    out = {}
    q = ctx.n()
    ctx.chan().queue_declare(q)
    for e in ("abc", "-1", "1.5", "0", ""):
        ch = ctx.chan()
        out["expiration=%r" % e] = attempt(lambda: publish(ch, q, b"m", expiration=e), probe_ch=ch)
    return out


@scenario("routing.topic", S_ROUTE, "topic exchange: which patterns match which routing keys")
def _(ctx):
    ch = ctx.chan()
    x = ctx.n("topic")
    ch.exchange_declare(x, "topic")
    patterns = ["#", "*", "a.*", "a.#", "#.b", "a.*.b", "a.#.b", "*.*", "a", "a.b", "*.b.#", "#.#", "a.*.#", "", "#.a.#", "*.#", "a.#.#.b"]
    keys = ["", "a", "b", "a.b", "a.b.c", "a.x.b", "a.x.y.b", "a..b", ".a", "a.", "x.b", "..", "b.a", "a.a"]
    qs = {}
    for i, p in enumerate(patterns):
        q = ctx.n("p%d" % i)
        ch.queue_declare(q)
        ch.queue_bind(q, x, p)
        qs[p] = q
    ch.confirm_delivery()
    for k in keys:
        ch.basic_publish(x, k, k.encode())
    return {"patterns": {p: [m[2].decode() for m in drain(ch, q)] for p, q in qs.items()}, "routing_keys": keys}


@scenario("routing.headers", S_ROUTE, "headers exchange: x-match all/any, x- keys, types, empty binding")
def _(ctx):
    ch = ctx.chan()
    x = ctx.n("headers")
    ch.exchange_declare(x, "headers")
    bindings = {
        "all a=1 b=2": {"x-match": "all", "a": 1, "b": 2},
        "any a=1 b=2": {"x-match": "any", "a": 1, "b": 2},
        "default(a=1)": {"a": 1},
        "any x-foo=1": {"x-match": "any", "x-foo": 1},
        "all x-foo=1": {"x-match": "all", "x-foo": 1},
        "empty": {},
        "only x-match any": {"x-match": "any"},
        "a='1' (string)": {"a": "1"},
    }
    qs = {}
    for i, (label, args) in enumerate(bindings.items()):
        q = ctx.n("h%d" % i)
        ch.queue_declare(q)
        ch.queue_bind(q, x, "", arguments=args)
        qs[label] = q
    messages = {
        "a=1,b=2": {"a": 1, "b": 2},
        "a=1": {"a": 1},
        "a=1,b=3": {"a": 1, "b": 3},
        "{}": {},
        "no headers": None,
        "a='1'": {"a": "1"},
        "x-foo=1": {"x-foo": 1},
    }
    ch.confirm_delivery()
    for label, h in messages.items():
        ch.basic_publish(x, "", label.encode(), pika.BasicProperties(headers=h))
    out = {"bindings": {label: [m[2].decode() for m in drain(ch, q)] for label, q in qs.items()}}
    ch2 = ctx.chan()
    ch2.queue_declare(ctx.n("bad"))
    out["bind with x-match=foo"] = attempt(lambda: ch2.queue_bind(ctx.n("bad"), x, "", arguments={"x-match": "foo"}))
    ch2 = ctx.chan()
    out["bind with x-match=all-with-x"] = attempt(lambda: ch2.queue_bind(ctx.n("bad"), x, "", arguments={"x-match": "all-with-x", "x-a": 1}))
    return out


@scenario("routing.alternate-exchange-cc-bcc-e2e", S_ROUTE, "alternate-exchange with mandatory; CC/BCC headers; exchange-to-exchange binding; fanout ignores key")
def _(ctx):
    ch = ctx.chan()
    out = {}
    x, ae, aeq = ctx.n("x"), ctx.n("ae"), ctx.n("aeq")
    ch.exchange_declare(ae, "fanout")
    ch.queue_declare(aeq)
    ch.queue_bind(aeq, ae)
    ch.exchange_declare(x, "direct", arguments={"alternate-exchange": ae})
    returned = []
    ch.add_on_return_callback(lambda c, m, p, b: returned.append(mdict(m)))
    ch.basic_publish(x, "unrouted", b"to-ae", mandatory=True)
    pump(ch.connection, timeout=0.3)
    out["alternate-exchange"] = {"returns": returned, "aeq": [msg(*m) for m in drain(ch, aeq)]}
    # CC / BCC
    d = ctx.n("d")
    ch.exchange_declare(d, "direct")
    qs = {}
    for k in ("k1", "k2", "k3"):
        qs[k] = ctx.n(k)
        ch.queue_declare(qs[k])
        ch.queue_bind(qs[k], d, k)
    ch.basic_publish(d, "k1", b"ccbcc", pika.BasicProperties(headers={"CC": ["k2"], "BCC": ["k3"], "other": "v"}))
    time.sleep(0.1)
    out["CC/BCC"] = {k: [msg(*m) for m in drain(ch, q)] for k, q in qs.items()}
    ch2 = ctx.chan()
    out["CC as a string (not array)"] = attempt(
        lambda: ch2.basic_publish(d, "k1", b"cc-string", pika.BasicProperties(headers={"CC": "k2"})), probe_ch=ch2
    )
    # exchange-to-exchange
    f = ctx.n("f")
    ch.exchange_declare(f, "fanout")
    ch.exchange_bind(f, d, "k9")
    fq = ctx.n("fq")
    ch.queue_declare(fq)
    ch.queue_bind(fq, f, "ignored")
    ch.basic_publish(d, "k9", b"e2e")
    time.sleep(0.1)
    out["exchange.bind direct->fanout, fanout queue gets"] = [msg(*m) for m in drain(ch, fq)]
    # duplicate bindings deliver once
    ch.queue_bind(qs["k1"], d, "dup")
    ch.queue_bind(qs["k1"], d, "dup")
    ch.queue_bind(qs["k1"], d, "k1")
    ch.basic_publish(d, "dup", b"once")
    time.sleep(0.1)
    out["same binding twice: copies"] = len(drain(ch, qs["k1"]))
    return out


@scenario("priority.order", S_ROUTE, "x-max-priority=10 queue: delivery order by priority")
def _(ctx):
    ch = ctx.chan()
    q = ctx.n()
    ch.queue_declare(q, arguments={"x-max-priority": 10})
    for body, prio in (("p0", 0), ("none", None), ("p5", 5), ("p9", 9), ("p20", 20), ("p5b", 5)):
        ch.basic_publish("", q, body.encode(), pika.BasicProperties(priority=prio))
    time.sleep(0.1)
    return {"order": [(m[2].decode(), m[1].priority) for m in drain(ch, q)]}


# --- names and counts -----------------------------------------------------------

S_NAMES = "Server-generated names and declare-ok counts"


@scenario("names.server-named", S_NAMES, "server-named queue shape; '' refers to the last declared queue on the channel")
def _(ctx):
    ch = ctx.chan()
    names = [ch.queue_declare("", exclusive=True).method.queue for _ in range(3)]
    out = {
        "names": names,
        "all match ^amq\\.gen-[A-Za-z0-9_-]{22}$": all(re.match(r"^amq\.gen-[A-Za-z0-9_-]{22}$", n) for n in names),
    }
    ch.queue_bind("", "amq.fanout")
    publish(ch, names[-1], b"m")
    out["queue.bind with queue '' (after declare)"] = "ok"
    out["basic.get with queue ''"] = attempt(lambda: ch.basic_get("", auto_ack=True))
    out["queue.declare passive with ''"] = attempt(lambda: ch.queue_declare("", passive=True))
    fresh = ctx.chan()
    out["queue.bind with queue '' on a fresh channel"] = attempt(lambda: fresh.queue_bind("", "amq.fanout"))
    fresh = ctx.chan()
    out["basic.get with queue '' on a fresh channel"] = attempt(lambda: fresh.basic_get(""))
    fresh = ctx.chan()
    out["queue.declare passive '' on a fresh channel"] = attempt(lambda: fresh.queue_declare("", passive=True))
    fresh = ctx.chan()
    out["queue.purge '' on a fresh channel"] = attempt(lambda: fresh.queue_purge(""))
    return out


@scenario("names.declare-ok-counts", S_NAMES, "queue.declare-ok for a queue with 3 ready, 1 unacked and 1 consumer; purge/get counts")
def _(ctx):
    ch = ctx.chan()
    q = ctx.n()
    ch.queue_declare(q)
    for i in range(4):
        publish(ch, q, ("m%d" % (i + 1)).encode())
    cch = ctx.chan()
    cch.basic_qos(prefetch_count=1)
    c = Consumer(cch, q)
    pump(cch.connection, until=lambda: len(c.got) == 1)
    out = {
        "passive declare": mdict(ch.queue_declare(q, passive=True)),
        "active redeclare": mdict(ch.queue_declare(q)),
    }
    g = ctx.chan()
    out["basic.get message_count (remaining)"] = msg(*g.basic_get(q))
    out["queue.purge"] = mdict(g.queue_purge(q))
    out["after purge (unacked stays)"] = mdict(g.queue_declare(q, passive=True))
    cch.close()
    time.sleep(0.1)
    out["after consumer channel closed"] = mdict(g.queue_declare(q, passive=True))
    return out


# --- redelivery order ----------------------------------------------------------

S_ORDER = "Redelivered flag and requeue order"


def _publish_n(ch, q, n):
    for i in range(n):
        publish(ch, q, ("m%d" % (i + 1)).encode())
    time.sleep(0.05)


def _rec(ms):
    return [[m[2].decode(), m[0].redelivered] for m in ms]


def _order_scenarios(quorum):
    prefix = "order.quorum" if quorum else "order.classic"
    kind = "quorum" if quorum else "classic"

    def declare(ch, q):
        if quorum:
            qq(ch, q)
        else:
            ch.queue_declare(q)

    @scenario(prefix + ".nack-2nd-of-5", S_ORDER, "%s: publish 8, get 5 unacked, nack requeue=True the 2nd, then read all from another channel; then close the first channel and read again" % kind)
    def _(ctx):
        ch = ctx.chan()
        q = ctx.n()
        declare(ch, q)
        _publish_n(ch, q, 8)
        got = [get_wait(ch, q, auto_ack=False) for _ in range(5)]
        ch.basic_nack(got[1][0].delivery_tag, requeue=True)
        time.sleep(0.1)
        other = ctx.chan()
        first = _rec(drain(other, q, auto_ack=False))
        other.close()
        ch.close()
        time.sleep(0.2)
        third = ctx.chan()
        return {
            "after nack (other channel reads all, unacked)": first,
            "after closing both channels (all requeued)": _rec(drain(third, q)),
        }

    @scenario(prefix + ".close-3-unacked", S_ORDER, "%s: publish 5, get 3 unacked, close channel, read all" % kind)
    def _(ctx):
        ch = ctx.chan()
        q = ctx.n()
        declare(ch, q)
        _publish_n(ch, q, 5)
        for _ in range(3):
            get_wait(ch, q, auto_ack=False)
        ch.close()
        time.sleep(0.2)
        return {"order": _rec(drain(ctx.chan(), q))}

    @scenario(prefix + ".consumer-nack-2nd", S_ORDER, "%s: consumer (prefetch 0) gets 5, nacks the 2nd with requeue=True: what is redelivered and when" % kind)
    def _(ctx):
        ch = ctx.chan()
        q = ctx.n()
        declare(ch, q)
        _publish_n(ch, q, 5)
        c = Consumer(ch, q)
        pump(ch.connection, until=lambda: len(c.got) == 5)
        ch.basic_nack(c.got[1][0].delivery_tag, requeue=True)
        pump(ch.connection, until=lambda: len(c.got) == 6)
        return {"deliveries": [[m[2].decode(), m[0].redelivered, m[0].delivery_tag] for m in c.got]}

    @scenario(prefix + ".recover", S_ORDER, "%s: consumer gets 3, basic.recover requeue=True" % kind)
    def _(ctx):
        ch = ctx.chan()
        q = ctx.n()
        declare(ch, q)
        _publish_n(ch, q, 3)
        c = Consumer(ch, q)
        pump(ch.connection, until=lambda: len(c.got) == 3)
        r = attempt(lambda: ch.basic_recover(requeue=True))
        if "ok" in r:
            pump(ch.connection, until=lambda: len(c.got) == 6)
            r["deliveries"] = [[m[2].decode(), m[0].redelivered, m[0].delivery_tag] for m in c.got]
        return r


_order_scenarios(False)
_order_scenarios(True)

# --- round robin ---------------------------------------------------------------

S_RR = "Round-robin dispatch"


@scenario("roundrobin", S_RR, "two consumers (separate channels), 6 messages, prefetch 1 vs prefetch 0 (unlimited)")
def _(ctx):
    out = {}
    for prefetch in (1, 0):
        q = ctx.n("p%d" % prefetch)
        pub = ctx.chan()
        pub.queue_declare(q)
        a_ch, b_ch = ctx.chan(), ctx.chan()
        if prefetch:
            a_ch.basic_qos(prefetch_count=prefetch)
            b_ch.basic_qos(prefetch_count=prefetch)
        a = Consumer(a_ch, q)
        b = Consumer(b_ch, q)
        _publish_n(pub, q, 6)
        pump(ctx.conn, timeout=0.5)
        r = {"A": a.bodies(), "B": b.bodies()}
        if prefetch:
            a_ch.basic_ack(a.got[-1][0].delivery_tag)
            pump(ctx.conn, timeout=0.3)
            r["after A acks"] = {"A": a.bodies(), "B": b.bodies()}
        out["prefetch %d" % prefetch] = r
    # publish before consumers exist
    q = ctx.n("late")
    pub = ctx.chan()
    pub.queue_declare(q)
    _publish_n(pub, q, 6)
    a_ch, b_ch = ctx.chan(), ctx.chan()
    a = Consumer(a_ch, q)
    b = Consumer(b_ch, q)
    pump(ctx.conn, timeout=0.5)
    out["6 queued before consumers attach (prefetch 0)"] = {"A": a.bodies(), "B": b.bodies()}
    return out


# --- direct reply-to ---------------------------------------------------------------

S_RPC = "Direct reply-to"


@scenario("direct-reply-to", S_RPC, "amq.rabbitmq.reply-to: errors and the reply_to value the server sees")
def _(ctx):
    out = {}
    ch = ctx.chan()
    out["consume no_ack=False"] = attempt(lambda: ch.basic_consume("amq.rabbitmq.reply-to", lambda *a: None, auto_ack=False))
    ch = ctx.chan()
    rpcq = ctx.n("rpc")
    ch.queue_declare(rpcq)
    out["publish reply_to without consuming"] = attempt(
        lambda: publish(ch, rpcq, b"req", reply_to="amq.rabbitmq.reply-to"), probe_ch=ch
    )
    ch = ctx.chan()
    out["queue.declare passive amq.rabbitmq.reply-to"] = attempt(lambda: ch.queue_declare("amq.rabbitmq.reply-to", passive=True))
    ch = ctx.chan()
    c = Consumer(ch, "amq.rabbitmq.reply-to", auto_ack=True)
    out["client consumer tag"] = c.tag
    publish(ch, rpcq, b"req", reply_to="amq.rabbitmq.reply-to", correlation_id="c1")
    srv = ctx.chan(ctx.connect())
    req = get_wait(srv, rpcq)
    out["request as the server sees it"] = msg(*req)
    rt = req[1].reply_to
    out["reply_to shape"] = {
        "prefix": "amq.rabbitmq.reply-to.",
        "starts_with_prefix": rt.startswith("amq.rabbitmq.reply-to."),
        "length": len(rt),
    }
    srv.basic_publish("", rt, b"resp", pika.BasicProperties(correlation_id="c1"))
    pump(ch.connection, until=lambda: len(c.got) == 1)
    out["reply as the client receives it"] = [msg(*m) for m in c.got]
    out["reply to a bogus reply-to name"] = attempt(
        lambda: srv.basic_publish("", "amq.rabbitmq.reply-to.bogus", b"x"), probe_ch=srv
    )
    srv = ctx.chan(srv.connection)
    out["queue.declare passive of the reply_to name"] = attempt(lambda: srv.queue_declare(rt, passive=True))
    return out


# --- lifecycles ---------------------------------------------------------------

S_LIFE = "Queue lifecycles and single active consumer"


@scenario("lifecycle.auto-delete", S_LIFE, "auto-delete queue: never consumed; after last consumer cancels; after consumer channel closes")
def _(ctx):
    ch = ctx.chan()
    q = ctx.n()
    ch.queue_declare(q, auto_delete=True)
    time.sleep(0.2)
    out = {"never consumed, after 0.2 s": attempt(lambda: ch.queue_declare(q, passive=True))}
    a = Consumer(ch, q)
    b = Consumer(ch, q)
    ch.basic_cancel(a.tag)
    time.sleep(0.1)
    out["one of two consumers cancelled"] = attempt(lambda: ch.queue_declare(q, passive=True))
    ch.basic_cancel(b.tag)
    time.sleep(0.2)
    out["last consumer cancelled"] = attempt(lambda: ch.queue_declare(q, passive=True))
    ch = ctx.chan()
    q2 = ctx.n("q2")
    ch.queue_declare(q2, auto_delete=True)
    Consumer(ch, q2)
    ch.close()
    time.sleep(0.2)
    ch = ctx.chan()
    out["consumer's channel closed"] = attempt(lambda: ch.queue_declare(q2, passive=True))
    return out


@scenario("lifecycle.x-expires", S_LIFE, "x-expires=300: gone after ~1 s unused; kept while it has a consumer")
def _(ctx):
    ch = ctx.chan()
    q, q2 = ctx.n(), ctx.n("q2")
    ch.queue_declare(q, arguments={"x-expires": 300})
    ch.queue_declare(q2, arguments={"x-expires": 300})
    Consumer(ch, q2)
    time.sleep(1.0)
    ch2 = ctx.chan()
    out = {"unused after 1 s": attempt(lambda: ch2.queue_declare(q, passive=True))}
    ch2 = ctx.chan()
    out["with a consumer after 1 s"] = attempt(lambda: ch2.queue_declare(q2, passive=True))
    return out


@scenario("lifecycle.single-active-consumer", S_LIFE, "x-single-active-consumer: two consumers; who gets messages; cancel; channel close with unacked")
def _(ctx):
    out = {}
    q = ctx.n()
    pub = ctx.chan()
    pub.queue_declare(q, arguments={"x-single-active-consumer": True})
    a_ch, b_ch = ctx.chan(), ctx.chan()
    a = Consumer(a_ch, q, auto_ack=True)
    b = Consumer(b_ch, q, auto_ack=True)
    _publish_n(pub, q, 4)
    pump(ctx.conn, timeout=0.4)
    out["4 messages"] = {"A": a.bodies(), "B": b.bodies()}
    a_ch.basic_cancel(a.tag)
    for i in range(2):
        publish(pub, q, ("after-cancel-%d" % (i + 1)).encode())
    pump(ctx.conn, timeout=0.4)
    out["A cancels, 2 more"] = {"A": a.bodies(), "B": b.bodies()}
    # unacked on channel close
    q2 = ctx.n("q2")
    pub.queue_declare(q2, arguments={"x-single-active-consumer": True})
    c_ch, d_ch = ctx.chan(), ctx.chan()
    c = Consumer(c_ch, q2)
    d = Consumer(d_ch, q2)
    _publish_n(pub, q2, 3)
    pump(ctx.conn, until=lambda: len(c.got) == 3, timeout=1)
    c_ch.basic_ack(c.got[0][0].delivery_tag)
    c_ch.close()
    pump(ctx.conn, until=lambda: len(d.got) == 2, timeout=1)
    out["C acks 1 of 3 then closes its channel: D gets"] = [[m[2].decode(), m[0].redelivered] for m in d.got]
    out["declare-ok consumer_count"] = mdict(pub.queue_declare(q2, passive=True))
    ch = ctx.chan()
    out["exclusive consume on SAC queue that has a consumer"] = attempt(
        lambda: ch.basic_consume(q2, lambda *x: None, exclusive=True)
    )
    return out


# --- channels and connections -------------------------------------------------------

S_CONN = "Channels, connections, authentication, server properties"


@scenario("channel.open-twice", S_CONN, "channel.open on an already open channel id")
def _(ctx):
    ch = ctx.chan()
    return {
        "second channel.open": attempt(
            lambda: raw_rpc(ch, spec.Channel.Open(), [spec.Channel.OpenOk])
        )
    }


@scenario("connection.auth", S_CONN, "wrong password; unknown user; unknown vhost: what pika raises")
def _(ctx):
    out = {}
    for label, kw in (
        ("wrong password", dict(password="wrong")),
        ("unknown user", dict(user="nobody", password="x")),
        ("unknown vhost", dict(vhost="nope")),
    ):
        LAST_CLOSE.clear()
        try:
            c = pika.BlockingConnection(params(**kw))
            c.close()
            out[label] = {"ok": "connected"}
        except Exception as exc:
            r = {"exception": type(exc).__name__, "args": jsonable(list(exc.args)), "repr": repr(exc)}
            m = LAST_CLOSE.get("connection")
            if m is not None:
                r["connection.close"] = {
                    "reply_code": m.reply_code,
                    "reply_text": m.reply_text,
                    "class_id": m.class_id,
                    "method_id": m.method_id,
                }
            out[label] = r
    return out


@scenario("connection.server-properties", S_CONN, "server properties and capabilities from connection.start; connection.tune values")
def _(ctx):
    impl = ctx.conn._impl
    return {
        "server_properties (pika)": jsonable(impl.server_properties),
        "connection.start (typed)": SERVER_START,
        "connection.tune (server proposal)": TUNE,
    }


# ---------------------------------------------------------------------------
# run and write
# ---------------------------------------------------------------------------


def run_all():
    results = {}
    for sid, section, description, fn in SCENARIOS:
        ctx = None
        t0 = time.time()
        try:
            ctx = Ctx(sid)
            result = fn(ctx)
        except Exception as exc:  # a broken scenario must not stop the others
            result = {"oracle_error": "%s: %s" % (type(exc).__name__, exc), "traceback": traceback.format_exc()}
        finally:
            if ctx is not None:
                ctx.close()
        results[sid] = {"section": section, "description": description, "result": result}
        print("%-60s %5.2fs%s" % (sid, time.time() - t0, "  ORACLE ERROR" if "oracle_error" in result else ""), file=sys.stderr)
    return results


def fmt_outcome(v):
    if isinstance(v, dict) and "error" in v and "reply_code" in v:
        where = v.get("method") or "?"
        return "**%s closed** — `%d %s` (on `%s`, class %s method %s)" % (
            v["error"],
            v["reply_code"],
            v["reply_text"],
            where,
            v.get("class_id"),
            v.get("method_id"),
        )
    return "ok — `%s`" % json.dumps(md_compact(v["ok"]), ensure_ascii=False)


def is_outcome(v):
    return isinstance(v, dict) and (("error" in v and "reply_code" in v) or set(v.keys()) == {"ok"})


def md_compact(v):
    """Typed header values as 'value (T)', pika types as 'value (py T)'."""
    if isinstance(v, dict):
        if set(v) == {"type", "value"} and isinstance(v["type"], str) and len(v["type"]) == 1:
            if v["type"] in "AF":
                return md_compact(v["value"])
            val = v["value"]
            return "%s (%s)" % (_md_scalar(val), v["type"])
        if set(v) == {"py", "value"}:
            val = v["value"]
            return "%s (py %s)" % (_md_scalar(val), v["py"])
        return {k: md_compact(x) for k, x in v.items()}
    if isinstance(v, list):
        return [md_compact(x) for x in v]
    return v


def _md_scalar(val):
    if isinstance(val, str):
        return val if val else "''"
    return json.dumps(val)


def _is_leaf(v):
    return isinstance(v, dict) and set(v) in ({"type", "value"}, {"py", "value"})


def _is_record(v):
    return isinstance(v, dict) and ("body" in v or "method" in v or "get_empty" in v)


def md_lines(result, indent=""):
    lines = []
    if is_outcome(result) or not isinstance(result, dict):
        return md_value("result", result, indent)
    for k, v in result.items():
        lines.extend(md_value(k, v, indent))
    return lines


def md_value(k, v, indent):
    if is_outcome(v):
        return ["%s- %s: %s" % (indent, k, fmt_outcome(v))]
    if isinstance(v, dict) and ("error" in v and "reply_code" in v):
        # an outcome with extra keys
        head = "%s- %s: %s" % (indent, k, fmt_outcome(v))
        rest = {x: y for x, y in v.items() if x not in ("error", "reply_code", "reply_text", "class_id", "method_id", "method")}
        return [head] + sum((md_value(x, y, indent + "  ") for x, y in rest.items()), [])
    if isinstance(v, dict) and "ok" in v:
        head = "%s- %s: %s" % (indent, k, fmt_outcome({"ok": v["ok"]}))
        return [head] + sum((md_value(x, y, indent + "  ") for x, y in v.items() if x != "ok"), [])
    if isinstance(v, dict) and not _is_record(v) and not _is_leaf(v) and "python types" not in k and v:
        return ["%s- %s:" % (indent, k)] + sum((md_value(x, y, indent + "  ") for x, y in v.items()), [])
    if isinstance(v, list) and v and (len(json.dumps(md_compact(v), ensure_ascii=False)) > 110):
        out = ["%s- %s:" % (indent, k), "", indent + "  ```"]
        out += [indent + "  " + json.dumps(md_compact(x), ensure_ascii=False) for x in v]
        out += [indent + "  ```", ""]
        return out
    return ["%s- %s: `%s`" % (indent, k, json.dumps(md_compact(v), ensure_ascii=False))]


def write(results, meta):
    os.makedirs(OUT_DIR, exist_ok=True)
    doc = {"_meta": meta}
    doc.update(results)
    with open(os.path.join(OUT_DIR, "rabbitmq-behaviour.json"), "w") as f:
        json.dump(doc, f, indent=2, sort_keys=False, default=str)
        f.write("\n")
    md = [
        "# RabbitMQ behaviour, as recorded",
        "",
        "Generated by `scripts/rabbitmq-oracle.py` against a throw-away RabbitMQ node "
        "(`node tests/support/rabbitmq.ts /usr/bin/python3 scripts/rabbitmq-oracle.py {port}`). "
        "Do not edit by hand: re-run the script. The same data, machine-readable, is in "
        "`rabbitmq-behaviour.json` (keys = scenario ids).",
        "",
        "- RabbitMQ: **%s** (%s)" % (meta["rabbitmq_version"], meta["platform"]),
        "- client: pika %s (Python %s)" % (meta["pika_version"], meta["python_version"]),
        "- recorded: %s" % meta["recorded_at"],
        "",
        "Conventions: an error reads `<reply-code> <reply-text>` and says what the broker closed "
        "(the channel or the whole connection) and the class/method ids it put in the close frame "
        "(`on basic.publish, class 60 method 40`). `ok — ...` is a successful reply (method frames as "
        '`{"method": "queue.declare-ok", ...}`). Header values carry their AMQP field-table type '
        "letter as `value (T)`: `S` longstr, `I` signed 32-bit, `l` signed 64-bit, `T` timestamp "
        "(seconds since the epoch), `t` boolean; arrays (`A`) and tables (`F`) are shown as JSON lists "
        "and objects. `(py T)` is the Python type pika decoded a value to. Bodies are the message "
        "names the scenario published (`m1`, `m2`, ...); `[body, redelivered]` pairs show order.",
        "",
    ]
    section = None
    for sid, entry in results.items():
        if entry["section"] != section:
            section = entry["section"]
            md += ["## " + section, ""]
        md += ["### `%s`" % sid, "", entry["description"], ""]
        md += md_lines(entry["result"])
        md.append("")
    with open(os.path.join(OUT_DIR, "RABBITMQ-BEHAVIOUR.md"), "w") as f:
        f.write("\n".join(md).rstrip() + "\n")


def main():
    conn = pika.BlockingConnection(params())
    sp = conn._impl.server_properties
    meta = {
        "rabbitmq_version": jsonable(sp.get("version")),
        "product": jsonable(sp.get("product")),
        "platform": jsonable(sp.get("platform")),
        "pika_version": pika.__version__,
        "python_version": sys.version.split()[0],
        "recorded_at": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        "note": "Recorded by scripts/rabbitmq-oracle.py; Warren's broker core must reproduce these codes and texts.",
    }
    conn.close()
    only = os.environ.get("ORACLE_ONLY")
    if only:
        keep = set(only.split(","))
        SCENARIOS[:] = [s for s in SCENARIOS if any(s[0].startswith(k) for k in keep)]
    first_seen = {}
    for s in SCENARIOS:
        first_seen.setdefault(s[1], len(first_seen))
    SCENARIOS.sort(key=lambda s: first_seen[s[1]])  # stable: group by section
    results = run_all()
    write(results, meta)
    errors = [sid for sid, e in results.items() if "oracle_error" in e["result"]]
    print("%d scenarios, %d oracle errors%s" % (len(results), len(errors), (": " + ", ".join(errors)) if errors else ""), file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
