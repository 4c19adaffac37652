/**
 * Every TUI component, rendered with ink-testing-library at a fixed width of
 * 80 columns with ANSI stripped: what a user reads, and that nothing
 * overflows. The App is driven with keys through the test stdin.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { stripVTControlCharacters } from "node:util";
import { Box } from "ink";
import { cleanup, render } from "ink-testing-library";
import React from "react";
import { analyze } from "../src/tui/analyze.ts";
import type { CopyResult } from "../src/tui/clipboard.ts";
import { App, splitKeys } from "../src/tui/components/app.ts";
import { Footer, Header } from "../src/tui/components/chrome.ts";
import { CollectionScreen, collectionRows, collectionSummary, collectionWidth } from "../src/tui/components/collection.ts";
import { Rows, Viewport } from "../src/tui/components/rows.ts";
import { CollectionLog, FindingView, Help, LbView, Overview, TraceView } from "../src/tui/components/screens.ts";
import { finishProgress, onCollectEvent, onEngineEvent, type Progress, startProgress } from "../src/tui/progress.ts";
import { TuiSession, type WatchState } from "../src/tui/session.ts";
import { snapshotSource } from "../src/tui/source.ts";
import { cellWidth, type Row } from "../src/tui/text.ts";
import type { TuiData } from "../src/tui/types.ts";
import { healthyAlb, ids } from "./support/aws-builder.ts";
import { fixture, ROOT } from "./support/cli.ts";

const h = React.createElement;
const W = 80;
after(() => cleanup());

/** Renders at 80 columns, returns the plain text (ANSI stripped), and checks no line overflows. */
function frame(el: React.ReactElement, width = W): string {
  const inst = render(h(Box, { width, flexDirection: "column" }, el));
  const text = stripVTControlCharacters(inst.lastFrame() ?? "");
  inst.unmount();
  for (const line of text.split("\n"))
    assert.ok(cellWidth(line) <= width, `overflows ${width} columns (${cellWidth(line)}): ${JSON.stringify(line)}`);
  return text;
}

/** A bundled scenario: "demo" (Azure), or "<provider>/<name>". */
async function session(name = "demo"): Promise<TuiSession> {
  const s = new TuiSession(snapshotSource(name.includes("/") ? join(ROOT, "fixtures", `${name}.json`) : fixture(name)));
  await s.load();
  return s;
}
async function demoData(): Promise<TuiData> {
  return (await session()).getState().data as TuiData;
}
const noFilter = { text: "", all: false };
const sized = { width: W, height: 40, color: false };
const line = (text: string, re: RegExp) => text.split("\n").find((l) => re.test(l)) ?? "";

describe("Rows and Viewport", () => {
  it("cuts rows to the width and keeps the selected item in view with scroll marks", () => {
    const rows: Row[] = Array.from({ length: 30 }, (_, i) => [{ t: `row ${i} ${"x".repeat(100)}` }]);
    const spans = rows.map((_, i): [number, number] => [i, i + 1]);
    const text = frame(h(Viewport, { rows, spans, selected: 20, height: 10, width: W, color: false }));
    const lines = text.split("\n");
    assert.equal(lines.length, 10);
    assert.match(lines[0] ?? "", /↑ \d+ more rows/);
    assert.match(lines[9] ?? "", /↓ \d+ more rows/);
    assert.ok(lines.some((l) => l.startsWith("row 20 ")));
    assert.ok(lines.every((l) => !l.includes("x".repeat(80))));
    const plain = frame(h(Rows, { rows: [[{ t: "a", color: "red", bold: true }, { t: "b" }], []], width: W, color: true }));
    assert.equal(plain, "ab\n");
  });
});

