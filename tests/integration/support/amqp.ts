/**
 * amqplib helpers for the integration suite: connections that are always closed
 * (closeAllAmqp in afterEach), channels whose errors are recorded instead of crashing the
 * connection, and inboxes that collect deliveries with bounded waits.
 */
import amqp from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';

export type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage };

/** Rejects after `ms` with a message naming what did not happen. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns something other than undefined/false (bounded). */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** What a connection or channel saw go wrong. */
export interface Watched {
  errors: (Error & { code?: number; classId?: number; methodId?: number })[];
  closed: boolean;
  /** Resolves on 'close' (with the error that closed it, if any). */
  whenClosed: Promise<Error | undefined>;
}

const watches = new WeakMap<object, Watched>();

function watch(emitter: ChannelModel | Channel): Watched {
  let resolveClosed!: (e: Error | undefined) => void;
  const w: Watched = { errors: [], closed: false, whenClosed: new Promise((r) => (resolveClosed = r)) };
  emitter.on('error', (err: Error) => void w.errors.push(err));
  emitter.on('close', (err?: Error) => {
    w.closed = true;
    resolveClosed(err ?? w.errors[w.errors.length - 1]);
  });
  watches.set(emitter, w);
  return w;
}

/** The recorded errors/close of a connection or channel made by these helpers. */
export function watched(emitter: ChannelModel | Channel): Watched {
  const w = watches.get(emitter);
  if (!w) throw new Error('not a connection or channel made by tests/integration/support/amqp.ts');
  return w;
}

const open = new Set<ChannelModel>();

/** amqplib.connect with a bounded wait; closed by closeAllAmqp(). */
export async function connect(url: string): Promise<ChannelModel> {
  const conn = await within(amqp.connect(url, { timeout: 5_000 }), 10_000, `amqplib.connect(${url})`);
  watch(conn);
  open.add(conn);
  conn.on('close', () => open.delete(conn));
  return conn;
}

/** A channel whose errors are recorded (an unheard channel 'error' would kill the connection). */
export async function channel(conn: ChannelModel): Promise<Channel> {
  const ch = await within(conn.createChannel(), 5_000, 'createChannel');
  watch(ch);
  return ch;
}

export async function confirmChannel(conn: ChannelModel): Promise<ConfirmChannel> {
  const ch = await within(conn.createConfirmChannel(), 5_000, 'createConfirmChannel');
  watch(ch);
  return ch;
}

/** Closes every connection still open (afterEach); never hangs. */
export async function closeAllAmqp(): Promise<void> {
  await Promise.all(
    [...open].map(async (conn) => {
      open.delete(conn);
      try {
        await within(conn.close(), 3_000, 'connection.close');
      } catch {
        /* already closed or broker gone */
      }
    }),
  );
}

/** Deliveries collected from one consumer. */
export class Inbox {
  readonly messages: ConsumeMessage[] = [];
  consumerTag = '';
  cancelled = false;
  private waiters = new Set<() => void>();

  private readonly onMessage: ((msg: ConsumeMessage, inbox: Inbox) => void) | undefined;

  constructor(onMessage?: (msg: ConsumeMessage, inbox: Inbox) => void) {
    this.onMessage = onMessage;
  }

  push(msg: ConsumeMessage | null): void {
    if (msg === null) this.cancelled = true;
    else {
      this.messages.push(msg);
      this.onMessage?.(msg, this);
    }
    for (const w of [...this.waiters]) w();
  }

  get bodies(): string[] {
    return this.messages.map((m) => m.content.toString());
  }

  /** Waits until at least `count` messages arrived; returns them all. */
  waitFor(count: number, timeoutMs = 5_000): Promise<ConsumeMessage[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.messages.length >= count) {
          finish();
          resolve(this.messages);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`expected ${count} messages, got ${this.messages.length} within ${timeoutMs} ms: ${JSON.stringify(this.bodies)}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}

/** Starts a consumer that collects into an Inbox. */
export async function consume(
  ch: Channel,
  queue: string,
  options: Options.Consume = {},
  onMessage?: (msg: ConsumeMessage, inbox: Inbox) => void,
): Promise<Inbox> {
  const inbox = new Inbox(onMessage);
  const ok = await within(ch.consume(queue, (m) => inbox.push(m), options), 5_000, `consume(${queue})`);
  inbox.consumerTag = ok.consumerTag;
  return inbox;
}

/** A name no other test uses: `<base>-<random>`. */
export function unique(base: string): string {
  return `${base}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Drops the connection's socket without connection.close: what a crashed client process does. */
export function crash(conn: ChannelModel): void {
  const stream = (conn as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  if (!stream) throw new Error('amqplib internals changed: no connection.stream to destroy');
  open.delete(conn);
  stream.destroy();
}
