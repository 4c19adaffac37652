/**
 * Preloaded into a measured child (`node --import ./bench/rss-hook.mjs ...`):
 * at exit it writes the process's own figures to $LBDOCTOR_BENCH_STATS, so a
 * bench measures the real CLI without /usr/bin/time. Plain JavaScript: a
 * TypeScript file here would load Node's type stripper into every measured
 * process (about 17 MB of resident memory that lbdoctor itself never uses).
 *
 * When lbdoctor runs itself once more (bin/young-generation.js: a large
 * snapshot file), the child inherits this hook and writes its figures first;
 * the parent then adds its own memory to the child's peak RSS, since both
 * processes are resident together, and keeps its own wall time (the whole
 * run). What the parent adds is its private memory (RssAnon + RssShmem, from
 * /proc/self/status): the rest of its RSS (~39 of ~49 MB) is the Node binary's
 * file pages, which the child maps too and the page cache holds once; adding
 * the parent's whole RSS counted them twice. Where /proc is not there, the
 * parent's whole peak RSS is added, as before. Both figures are written
 * (`parentRssMb`, `parentPrivateMb`).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const out = process.env.LBDOCTOR_BENCH_STATS;
if (out) {
  process.on("exit", (code) => {
    const ru = process.resourceUsage();
    const child = existsSync(out) ? JSON.parse(readFileSync(out, "utf8")) : undefined;
    const own = ru.maxRSS / 1024;
    const priv = child ? privateMb() : undefined;
    writeFileSync(
      out,
      JSON.stringify({
        code,
        /** since the process started (includes module loading) */
        wallMs: performance.now(),
        maxRssMb: child ? child.maxRssMb + (priv ?? own) : own,
        ...(child ? { childMaxRssMb: child.maxRssMb, parentRssMb: own, ...(priv !== undefined ? { parentPrivateMb: priv } : {}) } : {}),
        userMs: ru.userCPUTime / 1000,
        systemMs: ru.systemCPUTime / 1000,
      }),
    );
  });
}

/** This process's private resident memory in MB (anonymous and shared-memory pages), or undefined without /proc. */
function privateMb() {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
    const sum = kb("RssAnon") + kb("RssShmem");
    return Number.isFinite(sum) ? sum / 1024 : undefined;
  } catch {
    return undefined;
  }
}