describe("hostile strings from the cloud", () => {
  it("never reach the terminal raw, on any screen", async () => {
    const snap = JSON.parse(readFileSync(fixture("demo"), "utf8"));
    const evil = "\u001b]52;c;ZXZpbA==\u0007\u001b[2J\u001b[31mpwned\r";
    for (const r of snap.resources) {
      if (r.type === "Microsoft.Network/networkSecurityGroups")
        for (const rule of r.properties.securityRules) rule.name = `${rule.name}${evil}`;
      if (r.type === "Microsoft.Network/loadBalancers") r.name = `lb-web${evil}`;
    }
    const data = await analyze(snap, { source: "snapshot hostile.json", live: false });
    const lbKey = data.lbs[0]?.key ?? "";
    const targetKey = data.inspector?.traceTargets(lbKey)[0]?.key ?? "";
    const screens = [
      h(Overview, { ...sized, data, filter: noFilter, selected: 0 }),
      h(LbView, { ...sized, data, lbKey, filter: noFilter, selected: 0 }),
      h(FindingView, { ...sized, height: 80, data, findingId: data.findings[0]?.id ?? "", selected: 0 }),
      h(TraceView, { ...sized, data, trace: { lbKey, targetKey, flow: { kind: "probe" } }, selected: 0 }),
    ];
    for (const el of screens) {
      const inst = render(h(Box, { width: W }, el));
      const raw = inst.lastFrame() ?? "";
      inst.unmount();
      assert.ok(raw.includes("pwned"), "the text is still shown");
      assert.doesNotMatch(
        raw,
        /\u001b\]|\u0007|\r|\u001b\[2J|\u001b\[31m/,
        `raw control characters reached the screen: ${JSON.stringify(raw.slice(0, 300))}`,
      );
    }
  });
});

describe("Header and Footer", () => {
  it("show where the user is, the summary, the status line and the keys", () => {
    const head = frame(
      h(Header, {
        title: "azure · ra-multi-vm-rg",
        source: "snapshot fixtures/azure/demo.json · 2026-11-20T10:00:00Z",
        crumbs: ["Overview", "lb-web"],
        summary: "5 failed · 2 critical",
        width: W,
        color: false,
      }),
    );
    const [l1, l2, l3] = head.split("\n");
    assert.equal(l1, "lbdoctor · azure · ra-multi-vm-rg · snapshot fixtures/azure/demo.json", "the time only when it fits");
    assert.match(l2 ?? "", /^Overview › lb-web +5 failed · 2 critical$/);
    assert.equal(cellWidth(l2 ?? ""), W);
    assert.equal(l3, "─".repeat(W));
    const wide = frame(
      h(Header, {
        title: "azure · rg",
        source: "snapshot a.json · 2026-11-20 10:00Z",
        crumbs: ["Overview"],
        summary: "",
        width: W,
        color: false,
      }),
    );
    assert.match(wide.split("\n")[0] ?? "", /^lbdoctor · azure · rg · snapshot a\.json +2026-11-20 10:00Z$/);
    const hints = ["↑↓ move", "enter open", "/ filter", "s severity", "r refresh", "w watch", "a all", "L log", "? help", "q quit"];
    const foot = frame(h(Footer, { status: [{ t: "copied" }], hints, width: W, color: false }));
    assert.deepEqual(foot.split("\n").slice(1), ["copied", "↑↓ move · enter open · / filter · s severity · r refresh · ? help · q quit"]);
    const narrow = frame(h(Footer, { status: [], hints, width: 40, color: false }), 40);
    assert.equal(narrow.split("\n")[2], "↑↓ move · enter open · ? help · q quit", "help and quit always show");
  });
});

describe("Overview", () => {
  it("lists the load balancer with its badge and failures by severity, then the findings, root causes first", async () => {
    const data = await demoData();
    const text = frame(h(Overview, { ...sized, data, filter: noFilter, selected: 0 }));
    assert.match(line(text, /lb-web/), /^› ✖ DOWN +lb-web +0\/1 up · 20\.50\.60\.70 +2 +2 +1 +0 +0$/);
    assert.match(text, /CRIT HIGH {2}MED {2}LOW INFO/);
    const findings = text.split("\n").filter((l) => / azure\//.test(l));
    assert.deepEqual(
      findings.map((l) => l.trim().split(/\s+/).slice(2, 3)[0]),
      [
        "azure/probe-blocked-by-nsg",
        "azure/backend-vm-stopped",
        "azure/data-port-blocked-by-nsg",
        "azure/backend-unhealthy",
        "azure/single-backend",
      ],
    );
    assert.match(findings[0] ?? "", /✖ CRITICAL .* root cause$/);
    assert.match(findings[3] ?? "", /← probe-blocked-by-nsg/);
    assert.match(text, /lb-web: Standard public load balancer, down \(0\/1 up\); 5 failed/);
  });

  it("shows the filter and the severity floor, and a selected finding's message in the preview", async () => {
    const data = await demoData();
    const text = frame(h(Overview, { ...sized, data, filter: { text: "", all: false, minSeverity: "critical" }, selected: 1 }));
    assert.match(text, /FINDINGS · 2 of 5 · root causes first · severity ≥ critical/);
    assert.match(text, /^› ✖ CRITICAL azure\/probe-blocked-by-nsg/m);
    assert.match(text, /Health probe blocked by an NSG: Probe probe-http/);
  });

  it("shows watch transitions", async () => {
    const data = await demoData();
    const watch: WatchState = {
      active: true,
      intervalMs: 2000,
      polls: 3,
      polling: false,
      timelines: {},
      transitions: [{ key: "k", label: "vm1 · lb-web/rule-http", from: "Down", to: "Up", reason: "Up_Probe_Success", at: Date.now() }],
    };
    const text = frame(h(Overview, { ...sized, data, filter: noFilter, selected: 0, watch }));
    assert.match(text, /^WATCH every 2s · 3 polls/m);
    assert.match(text, /▲ Down → Up \d\d:\d\d:\d\d · vm1 · lb-web\/rule-http · Up_Probe_Success/);
  });
});

describe("honest status (issue 15, row 5)", () => {
  for (const width of [60, 80, 120]) {
    it(`shows DEGRADED with n/m up while members serve, DOWN only when none does, at ${width} columns`, async () => {
      const at = { ...sized, width };
      for (const [name, want] of [
        ["aws/targets-unhealthy", /^› ▲ DEGRADED web-alb +1\/2 up/],
        ["azure/probe-port-mismatch", /^› ▲ DEGRADED lb-web +2\/2 up/],
        ["azure/demo", /^› ✖ DOWN +lb-web +0\/1 up/],
      ] as const) {
        const data = (await session(name)).getState().data as TuiData;
        const text = frame(h(Overview, { ...at, data, filter: noFilter, selected: 0 }), width);
        assert.match(line(text, /^› /), want, `${name} at ${width}:\n${text}`);
        const lbKey = data.lbs[0]?.key ?? "";
        const lbText = frame(h(LbView, { ...at, data, lbKey, filter: noFilter, selected: 0 }), width);
        assert.match(lbText.split("\n")[0] ?? "", name === "azure/demo" ? /✖ DOWN · 0\/1 up/ : /▲ DEGRADED · [12]\/2 up/);
      }
    });
  }
});

describe("watch pinned (issue 15, row 1)", () => {
  for (const width of [60, 80, 120]) {
    it(`the WATCH header, its countdown and the newest transitions stay on screen with the cursor on the last row, at ${width} columns`, async () => {
      const data = await demoData();
      const now = Date.parse("2026-12-03T10:00:00Z");
      const tr = (i: number, to: string) => ({
        key: "k",
        label: `vm1 · lb-web/rule-http #${i}`,
        from: to === "Up" ? "Down" : "Up",
        to,
        at: now - (10 - i) * 1000,
      });
      const watch: WatchState = {
        active: true,
        intervalMs: 5000,
        polls: 9,
        polling: false,
        lastPollAt: now - 2000,
        nextPollAt: now + 3000,
        timelines: {},
        transitions: [tr(1, "Down"), tr(2, "Up"), tr(3, "Down"), tr(4, "Up")],
      };
      const at = { width, height: 18, color: false };
      const lbKey = data.lbs[0]?.key ?? "";
      for (const [what, el] of [
        ["overview", h(Overview, { ...at, data, filter: noFilter, selected: 5, watch, now })],
        ["lb", h(LbView, { ...at, data, lbKey, filter: noFilter, selected: 99, watch, now })],
      ] as const) {
        const text = frame(el, width);
        const rows = text.split("\n");
        assert.match(rows[0] ?? "", /^WATCH every 5s · 9 polls · last \d\d:\d\d:\d\d · next in 3s$/, `${what}:\n${text}`);
        assert.match(rows[1] ?? "", /▲ Down → Up .* #4/, `${what}: the newest first`);
        assert.match(rows[2] ?? "", /▼ Up → Down .* #3/);
        assert.doesNotMatch(text, /#1/, "older ones give way");
      }
    });
  }
});

describe("LbView", () => {
  it("shows frontends → rules → members, and why each member is up or down", async () => {
    const data = await demoData();
    const lbKey = data.lbs[0]?.key ?? "";
    const text = frame(h(LbView, { ...sized, data, lbKey, filter: noFilter, selected: 0 }));
    assert.match(text, /^lb-web ✖ DOWN · 0\/1 up · Standard public · 5 failed · clients Internet$/m);
    assert.match(text, /^frontend fe-web 20\.50\.60\.70$/m);
    assert.match(text, /rule rule-http · Tcp 80 → 80 · pool pool-web · probe probe-http Http:80\//);
    assert.match(text, /MEMBER +VM +POWER +HEALTH PROBE +DATA/);
    assert.match(line(text, /vm1-nic 10\.0\.0\.4/), /^ {2}› vm1-nic 10\.0\.0\.4 +vm1 +running +Down +DENY +DENY$/);
    assert.match(
      text,
      /health Down_Probe_HttpEndpointUnreachable: the HTTP session was\n {15}rejected: an NSG blocks the port, or no healthy application list…/,
    );
    assert.match(text, /probe, data deny-all-inbound \(priority 4000\) in nic NSG nsg-vm1-lockdown$/m);
    assert.match(line(text, /vm2-nic/), /vm2 +deallocated +— +ALLOW +ALLOW$/);
    assert.match(text, /health not probed: the VM is deallocated/);
    assert.match(text, /FINDINGS ON lb-web · 5/);
  });

  it("filters members and shows a member's timeline in watch mode", async () => {
    const data = await demoData();
    const lbKey = data.lbs[0]?.key ?? "";
    const detail = data.inspector?.lbDetail(lbKey);
    const vm1 = detail?.frontends[0]?.rules[0]?.members[0];
    const at = new Date(2026, 10, 20, 10, 0, 5).getTime();
    const watch: WatchState = {
      active: true,
      intervalMs: 1000,
      polls: 4,
      polling: false,
      timelines: {
        [vm1?.key ?? ""]: {
          label: "vm1",
          samples: ["Down", "Down", "Down", "Up"].map((state, i) => ({ at: at - 3000 + i * 1000, state })),
          changes: [{ key: vm1?.key ?? "", label: "vm1", from: "Down", to: "Up", at }],
        },
      },
      transitions: [],
    };
    const text = frame(h(LbView, { ...sized, data, lbKey, filter: { text: "vm1", all: false }, selected: 0, watch }));
    assert.match(text, /timeline ▁▁▁█ ▲ Down → Up at 10:00:05/);
    assert.doesNotMatch(text, /vm2-nic/);
  });

  it("says the view is Azure-only for an AWS load balancer", async () => {
    const data = await demoData();
    const aws: TuiData = { ...data, provider: "aws", inspectorNote: "The load-balancer and trace views are Azure-only for now." };
    delete aws.inspector;
    const text = frame(h(LbView, { ...sized, data: aws, lbKey: data.lbs[0]?.key ?? "", filter: noFilter, selected: 0 }));
    assert.match(text, /Azure-only for now/);
    assert.match(text, /FINDINGS ON lb-web/);
  });
});

describe("FindingView", () => {
  it("shows the explanation, related findings, evidence, source and the fix command", async () => {
    const data = await demoData();
    const f = data.findings[0];
    const text = frame(h(FindingView, { ...sized, height: 80, data, findingId: f?.id ?? "", selected: 0 }));
    assert.match(text, /^✖ CRITICAL {2}azure\/probe-blocked-by-nsg {2}root cause$/m);
    assert.match(text, /Health probe blocked by an NSG · on vm1-nic · load balancer lb-web/);
    assert.match(text, /^EXPLAINS$/m);
    assert.match(text, /explains {2}azure\/backend-unhealthy on vm1-nic/);
    assert.match(text, /^ {2}blocking rule \(nic NSG, nsg-resources\)$/m);
    assert.match(text, /^ {4}resource {2}networkSecurityGroups\/nsg-vm1-lockdown$/m);
    assert.match(text, /^ {4}pointer {3}\/resources\/9\/properties\/securityRules\/1$/m);
    assert.match(text, /value {5}deny-all-inbound: Inbound Deny \* from \* to port \* \(priority 4000\)/);
    assert.match(
      text,
      /^ {2}docs\nhttps:\/\/github\.com\/lbdoctor\/lbdoctor\/blob\/main\/docs\/rules\/azure\/probe-blocked-b…$/m,
      "a URL whole on its row, cut only at the edge",
    );
    assert.match(text, /^› \$ az network nsg rule create --resource-group ra-multi-vm-rg --nsg-name$/m, "the selected command");
  });
});

describe("fix first (issue 15, row 3)", () => {
  for (const width of [60, 80, 120]) {
    it(`the finding view opens on the fix command, right under the headline, at ${width} columns (height 18: 80x24)`, async () => {
      for (const name of ["demo", "aws/target-sg-blocks-health-check"]) {
        const data = (await session(name)).getState().data as TuiData;
        const f = data.findings.find((x) => (x.remediation?.commands.length ?? 0) > 0);
        assert.ok(f, name);
        const text = frame(h(FindingView, { ...sized, width, height: 18, data, findingId: f.id, selected: 0 }), width);
        const rows = text.split("\n");
        const fix = rows.findIndex((l) => /^FIX/.test(l));
        assert.ok(fix >= 0 && fix <= 4, `${name}: FIX right under the headline:\n${text}`);
        assert.match(rows[fix + 1] ?? "", /^› \$ (az|aws) /, `${name}: the cursor on the first command`);
        assert.ok(
          rows.findIndex((l) => /^EVIDENCE/.test(l)) === -1 || rows.findIndex((l) => /^EVIDENCE/.test(l)) > fix,
          "evidence after the fix",
        );
      }
    });
  }
});

describe("TraceView", () => {
  it("shows the probe flow layer by layer with the deciding rules", async () => {
    const data = await demoData();
    const lbKey = data.lbs[0]?.key ?? "";
    const targetKey = data.inspector?.traceTargets(lbKey)[0]?.key ?? "";
    const text = frame(h(TraceView, { ...sized, data, trace: { lbKey, targetKey, flow: { kind: "probe" } }, selected: 0 }));
    assert.match(text, /^TRACE {2}vm1 \(nic vm1-nic, 10\.0\.0\.4\) · rule rule-http {2}member 1\/2 \(←\/→\)$/m);
    assert.match(text, /^FLOW {3}\[p probe\] {2}d data {3}c custom$/m);
    assert.match(text, /168\.63\.129\.16 \(AzureLoadBalancer, the probe source\) → 10\.0\.0\.4:80\/Tcp/);
    assert.match(text, /› 1\. subnet snet-web · NSG nsg-web\n {5}ALLOW +by AllowVnetInBound \(priority 65000, default rule\)/);
    assert.match(
      text,
      /2\. NIC vm1-nic · NSG nsg-vm1-lockdown\n {5}DENY +by deny-all-inbound \(priority 4000\)\n {13}\/resources\/9\/properties\/securityRules\/1/,
    );
    assert.match(text, /VERDICT {2}DENY +at the nic layer: deny-all-inbound \(priority 4000\) in/);
  });

  it("shows a custom flow, and an error for a flow it cannot build", async () => {
    const data = await demoData();
    const lbKey = data.lbs[0]?.key ?? "";
    const targetKey = data.inspector?.traceTargets(lbKey)[1]?.key ?? "";
    const flow = { kind: "custom" as const, source: "203.0.113.9", port: 443, protocol: "Tcp" as const };
    const text = frame(h(TraceView, { ...sized, data, trace: { lbKey, targetKey, flow }, selected: 2 }));
    assert.match(text, /\[c custom 203\.0\.113\.9 443\/tcp\]/);
    assert.match(text, /203\.0\.113\.9 → 10\.0\.0\.5:443\/Tcp, inbound/);
    assert.match(text, /› VERDICT {2}DENY/);
    const bad = frame(h(TraceView, { ...sized, data, trace: { lbKey, targetKey, flow: { ...flow, source: "nowhere" } }, selected: 0 }));
    assert.match(bad, /'nowhere' is not an IP address/);
  });
});

function progressOf(done: boolean): Progress {
  let p = startProgress(0);
  p = onCollectEvent(p, { type: "phase", name: "resource lists" }, 0);
  p = onCollectEvent(p, { type: "call", operation: "x", calls: 10 }, 200);
  p = onCollectEvent(p, { type: "phase", name: "probe health and effective NSGs" }, 210);
  p = onCollectEvent(p, { type: "call", operation: "y", calls: 12 }, 300);
  const gap = {
    operation: "networkInterfaces.listEffectiveNetworkSecurityGroups",
    resourceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/vm1-nic",
    status: 403,
    code: "AuthorizationFailed",
    message: "denied",
  };
  p = onCollectEvent(p, { type: "gap", gap }, 320);
  if (!done) return p;
  p = onCollectEvent(p, { type: "done", calls: 13, ms: 900, resources: 10, gaps: 1 }, 900);
  p = onEngineEvent(p, { type: "rule-start", ruleId: "a" }, 905);
  p = onEngineEvent(p, { type: "rule-end", ruleId: "a", findings: 33, ms: 5 }, 910);
  p = onEngineEvent(p, { type: "done", findings: 33 }, 915);
  return finishProgress(p, 915, { summary: "5 failed (2 critical, 2 high, 1 medium) · 0 unknown · 21 passed · 1 load balancer" });
}

describe("CollectionScreen", () => {
  it("shows the running phase with a spinner, its calls, elapsed time and gaps as they happen", () => {
    const text = frame(
      h(CollectionScreen, {
        title: "lbdoctor tui · live: resource group rg",
        progress: progressOf(false),
        now: 1500,
        frame: 3,
        width: W,
        color: false,
      }),
    );
    const lines = text.split("\n");
    assert.equal(lines[0], "lbdoctor tui · live: resource group rg");
    assert.match(lines[1] ?? "", /^ {2}✔ resource lists +10 calls +210ms$/);
    assert.match(lines[2] ?? "", /^ {2}⠸ probe health and effective NSGs +2 calls +1\.3s {2}1 gap · …$/);
    assert.equal(lines[3], "    gap 403 AuthorizationFailed ·");
    assert.equal(lines[4], "        networkInterfaces.listEffectiveNetworkSecurityGroups on vm1-nic: denied");
    assert.match(lines[5] ?? "", /^ {2}12 calls · 1 gap · 1\.5s$/);
  });

  for (const width of [60, 80, 120]) {
    it(`a phase whose requests are all in flight shows them, not "0 calls" (issue 15, row 15), at ${width} columns`, () => {
      let p = startProgress(0);
      p = onCollectEvent(p, { type: "phase", name: "probe health and effective NSGs" }, 10);
      for (let i = 1; i <= 6; i++) p = onCollectEvent(p, { type: "in-flight", operation: "rules.health", inFlight: i, started: i }, 20);
      let text = frame(h(CollectionScreen, { title: "t", progress: p, now: 2000, frame: 3, width, color: false }), width);
      assert.match(text, /⠸ probe heal[ a-zA-Z…]* +6 in flight +2\.0s {2}6 started/, text);
      assert.doesNotMatch(text, /0 calls/);
      assert.match(text, /^ {2}6 in flight · 0 gaps · 2\.0s$/m);
      // two answers: calls, and how many are still out
      p = onCollectEvent(p, { type: "in-flight", operation: "rules.health", inFlight: 5, started: 6 }, 900);
      p = onCollectEvent(p, { type: "call", operation: "rules.health", calls: 1 }, 900);
      p = onCollectEvent(p, { type: "in-flight", operation: "rules.health", inFlight: 4, started: 6 }, 950);
      p = onCollectEvent(p, { type: "call", operation: "rules.health", calls: 2 }, 950);
      text = frame(h(CollectionScreen, { title: "t", progress: p, now: 2000, frame: 3, width, color: false }), width);
      assert.match(text, /probe heal[ a-zA-Z…]* +2 calls +2\.0s {2}4 of 6 in flight/, text);
      assert.match(text, /^ {2}2 calls · 4 in flight · 0 gaps · 2\.0s$/m);
    });
  }

  it("then the results", () => {
    const text = frame(h(CollectionScreen, { title: "t", progress: progressOf(true), now: 2000, frame: 0, width: W, color: false }));
    assert.match(text, /▲ probe health and effective NSGs +3 calls +690ms {2}1 gap · 10 resources/);
    assert.match(text, /✔ rules +10ms {2}1 rule · 33 results/);
    assert.match(text, /▲ probe health and effective NSGs[^\n]*\n {4}gap 403 AuthorizationFailed/, "the phase's gap follows it");
    assert.match(
      text,
      /10 resources · 13 calls · 900ms · 1 gap\n {2}5 failed \(2 critical, 2 high, 1 medium\) · 0 unknown · 21 passed · 1 load\n {2}balancer/,
    );
    assert.doesNotMatch(text, /⠋|⠸/, "no spinner once done");
  });
});

describe("CollectionScreen across a resize (issue 15, row 7)", () => {
  const running = () => progressOf(false);
  for (const columns of [60, 80, 120]) {
    it(`at ${columns} columns every row stops a column short of the edge`, () => {
      assert.equal(collectionWidth(columns), columns - 1);
      const props = {
        title: `lbdoctor tui · live: resource group ${"rg-".repeat(50)}`,
        progress: running(),
        now: 1500,
        frame: 3,
        color: false,
      };
      const text = frame(h(CollectionScreen, { ...props, width: collectionWidth(columns) }), columns - 1);
      assert.match(text, /⠸ probe health/);
      // laid out for the width before a resize, drawn at the new one (Ink redraws the old tree at once): cut at the edge, never wrapped
      for (const before of [40, 80, 200]) {
        const cut = frame(h(CollectionScreen, { ...props, width: collectionWidth(before) }), columns - 1);
        const rows = collectionRows({ ...props, width: collectionWidth(before) }).length;
        assert.equal(cut.split("\n").length, rows, `laid out for ${before}, drawn at ${columns}: no row wraps\n${cut}`);
      }
    });
  }

  it("keeps to the terminal's height: the title, a mark for the rows above, the newest rows", () => {
    const p = progressOf(true);
    const all = collectionRows({ title: "t", progress: p, now: 2000, frame: 0, width: W });
    const rows = collectionRows({ title: "t", progress: p, now: 2000, frame: 0, width: W, height: 5 });
    assert.equal(rows.length, 5);
    assert.equal(rows[0]?.[0]?.t, "t");
    assert.equal(rows[1]?.map((s) => s.t).join(""), `  ↑ ${all.length - 4} earlier rows`);
    assert.deepEqual(rows.slice(2), all.slice(-3));
    assert.deepEqual(collectionRows({ title: "t", progress: p, now: 2000, frame: 0, width: W, height: all.length }), all);
  });

  it("the summary left on the normal screen: every phase once, finished, a column short of the edge", () => {
    for (const columns of [60, 120]) {
      const text = stripVTControlCharacters(
        collectionSummary(
          { title: "lbdoctor tui · live: resource group rg", progress: progressOf(true), now: 2000, color: false },
          columns,
        ),
      );
      const lines = text.split("\n");
      for (const l of lines) assert.ok(cellWidth(l) <= columns - 1, `${JSON.stringify(l)} at ${columns} columns`);
      assert.equal(lines[0], "lbdoctor tui · live: resource group rg");
      assert.equal(lines.filter((l) => /^ {2}[✔▲✖] resource lists/.test(l)).length, 1);
      assert.equal(lines.filter((l) => /^ {2}[✔▲✖] probe health/.test(l)).length, 1);
      assert.doesNotMatch(text, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
      assert.match(text, /5 failed \(2 critical/);
    }
  });
});

describe("CollectionScreen on an error", () => {
  it("marks the phase that failed and leaves the message to the CLI, which prints it with its hint", () => {
    let p = startProgress(0);
    p = onCollectEvent(p, { type: "phase", name: "credentials" }, 0);
    p = finishProgress(p, 15, { error: "no Azure subscription" });
    const text = frame(h(CollectionScreen, { title: "t", progress: p, now: 20, frame: 0, width: W, color: false }));
    assert.match(text, /^ {2}✖ credentials +15ms$/m);
    assert.doesNotMatch(text, /no Azure subscription/);
    const log = frame(h(CollectionLog, { ...sized, progress: p, now: 20, selected: 0 }));
    assert.match(log, /✖ no Azure subscription/, "the log screen says it");
  });
});

describe("CollectionLog and Help", () => {
  it("list the last run and every key", () => {
    const log = frame(h(CollectionLog, { ...sized, progress: progressOf(true), now: 2000, selected: 0 }));
    assert.match(log, /^COLLECTION/);
    assert.match(log, /^› ✔ resource lists +10 calls/m);
    assert.match(log, /^ {4}gap 403 AuthorizationFailed ·\n {8}networkInterfaces\.listEffectiveNetworkSecurityGroups on vm1-nic/m);
    // tall enough for the whole help (at 40 rows it scrolls)
    const help = frame(h(Help, { ...sized, height: 60 }));
    for (const k of ["j k", "enter", "esc", "/", "q  ctrl-c", "c  y", "p  d", "← →"]) assert.ok(help.includes(k), k);
  });
});

const tick = () => new Promise((r) => setTimeout(r, 10));
async function until(get: () => string, re: RegExp, what: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const t = get();
    if (re.test(t)) return t;
    await tick();
  }
  assert.fail(`${what}: ${re} never showed up in:\n${get()}`);
}

describe("App while the rules run", () => {
  it("opens on the load balancers, says they are being checked, then shows the findings", async () => {
    const s = new TuiSession(snapshotSource(fixture("demo")));
    const inst = render(
      h(App, { session: s, color: false, copy: () => ({ osc52: false, message: "" }), onExit: () => {}, size: { columns: W, rows: 30 } }),
    );
    const text = () => stripVTControlCharacters(inst.lastFrame() ?? "");
    const loaded = s.load();
    const checking = await until(text, /… CHECKING +lb-web/, "the load balancer, before its findings");
    // every count is "…", not a 0 that reads as nothing failed; the findings say they are coming; the status counts the rules
    assert.match(checking, /lb-web .*… +… +… +… +…$/m);
    assert.match(checking, /^FINDINGS · checking 32 rules…$/m);
    // drawn between rules, not after them all
    assert.ok(Number(/checking: (\d+) of 32 rules/.exec(checking)?.[1] ?? 32) < 32, checking);
    assert.doesNotMatch(checking, /nothing failed|\d+ failed/);
    const state = s.getState();
    assert.equal(state.status, "ready");
    assert.deepEqual(state.data?.findings, []);
    assert.equal(state.data?.lbs[0]?.members?.total, 1, "the members are there before any rule ran");
    await loaded;
    const done = await until(text, /✖ DOWN +lb-web/, "the findings");
    assert.match(done, /^FINDINGS · 5 of 5/m);
    assert.equal(s.getState().data?.checking, undefined);
    // no frame ever said "nothing failed" while the rules ran
    for (const f of inst.frames.map((x) => stripVTControlCharacters(x))) if (/CHECKING/.test(f)) assert.doesNotMatch(f, /nothing failed/);
    inst.unmount();
  });

  it("r while the rules run says so, and starts nothing; a refresh while one runs does not start", async () => {
    const s = new TuiSession(snapshotSource(fixture("demo")));
    const inst = render(
      h(App, { session: s, color: false, copy: () => ({ osc52: false, message: "" }), onExit: () => {}, size: { columns: W, rows: 30 } }),
    );
    const text = () => stripVTControlCharacters(inst.lastFrame() ?? "");
    // r as soon as the first data is out, before the first rule
    let pressed = false;
    s.subscribe(() => {
      if (!pressed && s.getState().data?.checking) {
        pressed = true;
        inst.stdin.write("r");
      }
    });
    const loaded = s.load();
    assert.equal(await s.refresh(), false, "a refresh started while the first load ran");
    await loaded;
    assert.ok(pressed);
    assert.ok(
      inst.frames.some((f) => /the rules are still running: r collects again once they are done/.test(stripVTControlCharacters(f))),
    );
    await until(text, /✖ DOWN +lb-web/, "the findings");
    assert.doesNotMatch(text(), /refreshed at/, "r while the rules ran refreshed");
    inst.unmount();
  });

  it("stops between two rules when the session stops: the load rejects, no rule runs after", async () => {
    const s = new TuiSession(snapshotSource(fixture("demo")));
    // stopped as soon as the first data is out, before the next rule
    let done = -1;
    s.subscribe(() => {
      if (done < 0 && s.getState().data?.checking) {
        done = s.getState().progress.rules?.done ?? 0;
        s.stop();
      }
    });
    const loaded = s.load();
    await assert.rejects(loaded, /stopped/);
    await tick();
    assert.ok(done >= 0, "never saw the first data");
    assert.ok((s.getState().progress.rules?.done ?? 0) <= done + 1, "rules ran on after the stop");
    assert.equal(s.getState().status, "error");
    assert.equal(s.getState().data, undefined, "no data left saying it is being checked");
  });
});

describe("App", () => {
  it("navigates overview → load balancer → trace → back → finding, copies the fix, quits", async () => {
    const s = await session();
    const copied: string[] = [];
    const exits: number[] = [];
    const copy = (text: string): CopyResult => {
      copied.push(text);
      return { osc52: false, path: "/tmp/fix-1.sh", message: `saved /tmp/fix-1.sh · ${text}` };
    };
    const inst = render(h(App, { session: s, color: false, copy, onExit: (c: number) => exits.push(c), size: { columns: W, rows: 30 } }));
    const text = () => stripVTControlCharacters(inst.lastFrame() ?? "");
    await until(text, /LOAD BALANCERS \(1\)/, "overview");
    const first = text().split("\n");
    assert.equal(first.length, 30, "fills the 30 rows it is given");
    assert.ok(first.every((l) => cellWidth(l) <= W));
    assert.match(first[first.length - 1] ?? "", /^↑↓ move · enter open/);
    inst.stdin.write("\r");
    await until(text, /^Overview › lb-web/m, "lb view");
    inst.stdin.write("t");
    await until(text, /^Overview › lb-web › trace probe/m, "trace");
    assert.match(text(), /VERDICT {2}DENY/);
    inst.stdin.write("\u001b");
    await until(text, /^Overview › lb-web +5 failed/m, "back to the lb");
    inst.stdin.write("\u001b");
    await until(text, /^Overview +5 failed/m, "back to the overview");
    inst.stdin.write("j");
    await until(text, /^› ✖ CRITICAL azure\/probe-blocked-by-nsg/m, "cursor on the first finding");
    // c on the overview copies the selected root cause's fix, and says what it copied
    assert.match(text().split("\n").at(-1) ?? "", /c copy fix/);
    inst.stdin.write("c");
    await until(text, /saved \/tmp\/fix-1\.sh · az network nsg rule create --resource-group ra-multi/, "copied from the overview");
    assert.match(copied[0] ?? "", /^az network nsg rule create .*--subscription 00000000-0000-0000-0000-0000000000aa$/);
    inst.stdin.write("\r");
    await until(text, /^Overview › azure\/probe-blocked-by-nsg/m, "finding");
    inst.stdin.write("c");
    await until(() => String(copied.length), /2/, "copied in the finding view");
    assert.equal(copied[1], copied[0], "the same command: the finding view opens on it");
    inst.stdin.write("?");
    await until(text, /^KEYS/m, "help");
    inst.stdin.write("\u001b");
    await until(text, /EVIDENCE/, "help closed");
    inst.stdin.write("q");
    await until(() => String(exits.length), /1/, "quit");
    assert.deepEqual(exits, [0]);
    inst.unmount();
  });

  it("keys that arrive in one chunk act one by one; a filter typed with / narrows the list", async () => {
    assert.deepEqual(splitKeys("j\r", {}), [
      ["j", {}],
      ["", { return: true }],
    ]);
    const s = await session();
    const inst = render(
      h(App, {
        session: s,
        color: false,
        copy: () => ({ osc52: false, message: "" }),
        onExit: () => {},
        notice: "watch unavailable: a snapshot",
        size: { columns: W, rows: 30 },
      }),
    );
    const text = () => stripVTControlCharacters(inst.lastFrame() ?? "");
    await until(text, /watch unavailable: a snapshot/, "the notice in the status line");
    inst.stdin.write("/single");
    await until(text, /\/ filter: single▏/, "prompt");
    await until(text, /FINDINGS · 1 of 5/, "filtered");
    inst.stdin.write("\r");
    await until(text, /filter "single"/, "filter kept");
    inst.unmount();
  });

  it("says so when the terminal is too small", async () => {
    const s = await session();
    const inst = render(
      h(App, { session: s, color: false, copy: () => ({ osc52: false, message: "" }), onExit: () => {}, size: { columns: 30, rows: 8 } }),
    );
    await until(() => stripVTControlCharacters(inst.lastFrame() ?? ""), /too small: 30×8/, "too small");
    inst.unmount();
  });

  it("fits the too-small message to a narrow terminal: each line within its columns, the way out shown", async () => {
    const s = await session();
    for (const [columns, rows] of [
      [30, 8],
      [20, 5],
    ] as const) {
      const inst = render(
        h(App, { session: s, color: false, copy: () => ({ osc52: false, message: "" }), onExit: () => {}, size: { columns, rows } }),
      );
      const frame = await until(() => stripVTControlCharacters(inst.lastFrame() ?? ""), /q quits/, "too small");
      for (const line of frame.split("\n")) assert.ok(line.length <= columns, `${JSON.stringify(line)} fits ${columns} columns`);
      assert.match(frame, new RegExp(`${columns}×${rows}`));
      inst.unmount();
    }
  });
});

describe("every screen at 60, 80 and 120 columns", () => {
  for (const width of [60, 80, 120]) {
    it(`lays out within ${width} columns and keeps what matters on screen`, async () => {
      const data = await demoData();
      const lbKey = data.lbs[0]?.key ?? "";
      const targetKey = data.inspector?.traceTargets(lbKey)[0]?.key ?? "";
      const at = { width, height: 14, color: false };
      const ov = frame(h(Overview, { ...at, data, filter: noFilter, selected: 0 }), width);
      assert.match(ov, /✖ DOWN +lb-web/);
      assert.match(ov, /FINDINGS · 5 of 5 · root causes first/);
      const lb = frame(h(LbView, { ...at, data, lbKey, filter: noFilter, selected: 0 }), width);
      assert.match(lb, /› vm1-nic/);
      const fv = frame(h(FindingView, { ...at, data, findingId: data.findings[0]?.id ?? "", selected: 0 }), width);
      assert.match(fv, /azure\/probe-blocked-by-nsg/);
      const tr = frame(h(TraceView, { ...at, data, trace: { lbKey, targetKey, flow: { kind: "probe" } }, selected: 0 }), width);
      assert.match(tr.replace(/\n {7}/g, " "), /^TRACE {2}vm1 \(nic vm1-nic, 10\.0\.0\.4\) · rule rule-http/m, "the title, whole");
      assert.match(tr, /1\. subnet snet-web/);
      const help = frame(h(Help, { ...at, top: 0 }), width);
      assert.match(help, /^KEYS/);
      assert.match(help, /rows 1–13 of \d+ · ↓ \d+ more/);
      const end = frame(h(Help, { ...at, top: 999 }), width);
      assert.match(end, /← → {2}h l/, "the last rows can be scrolled to");
    });
  }
});

describe("the list/detail split", () => {
  it("at 120 columns the App shows the selected item in a pane beside the list; below 120, none", async () => {
    const s = await session();
    for (const columns of [120, 80]) {
      const inst = render(
        h(App, { session: s, color: false, copy: () => ({ osc52: false, message: "" }), onExit: () => {}, size: { columns, rows: 30 } }),
      );
      const text = () => stripVTControlCharacters(inst.lastFrame() ?? "");
      await until(text, /LOAD BALANCERS \(1\)/, "overview");
      if (columns === 120) {
        assert.match(text(), / │ lb-web · DOWN/);
        inst.stdin.write("j");
        await until(text, / │ CRITICAL azure\/probe-blocked-by-nsg/, "the finding in the pane");
        assert.match(text(), / │ \$ az network nsg rule create/, "its fix");
      } else assert.doesNotMatch(text(), / │ /);
      assert.ok(
        text()
          .split("\n")
          .every((l) => cellWidth(l) <= columns),
      );
      inst.unmount();
    }
  });

  it("the pane has the watch line and its transitions whole, however long", async () => {
    const { detailParas, detailRows } = await import("../src/tui/views/detail.ts");
    const data = await demoData();
    const err = `2 rule-health calls failed (429 TooManyRequests on vm1-nic) ${"and the reason goes on ".repeat(6)}END`;
    const watch: WatchState = {
      active: true,
      intervalMs: 2000,
      polls: 3,
      polling: false,
      lastError: err,
      timelines: {},
      transitions: [{ key: "k", label: "vm1 · lb-web/rule-http", from: "Down", to: "Up", reason: "Up_Probe_Success", at: Date.now() }],
    };
    const rows = detailRows(
      detailParas({ data, progress: startProgress(0), item: { kind: "lb", key: data.lbs[0]?.key ?? "" }, index: 0, watch }),
      48,
    );
    const joined = rows.map((r) => r.map((x) => x.t).join("")).join(" ");
    assert.ok(joined.replace(/\s+/g, " ").includes(err), joined);
    assert.match(joined, /▲ Down → Up \d\d:\d\d:\d\d · vm1 · lb-web\/rule-http · Up_Probe_Success/);
    assert.ok(rows.every((r) => cellWidth(r.map((x) => x.t).join("")) <= 48));
  });
});

describe("TraceView and App: a hop's fix commands", () => {
  const FIXTURE = "aws/internet-facing-in-private-subnets";
  /** The data flow of web-alb's first target, and where its route-table hop (the one with the fix) is. */
  async function routeHop() {
    const data = (await session(FIXTURE)).getState().data as TuiData;
    const lbKey = data.lbs[0]?.key ?? "";
    const targetKey = data.inspector?.traceTargets(lbKey)[0]?.key ?? "";
    const trace = { lbKey, targetKey, flow: { kind: "data" as const } };
    const layers = data.inspector?.trace(lbKey, targetKey, trace.flow).layers ?? [];
    const at = layers.findIndex((l) => l.layer === "lb-route");
    const command = layers[at]?.notes.find((n) => n.text.startsWith("$ "))?.text ?? "";
    assert.match(command, /^\$ aws elbv2 set-subnets --load-balancer-arn (arn:\S+) --subnets subnet-\S+ subnet-\S+$/);
    return { data, trace, at, command };
  }

  it("a command note is wrapped whole, never cut to 3 lines; an ARN wider than its column moves left, whole when it fits", async () => {
    const { data, trace, at, command } = await routeHop();
    const arn = /--load-balancer-arn (\S+)/.exec(command)?.[1] ?? "";
    // 100 columns: the ARN (93 cells) is whole on its row, the rest of the command after it
    const wide = frame(h(TraceView, { ...sized, width: 100, height: 80, data, trace, selected: at }), 100).split("\n");
    const start = wide.indexOf("             $ aws elbv2 set-subnets --load-balancer-arn");
    assert.ok(start > 0, wide.join("\n"));
    assert.equal(wide[start + 1], `     ${arn}`);
    assert.match(wide[start + 2] ?? "", /^ {15}--subnets subnet-\S+ subnet-\S+$/);
    // 60 columns: 4 rows, every argument there and in order (the ARN, wider than the screen, cut only at its edge)
    const narrow = frame(h(TraceView, { ...sized, width: 60, height: 80, data, trace, selected: at }), 60).split("\n");
    const from = narrow.findIndex((l) => /^ {13}\$ aws elbv2 set-subnets/.test(l));
    const rows = narrow.slice(from, from + 4);
    assert.deepEqual(
      rows.map((l) => l.match(/^ */)?.[0].length),
      [13, 5, 15, 15],
      rows.join("\n"),
    );
    const words = command.split(" ");
    assert.equal(rows.join(" ").trim().split(/ +/).length, words.length, rows.join("\n"));
    rows
      .join(" ")
      .trim()
      .split(/ +/)
      .forEach((w, i) => {
        if (!w.endsWith("…")) assert.equal(w, words[i], rows.join("\n"));
      });
    assert.equal(rows[3]?.trim(), words.at(-1), "the last argument is shown");
    // other notes keep their 3-row cut
    const long = narrow.findIndex((l) => /^ {13}an internet-facing load balancer's subnets must/.test(l));
    assert.ok(long > 0, narrow.join("\n"));
    assert.match(
      narrow[long + 3] ?? "",
      /^ {13}subnet-\S+ in us-east-1b: DENY/,
      "a reason note is cut after 3 rows, the next note follows",
    );
  });

  it("y copies the fix on the route-table hop, the footer says y copy fix there only, and c is the custom flow on every hop", async () => {
    const { at, command } = await routeHop();
    const s = await session(FIXTURE);
    const copied: string[] = [];
    const copy = (text: string): CopyResult => {
      copied.push(text);
      return { osc52: true, path: "/tmp/fix-1.sh", message: `copied (OSC 52) · saved /tmp/fix-1.sh · ${text}` };
    };
    const inst = render(h(App, { session: s, color: false, copy, onExit: () => {}, size: { columns: 100, rows: 60 } }));
    const text = () => stripVTControlCharacters(inst.lastFrame() ?? "");
    const footer = () => text().split("\n").at(-1) ?? "";
    await until(text, /LOAD BALANCERS \(1\)/, "overview");
    inst.stdin.write("\r");
    await until(text, /^Overview › web-alb/m, "lb view");
    inst.stdin.write("t");
    await until(text, /^Overview › web-alb › trace probe/m, "trace");
    inst.stdin.write("d");
    await until(text, /^Overview › web-alb › trace data/m, "data flow");
    assert.match(footer(), /^p health check · d data · c custom · /);
    assert.doesNotMatch(footer(), /copy fix/);
    for (let i = 0; i < at; i++) inst.stdin.write("j");
    await until(text, new RegExp(`^› ${at + 1}\\. load balancer subnet route table`, "m"), "on the route-table hop");
    assert.match(footer(), /^y copy fix · p health check · d data · c custom · ←→ member · esc back/);
    assert.match(text(), /^FLOW {4}p health check {2}\[d data\] {2}c custom$/m, "the flow row offers c for the custom flow here too");
    inst.stdin.write("y");
    await until(text, /copied \(OSC 52\) · saved \/tmp\/fix-1\.sh · aws elbv2 set-subnets /, "copied");
    assert.deepEqual(copied, [command.slice(2)]);
    assert.doesNotMatch(text(), /custom flow \(/, "no prompt");
    inst.stdin.write("c");
    await until(text, /custom flow \(<source> <port>/, "the prompt, on the hop with a fix");
    assert.equal(copied.length, 1, "c copied nothing");
    inst.stdin.write("\u001b");
    await until(text, /^(?![\s\S]*custom flow \(<source> <port>)/, "the prompt closed");
    inst.stdin.write("k");
    await until(footer, /^p health check · d data · c custom · /, "off the hop: no copy fix");
    inst.unmount();
  });
});

describe("TraceView: a fix's caveat and a cut note", () => {
  it("wraps a fix note whole at 60 and 80 columns, and ends a note cut after 3 rows with …", async () => {
    // the LB subnets on the VPC's main table, which sends 0.0.0.0/0 to a NAT gateway: the fix warns about the main table
    const snap = healthyAlb()
      .edit((s) => {
        type Obj = Record<string, unknown>;
        for (const rt of s.ec2?.RouteTables ?? []) {
          if (rt.RouteTableId === ids.rtb.public) {
            rt.Associations = [{ Main: true, RouteTableId: rt.RouteTableId, RouteTableAssociationId: "rtbassoc-0main" }];
            rt.Routes = ((rt.Routes ?? []) as Obj[]).map((r) =>
              r.DestinationCidrBlock === "0.0.0.0/0" ? { DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: ids.nat, State: "active" } : r,
            );
          } else rt.Associations = ((rt.Associations ?? []) as Obj[]).filter((a) => !a.Main);
        }
      })
      .build();
    const data = await analyze(snap, { source: "snapshot main-nat.json", live: false });
    const lbKey = data.lbs[0]?.key ?? "";
    const targetKey = data.inspector?.traceTargets(lbKey)[0]?.key ?? "";
    const trace = { lbKey, targetKey, flow: { kind: "data" as const } };
    const layers = data.inspector?.trace(lbKey, targetKey, trace.flow).layers ?? [];
    const at = layers.findIndex((l) => l.layer === "lb-route");
    const fix = layers[at]?.notes.find((n) => n.text.startsWith("fix: "))?.text ?? "";
    assert.match(fix, /every subnet without its own table would become public; prefer a dedicated table\.$/);
    for (const width of [60, 80]) {
      const rows = frame(h(TraceView, { ...sized, width, height: 80, data, trace, selected: at }), width).split("\n");
      const from = rows.findIndex((l) => /^ {13}fix: /.test(l));
      const to = rows.findIndex((l, i) => i > from && /^ {13}\$ /.test(l));
      assert.ok(from > 0 && to > from, rows.join("\n"));
      const shown = rows
        .slice(from, to)
        .map((l) => l.trim())
        .join(" ");
      assert.equal(shown, fix, `the fix note whole at ${width} columns`);
      // the reason note about every subnet runs past 3 rows: its third row ends with …, the next note follows
      const long = rows.findIndex((l) => /^ {13}an internet-facing load balancer's subnets must/.test(l));
      assert.ok(long > 0, rows.join("\n"));
      assert.match(rows[long + 2] ?? "", /…$/, `a cut note shows the cut at ${width} columns`);
      assert.match(rows[long + 3] ?? "", /^ {13}subnet-\S+ in us-east-1b: DENY/, rows.join("\n"));
    }
  });
});
