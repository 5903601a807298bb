// Sender-selected distribution: the CC and BCC headers add routing keys; BCC never reaches a
// consumer. RabbitMQ's answers: tests/fixtures/RABBITMQ-BEHAVIOUR.md (cc-bcc.*).
import { describe, expect, it } from 'vitest';
import { Typed, type BasicProperties, type FieldTable, type QueuedMessage } from '../../../src/broker/index.ts';
import { dec, drain, enc, expectChannelError, publish, readyCount, setup, type World } from './helpers.ts';

/** A direct exchange 'd' with one queue per key, named after it and bound with it. */
function directWith(keys: string[], world: World = setup()): World {
  world.ch.exchangeDeclare('d', 'direct');
  for (const k of keys) {
    world.ch.queueDeclare(k);
    world.ch.queueBind(k, 'd', k);
  }
  return world;
}

/** Every queue's ready messages, taken with basic.get: bodies per queue. */
function contents(w: World, queues: string[]): Record<string, string[]> {
  return Object.fromEntries(queues.map((q) => [q, drain(w.ch, q)]));
}

/** The one message waiting in a queue (basic.get no-ack). */
function only(w: World, queue: string): QueuedMessage {
  const got = w.ch.basicGet(queue, true);
  expect(got, `a message in ${queue}`).toBeDefined();
  expect(readyCount(w.ch, queue)).toBe(0);
  return got!.message;
}

const deaths = (headers: FieldTable | undefined): FieldTable[] => (headers?.['x-death'] ?? []) as FieldTable[];

