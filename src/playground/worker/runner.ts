// The Web Worker one learner program runs in (imported by the page as `?worker`): it
// waits for the code, runs it, and reports whatever escapes it as Node would.

/// <reference lib="webworker" />

import type { FromWorker, ToWorker } from '../protocol.ts';
import { wrapperOffset } from './compile.ts';
import { Program } from './runtime.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: FromWorker, transfer: Transferable[] = []) => scope.postMessage(message, transfer);
let program: Program | undefined;
let pendingSignal = false;

scope.addEventListener('error', (event) => {
  event.preventDefault();
  program?.uncaught(event.error ?? new Error(event.message), false);
});
scope.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  program?.uncaught(event.reason, true);
});

scope.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === 'run') {
    const { code, filename, args } = message;
    void wrapperOffset().then((offset) => {
      program = new Program(post, filename, args, offset);
      if (pendingSignal) program.signal('SIGINT');
      else program.start(code);
    });
  } else if (message.type === 'signal') {
    if (program === undefined) pendingSignal = true;
    else program.signal(message.signal);
  }
};
