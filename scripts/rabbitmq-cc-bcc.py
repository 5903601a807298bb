#!/usr/bin/python3
"""What RabbitMQ does with the CC and BCC headers (sender-selected distribution).

Same conventions and helpers as scripts/rabbitmq-oracle.py (imported from it), but
prints its own section of tests/fixtures/RABBITMQ-BEHAVIOUR.md to stdout instead of
rewriting the whole file. Run it against a throw-away node:

    node tests/support/rabbitmq.ts /usr/bin/python3 scripts/rabbitmq-cc-bcc.py {port} > section.md

and put the output in place of the section of the same name.
"""

import datetime
import importlib.util
import os
import sys
import time

import pika

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("oracle", os.path.join(HERE, "rabbitmq-oracle.py"))
oracle = importlib.util.module_from_spec(_spec)
sys.modules["oracle"] = oracle
_spec.loader.exec_module(oracle)  # reads the port from sys.argv[1], as this script does

from oracle import Ctx, attempt, drain, get_wait, md_lines, mdict, msg, pump  # noqa: E402

SECTION = "Sender-selected distribution (CC and BCC headers)"
SCENARIOS = []


def scenario(sid, description):
    def deco(fn):
        SCENARIOS.append((sid, description, fn))
        return fn

    return deco


def props(headers, **kw):
    return pika.BasicProperties(headers=headers, **kw)


def direct_with_queues(ctx, ch, keys, name="d"):
    """A direct exchange with one queue per key, bound with that key."""
    x = ctx.n(name)
    ch.exchange_declare(x, "direct")
    qs = {}
    for k in keys:
        qs[k] = ctx.n(k)
        ch.queue_declare(qs[k])
        ch.queue_bind(qs[k], x, k)
    return x, qs


def settle(ch):
    time.sleep(0.1)
    pump(ch.connection, timeout=0.1)


def got(ch, qs):
    return {k: [msg(*m) for m in drain(ch, q)] for k, q in qs.items()}


@scenario("cc-bcc.direct", "direct exchange: routing key + CC + BCC; what each queue receives; one copy per queue")
def _(ctx):
    ch = ctx.chan()
    x, qs = direct_with_queues(ctx, ch, ["k1", "k2", "k3", "k4"])
    both = ctx.n("both")
    ch.queue_declare(both)
    ch.queue_bind(both, x, "k1")
    ch.queue_bind(both, x, "k2")
    ch.queue_bind(both, x, "k3")
    ch.basic_publish(x, "k1", b"m", props({"CC": ["k2"], "BCC": ["k3"], "other": "v"}))
    settle(ch)
    out = {"rk=k1 CC=[k2] BCC=[k3]": got(ch, dict(qs, both=both))}
    ch.basic_publish(x, "k4", b"only-bcc", props({"BCC": ["k1"]}))
    settle(ch)
    out["rk=k4 BCC=[k1] (BCC the only header)"] = got(ch, {"k1": qs["k1"], "k4": qs["k4"]})
    ch.basic_publish(x, "none", b"cc-only", props({"CC": ["k2", "k2", "k1"]}))
    settle(ch)
    out["rk=none CC=[k2, k2, k1]"] = got(ch, {"k1": qs["k1"], "k2": qs["k2"], "both": both})
    ch.basic_publish(x, "k1", b"lower", props({"cc": ["k2"], "bcc": ["k3"]}))
    settle(ch)
    out["lower-case cc/bcc keys"] = got(ch, {"k1": qs["k1"], "k2": qs["k2"], "k3": qs["k3"]})
    return out


@scenario("cc-bcc.default-exchange", "default exchange: CC/BCC name more queues; missing ones are skipped")
def _(ctx):
    ch = ctx.chan()
    q1, q2, q3 = ctx.n("q1"), ctx.n("q2"), ctx.n("q3")
    for q in (q1, q2, q3):
        ch.queue_declare(q)
    ch.basic_publish("", q1, b"m", props({"CC": [q2, ctx.n("missing")], "BCC": [q3, q1]}))
    settle(ch)
    out = {"rk=q1 CC=[q2, missing] BCC=[q3, q1]": got(ch, {"q1": q1, "q2": q2, "q3": q3})}
    ch.basic_publish("", ctx.n("missing"), b"via-cc", props({"CC": [q2]}))
    settle(ch)
    out["rk=missing CC=[q2]"] = got(ch, {"q2": q2})
    return out


