#!/usr/bin/python3
"""Work queues, the worker: prefetch 1 (fair dispatch), manual ack after the work is done.

Each dot in a task is `--dot` seconds of work. With `--hang` the worker takes its
first task and never acknowledges it (a worker that died mid-task: the test kills
it and expects the task to go to another worker).
"""

import time

from common import Pump, connect, delivery, emit, parser, queue_arguments

p = parser("take tasks from a work queue, one at a time")
p.add_argument("--queue", default="task_queue")
p.add_argument("--quorum", action="store_true", help="declare a quorum queue")
p.add_argument("--count", type=int, default=0, help="stop after this many tasks (0: run until --inactivity)")
p.add_argument("--inactivity", type=float, default=5.0, help="seconds without a task before stopping")
p.add_argument("--dot", type=float, default=0.1, help="seconds of work per dot in a task")
p.add_argument("--hang", action="store_true", help="take one task and never ack it")
p.add_argument("--prefetch", type=int, default=1, help="basic.qos prefetch_count (0: unlimited, plain round-robin)")
args = p.parse_args()

connection = connect(args.port)
channel = connection.channel()
channel.queue_declare(queue=args.queue, durable=True, arguments=queue_arguments(args.quorum))
if args.prefetch > 0:
    channel.basic_qos(prefetch_count=args.prefetch)
pump = Pump(connection)
done = []


def callback(ch, method, properties, body):
    pump.progress()
    emit("received", **delivery(method, properties, body))
    if args.hang:
        emit("hanging", body=body.decode())
        while True:  # never acks; the test kills us (or the time limit does)
            time.sleep(1)
    time.sleep(body.count(b".") * args.dot)
    ch.basic_ack(delivery_tag=method.delivery_tag)
    done.append(body)
    emit("done", body=body.decode())
    pump.progress()


channel.basic_consume(queue=args.queue, on_message_callback=callback)
emit("ready", queue=args.queue)
if args.count > 0:
    pump.run(lambda: len(done) >= args.count, args.inactivity, f"{args.count} tasks on {args.queue}")
else:
    # Run until idle for --inactivity seconds, then stop (a success).
    last = time.monotonic()
    while time.monotonic() - max(last, pump.last) < args.inactivity:
        connection.process_data_events(time_limit=0.05)
emit("finished", count=len(done))
connection.close()
