// Program workers are started one ahead: loading and compiling the runner (the client,
// sucrase, Buffer) takes longer than running a short program, so Run takes a worker that
// is already warm and a new spare starts behind it.

import RunnerWorker from './worker/runner.ts?worker';

let spare: Worker | undefined;

function spawn(): Worker {
  return new RunnerWorker();
}

/** Starts the spare early (when the playground mounts). */
export function warmWorker(): void {
  spare ??= spawn();
}

/** A worker ready for one program; it is the caller's to terminate. */
export function takeWorker(): Worker {
  const worker = spare ?? spawn();
  spare = undefined;
  // After the current task, so the taken worker's first message is not delayed.
  setTimeout(warmWorker, 0);
  return worker;
}