@scenario("cc-bcc.mandatory", "mandatory: basic.return only when no key routes; what the returned message carries")
def _(ctx):
    ch = ctx.chan()
    x, qs = direct_with_queues(ctx, ch, ["k2"])
    returned = []
    ch.add_on_return_callback(lambda c, m, p, b: returned.append({"method": mdict(m), "body": b.decode(), "headers": getattr(p, "_typed_headers", p.headers)}))
    ch.basic_publish(x, "none", b"cc-routes", props({"CC": ["k2"]}), mandatory=True)
    ch.basic_publish(x, "none", b"bcc-routes", props({"BCC": ["k2"]}), mandatory=True)
    ch.basic_publish(x, "none", b"nothing-routes", props({"CC": ["nope"], "BCC": ["nope2"], "h": "v"}), mandatory=True)
    pump(ch.connection, timeout=0.5)
    return {"returns": returned, "k2": [msg(*m) for m in drain(ch, qs["k2"])]}


@scenario("cc-bcc.exchange-types", "topic, fanout and headers exchanges with CC/BCC")
def _(ctx):
    ch = ctx.chan()
    out = {}
    t = ctx.n("t")
    ch.exchange_declare(t, "topic")
    tq = {}
    for pattern in ("a.*", "b.#", "c"):
        tq[pattern] = ctx.n("t-" + pattern)
        ch.queue_declare(tq[pattern])
        ch.queue_bind(tq[pattern], t, pattern)
    ch.basic_publish(t, "a.x", b"topic", props({"CC": ["b.y.z"], "BCC": ["a.y"]}))
    settle(ch)
    out["topic rk=a.x CC=[b.y.z] BCC=[a.y]"] = got(ch, tq)
    f = ctx.n("f")
    ch.exchange_declare(f, "fanout")
    fq = ctx.n("fq")
    ch.queue_declare(fq)
    ch.queue_bind(fq, f, "")
    ch.basic_publish(f, "k", b"fanout", props({"CC": ["k2", "k3"], "BCC": ["k4"]}))
    settle(ch)
    out["fanout with CC=[k2, k3] BCC=[k4]"] = got(ch, {"fq": fq})
    h = ctx.n("h")
    ch.exchange_declare(h, "headers")
    hq = ctx.n("hq")
    ch.queue_declare(hq)
    ch.queue_bind(hq, h, "", arguments={"x-match": "any", "BCC": ["k"], "z": "1"})
    hq2 = ctx.n("hq2")
    ch.queue_declare(hq2)
    ch.queue_bind(hq2, h, "", arguments={"x-match": "all"})
    hq3 = ctx.n("hq3")
    ch.queue_declare(hq3)
    ch.queue_bind(hq3, h, "", arguments={"x-match": "any", "CC": ["j"], "z": "1"})
    ch.basic_publish(h, "", b"headers", props({"BCC": ["k"], "CC": ["j"]}))
    settle(ch)
    out["headers exchange, bound on BCC=[k] (any), on nothing (all), on CC=[j] (any)"] = got(
        ch, {"hq (BCC binding)": hq, "hq2 (empty all)": hq2, "hq3 (CC binding)": hq3}
    )
    return out


