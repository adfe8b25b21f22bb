/**
 * Calls `onStop` on the first SIGINT or SIGTERM, so a trainer can checkpoint at the next step boundary; a second
 * signal takes the default action (the handlers are gone by then). Returns the function that removes the handlers.
 */
export function onStopSignals(onStop: (signal: NodeJS.Signals) => void): () => void {
  const remove = () => {
    process.removeListener('SIGINT', handler);
    process.removeListener('SIGTERM', handler);
  };
  const handler = (signal: NodeJS.Signals) => {
    remove();
    onStop(signal);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return remove;
}
