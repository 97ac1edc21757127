// SIGTERM and SIGINT for both launchers, from the moment the pid file is written: a signal that
// arrives while the daemon is still starting is held and acted on as soon as it has started.
// (Handlers installed only after start left a window in which the default action killed the
// process mid-start, leaving its pid file behind.)

/** Installs the handlers now; call the returned function with the stop routine once started. */
export function holdStopSignals(): (stop: (signal: string) => Promise<void>) => void {
  let pending: string | undefined;
  let handler: ((signal: string) => void) | undefined;
  const on = (signal: string): void => {
    if (handler) handler(signal);
    else pending ??= signal;
  };
  process.on('SIGTERM', () => on('SIGTERM'));
  process.on('SIGINT', () => on('SIGINT'));
  return (stop) => {
    let stopping = false;
    handler = (signal) => {
      if (stopping) return;
      stopping = true;
      void stop(signal);
    };
    if (pending) handler(pending);
  };
}

/** One step of a stop: what it stops (for the error line) and how. */
export type StopStep = [what: string, stop: () => Promise<void>];

/**
 * Runs the steps in order; a step that throws or rejects is reported through `report` and the
 * next ones still run (one failed close must not leave the rest running, or skip the pid file's
 * removal). Resolves with the exit code: 0, or 1 when a step failed.
 */
export async function runStopSteps(
  steps: readonly StopStep[],
  report: (line: string) => void,
): Promise<number> {
  let code = 0;
  for (const [what, stop] of steps) {
    try {
      await stop();
    } catch (err) {
      report(`stopping ${what} failed: ${(err as Error)?.message ?? String(err)}`);
      code = 1;
    }
  }
  return code;
}
