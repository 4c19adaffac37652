/**
 * Preloaded into a spawned lbdoctor (`node --import`): records the most that process.stdout ever held unread
 * (its writableLength after each write) and writes it to $LBDOCTOR_STDOUT_STATS at exit.
 */
import { writeFileSync } from "node:fs";

const file = process.env.LBDOCTOR_STDOUT_STATS;
if (file) {
  let maxHeld = 0;
  const write = process.stdout.write.bind(process.stdout) as (...a: unknown[]) => boolean;
  process.stdout.write = ((...a: unknown[]) => {
    const r = write(...a);
    maxHeld = Math.max(maxHeld, process.stdout.writableLength);
    return r;
  }) as typeof process.stdout.write;
  process.on("exit", () => writeFileSync(file, JSON.stringify({ maxHeld })));
}
