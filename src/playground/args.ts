// The Run box's text split into argv words the way a POSIX shell would split a command
// line: blanks separate words, quotes group them, a backslash escapes the next character.
// No expansion of any kind ($VAR, globs) happens.

/** `'Third task...'` -> ['Third', 'task...']; `'"A very hard task" ..'` -> ['A very hard task', '..']. */
export function splitArgs(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      // Inside double quotes a backslash only escapes these, as in sh.
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) word += line[++i];
      else word += c;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      inWord = true;
      if (c === '"' || c === "'") quote = c;
      else if (c === '\\' && i + 1 < line.length) word += line[++i];
      else word += c;
    }
  }
  // An unclosed quote runs to the end of the line (a shell would wait for more input).
  if (inWord) words.push(word);
  return words;
}
