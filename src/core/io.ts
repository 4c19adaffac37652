/** Where a command writes: the report or result (`out`) and progress, warnings and errors (`err`). */
export interface IO {
  out: (s: string) => void;
  err: (s: string) => void;
}
