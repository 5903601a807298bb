import { describe, expect, it } from 'vitest';
import { splitArgs } from '../../../src/playground/args.ts';

describe('the Run box splits arguments as a shell does', () => {
  it.each([
    ['', []],
    ['   ', []],
    ['First message.', ['First', 'message.']],
    ['Third task...', ['Third', 'task...']],
    ['"A very hard task" ..', ['A very hard task', '..']],
    ["it's 'quoted text'", ['its quoted', 'text']],
    ["'single \"keeps\" \\ all'", ['single "keeps" \\ all']],
    ['"escaped \\" quote" a\\ b', ['escaped " quote', 'a b']],
    ['"" empty', ['', 'empty']],
    ['tab\tand\nnewline', ['tab', 'and', 'newline']],
    ['"unclosed quote runs on', ['unclosed quote runs on']],
  ])('%j -> %j', (line, words) => {
    expect(splitArgs(line)).toEqual(words);
  });
});
