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
