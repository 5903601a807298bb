// The learner's code, kept per playground and program in localStorage so a reload or a
// later visit finds it as they left it. Writes are debounced; storage that is full or
// switched off (private mode) only means the code is not kept.

const PREFIX = 'warren-playground:';
const DELAY_MS = 400;

function key(playground: string, program: string): string {
  return `${PREFIX}${playground}:${program}`;
}

export function loadCode(playground: string, program: string): string | null {
  try {
    return localStorage.getItem(key(playground, program));
  } catch {
    return null;
  }
}

function write(k: string, code: string | null): void {
  try {
    if (code === null) localStorage.removeItem(k);
    else localStorage.setItem(k, code);
  } catch {
    // Not kept: nothing else to do.
  }
}

const pending = new Map<string, { timer: ReturnType<typeof setTimeout>; code: string }>();

/** Saves `code` a moment after the last change (and at once when the page is hidden). */
export function saveCode(playground: string, program: string, code: string): void {
  const k = key(playground, program);
  const previous = pending.get(k);
  if (previous !== undefined) clearTimeout(previous.timer);
  pending.set(k, {
    code,
    timer: setTimeout(() => {
      pending.delete(k);
      write(k, code);
    }, DELAY_MS),
  });
}

/** Forgets the saved code (Reset code): the starter shows next time. */
export function forgetCode(playground: string, program: string): void {
  const k = key(playground, program);
  const previous = pending.get(k);
  if (previous !== undefined) clearTimeout(previous.timer);
  pending.delete(k);
  write(k, null);
}

function flushAll(): void {
  for (const [k, { timer, code }] of pending) {
    clearTimeout(timer);
    write(k, code);
  }
  pending.clear();
}

if (typeof document !== 'undefined') {
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flushAll();
  });
  addEventListener('pagehide', flushAll);
}