describe('CC and BCC route the message by more keys', () => {
  it('direct exchange: the routing key, each CC key and each BCC key reach their queues, once each', () => {
    const w = directWith(['k1', 'k2', 'k3', 'k4']);
    w.ch.queueDeclare('all');
    for (const k of ['k1', 'k2', 'k3']) w.ch.queueBind('all', 'd', k);
    publish(w.ch, 'd', 'k1', 'm', { headers: { CC: ['k2'], BCC: ['k3'], other: 'v' } });
    expect(contents(w, ['k1', 'k2', 'k3', 'k4', 'all'])).toEqual({ k1: ['m'], k2: ['m'], k3: ['m'], k4: [], all: ['m'] });
  });

  it('repeated keys, and keys that match nothing, change nothing', () => {
    const w = directWith(['k1', 'k2']);
    publish(w.ch, 'd', 'none', 'm', { headers: { CC: ['k2', 'k2', 'k1', 'nope'], BCC: ['k1'] } });
    expect(contents(w, ['k1', 'k2'])).toEqual({ k1: ['m'], k2: ['m'] });
  });

  it('only the headers named exactly CC and BCC count', () => {
    const w = directWith(['k1', 'k2', 'k3']);
    publish(w.ch, 'd', 'k1', 'm', { headers: { cc: ['k2'], bcc: ['k3'] } });
    expect(contents(w, ['k1', 'k2', 'k3'])).toEqual({ k1: ['m'], k2: [], k3: [] });
    w.ch.queueDeclare('q');
    w.ch.basicPublish('d', 'k1', { headers: { bcc: ['k3'] } }, enc('kept'));
    expect(only(w, 'k1').properties.headers).toEqual({ bcc: ['k3'] });
  });

  it('default exchange: CC and BCC name more queues; missing ones are skipped', () => {
    const w = setup();
    for (const q of ['q1', 'q2', 'q3']) w.ch.queueDeclare(q);
    publish(w.ch, '', 'q1', 'm', { headers: { CC: ['q2', 'missing'], BCC: ['q3', 'q1'] } });
    publish(w.ch, '', 'missing', 'via-cc', { headers: { CC: ['q2'] } });
    expect(contents(w, ['q1', 'q2', 'q3'])).toEqual({ q1: ['m'], q2: ['m', 'via-cc'], q3: ['m'] });
  });

  it('topic exchange: every key is matched against the patterns', () => {
    const w = setup();
    w.ch.exchangeDeclare('t', 'topic');
    for (const p of ['a.*', 'b.#', 'c']) {
      w.ch.queueDeclare(p);
      w.ch.queueBind(p, 't', p);
    }
    publish(w.ch, 't', 'x.y', 'm', { headers: { CC: ['b.y.z'], BCC: ['a.y'] } });
    expect(contents(w, ['a.*', 'b.#', 'c'])).toEqual({ 'a.*': ['m'], 'b.#': ['m'], c: [] });
  });

  it('fanout exchange: still one copy per queue', () => {
    const w = setup();
    w.ch.exchangeDeclare('f', 'fanout');
    w.ch.queueDeclare('fq');
    w.ch.queueBind('fq', 'f', '');
    publish(w.ch, 'f', 'k', 'm', { headers: { CC: ['k2', 'k3'], BCC: ['k4'] } });
    expect(drain(w.ch, 'fq')).toEqual(['m']);
  });

  it('headers exchange: matches on CC like any header, never on BCC (gone before routing)', () => {
    const w = setup();
    w.ch.exchangeDeclare('h', 'headers');
    for (const q of ['on-bcc', 'on-cc']) w.ch.queueDeclare(q);
    w.ch.queueBind('on-bcc', 'h', '', { 'x-match': 'any', BCC: ['k'] });
    w.ch.queueBind('on-cc', 'h', '', { 'x-match': 'any', CC: ['j'] });
    publish(w.ch, 'h', '', 'm', { headers: { BCC: ['k'], CC: ['j'] } });
    expect(contents(w, ['on-bcc', 'on-cc'])).toEqual({ 'on-bcc': [], 'on-cc': ['m'] });
  });

  it('through an exchange-to-exchange binding every key goes on, not just the one that matched', () => {
    const w = setup();
    w.ch.exchangeDeclare('x', 'direct');
    w.ch.exchangeDeclare('y', 'direct');
    w.ch.exchangeBind('y', 'x', 'k1');
    w.ch.queueDeclare('yq');
    w.ch.queueBind('yq', 'y', 'k3');
    publish(w.ch, 'x', 'k1', 'bcc-k3', { headers: { BCC: ['k3'] } });
    publish(w.ch, 'x', 'k3', 'k3-alone');
    expect(drain(w.ch, 'yq')).toEqual(['bcc-k3']);
  });

  it('alternate exchange: taken only when no key routes, and routes by every key too', () => {
    const w = setup();
    w.ch.exchangeDeclare('ae', 'direct');
    w.ch.queueDeclare('aeq');
    w.ch.queueBind('aeq', 'ae', 'k5');
    w.ch.exchangeDeclare('z', 'direct', { arguments: { 'alternate-exchange': 'ae' } });
    w.ch.queueDeclare('zq');
    w.ch.queueBind('zq', 'z', 'k1');
    publish(w.ch, 'z', 'none', 'ae-by-cc', { headers: { CC: ['k5'] } }, true);
    publish(w.ch, 'z', 'k1', 'z-routes', { headers: { CC: ['k5'] } }, true);
    publish(w.ch, 'z', 'none', 'ae-nothing', { headers: { CC: ['k6'] } }, true);
    expect(contents(w, ['zq', 'aeq'])).toEqual({ zq: ['z-routes'], aeq: ['ae-by-cc'] });
    expect(w.sink.returns.map((r) => r.body)).toEqual(['ae-nothing']);
  });

  it('mandatory: returned only when no key routes, and without its BCC', () => {
    const w = directWith(['k2']);
    const returned: BasicProperties[] = [];
    w.sink.returned = (_code: number, _text: string, message: QueuedMessage) => void returned.push(message.properties);
    publish(w.ch, 'd', 'none', 'cc-routes', { headers: { CC: ['k2'] } }, true);
    publish(w.ch, 'd', 'none', 'bcc-routes', { headers: { BCC: ['k2'] } }, true);
    publish(w.ch, 'd', 'none', 'nothing-routes', { headers: { CC: ['nope'], BCC: ['nope2'], h: 'v' } }, true);
    expect(drain(w.ch, 'k2')).toEqual(['cc-routes', 'bcc-routes']);
    expect(returned).toEqual([{ headers: { CC: ['nope'], h: 'v' } }]);
  });

  it('the routed event names every queue and the binding each key matched', () => {
    const w = directWith(['k1', 'k2', 'k3']);
    publish(w.ch, 'd', 'k1', 'm', { headers: { CC: ['k2'], BCC: ['k3'] } });
    const [routed] = w.eventsOf('message.routed');
    expect(routed!.queues).toEqual(['k1', 'k2', 'k3']);
    expect(routed!.bindings.map((b) => b.routingKey)).toEqual(['k1', 'k2', 'k3']);
  });
});

