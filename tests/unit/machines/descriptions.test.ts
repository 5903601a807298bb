import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { channelMachine, connectionMachine, consumerMachine, messageMachine } from '../../../src/machines/index.ts';
import { allStateNodes } from './helpers.ts';

const machines: Record<string, AnyStateMachine> = {
  connection: connectionMachine,
  channel: channelMachine,
  consumer: consumerMachine,
  message: messageMachine,
};

// The visualiser shows these texts to learners, so none may be missing.
describe.each(Object.entries(machines))('%s machine descriptions', (_name, machine) => {
  it('describes the machine and every state', () => {
    expect(machine.root.description).toMatch(/\w/);
    for (const node of allStateNodes(machine)) expect(node.description, node.id).toMatch(/\w{3}/);
  });

  it('describes every transition', () => {
    for (const node of [machine.root, ...allStateNodes(machine)]) {
      for (const [eventType, candidates] of node.transitions) {
        for (const candidate of candidates) expect(candidate.description, `${node.id} on ${eventType}`).toMatch(/\w{3}/);
      }
    }
  });
});
