/**
 * How long `lbdoctor check --snapshot` takes on a 10-VM scenario, against a
 * bare `node -e 0` on the same Node, measured in the same run (absolute times
 * on shared machines are noisy; the ratio is what to watch).
 *
 *   npm run bench:check
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { healthyWeb, WEB_LB, WEB_SUBNET } from "../test/support/azure-builder.ts";
import { BIN } from "../test/support/cli.ts";

const s = healthyWeb();
for (let i = 3; i <= 10; i++) s.vm(`vm${i}`, { subnet: WEB_SUBNET, ip: `10.0.0.${i + 3}`, pools: [`${WEB_LB}/pool-web`], availabilitySet: "avset-web" });
const file = join(mkdtempSync(join(tmpdir(), "lbdoctor-bench-")), "ten-vms.json");
writeFileSync(file, JSON.stringify(s.build()));

function median(args: string[], runs = 15): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    times.push(performance.now() - t0);
    if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

const bare = median(["-e", "0"]);
const version = median([BIN, "--version"]);
const check = median([BIN, "check", "--snapshot", file]);
const rows = [
  ["node -e 0", bare],
  ["lbdoctor --version", version],
  ["lbdoctor check --snapshot (10 VMs)", check],
] as const;
console.log(`Node ${process.versions.node}, median of 15 runs`);
for (const [name, ms] of rows) console.log(`${name.padEnd(40)} ${ms.toFixed(0).padStart(6)} ms   ${(ms / bare).toFixed(2)}× bare node`);
