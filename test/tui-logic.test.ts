/**
 * The TUI's logic without a terminal: text layout, the navigation reducer,
 * the collection-progress reducer, the Azure inspector (member table and
 * traces), watch-mode transitions, the clipboard, and when a TUI may run.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { noTuiReason } from "../src/commands/tui.ts";
import { parseCustomFlow } from "../src/core/inspect.ts";
import type { Snapshot } from "../src/core/snapshot/types.ts";
import { healthRuleIds } from "../src/providers/azure/live-source.ts";
import type { AzureSnapshot, RuleHealthBody } from "../src/providers/azure/wire-types.ts";
import { analyze, inspectorFor } from "../src/tui/analyze.ts";
import { clipboard, osc52 } from "../src/tui/clipboard.ts";
import { finishProgress, onCollectEvent, onEngineEvent, startProgress } from "../src/tui/progress.ts";
import { TuiSession } from "../src/tui/session.ts";
import { type DataSource, liveSource, parseInterval, snapshotSource } from "../src/tui/source.ts";
import { current, initialUi, type Keys, reduce, screenItems, selectedIndex, type UiState } from "../src/tui/state.ts";
import { cellWidth, pad, truncate, wrap, wrapHard } from "../src/tui/text.ts";
import type { TuiData } from "../src/tui/types.ts";
import { healthyAlb, ids } from "./support/aws-builder.ts";
import { healthyWeb } from "./support/azure-builder.ts";
import { fixture, lbdoctor, ROOT } from "./support/cli.ts";

const demo = () => snapshotSource(fixture("demo"));
async function load(name: string): Promise<TuiData> {
  const s = new TuiSession(snapshotSource(fixture(name)));
  await s.load();
  return s.getState().data as TuiData;
}

describe("tui text layout", () => {
  it("measures, truncates, pads and wraps in terminal cells", () => {
    assert.equal(cellWidth("abc"), 3);
    assert.equal(cellWidth("日本"), 4);
    assert.equal(cellWidth("e\u0301"), 1);
    assert.equal(truncate("abcdef", 4), "abc…");
    assert.equal(truncate("abc", 4), "abc");
    assert.equal(pad("ab", 4), "ab  ");
    assert.equal(pad("abcdef", 4), "abc…");
    assert.deepEqual(wrap("one two three four", 9), ["one two", "three", "four"]);
    assert.deepEqual(wrap("abcdefghij", 4), ["abcdefghij"], "a token is never broken");
    assert.deepEqual(wrap("see https://example.com/a/b/c now", 10), ["see", "https://example.com/a/b/c", "now"]);
    assert.deepEqual(wrapHard("abcdefghij", 4), ["abcd", "efgh", "ij"], "only where a pane must show it whole");
    for (const l of wrap("x ".repeat(100), 13)) assert.ok(cellWidth(l) <= 13);
  });
});

describe("tui collection progress", () => {
  it("times phases, counts calls per phase, keeps gaps with their phase, then the rules", () => {
    let p = startProgress(0);
    p = onCollectEvent(p, { type: "phase", name: "resource lists" }, 0);
    p = onCollectEvent(p, { type: "call", operation: "loadBalancers.list", calls: 4 }, 100);
    const gap = { operation: "loadBalancers.list", status: 403, code: "AuthorizationFailed", message: "no" };
    p = onCollectEvent(p, { type: "gap", gap }, 120);
    assert.equal(p.log.length, 0, "a running phase and its gaps are not final yet");
    assert.equal(p.phases[0]?.gaps.length, 1);
    p = onCollectEvent(p, { type: "phase", name: "probe health and effective NSGs" }, 200);
    p = onCollectEvent(p, { type: "call", operation: "health", calls: 6 }, 300);
    p = onCollectEvent(p, { type: "done", calls: 6, ms: 400, resources: 10, gaps: 1 }, 400);
    assert.deepEqual(
      p.log.map((e) =>
        e.kind === "phase" ? `${e.phase.name} ${e.phase.calls} ${(e.phase.endedAt ?? 0) - e.phase.startedAt}` : `gap ${e.gap.status}`,
      ),
      ["resource lists 4 200", "gap 403", "probe health and effective NSGs 2 200"],
    );
    p = onEngineEvent(p, { type: "rule-start", ruleId: "a" }, 410);
    p = onEngineEvent(p, { type: "rule-end", ruleId: "a", findings: 3, ms: 1 }, 420);
    p = onEngineEvent(p, { type: "done", findings: 3 }, 430);
    p = finishProgress(p, 430, { summary: "3 failed" });
    assert.equal(p.phases[2]?.name, "rules");
    assert.equal(p.phases[2]?.detail, "1 rule · 3 results");
    assert.equal(p.summary, "3 failed");
    assert.equal(p.finishedAt, 430);
  });

  it("marks the phase a run stopped in", () => {
    let p = startProgress(0);
    p = onCollectEvent(p, { type: "phase", name: "credentials" }, 0);
    p = finishProgress(p, 20, { error: "no Azure subscription" });
    assert.deepEqual([p.phases[0]?.failed, p.phases[0]?.endedAt, p.error], [true, 20, "no Azure subscription"]);
  });

  it("scoped phases run beside each other (regions at once): each its own calls, requests in flight and gaps, over at its phase-done", () => {
    let p = startProgress(0);
    p = onCollectEvent(p, { type: "phase", name: "accounts and regions" }, 0);
    p = onCollectEvent(p, { type: "in-flight", operation: "ec2:DescribeRegions", inFlight: 1, started: 1 }, 1);
    assert.deepEqual([p.phases[0]?.inFlight, p.phases[0]?.started], [1, 1]);
    p = onCollectEvent(p, { type: "in-flight", operation: "ec2:DescribeRegions", inFlight: 0, started: 1 }, 5);
    p = onCollectEvent(p, { type: "call", operation: "ec2:DescribeRegions", calls: 1 }, 5);
    const east = "region us-east-1";
    const west = "region us-west-2";
    p = onCollectEvent(p, { type: "phase", name: east, scope: east }, 10);
    p = onCollectEvent(p, { type: "phase", name: west, scope: west }, 11);
    assert.equal(p.phases[0]?.endedAt, 10, "the unscoped phase before them is over");
    assert.equal(p.phases.filter((ph) => ph.endedAt === undefined).length, 2, "both regions run");
    // each scope's own counts; the run's calls are every scope's
    p = onCollectEvent(p, { type: "in-flight", operation: "DescribeLoadBalancers", inFlight: 1, started: 1, scope: east }, 12);
    p = onCollectEvent(p, { type: "in-flight", operation: "DescribeLoadBalancers", inFlight: 1, started: 1, scope: west }, 12);
    p = onCollectEvent(p, { type: "in-flight", operation: "DescribeTargetGroups", inFlight: 2, started: 2, scope: west }, 13);
    assert.equal(p.inFlight, 3);
    p = onCollectEvent(p, { type: "in-flight", operation: "DescribeLoadBalancers", inFlight: 0, started: 1, scope: east }, 20);
    p = onCollectEvent(p, { type: "call", operation: "DescribeLoadBalancers", calls: 2, scope: east }, 20);
    const gap = { operation: "DescribeTargetGroups", status: 403, code: "AccessDenied", message: "no" };
    p = onCollectEvent(p, { type: "gap", gap, scope: west }, 21);
    p = onCollectEvent(p, { type: "in-flight", operation: "DescribeTargetGroups", inFlight: 1, started: 2, scope: west }, 21);
    const row = (name: string) => p.phases.find((ph) => ph.name === name);
    assert.deepEqual(
      [row(east)?.calls, row(east)?.inFlight, row(west)?.calls, row(west)?.inFlight, row(west)?.gaps.length],
      [1, 0, 0, 1, 1],
    );
    assert.equal(p.inFlight, 1);
    p = onCollectEvent(p, { type: "phase-done", scope: east, detail: "1 load balancer" }, 30);
    assert.deepEqual([row(east)?.endedAt, row(east)?.detail, row(west)?.endedAt], [30, "1 load balancer", undefined]);
    const last = p.log.at(-1);
    assert.equal(last?.kind === "phase" ? last.phase.name : "", east, "the region that ended goes to the log first");
    p = finishProgress(p, 40, { error: "stopped" });
    assert.deepEqual(
      [row(west)?.failed, row(west)?.endedAt, row(east)?.failed],
      [true, 40, undefined],
      "the region still running is where it stopped",
    );
    assert.deepEqual(
      p.log.map((e) => (e.kind === "phase" ? e.phase.name : `gap ${e.gap.status}`)),
      ["accounts and regions", east, west, "gap 403"],
    );
  });
});

describe("tui Azure inspector", () => {
  it("gives every member of the demo LB its power, probe health and NSG verdicts with the deciding rule", async () => {
    const data = await load("demo");
    const lb = data.lbs[0];
    assert.equal(lb?.status, "down");
    assert.equal(lb?.failedBySeverity.critical, 2);
    const detail = data.inspector?.lbDetail(lb?.key ?? "");
    const rule = detail?.frontends[0]?.rules[0];
    assert.equal(rule?.name, "rule-http");
    const [vm1, vm2] = rule?.members ?? [];
    assert.equal(vm1?.vm, "vm1");
    assert.equal(vm1?.power, "running");
    assert.deepEqual([vm1?.health.state, vm1?.health.reason], ["Down", "Down_Probe_HttpEndpointUnreachable"]);
    assert.deepEqual(
      [vm1?.probe.verdict, vm1?.probe.rule, vm1?.probe.priority, vm1?.probe.layer],
      ["deny", "deny-all-inbound", 4000, "nic"],
    );
    assert.equal(vm1?.data.verdict, "deny");
    assert.equal(vm2?.power, "deallocated");
    assert.match(vm2?.health.reason ?? "", /deallocated/);
    assert.equal(vm2?.probe.verdict, "allow");
  });

  it("traces the probe, the data path and a custom flow layer by layer", async () => {
    const data = await load("demo");
    const lbKey = data.lbs[0]?.key ?? "";
    const [t1, t2] = data.inspector?.traceTargets(lbKey) ?? [];
    const probe = data.inspector?.trace(lbKey, t1?.key ?? "", { kind: "probe" });
    assert.equal(probe?.verdict, "deny");
    assert.deepEqual(
      probe?.layers.map((l) => [l.layer, l.verdict, l.deciding?.name]),
      [
        ["subnet", "allow", "AllowVnetInBound"],
        ["nic", "deny", "deny-all-inbound"],
      ],
    );
    assert.match(probe?.flow ?? "", /^168\.63\.129\.16 .* → 10\.0\.0\.4:80\/Tcp/);
    const data2 = data.inspector?.trace(lbKey, t2?.key ?? "", { kind: "data" });
    assert.equal(data2?.verdict, "allow");
    const custom = data.inspector?.trace(lbKey, t1?.key ?? "", { kind: "custom", source: "10.0.0.5", port: 22, protocol: "Tcp" });
    assert.equal(custom?.verdict, "deny");
    const bad = data.inspector?.trace(lbKey, t1?.key ?? "", { kind: "custom", source: "nowhere", port: 22, protocol: "Tcp" });
    assert.match(bad?.error ?? "", /not an IP address, a service tag/);
  });

  it("parses custom flows", () => {
    assert.deepEqual(parseCustomFlow("203.0.113.7 443"), { kind: "custom", source: "203.0.113.7", port: 443, protocol: "Tcp" });
    assert.deepEqual(parseCustomFlow("Internet:53/udp"), { kind: "custom", source: "Internet", port: 53, protocol: "Udp" });
    assert.ok("error" in parseCustomFlow("vm1"));
    assert.ok("error" in parseCustomFlow("vm1 70000"));
    // port 0 is no TCP or UDP port (trace --to refuses it too); ICMP takes any number, as it has no port
    assert.deepEqual(parseCustomFlow("Internet 0"), { error: "0 is not a port number (1–65535)" });
    assert.ok("error" in parseCustomFlow("Internet:0/udp"));
    assert.deepEqual(parseCustomFlow("Internet 0/icmp"), { kind: "custom", source: "Internet", port: 0, protocol: "Icmp" });
  });

  it("an AWS model gets no inspector, and says the views are not available for it yet", () => {
    const r = inspectorFor({} as never, { provider: "aws" } as never);
    assert.equal(r.inspector, undefined);
    assert.match(r.note ?? "", /not available for AWS yet/);
  });
});

const k = (over: Keys = {}): Keys => over;
function press(ui: UiState, data: TuiData, ...keys: Array<string | Keys>): { ui: UiState; effects: string[] } {
  const effects: string[] = [];
  let u = ui;
  const ctx = { data, progress: startProgress(0), page: 5 };
  for (const key of keys) {
    const r = typeof key === "string" ? reduce(u, key, {}, ctx) : reduce(u, "", key, ctx);
    u = r.ui;
    if (r.effect) effects.push(r.effect.type === "copy" ? `copy:${r.effect.text}` : r.effect.type);
  }
  return { ui: u, effects };
}

describe("tui navigation reducer", () => {
  it("opens a load balancer, traces a member, switches flows and members, and goes back", async () => {
    const data = await load("demo");
    let { ui } = press(initialUi(), data, k({ return: true }));
    assert.equal(current(ui).screen.kind, "lb");
    ({ ui } = press(ui, data, "t"));
    const s = current(ui).screen;
    assert.equal(s.kind, "trace");
    ({ ui } = press(ui, data, "d", k({ rightArrow: true })));
    const s2 = current(ui).screen;
    assert.ok(s2.kind === "trace" && s2.flow.kind === "data" && s.kind === "trace" && s2.targetKey !== s.targetKey);
    ({ ui } = press(ui, data, "c", "I", "n", "t", "e", "r", "n", "e", "t", " ", "2", "2", k({ return: true })));
    const s3 = current(ui).screen;
    assert.deepEqual(s3.kind === "trace" && s3.flow, { kind: "custom", source: "Internet", port: 22, protocol: "Tcp" });
    ({ ui } = press(ui, data, k({ escape: true }), k({ backspace: true })));
    assert.equal(ui.stack.length, 1);
  });

  it("opens a finding and copies its fix command; q quits; ctrl-c quits with 130", async () => {
    const data = await load("demo");
    const { ui, effects } = press(initialUi(), data, "j", k({ return: true }), "c");
    assert.equal(current(ui).screen.kind, "finding");
    assert.match(effects[0] ?? "", /^copy:az network nsg rule create .*--nsg-name nsg-vm1-lockdown/);
    assert.deepEqual(press(ui, data, "q").effects, ["quit"]);
    const r = reduce(ui, "c", { ctrl: true }, { data, progress: startProgress(0), page: 5 });
    assert.deepEqual(r.effect, { type: "quit", code: 130 });
  });

  it("filters by text and by severity floor, and clamps the cursor", async () => {
    const data = await load("demo");
    const items = (u: UiState) => screenItems(u, { data, progress: startProgress(0) }).map((i) => i.kind);
    assert.deepEqual(items(initialUi()), ["lb", "finding", "finding", "finding", "finding", "finding"]);
    let { ui } = press(initialUi(), data, "/", "s", "i", "n", "g", "l", "e");
    assert.equal(ui.editing?.text, "single");
    assert.deepEqual(items(ui), ["finding"]);
    ({ ui } = press(ui, data, k({ escape: true })));
    assert.equal(ui.filter.text, "", "esc drops the filter being typed");
    ({ ui } = press(ui, data, "s"));
    assert.equal(ui.filter.minSeverity, "critical");
    assert.deepEqual(items(ui), ["lb", "finding", "finding"]);
    ({ ui } = press(ui, data, "G", "j", "j"));
    assert.equal(current(ui).selected, 2);
    ({ ui } = press(ui, data, "s", "s", "s", "s", "s"));
    assert.equal(ui.filter.minSeverity, undefined, "the cycle comes back to any");
  });

  it("r, w and ? are effects and help; help scrolls, and only esc, enter or ? close it", async () => {
    const data = await load("demo");
    const { ui, effects } = press(initialUi(), data, "r", "w", "?");
    assert.deepEqual(effects, ["refresh", "watch"]);
    assert.equal(ui.help, true);
    assert.equal(press(ui, data, "x").ui.help, true, "a stray key keeps it open");
    const ctx = { data, progress: startProgress(0), page: 5, helpMax: 7 };
    let u = reduce(ui, "j", {}, ctx).ui;
    assert.equal(u.helpTop, 1);
    u = reduce(u, "", { pageDown: true }, ctx).ui;
    assert.equal(u.helpTop, 6);
    u = reduce(u, "G", {}, ctx).ui;
    assert.equal(u.helpTop, 7, "no further than its last row");
    u = reduce(u, "", { escape: true }, ctx).ui;
    assert.equal(u.help, false);
    assert.equal(press(ui, data, "?").ui.help, false);
  });

  it("prompts open empty; ctrl-w deletes a word, ctrl-u the line; esc puts the old filter back", async () => {
    const data = await load("demo");
    const ctx = { data, progress: startProgress(0), page: 5 };
    let { ui } = press(initialUi(), data, "/", "l", "b", k({ return: true }));
    assert.equal(ui.filter.text, "lb");
    ({ ui } = press(ui, data, "/"));
    assert.equal(ui.editing?.text, "", "not pre-filled");
    ({ ui } = press(ui, data, "v", "m", "1", " ", "n", "i", "c"));
    ui = reduce(ui, "w", { ctrl: true }, ctx).ui;
    assert.equal(ui.editing?.text, "vm1 ");
    ui = reduce(ui, "u", { ctrl: true }, ctx).ui;
    assert.equal(ui.editing?.text, "");
    ({ ui } = press(ui, data, k({ escape: true })));
    assert.equal(ui.filter.text, "lb", "esc restores the filter the prompt replaced");
  });

  it("o sorts the findings by severity, resource and state, then back to root causes first", async () => {
    const data = await load("demo");
    const rules = (u: UiState) =>
      screenItems(u, { data, progress: startProgress(0) }).flatMap((i) =>
        i.kind === "finding" ? [data.findings.find((f) => f.id === i.id)] : [],
      );
    let { ui } = press(initialUi(), data, "o");
    assert.equal(ui.filter.sort, "severity");
    const bySev = rules(ui).map((f) => f?.severity);
    assert.deepEqual(
      bySev,
      [...bySev].sort(
        (a, b) =>
          ["critical", "high", "medium", "low", "info"].indexOf(a ?? "") - ["critical", "high", "medium", "low", "info"].indexOf(b ?? ""),
      ),
    );
    ({ ui } = press(ui, data, "o"));
    assert.equal(ui.filter.sort, "resource");
    const names = rules(ui).map((f) => f?.resourceName ?? "");
    assert.deepEqual(
      names,
      [...names].sort((a, b) => a.localeCompare(b)),
    );
    ({ ui } = press(ui, data, "o", "o"));
    assert.equal(ui.filter.sort, undefined);
    assert.deepEqual(
      rules(ui).map((f) => f?.id),
      rules(initialUi()).map((f) => f?.id),
    );
  });

  it("the filter matches resource names and ids", async () => {
    const data = await load("demo");
    const { ui } = press(initialUi(), data, "/", ..."nsg-vm1-lockdown".split(""));
    const items = screenItems(ui, { data, progress: startProgress(0) });
    assert.ok(items.length > 0 && items.every((i) => i.kind === "finding"));
  });
});

/** A live-like source whose rule health the test controls. */
function fakeLive(snapshot: Snapshot, health: () => Record<string, RuleHealthBody>): DataSource {
  return {
    live: true,
    label: "live: fake",
    async acquire(onEvent) {
      onEvent({ type: "phase", name: "resource lists" });
      onEvent({ type: "done", calls: 1, ms: 1, resources: 1, gaps: 0 });
      return structuredClone(snapshot);
    },
    async pollHealth(s) {
      const before = s as AzureSnapshot;
      const next = { ...before, observations: { ...before.observations, ruleHealth: { ...before.observations?.ruleHealth, ...health() } } };
      return { snapshot: next, gaps: [], ms: 1 };
    },
  };
}

