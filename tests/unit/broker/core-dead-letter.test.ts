// Dead-lettering: when, where to, and the x-death history RabbitMQ writes. RabbitMQ's answers:
// tests/fixtures/RABBITMQ-BEHAVIOUR.md (dlx.ttl0, dlx.rejected, dlx.maxlen, dlx.expiration,
// dlx.routing-key, dlx.twice, dlx.cycle, dlx.missing-exchange).
import { describe, expect, it } from 'vitest';
import { Typed, type FieldTable } from '../../../src/broker/index.ts';
import { dec, drain, publish, readyCount, setup, type World } from './helpers.ts';

const T0 = 1_700_000_000_000;

/** src --(x-dead-letter-exchange)--> fanout 'dlx' --> 'dlq'. */
function withDlx(args: FieldTable = {}, world: World = setup()): World {
  const { ch } = world;
  ch.exchangeDeclare('dlx', 'fanout');
  ch.queueDeclare('dlq');
  ch.queueBind('dlq', 'dlx', '');
  ch.queueDeclare('src', { arguments: { 'x-dead-letter-exchange': 'dlx', ...args } });
  return world;
}

const deaths = (headers: FieldTable | undefined): FieldTable[] => (headers?.['x-death'] ?? []) as FieldTable[];

describe('dead-lettering', () => {
  it('on reject without requeue: to the DLX, with the x-death entry RabbitMQ writes', () => {
    const w = withDlx();
    const { ch, clock } = w;
    clock.advance(2500);
    publish(ch, '', 'src', 'r1', { contentType: 'text/plain', deliveryMode: 2, priority: 3, messageId: 'id-1', headers: { app: 'warren' } });
    const got = ch.basicGet('src', false)!;
    ch.basicReject(got.deliveryTag, false);
    const dead = ch.basicGet('dlq', true)!;
    expect(dec(dead.message.body)).toBe('r1');
    expect(dead.message.exchange).toBe('dlx');
    expect(dead.message.routingKey).toBe('src');
    expect(dead.redelivered).toBe(false);
    const { headers, ...rest } = dead.message.properties;
    expect(rest).toEqual({ contentType: 'text/plain', deliveryMode: 2, priority: 3, messageId: 'id-1' });
    expect(headers).toEqual({
      app: 'warren',
      'x-death': [
        {
          count: new Typed('int64', 1),
          reason: 'rejected',
          queue: 'src',
          time: new Typed('timestamp', Math.floor((T0 + 2500) / 1000)),
          exchange: '',
          'routing-keys': ['src'],
        },
      ],
      'x-first-death-exchange': '',
      'x-first-death-queue': 'src',
      'x-first-death-reason': 'rejected',
      // RabbitMQ 3.13+ also keeps the latest death at the top level.
      'x-last-death-exchange': '',
      'x-last-death-queue': 'src',
      'x-last-death-reason': 'rejected',
    });
    expect(readyCount(ch, 'src')).toBe(0);
  });

  it('on nack without requeue, single and multiple', () => {
    const { ch } = withDlx();
    for (const b of ['n1', 'n2', 'n3']) publish(ch, '', 'src', b);
    const tags = [1, 2, 3].map(() => ch.basicGet('src', false)!.deliveryTag);
    ch.basicNack(tags[0]!, false, false);
    ch.basicNack(tags[2]!, true, false);
    expect(drain(ch, 'dlq')).toEqual(['n1', 'n2', 'n3']);
    expect(readyCount(ch, 'src')).toBe(0);
  });

  it('on expiry (queue TTL), with reason expired', () => {
    const { ch, clock } = withDlx({ 'x-message-ttl': 0 });
    publish(ch, '', 'src', 'body');
    clock.advance(1);
    const dead = ch.basicGet('dlq', true)!;
    expect(deaths(dead.message.properties.headers)[0]).toMatchObject({ reason: 'expired', queue: 'src', 'routing-keys': ['src'] });
  });

  it('on per-message expiry: the expiration moves into x-death as original-expiration', () => {
    const { ch, clock } = withDlx();
    publish(ch, '', 'src', 'exp', { expiration: '50', headers: { k: 'v' } });
    clock.advance(50);
    const dead = ch.basicGet('dlq', true)!;
    expect(dead.message.properties.expiration).toBeUndefined();
    expect(dead.message.properties.headers!['k']).toBe('v');
    expect(deaths(dead.message.properties.headers)[0]).toMatchObject({ reason: 'expired', 'original-expiration': '50' });
    // It does not expire again in the dead-letter queue.
    clock.advance(10_000);
    expect(readyCount(ch, 'dlq')).toBe(0);
  });

  it('keeps original-expiration for a rejected message that carried one', () => {
    const { ch } = withDlx();
    publish(ch, '', 'src', 'exp-rejected', { expiration: '60000' });
    ch.basicReject(ch.basicGet('src', false)!.deliveryTag, false);
    const dead = ch.basicGet('dlq', true)!;
    expect(deaths(dead.message.properties.headers)[0]).toMatchObject({ reason: 'rejected', 'original-expiration': '60000' });
    expect(dead.message.properties.expiration).toBeUndefined();
  });

  it('on max-length drop-head: the oldest goes to the DLX with reason maxlen', () => {
    const { ch } = withDlx({ 'x-max-length': 1 });
    publish(ch, '', 'src', 'first');
    publish(ch, '', 'src', 'second');
    const dead = ch.basicGet('dlq', true)!;
    expect(dec(dead.message.body)).toBe('first');
    expect(deaths(dead.message.properties.headers)[0]).toMatchObject({ reason: 'maxlen', queue: 'src' });
    expect(drain(ch, 'src')).toEqual(['second']);
  });

  it('uses x-dead-letter-routing-key for routing while x-death keeps the original keys and CC', () => {
    const { ch } = setup();
    ch.exchangeDeclare('x', 'direct');
    ch.exchangeDeclare('dlx2', 'direct');
    ch.queueDeclare('dead');
    ch.queueBind('dead', 'dlx2', 'dead');
    ch.queueDeclare('src', { arguments: { 'x-dead-letter-exchange': 'dlx2', 'x-dead-letter-routing-key': 'dead' } });
    ch.queueBind('src', 'x', 'orig');
    publish(ch, 'x', 'orig', 'm', { headers: { CC: ['cc1'] } });
    ch.basicReject(ch.basicGet('src', false)!.deliveryTag, false);
    const dead = ch.basicGet('dead', true)!;
    expect([dead.message.exchange, dead.message.routingKey]).toEqual(['dlx2', 'dead']);
    expect(deaths(dead.message.properties.headers)[0]).toMatchObject({ exchange: 'x', 'routing-keys': ['orig', 'cc1'] });
    expect(dead.message.properties.headers!['x-first-death-exchange']).toBe('x');
  });

  it('counts repeated deaths in the same queue for the same reason, newest entry first', () => {
    const { ch, clock } = setup();
    ch.queueDeclare('q1', { arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'q2' } });
    ch.queueDeclare('q2', { arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'q1' } });
    publish(ch, '', 'q1', 'ping');
    const hop = (q: string) => {
      const got = ch.basicGet(q, false)!;
      clock.advance(5000);
      ch.basicReject(got.deliveryTag, false);
      return got.message.properties.headers;
    };
    expect(hop('q1')).toBeUndefined();
    expect(deaths(hop('q2')).map((d) => [d['queue'], d['count']])).toEqual([['q1', new Typed('int64', 1)]]);
    expect(deaths(hop('q1')).map((d) => [d['queue'], d['count']])).toEqual([
      ['q2', new Typed('int64', 1)],
      ['q1', new Typed('int64', 1)],
    ]);
    const last = ch.basicGet('q2', true)!.message.properties.headers;
    expect(deaths(last).map((d) => [d['queue'], d['count']])).toEqual([
      ['q1', new Typed('int64', 2)],
      ['q2', new Typed('int64', 1)],
    ]);
    expect(last!['x-first-death-queue']).toBe('q1');
    expect(last!['x-last-death-queue']).toBe('q1');
    // As in RabbitMQ, a repeated death only counts: the entry keeps the time of the first.
    const q1 = deaths(last).find((d) => d['queue'] === 'q1')!;
    const q2 = deaths(last).find((d) => d['queue'] === 'q2')!;
    expect((q2['time'] as Typed).value as number - ((q1['time'] as Typed).value as number)).toBe(5);
  });

  it('drops a message caught in an automatic cycle (expiry both ways, no rejection)', () => {
    const { ch, clock, eventsOf } = setup();
    ch.queueDeclare('c1', { arguments: { 'x-message-ttl': 0, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'c2' } });
    ch.queueDeclare('c2', { arguments: { 'x-message-ttl': 0, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'c1' } });
    publish(ch, '', 'c1', 'loop');
    clock.advance(10);
    expect([readyCount(ch, 'c1'), readyCount(ch, 'c2')]).toEqual([0, 0]);
    expect(eventsOf('message.dead-lettered').map((e) => e.queue)).toEqual(['c1', 'c2']);
    expect(eventsOf('message.dropped').map((e) => [e.queue, e.reason])).toEqual([['c1', 'dead-letter-cycle']]);
  });

  it('lets a rejected message come back to its own queue (a rejection breaks the cycle rule)', () => {
    const { ch } = setup();
    ch.queueDeclare('self', { arguments: { 'x-dead-letter-exchange': '' } });
    publish(ch, '', 'self', 'a');
    ch.basicReject(ch.basicGet('self', false)!.deliveryTag, false);
    const again = ch.basicGet('self', true)!;
    expect(dec(again.message.body)).toBe('a');
    expect(deaths(again.message.properties.headers)[0]).toMatchObject({ reason: 'rejected', queue: 'self' });
  });

  it('drops the message silently when the DLX does not exist', () => {
    const { ch } = setup();
    ch.queueDeclare('q', { arguments: { 'x-dead-letter-exchange': 'missing' } });
    publish(ch, '', 'q', 'm');
    ch.basicReject(ch.basicGet('q', false)!.deliveryTag, false);
    expect(ch.open).toBe(true);
    expect(readyCount(ch, 'q')).toBe(0);
  });

  it('without a DLX, a rejected message is dropped, and the event says why', () => {
    const { ch, eventsOf } = setup();
    ch.queueDeclare('q');
    publish(ch, '', 'q', 'm');
    ch.basicReject(ch.basicGet('q', false)!.deliveryTag, false);
    expect(readyCount(ch, 'q')).toBe(0);
    expect(eventsOf('message.dropped').map((e) => [e.queue, e.reason])).toEqual([['q', 'rejected']]);
  });

  it('does not dead-letter on requeue, purge or queue deletion', () => {
    const { ch } = withDlx();
    publish(ch, '', 'src', 'requeued');
    ch.basicNack(ch.basicGet('src', false)!.deliveryTag, false, true);
    ch.queuePurge('src');
    publish(ch, '', 'src', 'deleted');
    ch.queueDelete('src');
    expect(readyCount(ch, 'dlq')).toBe(0);
  });
});