@scenario("cc-bcc.e2e-and-alternate", "exchange-to-exchange bindings and alternate exchanges route by every key")
def _(ctx):
    ch = ctx.chan()
    out = {}
    # x --k1--> y (direct); y has a queue bound with k3 only: does a key other than the
    # one that matched at x carry on to y?
    x = ctx.n("x")
    y = ctx.n("y")
    ch.exchange_declare(x, "direct")
    ch.exchange_declare(y, "direct")
    ch.exchange_bind(y, x, "k1")
    yq = ctx.n("yq")
    ch.queue_declare(yq)
    ch.queue_bind(yq, y, "k3")
    ch.basic_publish(x, "k1", b"e2e-bcc", props({"BCC": ["k3"]}))
    ch.basic_publish(x, "k3", b"e2e-k3-only", None)
    settle(ch)
    out["x --k1--> y, y --k3--> yq; publish x rk=k1 BCC=[k3], then rk=k3 alone"] = got(ch, {"yq": yq})
    # alternate exchange: used only when no key routes at x; it routes by every key too
    ae = ctx.n("ae")
    ch.exchange_declare(ae, "direct")
    aeq = ctx.n("aeq")
    ch.queue_declare(aeq)
    ch.queue_bind(aeq, ae, "k5")
    z = ctx.n("z")
    ch.exchange_declare(z, "direct", arguments={"alternate-exchange": ae})
    zq = ctx.n("zq")
    ch.queue_declare(zq)
    ch.queue_bind(zq, z, "k1")
    returned = []
    ch.add_on_return_callback(lambda c, m, p, b: returned.append(b.decode()))
    ch.basic_publish(z, "none", b"ae-by-cc", props({"CC": ["k5"]}), mandatory=True)
    ch.basic_publish(z, "k1", b"z-routes", props({"CC": ["k5"]}), mandatory=True)
    ch.basic_publish(z, "none", b"ae-nothing", props({"CC": ["k6"]}), mandatory=True)
    settle(ch)
    pump(ch.connection, timeout=0.3)
    out["z (alternate-exchange ae) --k1--> zq; ae --k5--> aeq; mandatory"] = {
        "zq": [msg(*m) for m in drain(ch, zq)],
        "aeq": [msg(*m) for m in drain(ch, aeq)],
        "returned": returned,
    }
    return out


@scenario("cc-bcc.invalid", "CC/BCC that are not arrays of longstr: errors, ignored elements, which check comes first")
def _(ctx):
    out = {}
    setup = ctx.chan()
    x, qs = direct_with_queues(ctx, setup, ["k1", "k2"])

    def pub(headers, exchange=None, **kw):
        ch = ctx.chan()
        return attempt(lambda: ch.basic_publish(x if exchange is None else exchange, "k1", b"bad", props(headers, **kw)), probe_ch=ch)

    out["CC='k2' (longstr)"] = pub({"CC": "k2"})
    out["BCC='k2' (longstr)"] = pub({"BCC": "k2"})
    out["CC=5 (signedint)"] = pub({"CC": 5})
    out["CC=2**40 (long)"] = pub({"CC": 2**40})
    out["CC=True (bool)"] = pub({"CC": True})
    out["CC={'a': 'b'} (table)"] = pub({"CC": {"a": "b"}})
    out["CC=None (void)"] = pub({"CC": None})
    out["CC=b'k2' (bytes: pika sends binary)"] = pub({"CC": b"k2"})
    out["CC=5 and BCC='x' (which is named)"] = pub({"CC": 5, "BCC": "x"})
    out["BCC=5 and CC='x' (which is named)"] = pub({"BCC": 5, "CC": "x"})
    out["CC='k2' on the default exchange"] = pub({"CC": "k2"}, exchange="")
    out["CC='k2' to a missing exchange"] = pub({"CC": "k2"}, exchange=ctx.n("missing"))
    out["CC='k2' with expiration='abc'"] = pub({"CC": "k2"}, expiration="abc")
    ch = ctx.chan()
    ch.tx_select()
    out["CC='k2' in a tx channel (before commit)"] = attempt(lambda: ch.basic_publish(x, "k1", b"bad", props({"CC": "k2"})), probe_ch=ch)
    ch = ctx.chan()
    ch.confirm_delivery()
    out["CC='k2' in a confirm channel"] = attempt(lambda: ch.basic_publish(x, "k1", b"bad", props({"CC": "k2"})), probe_ch=ch)
    # arrays with elements of other types: the longstr ones route, the rest are ignored
    ch = ctx.chan()
    ch.basic_publish(x, "none", b"mixed", props({"CC": [5, "k2", {"a": 1}, ["k1"], True, None]}))
    ch.basic_publish(x, "none", b"empty", props({"CC": [], "BCC": []}))
    settle(ch)
    out["CC=[5, 'k2', {a: 1}, ['k1'], true, null] and CC=[] BCC=[] (rk=none)"] = got(ch, qs)
    return out