describe("tui cursor across data updates (issue 15, row 2)", () => {
  it("follows its finding by id when a poll reorders the list; a filter puts it back on the first row", async () => {
    const data = await load("demo");
    let { ui } = press(initialUi(), data, "j", "j", "j");
    const at = (d: TuiData) =>
      screenItems(ui, { data: d, progress: startProgress(0) })[selectedIndex(ui, screenItems(ui, { data: d, progress: startProgress(0) }))];
    const before = at(data);
    assert.equal(before?.kind === "finding" && before.id.split("|")[0], "azure/data-port-blocked-by-nsg");
    // the same finding, moved to the end of the list
    const moved: TuiData = {
      ...data,
      findings: [
        ...data.findings.filter((f) => f.id !== (before as { id: string }).id),
        before && data.findings.find((f) => f.id === (before as { id: string }).id),
      ].filter((f): f is TuiData["findings"][number] => !!f),
    };
    const after = at(moved);
    assert.deepEqual(after, before, "the cursor is still on data-port-blocked-by-nsg");
    assert.equal(selectedIndex(ui, screenItems(ui, { data: moved, progress: startProgress(0) })), 5);
    // gone: the same row
    const gone: TuiData = { ...data, findings: data.findings.filter((f) => f.id !== (before as { id: string }).id) };
    assert.equal(selectedIndex(ui, screenItems(ui, { data: gone, progress: startProgress(0) })), 3);
    // and moving on from there works on the new order
    ({ ui } = press(ui, moved, "k"));
    assert.equal(current(ui).selected, 4);
    ({ ui } = press(ui, data, "s"));
    assert.equal(selectedIndex(ui, screenItems(ui, { data, progress: startProgress(0) })), 0, "a new filter: the first row");
  });
});