describe('BCC is removed before delivery', () => {
  it('consumers see CC and the other headers, not BCC; the publisher’s properties are left as sent', () => {
    const w = directWith(['k1', 'k2', 'k3']);
    w.ch.basicConsume('k3', { noAck: true });
    const properties: BasicProperties = { contentType: 'text/plain', headers: { CC: ['k2'], BCC: ['k3'], other: 'v' } };
    w.ch.basicPublish('d', 'k1', properties, enc('m'));
    const delivered = w.sink.last();
    expect(delivered.routingKey).toBe('k1');
    expect(delivered.properties).toEqual({ contentType: 'text/plain', headers: { CC: ['k2'], other: 'v' } });
    expect(only(w, 'k1').properties.headers).toEqual({ CC: ['k2'], other: 'v' });
    expect(properties.headers).toEqual({ CC: ['k2'], BCC: ['k3'], other: 'v' });
  });

  it('when BCC was the only header, an empty headers table is left', () => {
    const w = directWith(['k1', 'k4']);
    publish(w.ch, 'd', 'k4', 'm', { headers: { BCC: ['k1'] } });
    expect(only(w, 'k1').properties).toEqual({ headers: {} });
    expect(only(w, 'k4').properties).toEqual({ headers: {} });
  });

  it('the published event still shows what the publisher sent', () => {
    const w = directWith(['k1']);
    publish(w.ch, 'd', 'k1', 'm', { headers: { BCC: ['k1'] } });
    expect(w.eventsOf('message.published')[0]!.properties).toEqual({ headers: { BCC: ['k1'] } });
  });
});

describe('CC and BCC that are not arrays of strings', () => {
  const refused = (header: string, type: string) => `PRECONDITION_FAILED - invalid message: {unacceptable_type_in_header,"${header}",${type}}`;

  it.each([
    ['CC', 'k2', 'longstr'],
    ['BCC', 'k2', 'longstr'],
    ['CC', 5, 'signedint'],
    ['CC', 2 ** 40, 'long'],
    ['CC', true, 'bool'],
    ['CC', { a: 'b' }, 'table'],
    ['CC', null, 'void'],
    ['CC', enc('k2'), 'binary'],
    ['CC', new Typed('int8', 5), 'byte'],
  ] as const)('%s = %j closes the channel with 406 naming its type (%s)', (header, value, type) => {
    const w = directWith(['k1', 'k2']);
    expectChannelError(w.ch, () => publish(w.ch, 'd', 'k1', 'bad', { headers: { [header]: value } }), 406, refused(header, type));
    const { ch } = w.channel();
    expect([readyCount(ch, 'k1'), readyCount(ch, 'k2')]).toEqual([0, 0]);
    expect(w.eventsOf('message.published')).toEqual([]);
  });

  it('CC is checked before BCC', () => {
    const a = directWith(['k1']);
    expectChannelError(a.ch, () => publish(a.ch, 'd', 'k1', 'bad', { headers: { CC: 5, BCC: 'x' } }), 406, refused('CC', 'signedint'));
    const b = directWith(['k1']);
    expectChannelError(b.ch, () => publish(b.ch, 'd', 'k1', 'bad', { headers: { BCC: 5, CC: 'x' } }), 406, refused('CC', 'longstr'));
  });

  it('on the default exchange too; a missing exchange and a bad expiration are reported first', () => {
    const a = setup();
    expectChannelError(a.ch, () => publish(a.ch, '', 'q', 'bad', { headers: { CC: 'k2' } }), 406, refused('CC', 'longstr'));
    const b = setup();
    expectChannelError(b.ch, () => publish(b.ch, 'missing', 'k1', 'bad', { headers: { CC: 'k2' } }), 404, "NOT_FOUND - no exchange 'missing' in vhost '/'");
    const c = setup();
    expectChannelError(c.ch, () => publish(c.ch, '', 'q', 'bad', { expiration: 'abc', headers: { CC: 'k2' } }), 406, "PRECONDITION_FAILED - invalid expiration 'abc': no_integer");
  });

  it('in an array, elements that are not strings are skipped', () => {
    const w = directWith(['k1', 'k2']);
    publish(w.ch, 'd', 'none', 'mixed', { headers: { CC: [5, 'k2', { a: 1 }, ['k1'], true, null, new Typed('longstr', 'k1')] } });
    publish(w.ch, 'd', 'none', 'empty', { headers: { CC: [], BCC: [] } });
    expect(contents(w, ['k1', 'k2'])).toEqual({ k1: ['mixed'], k2: ['mixed'] });
  });
});

