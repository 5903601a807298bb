// The committed codec is what the generator makes of the spec, and covers all of it.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLASS_NAMES, METHODS, methodInfo, ReplyCode } from '../../../src/amqp/index.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const spec = fileURLToPath(new URL('../../../../shared/spec/amqp-rabbitmq-0.9.1.json', import.meta.url));

describe('generated code', () => {
  it.skipIf(!existsSync(spec))('matches the spec (gen-amqp --check)', () => {
    const out = execFileSync(process.execPath, ['scripts/gen-amqp.ts', '--check'], { cwd: root, encoding: 'utf8' });
    expect(out).toMatch(/match the spec/);
  });

  it('has every class and method of AMQP 0-9-1 with RabbitMQ extensions', () => {
    expect(Object.values(CLASS_NAMES)).toEqual(['connection', 'channel', 'access', 'exchange', 'queue', 'basic', 'confirm', 'tx']);
    expect(Object.keys(METHODS)).toHaveLength(66);
    expect(methodInfo(60, 40)).toMatchObject({ name: 'basic.publish', content: true, synchronous: false });
    expect(methodInfo(60, 120)?.name).toBe('basic.nack');
    expect(methodInfo(40, 51)?.name).toBe('exchange.unbind-ok'); // RabbitMQ's id, not 41
    expect(methodInfo(60, 99)).toBeUndefined();
    expect(METHODS['queue.declare'].fields.map((f) => f.name)).toEqual(['ticket', 'queue', 'passive', 'durable', 'exclusive', 'autoDelete', 'nowait', 'arguments']);
    expect(ReplyCode.PRECONDITION_FAILED).toBe(406);
  });
});