describe("tui exit summary (issue 15, row 10)", () => {
  it("is the latest run's after a refresh, and nothing after the first load alone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lbdoctor-exit-"));
    const file = join(dir, "s.json");
    writeFileSync(file, readFileSync(fixture("demo")));
    const s = new TuiSession(snapshotSource(file));
    await s.load();
    assert.equal(s.exitSummary(), undefined, "the collection screen's summary is already in the scrollback");
    writeFileSync(file, readFileSync(fixture("healthy-web")));
    await s.refresh();
    assert.match(s.exitSummary() ?? "", /^latest \(refreshed at \d\d:\d\d:\d\d\): 0 failed · /);
  });
});

describe("tui watch mode", () => {
  it("re-polls rule health, re-runs the rules, and records Down → Up per member", async () => {
    const snap = healthyWeb()
      .ruleHealth("lb-web", "rule-http", [
        { vm: "vm1", state: "Down", reason: "Down_Probe_TcpProbeTimeout" },
        { vm: "vm2", state: "Up", reason: "Up_Probe_Success" },
      ])
      .build();
    const ruleId = healthRuleIds(snap)[0] as string;
    let body = structuredClone(snap.observations?.ruleHealth?.[ruleId] as RuleHealthBody);
    let t = 1000;
    const session = new TuiSession(
      fakeLive(snap, () => ({ [ruleId]: body })),
      { watchMs: 60_000, now: () => t },
    );
    await session.load();
    assert.ok(session.getState().data?.findings.some((f) => f.ruleId === "azure/backend-unhealthy" && f.status === "fail"));
    assert.match(session.startWatch(), /watching rule health every 60s/);
    t = 2000;
    await session.pollOnce();
    assert.equal(session.getState().watch.transitions.length, 0);
    body = structuredClone(body);
    for (const a of body.loadBalancerBackendAddresses ?? []) Object.assign(a, { state: "Up", reason: "Up_Probe_Success" });
    t = 3000;
    await session.pollOnce();
    session.stop();
    const w = session.getState().watch;
    assert.equal(w.polls, 2);
    assert.equal(w.transitions.length, 1);
    assert.deepEqual([w.transitions[0]?.from, w.transitions[0]?.to, w.transitions[0]?.at], ["Down", "Up", 3000]);
    assert.match(w.transitions[0]?.label ?? "", /^vm1 · lb-web\/rule-http/);
    const tl = w.timelines[w.transitions[0]?.key ?? ""];
    assert.deepEqual(
      tl?.samples.map((s) => s.state),
      ["Down", "Down", "Up"],
    );
    assert.ok(!session.getState().data?.findings.some((f) => f.ruleId === "azure/backend-unhealthy" && f.status === "fail"));
  });

  it("is unavailable on a snapshot, and says why", () => {
    const session = new TuiSession(demo(), { watchMs: 2000 });
    assert.match(session.startWatch(), /^watch unavailable: .*snapshot is one moment in time/);
    assert.equal(session.getState().watch.active, false);
  });

  it("routes live scopes: one resource group gets progress and watch; Resource Graph and AWS over several regions go through check's acquisition", async () => {
    const rg = await liveSource("my-rg", {});
    assert.equal(rg.label, "live: resource group my-rg");
    assert.ok(rg.pollHealth);
    const aws = await liveSource(undefined, { provider: "aws", region: "us-west-2,eu-west-1" });
    assert.equal(aws.label, "live: AWS region us-west-2,eu-west-1, every load balancer");
    assert.equal(aws.pollHealth, undefined);
    assert.match(aws.watchUnavailable ?? "", /watch polls DescribeTargetHealth in one region/);
    const graph = await liveSource(undefined, { subscription: "a,b" });
    assert.equal(graph.label, "live: Azure Resource Graph, subscription a, b");
    assert.equal(graph.pollHealth, undefined);
  });

  it("parses intervals", () => {
    assert.equal(parseInterval("5s"), 5000);
    assert.equal(parseInterval("1500ms"), 1500);
    assert.equal(parseInterval("2"), 2000);
    assert.equal(parseInterval("1m"), 60_000);
    assert.throws(() => parseInterval("100ms"), /from 1s to 60m/);
    assert.throws(() => parseInterval("soon"), /not an interval/);
  });
});

