/**
 * Preloaded into a measured child (`node --import ./bench/rss-hook.mjs ...`):
 * at exit it writes the process's own figures to $LBDOCTOR_BENCH_STATS, so a
 * bench measures the real CLI without /usr/bin/time. Plain JavaScript: a
 * TypeScript file here would load Node's type stripper into every measured
 * process (about 17 MB of resident memory that lbdoctor itself never uses).
 *
 * When lbdoctor runs itself once more (bin/young-generation.js: a large
 * snapshot file), the child inherits this hook and writes its figures first;
 * the parent then adds its own peak RSS to the child's, since both processes
 * are resident together, and keeps its own wall time (the whole run).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const out = process.env.LBDOCTOR_BENCH_STATS;
if (out) {
  process.on("exit", (code) => {
    const ru = process.resourceUsage();
    const child = existsSync(out) ? JSON.parse(readFileSync(out, "utf8")) : undefined;
    writeFileSync(
      out,
      JSON.stringify({
        code,
        /** since the process started (includes module loading) */
        wallMs: performance.now(),
        maxRssMb: ru.maxRSS / 1024 + (child?.maxRssMb ?? 0),
        ...(child ? { childMaxRssMb: child.maxRssMb } : {}),
        userMs: ru.userCPUTime / 1000,
        systemMs: ru.systemCPUTime / 1000,
      }),
    );
  });
}