def dead_letter_world(ch, ctx, dlx_args, keys=("k1", "k2", "k3")):
    """src bound to x (direct) by k1; src dead-letters to dlx (direct) with a dlq per key."""
    x, dlx, src = ctx.n("x"), ctx.n("dlx"), ctx.n("src")
    ch.exchange_declare(x, "direct")
    ch.exchange_declare(dlx, "direct")
    dlqs = {}
    for k in keys:
        dlqs[k] = ctx.n("dlq-" + k)
        ch.queue_declare(dlqs[k])
        ch.queue_bind(dlqs[k], dlx, k)
    ch.queue_declare(src, arguments=dict({"x-dead-letter-exchange": dlx}, **dlx_args))
    ch.queue_bind(src, x, "k1")
    return x, dlx, src, dlqs


def reject_all(ch, queue):
    n = 0
    for m in drain(ch, queue, auto_ack=False):
        ch.basic_reject(m[0].delivery_tag, requeue=False)
        n += 1
    return n


@scenario("cc-bcc.dead-letter", "dead-lettering a CC/BCC message: which keys route it, what x-death and the headers say")
def _(ctx):
    out = {}
    ch = ctx.chan()
    x, dlx, src, dlqs = dead_letter_world(ch, ctx, {})
    ch.basic_publish(x, "k1", b"no-dlrk", props({"CC": ["k2"], "BCC": ["k3"]}))
    settle(ch)
    out["no x-dead-letter-routing-key, rk=k1 CC=[k2] BCC=[k3]"] = {"rejected": reject_all(ch, src)}
    settle(ch)
    out["no x-dead-letter-routing-key, rk=k1 CC=[k2] BCC=[k3]"]["dlqs"] = got(ch, dlqs)

    ctx.sid += ".rk"
    ch = ctx.chan()
    x, dlx, src, dlqs = dead_letter_world(ch, ctx, {"x-dead-letter-routing-key": "k1"})
    ch.basic_publish(x, "k1", b"dlrk", props({"CC": ["k2"], "BCC": ["k3"], "h": "v"}))
    settle(ch)
    out["x-dead-letter-routing-key=k1, rk=k1 CC=[k2] BCC=[k3]"] = {"rejected": reject_all(ch, src)}
    settle(ch)
    out["x-dead-letter-routing-key=k1, rk=k1 CC=[k2] BCC=[k3]"]["dlqs"] = got(ch, dlqs)

    ctx.sid += ".mixed"
    ch = ctx.chan()
    x, dlx, src, dlqs = dead_letter_world(ch, ctx, {"x-message-ttl": 0})
    ch.basic_publish(x, "k1", b"mixed", props({"CC": [5, "k2"]}))
    settle(ch)
    out["expired, CC=[5, 'k2']: x-death routing-keys"] = got(ch, dlqs)
    return out


@scenario("cc-bcc.dead-letter-twice", "a BCC key still routes on the second dead-lettering (without a dead-letter routing key)")
def _(ctx):
    ch = ctx.chan()
    x, dlx, src, dlx2, hop, last = ctx.n("x"), ctx.n("dlx"), ctx.n("src"), ctx.n("dlx2"), ctx.n("hop"), ctx.n("last")
    ch.exchange_declare(x, "direct")
    ch.exchange_declare(dlx, "direct")
    ch.exchange_declare(dlx2, "direct")
    ch.queue_declare(src, arguments={"x-dead-letter-exchange": dlx})
    ch.queue_bind(src, x, "k1")
    ch.queue_declare(hop, arguments={"x-dead-letter-exchange": dlx2})
    ch.queue_bind(hop, dlx, "k1")
    ch.queue_declare(last)
    ch.queue_bind(last, dlx2, "k3")
    ch.basic_publish(x, "k1", b"twice", props({"BCC": ["k3"]}))
    settle(ch)
    reject_all(ch, src)
    settle(ch)
    n = reject_all(ch, hop)
    settle(ch)
    return {"rejected from hop": n, "last (bound to dlx2 by the BCC key k3)": [msg(*m) for m in drain(ch, last)]}