describe("tui clipboard", () => {
  it("sends OSC 52 and also saves the command to a file", () => {
    const written: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), "lbdoctor-clip-"));
    const copy = clipboard({ write: (s) => written.push(s), isTTY: true, env: { TERM: "xterm-256color" }, dir });
    const r = copy("az vm start --name vm2");
    assert.deepEqual(written, [osc52("az vm start --name vm2")]);
    assert.equal(written[0], `\u001b]52;c;${Buffer.from("az vm start --name vm2").toString("base64")}\u0007`);
    assert.ok(r.osc52 && r.path && existsSync(r.path));
    assert.equal(readFileSync(r.path as string, "utf8"), "az vm start --name vm2\n");
    assert.equal(r.message, `copied (OSC 52) · saved ${r.path} · az vm start --name vm2`, "the path whole, then what was copied");
  });

  it("falls back to the file alone where OSC 52 cannot work", () => {
    const written: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), "lbdoctor-clip-"));
    const r = clipboard({ write: (s) => written.push(s), isTTY: true, env: { TERM: "dumb" }, dir })("x");
    assert.equal(written.length, 0);
    assert.equal(r.osc52, false);
    assert.match(r.message, /^saved \S*fix-1\.sh · x · not on the clipboard: TERM=dumb has no clipboard$/);
    const f = clipboard({ write: (s) => written.push(s), isTTY: true, env: { LBDOCTOR_CLIPBOARD: "file" }, dir })("y");
    assert.equal(f.osc52, false);
  });
});

describe("tui needs a terminal", () => {
  it("refuses without a TTY or under CI", () => {
    const env = {};
    assert.equal(noTuiReason({ stdinTTY: true, stdoutTTY: true, env }), undefined);
    assert.equal(noTuiReason({ stdinTTY: true, stdoutTTY: false, env }), "stdout is not a terminal");
    assert.equal(noTuiReason({ stdinTTY: false, stdoutTTY: true, env }), "stdin is not a terminal");
    assert.equal(noTuiReason({ stdinTTY: true, stdoutTTY: true, env: { CI: "true" } }), "CI is set");
    assert.equal(noTuiReason({ stdinTTY: true, stdoutTTY: true, env: { CI: "false" } }), undefined);
  });
});

describe("tui analysis", () => {
  it("narrows to a load balancer like check does, and refuses an unknown one", async () => {
    const snap = JSON.parse(readFileSync(fixture("demo"), "utf8"));
    const data = await analyze(snap, { source: "x", live: false, target: "lb-web" });
    assert.equal(data.lbs.length, 1);
    await assert.rejects(analyze(snap, { source: "x", live: false, target: "nope" }), /neither a resource group nor a load balancer/);
  });
});

describe("tui: the first data, while the rules run", () => {
  it("every view says the load balancers are being checked, and none says nothing failed", async () => {
    const { analyzeInSteps } = await import("../src/tui/analyze.ts");
    const { lbRows } = await import("../src/tui/views/lb.ts");
    const { overviewRows, overviewPreview } = await import("../src/tui/views/overview.ts");
    const { detailParas } = await import("../src/tui/views/detail.ts");
    const { timelineRows } = await import("../src/tui/views/timeline.ts");
    const snap = JSON.parse(readFileSync(fixture("demo"), "utf8"));
    const run = await analyzeInSteps(snap, { source: "x", live: false });
    const first = run.first;
    assert.deepEqual(first.checking, { rules: 32 });
    assert.deepEqual(first.findings, []);
    const lb = first.lbs[0];
    assert.ok(lb);
    assert.equal(lb.status, "checking");
    const text = (rows: Array<Array<{ t: string }>>) => rows.map((r) => r.map((x) => x.t).join("")).join("\n");
    const item = { kind: "lb" as const, key: lb.key };
    const shown = [
      text(overviewRows(first, { text: "", all: false }, 0, 120).rows),
      text(lbRows(first, lb.key, { text: "", all: false }, 0, 120).rows),
      detailParas({ data: first, progress: startProgress(0), item, index: 0 })
        .map((p) => p.text)
        .join("\n"),
      overviewPreview(first, item),
      text(timelineRows(first, 0, 120).rows),
    ];
    for (const t of shown) {
      assert.doesNotMatch(t, /nothing failed|\b0 failed|HEALTHY/, t);
      assert.match(t, /CHECKING|rules running|checking 32 rules|once the rules have run/, t);
    }
    // the members and their verdicts are there already
    assert.match(shown[1] ?? "", /vm1-nic/);
    const done = await run.done;
    assert.equal(done.checking, undefined);
    assert.equal(done.lbs[0]?.status, "down");
    assert.match(text(lbRows(done, lb.key, { text: "", all: false }, 0, 120).rows), /5 failed/);
  });
});

