/**
 * `lbdoctor tui` end to end on an AWS snapshot: the binary in a real terminal
 * (tmux, 100×40), driven with send-keys and read with capture-pane. The
 * load-balancer view (listeners → target groups → targets with state, zone,
 * health and reason) and the trace view (health check, data, another target,
 * a custom source). Every wait polls the pane with a deadline. Skipped, with
 * the reason, only when tmux is not installed.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type AwsEmulator, startAwsEmulator } from "../src/providers/aws/emulator/index.ts";
import { awsTenant } from "../src/providers/aws/emulator/tenant.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { cellWidth } from "../src/tui/text.ts";
import { BIN, ROOT } from "./support/cli.ts";
import { needTool } from "./support/tools.ts";

const HAS_TMUX = spawnSync("tmux", ["-V"], { encoding: "utf8" }).status === 0;
const SKIP = needTool("tmux", HAS_TMUX, "tmux is not installed (apt-get install tmux); the TUI end-to-end tests need a real terminal");

const dir = mkdtempSync(join(tmpdir(), "lbdoctor-tui-e2e-aws-"));
const SOCKET = `lbdoctor-tui-aws-${process.pid}`;
const CONF = join(dir, "tmux.conf");
writeFileSync(CONF, "set -g remain-on-exit on\nset -g status off\n");

function tmux(...args: string[]) {
  return spawnSync("tmux", ["-u", "-L", SOCKET, "-f", CONF, ...args], {
    encoding: "utf8",
    env: { ...process.env, LANG: "C.UTF-8", TMUX: "" },
  });
}
const sh = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

function start(name: string, args: string[], size = { x: 100, y: 40 }, env: Record<string, string> = {}): void {
  const vars = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir,
    TERM: "xterm-256color",
    LANG: "C.UTF-8",
    NO_COLOR: "1",
    LBDOCTOR_FROM_SOURCE: "1",
    ...env,
  };
  const assignments = Object.entries(vars).map(([k, v]) => `${k}=${sh(v)}`);
  const cmd = ["env", "-i", ...assignments, sh(process.execPath), sh(BIN), ...args.map(sh)].join(" ");
  const r = tmux(
    "new-session",
    "-d",
    "-s",
    name,
    "-x",
    String(size.x),
    "-y",
    String(size.y),
    "-c",
    ROOT,
    `${cmd}; echo "[exit $?]"; sleep 30`,
  );
  assert.equal(r.status, 0, r.stderr);
}
const capture = (name: string) => tmux("capture-pane", "-p", "-t", name).stdout;
const keys = (name: string, ...k: string[]) => assert.equal(tmux("send-keys", "-t", name, ...k).status, 0);
const type = (name: string, text: string) => assert.equal(tmux("send-keys", "-t", name, "-l", text).status, 0);

async function waitFor(name: string, want: RegExp, ms = 15_000): Promise<string> {
  const deadline = Date.now() + ms;
  let pane = "";
  while (Date.now() < deadline) {
    pane = capture(name);
    // the load balancers show while the rules run: a pattern waits for their findings too
    if (want.test(pane) && !/ checking: \d+ of \d+ rules/.test(pane)) return pane;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${want} did not show up within ${ms} ms; the pane:\n${pane}`);
}

async function exitStatus(name: string, ms = 10_000): Promise<number> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const m = /^\[exit (\d+)\]$/m.exec(tmux("capture-pane", "-p", "-S", "-", "-t", name).stdout);
    if (m) return Number(m[1]);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`the program in ${name} did not exit within ${ms} ms:\n${capture(name)}`);
}

after(() => {
  if (HAS_TMUX) tmux("kill-server");
  rmSync(dir, { recursive: true, force: true });
});

describe("lbdoctor tui --snapshot on AWS, in tmux", { skip: SKIP }, () => {
  it("shows listeners → target groups → targets with health and reason, and traces hop by hop", async () => {
    start("aws", ["tui", "--snapshot", "fixtures/aws/nacl-blocks-health-check.json"]);
    let pane = await waitFor("aws", /LOAD BALANCERS \(1\)/);
    assert.match(pane, /^lbdoctor · aws · us-east-1 · snapshot fixtures\/aws\/nacl-blocks-health-check\.json/m);

    // the load-balancer view
    keys("aws", "Enter");
    pane = await waitFor("aws", /^listener HTTP:80$/m);
    assert.match(pane, /^ {2}target group web-tg · HTTP 80 · instance targets/m);
    assert.match(pane, /^ {4}TARGET +AZ +STATE +HEALTH +HC +DATA$/m);
    assert.match(pane, /^ {2}› i-0d0a4043b7d057558 \(web-1\) 10\.0\.11\.10 +us-east-1a +running +unhealthy +DENY +DENY$/m);
    assert.match(pane, /^ {4}i-0d1a405ce80057a11 \(web-2\) 10\.0\.12\.10 +us-east-1b +running +unhealthy +DENY +DENY$/m);
    assert.match(pane, /health Target\.Timeout: Request timed out/);
    assert.match(
      pane,
      /hc, data rule \* \(the implicit deny\) in target subnet ACL outbound \(reply to the ephemeral\n {17}port\) · acl-021abbc7d0420bd46/,
    );
    assert.doesNotMatch(pane, /not available for AWS/);
    assert.ok(pane.split("\n").every((l) => cellWidth(l) <= 100));

    // the trace view: the health check, hop by hop
    keys("aws", "t");
    pane = await waitFor("aws", /VERDICT {2}DENY/);
    assert.match(pane, /^TRACE {2}i-0d0a4043b7d057558 \(web-1\) 10\.0\.11\.10:80 · HTTP:80 → web-tg {2}member 1\/2/m);
    assert.match(pane, /^FLOW {3}\[p health check\] {2}d data {3}c custom$/m);
    assert.match(pane, /^p health check · d data · c custom · ←→ member · esc back/m);
    assert.match(pane, /web-alb's nodes \(the health checker\) → i-0d0a4043b7d057558 \(web-1\) 10\.0\.11\.10:80\/tcp/);
    assert.match(
      pane,
      /› 1\. load balancer security group egress · sg-0f51ce9a2f3be86ff \(web-alb-sg\)\n {5}ALLOW +by egress all traffic to 0\.0\.0\.0\/0/,
    );
    assert.match(
      pane,
      /3\. target subnet ACL inbound \(request\) · acl-021abbc7d0420bd46 · .*\n {5}ALLOW +by rule 100: allow tcp port 80 from 10\.0\.0\.0\/16/,
    );
    assert.match(
      pane,
      /5\. target subnet ACL outbound \(reply to the ephemeral port\) · acl-021abbc7d0420bd46 · .*\n {5}DENY +by rule \* \(the implicit deny\)$/m,
    );
    assert.match(pane, /VERDICT {2}DENY +at hop 5, target subnet ACL outbound \(reply to the ephemeral port\)/);

    // the data path starts at the clients and the listener
    keys("aws", "d");
    pane = await waitFor("aws", /\[d data\]/);
    assert.match(pane, /clients on the internet → web-alb:80\/HTTP → i-0d0a4043b7d057558 \(web-1\) 10\.0\.11\.10:80\/tcp/);
    assert.match(
      pane,
      /1\. load balancer security group ingress · sg-0f51ce9a2f3be86ff \(web-alb-sg\)\n {5}ALLOW +by ingress tcp port 80 from 0\.0\.0\.0\/0/,
    );

    // the other target, then a custom source: the LB nodes on a port the target subnet's ACL does not admit
    keys("aws", "Right");
    pane = await waitFor("aws", /member 2\/2/);
    assert.match(pane, /^TRACE {2}i-0d1a405ce80057a11 \(web-2\)/m);
    keys("aws", "c");
    await waitFor("aws", /custom flow/);
    type("aws", "lb 8080");
    keys("aws", "Enter");
    pane = await waitFor("aws", /\[c custom lb 8080\/tcp\]/);
    assert.match(pane, /web-alb's nodes → i-0d1a405ce80057a11 \(web-2\) 10\.0\.12\.10:8080\/tcp/);
    assert.match(
      pane,
      /3\. target subnet ACL inbound \(request\) · acl-021abbc7d0420bd46 · .*\n {5}DENY +by rule \* \(the implicit deny\)/,
    );

    keys("aws", "q");
    assert.equal(await exitStatus("aws"), 0);
  });
});

describe("lbdoctor tui --all-regions, live against the AWS emulator, in tmux", { skip: SKIP }, () => {
  const regions = ["eu-west-1", "us-east-1", "us-west-2"];
  let emu: AwsEmulator;
  before(async () => {
    const base: AwsSnapshot = JSON.parse(readFileSync(join(ROOT, "fixtures/aws/healthy-alb.json"), "utf8"));
    // slow requests: each region's phase is on screen, its requests out, for a while
    emu = await startAwsEmulator({
      snapshots: awsTenant([base], ["999999999999"], regions, 1),
      homeAccount: "999999999999",
      regions: regions.map((name) => ({ name })),
      latencyMs: 400,
    });
  });
  after(() => emu?.close());

  it('issue 15, row 15: each region is a row with its own requests in flight, never "0 calls" while they run', async () => {
    const env = { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test", AWS_EC2_METADATA_DISABLED: "true" };
    const args = ["tui", "--provider", "aws", "--region", "us-east-1", "--all-regions", "--aws-endpoint", emu.url];
    start("regions", args, { x: 100, y: 30 }, env);
    const running = /^ {2}[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] (region [a-z]+-[a-z]+-\d) +(.*)$/gm;
    const seen = new Map<string, string[]>();
    const deadline = Date.now() + 30_000;
    let pane = capture("regions");
    while (!/LOAD BALANCERS \(3\)/.test(pane) || / checking: \d+ of \d+ rules/.test(pane)) {
      assert.ok(Date.now() < deadline, `the explorer did not open:\n${pane}`);
      for (const m of pane.matchAll(running)) seen.set(m[1] ?? "", [...(seen.get(m[1] ?? "") ?? []), m[2] ?? ""]);
      await new Promise((r) => setTimeout(r, 100));
      pane = capture("regions");
    }
    // the regions ran at once, each on its row, with its requests in flight; none of them read "0 calls" once they started
    assert.deepEqual(
      [...seen.keys()].sort(),
      regions.map((r) => `region ${r}`),
      [...seen].join("\n"),
    );
    for (const [region, rows] of seen) {
      assert.ok(
        rows.some((r) => /^\d+ in flight +[\d.]+m?s {2}\d+ started|^\d+ calls? +[\d.]+m?s {2}\d+ of \d+ in flight/.test(r)),
        `${region}:\n${rows.join("\n")}`,
      );
      // (before its first request, while its clients are made, a region has no call and none in flight: "0 calls …")
      const first = rows.findIndex((r) => / in flight/.test(r));
      for (const r of rows.slice(first)) assert.doesNotMatch(r, /^0 calls/, `${region}:\n${rows.join("\n")}`);
    }
    keys("regions", "q");
    assert.equal(await exitStatus("regions"), 0);
    // the summary left behind: each region once, over, with what it read
    const history = tmux("capture-pane", "-p", "-S", "-", "-t", "regions").stdout;
    for (const r of regions) {
      const rows = history.split("\n").filter((l) => l.includes(`region ${r}`));
      assert.equal(rows.length, 1, history);
      assert.match(rows[0] ?? "", /^ {2}✔ region [a-z0-9-]+ +\d+ calls +[\d.]+m?s {2}1 load balancer$/);
    }
  });
});