describe('dead-lettering a CC/BCC message', () => {
  /** src (bound to direct 'x' by k1) dead-letters to direct 'dlx', with a dlq-<key> per key. */
  function deadLetterWorld(args: FieldTable = {}): World {
    const w = setup();
    w.ch.exchangeDeclare('x', 'direct');
    w.ch.exchangeDeclare('dlx', 'direct');
    for (const k of ['k1', 'k2', 'k3']) {
      w.ch.queueDeclare(`dlq-${k}`);
      w.ch.queueBind(`dlq-${k}`, 'dlx', k);
    }
    w.ch.queueDeclare('src', { arguments: { 'x-dead-letter-exchange': 'dlx', ...args } });
    w.ch.queueBind('src', 'x', 'k1');
    return w;
  }

  const rejectAll = (w: World, queue: string): void => {
    for (let got = w.ch.basicGet(queue, false); got; got = w.ch.basicGet(queue, false)) w.ch.basicReject(got.deliveryTag, false);
  };

  it('without a dead-letter routing key: routed by all its keys, BCC included; x-death lists the key and CC', () => {
    const w = deadLetterWorld();
    publish(w.ch, 'x', 'k1', 'm', { headers: { CC: ['k2'], BCC: ['k3'] } });
    rejectAll(w, 'src');
    const dead = ['k1', 'k2', 'k3'].map((k) => only(w, `dlq-${k}`));
    for (const m of dead) {
      expect(m.routingKey).toBe('k1');
      expect(m.properties.headers!['CC']).toEqual(['k2']);
      expect(m.properties.headers!['BCC']).toBeUndefined();
      expect(deaths(m.properties.headers)[0]).toMatchObject({ exchange: 'x', 'routing-keys': ['k1', 'k2'] });
    }
  });

  it('with a dead-letter routing key: that key alone; x-death still lists the original key and CC', () => {
    const w = deadLetterWorld({ 'x-dead-letter-routing-key': 'k1' });
    publish(w.ch, 'x', 'k1', 'm', { headers: { CC: ['k2'], BCC: ['k3'] } });
    rejectAll(w, 'src');
    expect(deaths(only(w, 'dlq-k1').properties.headers)[0]).toMatchObject({ 'routing-keys': ['k1', 'k2'] });
    expect(contents(w, ['dlq-k2', 'dlq-k3'])).toEqual({ 'dlq-k2': [], 'dlq-k3': [] });
  });

  it('x-death routing-keys leave out CC elements that are not strings', () => {
    const w = deadLetterWorld({ 'x-message-ttl': 0 });
    publish(w.ch, 'x', 'k1', 'm', { headers: { CC: [5, 'k2'] } });
    w.clock.advance(1);
    expect(deaths(only(w, 'dlq-k2').properties.headers)[0]).toMatchObject({ reason: 'expired', 'routing-keys': ['k1', 'k2'] });
    expect(drain(w.ch, 'dlq-k1')).toEqual(['m']);
  });

  it('a BCC key still routes the second time it is dead-lettered', () => {
    const w = setup();
    for (const x of ['x', 'dlx', 'dlx2']) w.ch.exchangeDeclare(x, 'direct');
    w.ch.queueDeclare('src', { arguments: { 'x-dead-letter-exchange': 'dlx' } });
    w.ch.queueBind('src', 'x', 'k1');
    w.ch.queueDeclare('hop', { arguments: { 'x-dead-letter-exchange': 'dlx2' } });
    w.ch.queueBind('hop', 'dlx', 'k1');
    w.ch.queueDeclare('last');
    w.ch.queueBind('last', 'dlx2', 'k3');
    publish(w.ch, 'x', 'k1', 'twice', { headers: { BCC: ['k3'] } });
    rejectAll(w, 'src');
    rejectAll(w, 'hop');
    const last = only(w, 'last');
    expect(dec(last.body)).toBe('twice');
    expect(deaths(last.properties.headers).map((d) => d['routing-keys'])).toEqual([['k1'], ['k1']]);
  });

  it('once a dead-letter routing key took over, later dead-letterings no longer use CC', () => {
    const w = setup();
    for (const x of ['x', 'dlx', 'dlx2']) w.ch.exchangeDeclare(x, 'direct');
    w.ch.queueDeclare('src', { arguments: { 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 'dead' } });
    w.ch.queueBind('src', 'x', 'k1');
    w.ch.queueDeclare('hop', { arguments: { 'x-dead-letter-exchange': 'dlx2' } });
    w.ch.queueBind('hop', 'dlx', 'dead');
    for (const k of ['dead', 'k2']) {
      w.ch.queueDeclare(`last-${k}`);
      w.ch.queueBind(`last-${k}`, 'dlx2', k);
    }
    publish(w.ch, 'x', 'k1', 'm', { headers: { CC: ['k2'] } });
    rejectAll(w, 'src');
    rejectAll(w, 'hop');
    expect(contents(w, ['last-dead', 'last-k2'])).toEqual({ 'last-dead': ['m'], 'last-k2': [] });
  });

  it('to the default exchange: the CC and BCC queues get it; a rejected message also returns to its queue', () => {
    const w = setup();
    w.ch.queueDeclare('src', { arguments: { 'x-dead-letter-exchange': '' } });
    w.ch.queueDeclare('a');
    w.ch.queueDeclare('b');
    publish(w.ch, '', 'src', 'm', { headers: { CC: ['a'], BCC: ['b'] } });
    expect(contents(w, ['a', 'b'])).toEqual({ a: ['m'], b: ['m'] });
    // Once: a rejected message is not a cycle, so it comes back to src each time.
    w.ch.basicReject(w.ch.basicGet('src', false)!.deliveryTag, false);
    for (const q of ['src', 'a', 'b']) {
      expect(deaths(only(w, q).properties.headers)[0]).toMatchObject({ reason: 'rejected', queue: 'src', 'routing-keys': ['src', 'a'] });
    }
  });

  it('to the default exchange on expiry: the cycle back to its own queue is dropped, the CC and BCC queues get it', () => {
    const w = setup();
    w.ch.queueDeclare('src', { arguments: { 'x-dead-letter-exchange': '', 'x-message-ttl': 0 } });
    w.ch.queueDeclare('a');
    w.ch.queueDeclare('b');
    publish(w.ch, '', 'src', 'm', { headers: { CC: ['a'], BCC: ['b'] } });
    w.clock.advance(1);
    expect(readyCount(w.ch, 'src')).toBe(0);
    // Each gets the published copy and the dead-lettered one (RabbitMQ: in that order;
    // here the dead-lettered one comes first, as src expires it while the publish routes).
    for (const q of ['a', 'b']) {
      const copies = [w.ch.basicGet(q, true)!.message, w.ch.basicGet(q, true)!.message];
      const xDeaths = copies.map((m) => deaths(m.properties.headers)).sort((x, y) => x.length - y.length);
      expect(xDeaths[0]).toEqual([]);
      expect(xDeaths[1]![0]).toMatchObject({ reason: 'expired', queue: 'src', 'routing-keys': ['src', 'a'] });
      expect(readyCount(w.ch, q)).toBe(0);
    }
  });
});

