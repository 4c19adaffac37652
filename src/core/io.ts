import { writeSync } from "node:fs";

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

/**
 * Writes all of `text` to `fd`, synchronously, from the string: no Buffer per write. A Buffer's memory is outside
 * V8's heap and freed only when a collection finds its object dead, so a report written a piece at a time through
 * Buffers (120 MB at 20,000 NICs) held tens of MB of written pieces until the next collection. A short write (a full
 * disk, a signal) writes the rest from a Buffer.
 */
export function writeStringSync(fd: number, text: string): void {
  const written = writeSync(fd, text);
  const total = Buffer.byteLength(text, "utf8");
  if (written >= total) return;
  const buf = Buffer.from(text, "utf8");
  let off = written;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}