describe("tui: every result (a)", () => {
  it("lists the passes the engine only counted, and shows an opened one whole", async () => {
    const { findingRows } = await import("../src/tui/views/finding.ts");
    const { overviewRows } = await import("../src/tui/views/overview.ts");
    const data = await load("demo");
    // the failures are whole from the start; the passes are counted, not made
    assert.ok(data.findings.length > 0);
    assert.ok(data.findings.every((f) => f.status !== "pass" && f.status !== "not-applicable" && f.message !== ""));
    const every = data.allFindings?.() ?? [];
    const passes = every.filter((f) => f.status === "pass");
    assert.equal(passes.length, data.report.summary.byStatus.pass, "every pass the summary counts is listed");
    assert.equal(every.length - passes.length - data.findings.length, data.report.summary.byStatus["not-applicable"]);
    // the overview lists them with `a`, and not without
    const text = (rows: Array<Array<{ t: string }>>) => rows.map((r) => r.map((x) => x.t).join("")).join("\n");
    const pass = passes.find((f) => f.ruleId === "azure/basic-sku-retired") as (typeof passes)[number];
    assert.ok(pass && pass.message === "", "a listed pass is light");
    assert.ok(text(overviewRows(data, { text: "sku-retired", all: true }, 0, 120).rows).includes("basic-sku-retired"));
    assert.ok(!text(overviewRows(data, { text: "sku-retired", all: false }, 0, 120).rows).includes("basic-sku-retired"));
    // opened: its rule's own words and evidence
    const shown = text(findingRows(data, pass.id, 0, 120).rows);
    assert.match(shown, /Load balancer lb-web is Standard SKU\./);
    assert.doesNotMatch(shown, /no longer reported/);
  });
});

describe("tui virtualized lists", () => {
  it("a viewport draws only the rows it shows, at any length", async () => {
    const { viewportWindow } = await import("../src/tui/components/rows.ts");
    let drawn = 0;
    const v = {
      total: 20_000,
      rowAt: (i: number) => {
        drawn++;
        return [{ t: `row ${i}` }];
      },
      spanOf: (i: number): [number, number] | undefined => (i < 20_000 ? [i, i + 1] : undefined),
    };
    const w = viewportWindow(v, 15_000, 20);
    assert.ok(drawn <= 20, `drew ${drawn} rows for a 20-row viewport`);
    assert.equal(w.rows.length, 20);
    assert.ok(w.rows.some((r) => r[0]?.t === "row 15000"));
  });

  it("the overview of 20,000 findings is drawn on demand and matches the whole list", async () => {
    const { overviewVirtual, overviewRows } = await import("../src/tui/views/overview.ts");
    const data = await load("demo");
    const base = data.findings;
    const findings = Array.from({ length: 20_000 }, (_, i) => ({ ...(base[i % base.length] as (typeof base)[number]), id: `f${i}` }));
    // no allFindings: `findings` holds every result
    const { allFindings: _every, ...rest } = data;
    const big: TuiData = { ...rest, findings };
    const filter = { text: "", all: true };
    const v = overviewVirtual(big, filter, 12_345, 100);
    const whole = overviewRows(big, filter, 12_345, 100);
    assert.equal(v.total, whole.rows.length);
    const span = v.spanOf(12_345);
    assert.deepEqual(span, whole.spans[12_345]);
    assert.deepEqual(v.rowAt(span?.[0] ?? 0), whole.rows[span?.[0] ?? 0]);
    assert.equal(v.rowAt(span?.[0] ?? 0)[0]?.t, "› ", "the cursor's row");
  });
});

describe("tui trace view: a hop's fix commands", () => {
  /** The data flow of web-alb's first target, the cursor on the route-table hop (the hop with the fix). */
  async function onRouteHop(data: TuiData): Promise<{ ui: UiState; commands: string[] }> {
    let { ui } = press(initialUi(), data, k({ return: true }), "t", "d");
    const s = current(ui).screen;
    assert.ok(s.kind === "trace" && s.flow.kind === "data");
    const layers = data.inspector?.trace(s.lbKey, s.targetKey, s.flow).layers ?? [];
    const at = layers.findIndex((l) => l.layer === "lb-route");
    assert.ok(at > 0, "a route-table hop, after the first");
    ({ ui } = press(ui, data, ...Array.from({ length: at }, () => "j")));
    assert.equal(selectedIndex(ui, screenItems(ui, { data, progress: startProgress(0) })), at);
    // the commands as the hop's notes print them, after `$ `
    const commands = (layers[at]?.notes ?? []).filter((n) => n.text.startsWith("$ ")).map((n) => n.text.slice(2));
    return { ui, commands };
  }

  it("y on the route-table hop copies its fix command as lbdoctor trace prints it; c opens the custom flow on every hop", async () => {
    const s = new TuiSession(snapshotSource(join(ROOT, "fixtures/aws/internet-facing-in-private-subnets.json")));
    await s.load();
    const data = s.getState().data as TuiData;
    const { ui, commands } = await onRouteHop(data);
    assert.equal(commands.length, 1);
    assert.match(
      commands[0] ?? "",
      /^aws elbv2 set-subnets --load-balancer-arn arn:aws:elasticloadbalancing:\S+ --subnets subnet-\S+ subnet-\S+$/,
    );
    assert.deepEqual(press(ui, data, "y").effects, [`copy:${commands[0]}`]);
    const onFix = press(ui, data, "c");
    assert.deepEqual([onFix.effects, onFix.ui.editing?.purpose], [[], "flow"], "c is the custom flow on a hop with a fix too");
    // the same line as lbdoctor trace prints it
    const out = lbdoctor([
      "trace",
      "--snapshot",
      "fixtures/aws/internet-facing-in-private-subnets.json",
      "--from",
      "Internet",
      "--to",
      "web-1:80",
    ]);
    assert.ok(out.stdout.split("\n").includes(`       $ ${commands[0]}`), out.stdout);
    // on another hop: c opens the custom flow, y has nothing to copy
    const up = press(ui, data, "k");
    const c = press(up.ui, data, "c");
    assert.deepEqual([c.effects, c.ui.editing?.purpose], [[], "flow"]);
    const y = press(up.ui, data, "y");
    assert.deepEqual([y.effects, y.ui.message?.text], [[], "nothing to copy: the selection has no fix command"]);
  });

  it("a fix of several commands is copied on one line, in order, joined by &&", async () => {
    // no 0.0.0.0/0 route, so no route names the VPC's internet gateway: look it up, then add the route
    const snap = healthyAlb().removeRoute(ids.rtb.public, "0.0.0.0/0").build();
    const data = await analyze(snap, { source: "snapshot no-igw.json", live: false });
    const { ui, commands } = await onRouteHop(data);
    assert.equal(commands.length, 2);
    assert.match(commands[0] ?? "", /^aws ec2 describe-internet-gateways /);
    assert.match(
      commands[1] ?? "",
      /^aws ec2 create-route --route-table-id rtb-\S+ --destination-cidr-block 0\.0\.0\.0\/0 --gateway-id '<igw-id>'$/,
    );
    assert.deepEqual(press(ui, data, "y").effects, [`copy:${commands.join(" && ")}`]);
  });
});

