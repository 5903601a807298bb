/**
 * Vitest hooks shared by the integration files: one target broker per file (started in
 * beforeAll, stopped in afterAll), and after each test every pika program still running is
 * killed and every amqplib connection is closed.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS, startTarget, type Target, type TargetOptions } from '../target.ts';
import { closeAllAmqp } from './amqp.ts';
import { killAllPika } from './pika.ts';

/** Registers the hooks; call the returned function inside a test to get the running target. */
export function useTarget(options: TargetOptions = {}): () => Target {
  let target: Target | undefined;
  beforeAll(async () => {
    target = await startTarget(options);
  }, START_TIMEOUT_MS);
  afterEach(async () => {
    await killAllPika();
    await closeAllAmqp();
  }, 15_000);
  afterAll(async () => {
    await killAllPika();
    await closeAllAmqp();
    await target?.stop();
  }, STOP_TIMEOUT_MS);
  return () => {
    if (!target) throw new Error('the target broker did not start (see the beforeAll error)');
    return target;
  };
}
