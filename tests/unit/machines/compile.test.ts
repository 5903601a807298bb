import { describe, expect, it } from 'vitest';
import { createMachine, setup } from 'xstate';
import { compileTransitions, createStepper } from '../../../src/machines/compile.ts';
import { expectTableMatchesMachine } from './helpers.ts';

describe('compileTransitions', () => {
  it('reads targets, targetless handlers and root-level handlers from the machine', () => {
    const machine = setup({
      types: { events: {} as { type: 'go' } | { type: 'poke' } | { type: 'quit' } | { type: 'noop' } },
      actions: { touch: () => {} },
    }).createMachine({
      id: 'm',
      initial: 'a',
      on: { quit: '.done', noop: { actions: 'touch' } },
      states: {
        a: { on: { go: 'b', poke: { actions: 'touch' } } },
        // A targetless handler without actions is "forbidden" in xstate: it shadows the root.
        b: { on: { noop: {} } },
        done: { type: 'final' },
      },
    });
    const table = compileTransitions(machine);
    expect(table).toEqual({
      a: { go: 'b', poke: 'a', quit: 'done', noop: 'a' },
      b: { quit: 'done' },
      done: {},
    });
    expectTableMatchesMachine(machine, table, {}, ['go', 'poke', 'quit', 'noop']);
  });

  it.each([
    ['a compound state', createMachine({ id: 'x', initial: 'a', states: { a: { initial: 'b', states: { b: {} } } } }), /state 'a' is compound/],
    ['a guarded transition', createMachine({ id: 'x', initial: 'a', states: { a: { on: { go: { target: 'b', guard: () => true } } }, b: {} } }), /guarded/],
    ['two candidates', createMachine({ id: 'x', initial: 'a', states: { a: { on: { go: [{ target: 'b' }, { target: 'a' }] } }, b: {} } }), /several candidates/],
    ['a wildcard', createMachine({ id: 'x', initial: 'a', states: { a: { on: { '*': 'b' } }, b: {} } }), /only plain event names/],
    ['an eventless transition', createMachine({ id: 'x', initial: 'a', states: { a: { always: 'b' }, b: {} } }), /eventless/],
    ['a delayed transition', createMachine({ id: 'x', initial: 'a', states: { a: { after: { 10: 'b' } }, b: {} } }), /only plain event names/],
  ])('refuses %s', (_name, machine, message) => {
    expect(() => compileTransitions(machine)).toThrow(message);
  });
});

describe('createStepper', () => {
  it('steps and names an illegal move', () => {
    const step = createStepper<'on' | 'off', 'flip' | 'kick'>({ on: { flip: 'off' }, off: { flip: 'on' } }, 'switch');
    expect(step('on', 'flip')).toBe('off');
    expect(() => step('off', 'kick')).toThrow('illegal switch transition: off --kick-->');
  });
});
