/**
 * Section 3 of `npm run bench`: start-up against bare Node on the same Node
 * (`node -e 0`), the commands interleaved so that load from other processes
 * hits each alike, as medians of ratios taken in one run.
 *
 *   lbdoctor --version                          target ≤ 1.5 × bare Node (--quick: ≤ 3)
 *   lbdoctor check --snapshot <small fixture>   target ≤ 2.5 × bare Node (--quick: ≤ 6, none of the other provider's modules)
 *
 * Also, untimed: what `check --snapshot` loads (modules, none of the other
 * provider's; through test/support/module-log.mjs) and the same check with the
 * compile cache off, to show what the cache saves.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export interface StartupBenchContext {
  quick: boolean;
  root: string;
  bin: string;
  tmp: string;
  check(row: {
    section: string;
    case: string;
    figures: Record<string, number | string>;
    ratio?: { name: string; value: number; target: number; ok: boolean };
  }): void;
}

function timed(argv: string[], env: Record<string, string> = {}): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...env } });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;

export async function benchStartup(ctx: StartupBenchContext): Promise<void> {
  const { quick, root, bin, tmp } = ctx;
  const runs = quick ? 9 : 21;
  const fixture = join(root, "fixtures", "azure", "demo.json");
  const checkArgs = [bin, "check", "--snapshot", fixture, "--no-config"];
  console.log(`\n3. Start-up against node -e 0, median of ${runs} interleaved runs (Node ${process.versions.node}; compile cache warm)`);
  // warm the compile cache and the page cache for every command
  for (let i = 0; i < 2; i++) {
    timed([bin, "--version"]);
    timed(checkArgs);
  }
  const bare: number[] = [];
  const version: number[] = [];
  const chk: number[] = [];
  const noCache: number[] = [];
  // the ratios of each round (one round: every command once, back to back), then their median
  const versionRatio: number[] = [];
  const checkRatio: number[] = [];
  for (let i = 0; i < runs; i++) {
    const b = timed(["-e", "0"]);
    const v = timed([bin, "--version"]);
    const c = timed(checkArgs);
    bare.push(b);
    version.push(v);
    chk.push(c);
    versionRatio.push(v / b);
    checkRatio.push(c / b);
    if (i % 3 === 0) noCache.push(timed(checkArgs, { NODE_DISABLE_COMPILE_CACHE: "1" }));
  }
  // what check loads, by where it comes from
  const log = join(tmp, "startup-modules.txt");
  timed(["--import", pathToFileURL(join(root, "test", "support", "module-log.mjs")).href, ...checkArgs], { LBDOCTOR_MODULE_LOG: log });
  const rootUrl = pathToFileURL(root).href;
  const modules = readFileSync(log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((u) => (u.startsWith(`${rootUrl}/`) ? u.slice(rootUrl.length + 1) : u));
  const own = modules.filter((m) => !m.includes("node_modules") && !m.startsWith("node:"));
  const deps = new Set(modules.map((m) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(m)?.[1]).filter(Boolean));
  const otherProvider = own.filter((m) => /(^|\/)(rules|src\/providers)\/aws\//.test(m)).length;

  // --quick (CI) guards against regressions such as loading an SDK or every rule at start, loosely enough not to flake on a busy machine
  const limits = quick ? { version: 3, check: 6 } : { version: 1.5, check: 2.5 };
  const v = median(versionRatio);
  const c = median(checkRatio);
  ctx.check({ section: "startup", case: "node -e 0", figures: { ms: Math.round(median(bare)) } });
  ctx.check({
    section: "startup",
    case: "lbdoctor --version",
    figures: { ms: Math.round(median(version)) },
    ratio: { name: "× bare node", value: v, target: limits.version, ok: v <= limits.version },
  });
  ctx.check({
    section: "startup",
    case: "check --snapshot demo.json",
    figures: {
      ms: Math.round(median(chk)),
      noCompileCacheMs: Math.round(median(noCache)),
      modules: own.length,
      awsModules: otherProvider,
      packages: [...deps].join(" ") || "none",
    },
    ratio: { name: "× bare node", value: c, target: limits.check, ok: c <= limits.check && otherProvider === 0 },
  });
}
