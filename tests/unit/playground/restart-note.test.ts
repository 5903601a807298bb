// What the broker panel says after Restart broker: read from the broker's own restart event.
import { describe, expect, it } from 'vitest';
import { restartNote } from '../../../src/playground/restart-note.ts';

describe('the restart announcement', () => {
  it('names each durable queue that came back with its messages', () => {
    expect(restartNote({ queues: [{ queue: 'tasks', messages: 2 }], messages: 2 })).toBe(
      'Broker restarted: connections were closed. 1 durable queue came back: tasks (2 messages). Non-durable queues and non-persistent messages are gone.',
    );
    expect(restartNote({ queues: [{ queue: 'tasks', messages: 1 }, { queue: 'logs', messages: 0 }], messages: 1 })).toBe(
      'Broker restarted: connections were closed. 2 durable queues came back with 1 message: tasks (1 message), logs (empty). Non-durable queues and non-persistent messages are gone.',
    );
  });

  it('says when nothing came back', () => {
    expect(restartNote({ queues: [], messages: 0 })).toBe('Broker restarted: connections were closed. No durable queue came back. Non-durable queues and non-persistent messages are gone.');
  });

  it('keeps a long list short', () => {
    const queues = Array.from({ length: 7 }, (_, i) => ({ queue: `q${i}`, messages: 0 }));
    expect(restartNote({ queues, messages: 0 })).toContain('q4 (empty), 2 more. ');
  });
});