describe("tui trace view: y copies a hop's fix, c opens the custom flow on every hop, several commands copied as one line", () => {
  /** The data flow of web-alb's first target, the cursor on the route-table hop (the one with a fix), and its commands. */
  async function routeHop(data: TuiData): Promise<{ ui: UiState; commands: string[]; at: number }> {
    let { ui } = press(initialUi(), data, k({ return: true }), "t", "d");
    const s = current(ui).screen;
    assert.ok(s.kind === "trace" && s.flow.kind === "data");
    const layers = data.inspector?.trace(s.lbKey, s.targetKey, s.flow).layers ?? [];
    const at = layers.findIndex((l) => l.layer === "lb-route");
    assert.ok(at > 0, "a route-table hop, after the first");
    ({ ui } = press(ui, data, ...Array.from({ length: at }, () => "j")));
    assert.equal(selectedIndex(ui, screenItems(ui, { data, progress: startProgress(0) })), at);
    const commands = (layers[at]?.notes ?? []).filter((n) => n.text.startsWith("$ ")).map((n) => n.text.slice(2));
    return { ui, commands, at };
  }
  /** A directory with an `aws` that logs its first two words and fails (exit 1) on `describe-internet-gateways` when FAIL=1. */
  function fakeAws(): { dir: string; log: string } {
    const dir = mkdtempSync(join(tmpdir(), "lbdoctor-paste-"));
    writeFileSync(
      join(dir, "aws"),
      '#!/bin/sh\necho "$1 $2" >> "$LOG"\nif [ "$2" = describe-internet-gateways ] && [ "$FAIL" = 1 ]; then exit 1; fi\nexit 0\n',
      { mode: 0o755 },
    );
    return { dir, log: join(dir, "log") };
  }

  it("on the route-table hop y copies the fix and c opens the custom flow; off it, c opens the flow and y has nothing to copy", async () => {
    const { hintsFor } = await import("../src/tui/components/app.ts");
    const { traceRows } = await import("../src/tui/views/trace.ts");
    const { KEYS } = await import("../src/tui/views/help.ts");
    const s = new TuiSession(snapshotSource(join(ROOT, "fixtures/aws/internet-facing-in-private-subnets.json")));
    await s.load();
    const data = s.getState().data as TuiData;
    const { ui, commands, at } = await routeHop(data);
    assert.equal(commands.length, 1);
    assert.deepEqual(press(ui, data, "y").effects, [`copy:${commands[0]}`], "one command: copied as printed");
    const c = press(ui, data, "c");
    assert.deepEqual([c.effects, c.ui.editing], [[], { purpose: "flow", text: "", before: "" }], "c on the fix hop: the prompt");
    const typed = press(c.ui, data, ..."203.0.113.9 443", k({ return: true }));
    const screen = current(typed.ui).screen;
    assert.deepEqual(screen.kind === "trace" && screen.flow, { kind: "custom", source: "203.0.113.9", port: 443, protocol: "Tcp" });
    // the footer and the flow row offer both keys on the hop; off it, c only
    const items = (u: UiState) => screenItems(u, { data, progress: startProgress(0) });
    const hints = hintsFor(ui, s.getState(), items(ui));
    assert.deepEqual(
      hints.filter((x) => /^[cy] /.test(x)),
      ["y copy fix", "c custom"],
    );
    const flowRow = (sel: number) => {
      const sc = current(ui).screen;
      assert.ok(sc.kind === "trace");
      const row = traceRows(data, sc, sel, 100).rows.find((r) => r[0]?.t === "FLOW   ");
      return (row ?? []).map((x) => x.t).join("");
    };
    assert.match(flowRow(at), /c custom/);
    const up = press(ui, data, "k");
    assert.deepEqual(
      hintsFor(up.ui, s.getState(), items(up.ui)).filter((x) => /^[cy] /.test(x)),
      ["c custom"],
    );
    assert.equal(press(up.ui, data, "c").ui.editing?.purpose, "flow");
    const y = press(up.ui, data, "y");
    assert.deepEqual([y.effects, y.ui.message?.text], [[], "nothing to copy: the selection has no fix command"]);
    // the help lists one meaning a key in the trace view
    const trace = new Map(KEYS.find(([name]) => name === "trace")?.[1] ?? []);
    assert.match(trace.get("c") ?? "", /^a custom flow: .*on every hop/);
    assert.match(trace.get("y") ?? "", /^on a hop with a fix: copy its commands on one line, joined by &&/);
    assert.equal(trace.get("c  y"), undefined);
  });

  it("several commands are copied as one line joined by &&: a paste runs nothing, and a failing command stops the rest", async () => {
    // no 0.0.0.0/0 route, so no route names the VPC's internet gateway: look it up, then add the route
    const snap = healthyAlb().removeRoute(ids.rtb.public, "0.0.0.0/0").build();
    const data = await analyze(snap, { source: "snapshot no-igw.json", live: false });
    const { ui, commands } = await routeHop(data);
    assert.equal(commands.length, 2);
    const [describeIgw = "", createRoute = ""] = commands;
    assert.match(
      describeIgw,
      /^aws ec2 describe-internet-gateways --filters '\[\{"Name":"attachment\.vpc-id","Values":\["vpc-\w+"\]\}\]'$/,
    );
    assert.match(
      createRoute,
      /^aws ec2 create-route --route-table-id rtb-\S+ --destination-cidr-block 0\.0\.0\.0\/0 --gateway-id '<igw-id>'$/,
    );
    const copied = press(ui, data, "y").effects;
    assert.deepEqual(copied, [`copy:${describeIgw} && ${createRoute}`]);
    const line = (copied[0] ?? "").slice("copy:".length);
    assert.ok(!/[\n\r]/.test(line), "one line: nothing runs before enter");
    assert.equal(press(ui, data, "c").ui.editing?.purpose, "flow", "c is still the custom flow here");
    // run as a POSIX shell runs the pasted line: the lookup fails, the route is not created; it succeeds, both run in order
    const { spawnSync } = await import("node:child_process");
    for (const [fail, want] of [
      ["1", "ec2 describe-internet-gateways\n"],
      ["0", "ec2 describe-internet-gateways\nec2 create-route\n"],
    ] as const) {
      const { dir, log } = fakeAws();
      const r = spawnSync("sh", ["-c", line], { env: { PATH: `${dir}:/usr/bin:/bin`, LOG: log, FAIL: fail }, encoding: "utf8" });
      assert.equal(r.status, fail === "1" ? 1 : 0, r.stderr);
      assert.equal(readFileSync(log, "utf8"), want, `FAIL=${fail}`);
    }
  });

  it("pasteLine: a comment, a command's own list, an unknown cmdlet or two shells are not joined: the first command alone, with a note", async () => {
    const { pasteLine } = await import("../src/tui/clipboard.ts");
    const one = "aws elbv2 set-subnets --load-balancer-arn arn:aws:x --subnets subnet-1 subnet-2";
    assert.deepEqual(pasteLine([one]), { text: one }, "one command as it is");
    const note = (n: number) => `the first of ${n} commands only (the rest are on screen: they cannot be joined safely on one line)`;
    // a comment could hide the commands after it (and is a word in zsh), a quoted # could be misread: nothing is moved
    const commented = "aws ec2 describe-internet-gateways --filters 'Name=tag:Name,Values=a # b' # its id";
    assert.deepEqual(pasteLine([commented, 'aws ec2 create-route --gateway-id "igw-#1"']), { text: commented, note: note(2) });
    assert.deepEqual(pasteLine(["aws a; aws b", "aws c || aws d", "aws e 2>&1", "aws f | aws g"]), { text: "aws a; aws b", note: note(4) });
    assert.deepEqual(pasteLine(["Set-AzThing -Name x", "Get-AzThing -Name x"]), { text: "Set-AzThing -Name x", note: note(2) });
    assert.deepEqual(pasteLine(["aws a", "Install-Module -Name x"]), { text: "aws a", note: note(2) }, "two shells");
  });
});