describe('direct reply-to addresses in CC and BCC', () => {
  /** A requester consuming amq.rabbitmq.reply-to; returns its full reply address. */
  function requester(w: World): { address: string; sink: World['sink'] } {
    const { ch, sink } = w.channel();
    ch.basicConsume('amq.rabbitmq.reply-to', { noAck: true });
    ch.queueDeclare('rq');
    ch.basicPublish('', 'rq', { replyTo: 'amq.rabbitmq.reply-to' }, enc('request'));
    const address = w.ch.basicGet('rq', true)!.message.properties.replyTo!;
    return { address, sink };
  }

  it('each address is answered once, and queues named by the other keys still get the message', () => {
    const w = setup();
    const { address, sink } = requester(w);
    w.ch.queueDeclare('other');
    publish(w.ch, '', 'other', 'via-cc', { headers: { CC: [address], BCC: [address] } });
    publish(w.ch, '', 'missing', 'via-bcc', { headers: { BCC: [address] } });
    expect(sink.bodies()).toEqual(['via-cc', 'via-bcc']);
    expect(sink.deliveries[1]!.properties).toEqual({ headers: {} });
    expect(drain(w.ch, 'other')).toEqual(['via-cc']);
  });

  it('an answered address counts as routed: a mandatory publish is not returned', () => {
    const w = setup();
    const { address, sink } = requester(w);
    publish(w.ch, '', 'missing', 'reply', { headers: { CC: [address] } }, true);
    expect(sink.bodies()).toEqual(['reply']);
    expect(w.sink.returns).toEqual([]);
  });
});
