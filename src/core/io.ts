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

/** The reused buffer `writeStringSync` encodes into, made on its first write. */
let scratch: Buffer | undefined;
/** Its size: a report's pieces are ~64 kB (jsonChunks), three bytes at most a UTF-16 code unit. */
const SCRATCH_BYTES = 1 << 20;

/**
 * Writes all of `text` to `fd`, synchronously. Encoded into one reused Buffer, never a Buffer per write: a Buffer's
 * memory is outside V8's heap and freed only when a collection finds its object dead, so a report written a piece
 * at a time through new Buffers (120 MB at 20,000 NICs) held tens of MB of written pieces until the next
 * collection; and a write from the string itself has Node encode each piece into memory of its own, then count its
 * bytes again (~100 ms of a 148 MB report). A piece too long for the buffer is written from the string.
 */
export function writeStringSync(fd: number, text: string): void {
  if (text.length * 3 <= SCRATCH_BYTES) {
    scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES);
    const n = scratch.write(text, 0, "utf8");
    let off = 0;
    while (off < n) off += writeSync(fd, scratch, off, n - off);
    return;
  }
  const written = writeSync(fd, text);
  const total = Buffer.byteLength(text, "utf8");
  if (written >= total) return;
  const buf = Buffer.from(text, "utf8");
  let off = written;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}
