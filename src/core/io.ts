/** Where a command writes: the report or result (`out`) and progress, warnings and errors (`err`). */
export interface IO {
  out: (s: string) => void;
  err: (s: string) => void;
  /**
   * When what `out` wrote is not yet taken by its reader (a pipe read slowly), a promise that resolves when it
   * has been: a command writing a long stream of pieces waits on it, so that no more than a little is held.
   */
  pace?: () => Promise<void> | undefined;
}