@scenario("cc-bcc.dead-letter-default-exchange", "dead-lettering to the default exchange without a routing key: CC/BCC queues, cycles")
def _(ctx):
    out = {}
    ch = ctx.chan()
    src, a, b = ctx.n("src"), ctx.n("a"), ctx.n("b")
    ch.queue_declare(src, arguments={"x-dead-letter-exchange": ""})
    ch.queue_declare(a)
    ch.queue_declare(b)
    ch.basic_publish("", src, b"rejected", props({"CC": [a], "BCC": [b]}))
    settle(ch)
    drain(ch, a)
    drain(ch, b)
    first = drain(ch, src, auto_ack=False)
    for m in first:
        ch.basic_reject(m[0].delivery_tag, requeue=False)
    settle(ch)
    out["rejected from src (rk=src CC=[a] BCC=[b])"] = got(ch, {"src": src, "a": a, "b": b})

    ctx.sid += ".ttl"
    src, a, b = ctx.n("src"), ctx.n("a"), ctx.n("b")
    ch.queue_declare(src, arguments={"x-dead-letter-exchange": "", "x-message-ttl": 0})
    ch.queue_declare(a)
    ch.queue_declare(b)
    ch.basic_publish("", src, b"expired", props({"CC": [a], "BCC": [b]}))
    settle(ch)
    out["expired from src (x-message-ttl 0, rk=src CC=[a] BCC=[b]); a and b: the published copy, then the dead-lettered one"] = got(ch, {"src": src, "a": a, "b": b})
    return out


@scenario("cc-bcc.direct-reply-to", "direct reply-to addresses in CC on the default exchange; mandatory")
def _(ctx):
    out = {}
    requester = ctx.chan()
    replies = []
    requester.basic_consume("amq.rabbitmq.reply-to", lambda c, m, p, b: replies.append(b.decode()), auto_ack=True)
    rq = ctx.n("rq")
    requester.queue_declare(rq)
    requester.basic_publish("", rq, b"request", props(None, reply_to="amq.rabbitmq.reply-to"))
    responder = ctx.chan()
    m, p, b = get_wait(responder, rq)
    address = p.reply_to
    other = ctx.n("other")
    responder.queue_declare(other)
    returned = []
    responder.add_on_return_callback(lambda c, m, p, b: returned.append(b.decode()))
    responder.basic_publish("", other, b"rk=queue CC=[reply address]", props({"CC": [address]}))
    responder.basic_publish("", ctx.n("missing"), b"rk=missing CC=[reply address] mandatory", props({"CC": [address]}), mandatory=True)
    responder.basic_publish("", address, b"rk=reply address mandatory", None, mandatory=True)
    responder.basic_publish("", ctx.n("missing"), b"rk=missing BCC=[reply address]", props({"BCC": [address]}))
    pump(responder.connection, timeout=0.3)
    pump(requester.connection, until=lambda: len(replies) >= 4, timeout=1.0)
    out["replies received (in order)"] = replies
    out["returned"] = returned
    out["other"] = [msg(*m) for m in drain(responder, other)]
    return out


def main():
    print("## " + SECTION)
    print()
    print(
        "Generated by `scripts/rabbitmq-cc-bcc.py` (same helpers and conventions as the oracle) "
        "against a throw-away RabbitMQ node: `node tests/support/rabbitmq.ts /usr/bin/python3 "
        "scripts/rabbitmq-cc-bcc.py {port}`; it prints this section. Names are `<scenario>.<name>`; "
        "the labels use the last part (`k1`, `q1`, ...). A direct exchange's queues are named after "
        "the key that binds them."
    )
    print()
    conn = pika.BlockingConnection(oracle.params())
    version = oracle.jsonable(conn._impl.server_properties.get("version"))
    conn.close()
    recorded = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    print("- RabbitMQ **%s**, pika %s, recorded %s" % (version, pika.__version__, recorded))
    print()
    errors = 0
    for sid, description, fn in SCENARIOS:
        ctx = None
        try:
            ctx = Ctx(sid)
            result = fn(ctx)
        except Exception as exc:  # a broken scenario must not stop the others
            import traceback

            result = {"oracle_error": "%s: %s" % (type(exc).__name__, exc), "traceback": traceback.format_exc()}
            errors += 1
        finally:
            if ctx is not None:
                ctx.close()
        print("### `%s`" % sid)
        print()
        print(description)
        print()
        print("\n".join(md_lines(result)))
        print()
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