describe("tui trace view: several commands are joined only when every one is proven literal, else the first is copied alone", () => {
  const NOTE2 = "the first of 2 commands only (the rest are on screen: they cannot be joined safely on one line)";
  /** The shells a joined line is run in: sh, and bash where there is one. */
  async function shells(): Promise<string[]> {
    const { spawnSync } = await import("node:child_process");
    return ["sh", "bash"].filter((x) => spawnSync(x, ["-c", "true"]).status === 0);
  }
  /**
   * Runs `line` in `shell` with a stub `aws` first on the PATH: it logs each call, its arguments bracketed, and fails
   * (exit 1) when one of its arguments is `fail`. The log, and the shell's exit status.
   */
  async function run(shell: string, line: string, fail = "none"): Promise<{ log: string; status: number | null }> {
    const { spawnSync } = await import("node:child_process");
    const dir = mkdtempSync(join(tmpdir(), "lbdoctor-joined-"));
    writeFileSync(
      join(dir, "aws"),
      '#!/bin/sh\nprintf aws >> "$LOG"\nfor a in "$@"; do printf " [%s]" "$a" >> "$LOG"; done\necho >> "$LOG"\nfor a in "$@"; do [ "$a" = "$FAIL" ] && exit 1; done\nexit 0\n',
      { mode: 0o755 },
    );
    const log = join(dir, "log");
    const r = spawnSync(shell, ["-c", line], { env: { PATH: `${dir}:/usr/bin:/bin`, LOG: log, FAIL: fail }, encoding: "utf8" });
    return { log: existsSync(log) ? readFileSync(log, "utf8") : "", status: r.status };
  }
  /** A TuiData whose every trace has one hop, with a fix of `commands`: what y would copy there. */
  function withHopFix(commands: string[]): TuiData {
    const layer = { layer: "lb-route", notes: [], fixes: [{ summary: "fix", commands }] };
    return { inspector: { trace: () => ({ title: "t", layers: [layer] }) } } as unknown as TuiData;
  }
  /** What the status line says and what the clipboard and the file get, for a text y copies. */
  function copyOf(text: string, note?: string): { message: string; osc: string[]; file: string } {
    const osc: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), "lbdoctor-clip-"));
    const r = clipboard({ write: (x) => osc.push(x), isTTY: true, env: { TERM: "xterm-256color" }, dir })(text, note);
    return { message: r.message.replace(`saved ${r.path}`, "saved <path>"), osc, file: readFileSync(r.path as string, "utf8") };
  }

  // commands a shell reads otherwise than a quick parser would (with programs a, b, c, failcmd), each also with aws as
  // its program: then the recognizer refuses the command for what is in it, not for its program
  const HOSTILE: Array<[string, string[], number | undefined]> = [
    ["escaped space before #, single", ["a /tmp/x\\ #y"], 0],
    ["escaped space before #, two", ["a /tmp/x\\ #y", "b next"], 0],
    ["find -exec \\; compound", ["a one; find . -exec c {} \\;", "b next"], 0],
    ["nested quotes in $() with #", ['a "$(echo "x # y")"', "b next"], 0],
    ["backticks with #", ["a `echo x # y`", "b next"], 0],
    ["bash ANSI-C $'..'", ["a $'it\\'s # here'", "b next"], 0],
    ["&& inside quotes", ["a 'x && y'", 'b "p && q"'], 1],
    ["ends with &", ["a bg &", "b next"], 0],
    ["ends with & and ;", ["a one; a two &", "b next"], 0],
    ["braces in quoted words", ["a '{' ; a '}'", "b next"], 0],
    ["newline in a command", ["failcmd first", "a x\nb y"], 1],
    ["heredoc", ["failcmd first", "c <<EOF\nhello\nEOF"], 1],
    // a command like any lbdoctor prints: refused for its program only; with aws it is joined (below)
    ["failure stops", ["failcmd one", "b two"], undefined],
    ["trailing comment with quote", ["a x # it's", "b y"], 0],
    ["escaped quote in double quotes", ['a "x\\" # y"', "b next"], 0],
    ["double-quoted backslash at end", ['a "x\\\\" # c', "b next"], 0],
  ];

  it("refuses each hostile command, and copies the first command alone, the status line saying how many there are", async () => {
    const { joinable, pasteLine } = await import("../src/tui/clipboard.ts");
    const { traceFix } = await import("../src/tui/views/trace.ts");
    const t = { lbKey: "lb", targetKey: "m", flow: { kind: "data" as const } };
    for (const [name, commands, bad] of HOSTILE) {
      assert.deepEqual(
        commands.map(joinable),
        commands.map(() => undefined),
        `${name}: no program the recognizer knows`,
      );
      const asAws = commands.map((c) => c.replace(/^\S+/, "aws"));
      assert.deepEqual(
        asAws.map(joinable),
        asAws.map((_, i) => (i === bad ? undefined : "sh")),
        `${name}: with aws, ${bad === undefined ? "every command is literal" : `command ${bad + 1} is refused for what is in it`}`,
      );
      for (const list of [commands, ...(bad === undefined ? [] : [asAws])]) {
        const first = list[0] as string;
        const want = list.length > 1 ? { text: first, note: NOTE2 } : { text: first };
        assert.deepEqual(pasteLine(list), want, name);
        // what y copies on a hop with these commands: the first alone; the status line says it is one of two
        const fix = traceFix(withHopFix(list), t, 0);
        assert.ok(fix, name);
        const copied = copyOf(fix.text, fix.note);
        assert.deepEqual(copied.osc, [osc52(first)], `${name}: the first command only, on the clipboard`);
        assert.equal(copied.file, `${first}\n`, `${name}: and in the file`);
        const what = first.replace(/\s+/g, " ");
        assert.equal(copied.message, `copied (OSC 52) · saved <path>${list.length > 1 ? ` · ${NOTE2}` : ""} · ${what}`, name);
      }
    }
    // the plain pair, with aws: joined, and a failure stops the rest
    assert.deepEqual(pasteLine(["aws fail one", "aws b two"]), { text: "aws fail one && aws b two" });
    for (const shell of await shells())
      assert.deepEqual(await run(shell, "aws fail one && aws b two", "fail"), { log: "aws [fail] [one]\n", status: 1 }, shell);
  });

  it("refuses what it cannot prove literal, accepts sh()'s every word, and an accepted word is its value in sh and bash", async () => {
    const { joinable } = await import("../src/tui/clipboard.ts");
    const { sh, attachDashValues } = await import("../src/core/util/shell.ts");
    for (const c of [
      "aws x 'a\nb'", // a newline inside quotes: shown escaped, not as it would be pasted
      "aws x '\r'",
      "aws x\ty",
      "aws x '\u202e'",
      "aws x =y", // zsh: the path of y
      "aws x a\\'b", // a backslash not in a '\'' join
      "aws x \\'",
      "aws x 'a'\\'",
      "aws x a\\ b",
      "aws x 'open",
      'aws x "dq"',
      "aws x $HOME",
      "aws x ~",
      "aws x *",
      "aws x a?",
      "aws x [ab]",
      "aws x {a,b}",
      "aws x !!",
      "aws x a#b",
      "aws x > f",
      "aws x|y",
      "aws x (y)",
      "aws x; aws y",
      "aws x && aws y",
      " aws x",
      "aws x ",
      "exec aws x",
      "coproc aws x",
      "time aws x",
      "AWS_PROFILE=p aws x",
      "aws",
      "awsx y",
    ])
      assert.equal(joinable(c), c === "aws" ? "sh" : undefined, JSON.stringify(c));
    // values with every character sh() has to quote; each arrives whole, and in order
    const values = [
      "it's",
      "'",
      "x'",
      "''",
      "a##[b",
      "[x]#[y",
      "$(id)",
      "`id`",
      "a b",
      "*",
      "~x",
      "#x",
      "!x",
      "{a,b}",
      "\\",
      "日本",
      "a;b",
      "=x",
    ];
    const dashed = attachDashValues(`aws x --name ${sh("-web")}`);
    assert.equal(dashed, "aws x --name='-web'");
    const commands = [...values.map((v, i) => `aws v${i} ${sh(v)}`), dashed];
    for (const c of commands) assert.equal(joinable(c), "sh", c);
    const line = commands.join(" && ");
    const want = `${values.map((v, i) => `aws [v${i}] [${v}]\n`).join("")}aws [x] [--name=-web]\n`;
    for (const shell of await shells()) assert.deepEqual(await run(shell, line), { log: want, status: 0 }, shell);
  });

  it("the real fix of two commands (look the gateway up, add the route), values with quotes and ##[: the exact line, run in order, stopped by a failure", async () => {
    // no 0.0.0.0/0 route, so no route names the VPC's internet gateway; the VPC's and the route table's ids hold a quote and ##[
    const vpc = "vpc-0a'b##[c";
    const rtb = "rtb-it's";
    const built = JSON.stringify(healthyAlb().removeRoute(ids.rtb.public, "0.0.0.0/0").build());
    const snap = JSON.parse(built.replaceAll(ids.vpc, vpc).replaceAll(ids.rtb.public, rtb)) as Snapshot;
    const data = await analyze(snap, { source: "snapshot no-igw.json", live: false });
    let { ui } = press(initialUi(), data, k({ return: true }), "t", "d");
    const s = current(ui).screen;
    assert.ok(s.kind === "trace");
    const at = (data.inspector?.trace(s.lbKey, s.targetKey, s.flow).layers ?? []).findIndex((l) => l.layer === "lb-route");
    assert.ok(at > 0);
    ({ ui } = press(ui, data, ...Array.from({ length: at }, () => "j")));
    const describeIgw = `aws ec2 describe-internet-gateways --filters '[{"Name":"attachment.vpc-id","Values":''["vpc-0a'\\''b##''[c"]}]'`;
    const createRoute = "aws ec2 create-route --route-table-id 'rtb-it'\\''s' --destination-cidr-block 0.0.0.0/0 --gateway-id '<igw-id>'";
    const line = `${describeIgw} && ${createRoute}`;
    assert.deepEqual(press(ui, data, "y").effects, [`copy:${line}`], "the exact line: the two commands, joined");
    const copied = copyOf(line);
    assert.deepEqual(copied.osc, [osc52(line)]);
    assert.equal(copied.message, `copied (OSC 52) · saved <path> · ${line}`, "no note: every command copied");
    const described = `aws [ec2] [describe-internet-gateways] [--filters] [[{"Name":"attachment.vpc-id","Values":["${vpc}"]}]]\n`;
    const created = `aws [ec2] [create-route] [--route-table-id] [${rtb}] [--destination-cidr-block] [0.0.0.0/0] [--gateway-id] [<igw-id>]\n`;
    const ran = await shells();
    assert.ok(ran.includes("sh"));
    for (const shell of ran) {
      assert.deepEqual(await run(shell, line), { log: described + created, status: 0 }, `${shell}: both, in order, each value whole`);
      assert.deepEqual(await run(shell, line, "describe-internet-gateways"), { log: described, status: 1 }, `${shell}: stopped`);
    }
  });

  it("PowerShell: cmdlets lbdoctor prints with bare, single-quoted and ps()'s double-quoted values chain with if ($?); anything else is not joined", async () => {
    const { joinable, pasteLine } = await import("../src/tui/clipboard.ts");
    const { ps } = await import("../src/core/util/shell.ts");
    const install = "Install-Module -Name AzureBasicLoadBalancerUpgrade -Scope CurrentUser -Repository PSGallery -Force";
    const validate = `Start-AzBasicLoadBalancerUpgrade -ResourceGroupName ${ps("rg it's ‘x’")} -BasicLoadBalancerName ${ps("lb-1")} -validateScenarioOnly`;
    const upgrade = `Start-AzBasicLoadBalancerUpgrade -ResourceGroupName ${ps('rg ##[x] it\'s $a `b "c"')} -BasicLoadBalancerName ${ps("lb##[1")}`;
    assert.equal(
      validate,
      "Start-AzBasicLoadBalancerUpgrade -ResourceGroupName 'rg it''s ‘‘x’’' -BasicLoadBalancerName lb-1 -validateScenarioOnly",
    );
    assert.equal(
      upgrade,
      'Start-AzBasicLoadBalancerUpgrade -ResourceGroupName "rg ##`[x] it$([char]0x27)s `$a ``b `"c`"" -BasicLoadBalancerName "lb##`[1"',
    );
    for (const c of [install, validate, upgrade, `Set-AzContext -Subscription ${ps("it's")}`]) assert.equal(joinable(c), "powershell", c);
    assert.deepEqual(pasteLine([install, validate, upgrade]), {
      text: `${install}; if ($?) { ${validate}; if ($?) { ${upgrade} } }`,
    });
    for (const c of [
      "Set-AzContext -Subscription 'x'; Start-VMPublicIPUpgrade -VMName vm", // the ; the Azure adapter puts there
      "Invoke-Expression 'Remove-Item x'",
      "Start-Job -ScriptBlock x",
      "Start-VMPublicIPUpgrade -VMName $vm",
      'Start-VMPublicIPUpgrade -VMName "a$b"',
      'Start-VMPublicIPUpgrade -VMName "a$(x)"',
      'Start-VMPublicIPUpgrade -VMName "a$([char]0x41)"',
      'Start-VMPublicIPUpgrade -VMName "a`nb"',
      'Start-VMPublicIPUpgrade -VMName "a[b"',
      "Start-VMPublicIPUpgrade -VMName `x",
      "Start-VMPublicIPUpgrade -VMName 'a'b",
      "Start-VMPublicIPUpgrade -VMName 'a’",
      "Start-VMPublicIPUpgrade -VMName:'a'",
      "Start-VMPublicIPUpgrade -VMName:a", // a value bound with a colon: not a form ps() writes
      "Start-VMPublicIPUpgrade -VMName a # c",
      "Start-VMPublicIPUpgrade -VMName a <# c #>",
      "Start-VMPublicIPUpgrade -VMName @('a')",
      "Start-VMPublicIPUpgrade -VMName a,b",
      "Start-VMPublicIPUpgrade -VMName a | Out-Null",
      "Start-VMPublicIPUpgrade -VMName 'a\nb'",
      "Start-VMPublicIPUpgrade -VMName {a}",
    ])
      assert.equal(joinable(c), undefined, c);
    assert.deepEqual(pasteLine([validate, "Start-VMPublicIPUpgrade -VMName $vm"]), { text: validate, note: NOTE2 });
    assert.deepEqual(pasteLine([validate, "aws x"]), { text: validate, note: NOTE2 }, "two shells");
  });

  it("the status note: after the file's path, before the command, never copied nor saved, also without OSC 52", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lbdoctor-clip-"));
    const written: string[] = [];
    const r = clipboard({ write: (x) => written.push(x), isTTY: true, env: { TERM: "dumb" }, dir })("aws a", "one of 2");
    assert.equal(written.length, 0);
    assert.equal(readFileSync(r.path as string, "utf8"), "aws a\n");
    assert.equal(r.message, `saved ${r.path} · one of 2 · aws a · not on the clipboard: TERM=dumb has no clipboard`);
  });

  it("y on a hop whose commands cannot be joined: the copy effect carries the first command, and the note apart", async () => {
    const { traceFix } = await import("../src/tui/views/trace.ts");
    const t = { lbKey: "lb", targetKey: "m", flow: { kind: "data" as const } };
    assert.deepEqual(traceFix(withHopFix(["aws a; rm x", "aws b"]), t, 0), { text: "aws a; rm x", note: NOTE2 });
    assert.deepEqual(traceFix(withHopFix(["aws a", "aws b"]), t, 0), { text: "aws a && aws b" });
  });

  it("the help says what c and y do on each screen: not everywhere (in a trace c is the custom flow)", async () => {
    const { KEYS, helpRows } = await import("../src/tui/views/help.ts");
    const section = (name: string) => new Map(KEYS.find(([n]) => n === name)?.[1] ?? []);
    const keysOf = (name: string) => [...section(name).keys()].flatMap((key) => key.split(/\s+/));
    assert.ok(!keysOf("everywhere").includes("c") && !keysOf("everywhere").includes("y"), "no c or y everywhere");
    assert.match(section("overview").get("c  y") ?? "", /^copy the first fix command of the selected finding/);
    assert.match(section("overview").get("") ?? "", /on a load balancer, of its root cause/);
    assert.match(section("finding").get("c  y") ?? "", /^copy the fix command under the cursor/);
    assert.match(section("trace").get("c") ?? "", /^a custom flow/);
    assert.match(section("trace").get("y") ?? "", /^on a hop with a fix: copy its commands on one line/);
    assert.equal(section("trace").get(""), "commands not safe to join: only the first (the status says so)");
    const text = helpRows(80).map((r) => r.map((x) => x.t).join(""));
    assert.ok(text.includes("  c  y            copy the first fix command of the selected finding"), "whole at 80 columns");
    assert.ok(text.includes("                  commands not safe to join: only the first (the status says so)"));
  });
});
