import { describe, expect, it } from 'vitest';
import { splitBody } from '../../../src/lessons/embed.ts';

describe('splitting a lesson body at ```playground blocks', () => {
  it('puts the playground between the prose around it', () => {
    const parts = splitBody('Intro.\n\n```playground\nprograms: a.ts b.ts\nheight: 30rem\n```\n\nAfter.\n', 'x.md');
    expect(parts).toEqual([
      { kind: 'markdown', text: 'Intro.\n' },
      { kind: 'playground', programs: ['a.ts', 'b.ts'], height: '30rem', line: 3 },
      { kind: 'markdown', text: '\nAfter.\n' },
    ]);
  });

  it('an empty block shows every program', () => {
    expect(splitBody('```playground\n```', 'x.md')).toEqual([{ kind: 'playground', line: 1 }]);
  });

  it('leaves a playground block shown inside a longer fence alone', () => {
    const body = 'How to embed:\n\n````md\n```playground\nprograms: a.ts\n```\n````\n';
    expect(splitBody(body, 'x.md')).toEqual([{ kind: 'markdown', text: body }]);
  });

  it('keeps ordinary code blocks in the prose', () => {
    const parts = splitBody('```ts\nconst a = 1;\n```\n\n```playground\n```\n', 'x.md');
    expect(parts.map((p) => p.kind)).toEqual(['markdown', 'playground']);
    expect(parts[0]).toEqual({ kind: 'markdown', text: '```ts\nconst a = 1;\n```\n' });
  });

  it('accepts commas between program names and counts lines from the given first line', () => {
    expect(splitBody('\n~~~playground\nprograms: a.ts, b.ts\n~~~\n', 'x.md', 12)).toEqual([{ kind: 'playground', programs: ['a.ts', 'b.ts'], line: 13 }]);
  });
});
