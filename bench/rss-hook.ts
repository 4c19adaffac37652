/**
 * Preloaded into a measured child (`node --import ./bench/rss-hook.ts ...`):
 * at exit it writes the process's own figures to $LBDOCTOR_BENCH_STATS, so a
 * bench measures the real CLI without /usr/bin/time.
 */
import { writeFileSync } from "node:fs";

const out = process.env.LBDOCTOR_BENCH_STATS;
if (out) {
  process.on("exit", (code) => {
    const ru = process.resourceUsage();
    writeFileSync(
      out,
      JSON.stringify({
        code,
        /** since the process started (includes module loading) */
        wallMs: performance.now(),
        maxRssMb: ru.maxRSS / 1024,
        userMs: ru.userCPUTime / 1000,
        systemMs: ru.systemCPUTime / 1000,
      }),
    );
  });
}
