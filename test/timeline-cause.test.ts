/**
 * The timeline's likely cause when time alone cannot tell: several changes too close to one drop for the samples to
 * order (the failing findings decide, time breaks a tie and says so), and a change made inside a gap in the metrics
 * (the member's state at it is unknown, never the stale sample's).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setAsideCauses } from "../src/core/diagnose.ts";
import type { Finding } from "../src/core/engine/types.ts";
import {
  analyzeChanges,
  buildTimeline,
  changeImpacts,
  firstDropAfter,
  rankCauses,
  stateAt,
  tagsOnly,
  timelineLines,
} from "../src/core/timeline/analyze.ts";
import { CHANGE_MESSAGES, checkChangeBeforeFailure } from "../src/core/timeline/checks.ts";
import type { Change, HealthSeries, TimeData } from "../src/core/timeline/types.ts";
import { lbdoctor } from "./support/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "lbdoctor-cause-"));

interface Trail {
  EventTime: string;
  Username: string;
  CloudTrailEvent: string;
}
interface Metrics {
  MetricDataResults: Array<{ Timestamps: string[]; Values: number[] }>;
}

/** The AWS fixture change-before-failure, as a copy: carol's deregistration-delay change and bob's SG revoke moved. */
function awsIncident(
  times: { carol: string; bob: string },
  edit?: (doc: { observations: { cloudwatch: Record<string, Metrics> } }) => void,
): string {
  const doc = JSON.parse(readFileSync(new URL("../fixtures/aws/change-before-failure.json", import.meta.url), "utf8"));
  for (const e of doc.observations.cloudtrail.Events as Trail[]) {
    const t = e.Username === "carol" ? times.carol : e.Username === "bob" ? times.bob : undefined;
    if (!t) continue;
    e.EventTime = t;
    const inner = JSON.parse(e.CloudTrailEvent);
    inner.eventTime = t;
    e.CloudTrailEvent = JSON.stringify(inner);
  }
  edit?.(doc);
  const file = join(dir, `aws-${times.carol}-${times.bob}-${edit ? "edited" : "plain"}.json`.replace(/:/g, ""));
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

type Entry = { t: string; kind: string; who?: string; likelyCause?: boolean; why?: string; healthUnknown?: string[] };
type Report = {
  findings: Array<{ ruleId: string; status: string; key?: string; message: string }>;
  timeline: { entries: Entry[] };
};

describe("a change in the same minute as the drop, beside the one the failing findings cite", () => {
  // the members' first down sample is stamped 03:12; carol's change (the target group's deregistration delay, which
  // no failing finding cites) 30 s before it, bob's revoke (the SG every failing finding cites) 30 s into it
  const file = awsIncident({ carol: "2026-03-14T03:11:30Z", bob: "2026-03-14T03:12:30Z" });

  it("the likely cause is the change the failing findings' evidence points to, and the timeline says why", () => {
    const r = lbdoctor(["timeline", "--snapshot", file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {2}03:12:30 change {2}sg-0e794eeaeb156db55: ingress tcp 80 .* — by bob {2}◀ likely cause$/m);
    assert.doesNotMatch(r.stdout, /— by carol {2}◀ likely cause/, r.stdout);
    assert.match(
      r.stdout,
      /^ {13}why: chosen over carol's change to targetgroup\/web-tg\/\S+ at 03:11:30, as close to the 03:12 drop of web-tg in us-east-1a: the samples cannot order them; this one touches sg-0e794eeaeb156db55, which the failing findings aws\/target-sg-blocks-health-check, aws\/target-sg-blocks-traffic, aws\/targets-unhealthy name; .*touches only targetgroup\/web-tg\/\S+, the member whose health dropped/m,
    );
    assert.match(r.stdout, /^ {13}not the likely cause: set aside for bob's change to sg-0e794eeaeb156db55 at 03:12:30/m);
    // its revert is the one printed under the likely cause
    assert.match(r.stdout, /^ {13}revert: \$ aws ec2 authorize-security-group-ingress --group-id sg-0e794eeaeb156db55 /m);
  });

  it("the JSON report marks the same change, with its reason; each change-before-failure finding names its rival", () => {
    const r = lbdoctor(["timeline", "--snapshot", file, "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    const changes = report.timeline.entries.filter((e) => e.kind === "change");
    assert.deepEqual(
      changes.filter((e) => e.likelyCause).map((e) => e.who),
      ["bob"],
    );
    assert.match(changes.find((e) => e.who === "bob")?.why ?? "", /^chosen over carol's change/);
    assert.match(changes.find((e) => e.who === "carol")?.why ?? "", /^set aside for bob's change/);
    const named = report.findings.filter((f) => f.ruleId === "aws/change-before-failure" && f.status === "fail");
    assert.equal(named.length, 2, "the rule cannot tell them apart: it reports both, each naming the other");
    for (const f of named) assert.match(f.message, /was made as close to a drop it followed: the samples cannot order them/);
  });

  it("the fixture as it is: one change near the drop, marked as before, with no reason to weigh", () => {
    const r = lbdoctor(["timeline", "--snapshot", "fixtures/aws/change-before-failure.json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {2}03:10:04 change {2}sg-0e794eeaeb156db55: .* — by bob {2}◀ likely cause$/m);
    assert.doesNotMatch(r.stdout, /why:|not the likely cause|health at this time unknown/);
  });
});

// ---------------------------------------------------------------------------
// the ranking, on hand-made time data

const minutes = (pattern: string, from = 0) =>
  [...pattern].map((c, i) => ({
    t: new Date(Date.UTC(2026, 2, 14, 3, from + i)).toISOString(),
    up: c === "U",
    value: c === "U" ? 100 : 0,
  }));

const member = (points = minutes("UUUUDDDD")): HealthSeries => ({
  key: "m1",
  resourceId: "nic1/ipconfig1",
  label: "vm1",
  loadBalancerId: "lb",
  metric: "DipAvailability",
  path: ["lb", "nic1/ipconfig1", "nic1", "vm1", "nsg", "subnet"],
  pointer: "/series/m1",
  rule: "",
  points,
});

const change = (id: string, time: string, resourceId: string): Change => ({
  id,
  time,
  resourceId,
  resourceName: resourceId,
  operation: "write",
  kind: "update",
  who: id,
  properties: [],
  summary: `${id} changed ${resourceId}`,
  revert: [],
  source: "test",
  pointer: `/changes/${id}`,
});

const window = { from: "2026-03-14T03:00:00Z", until: "2026-03-14T04:00:00Z" };
const timeData = (changes: Change[], series = [member()]): TimeData => ({ window, series, spikes: [], missing: [], changes });

/** What the rule reports (the change findings), and a failing finding about the member: `cites` in its evidence. */
function findingsFor(time: TimeData, cites: string[]): Finding[] {
  const out: Finding[] = [];
  checkChangeBeforeFailure(
    {
      model: { time },
      report: (f: Partial<Finding>) =>
        out.push({
          ...f,
          id: `change-before-failure|${f.key}`,
          ruleId: "x/change-before-failure",
          evidence: [],
          subjects: [],
          relatedTo: [],
        } as unknown as Finding),
    } as never,
    [{ id: "lb", name: "lb" }],
  );
  out.push({
    id: "probe-blocked|nic1",
    ruleId: "x/probe-blocked",
    status: "fail",
    resourceId: "nic1",
    subjects: ["nic1/ipconfig1", "nic1", "vm1"],
    evidence: cites.map((resourceId) => ({ resourceId, pointer: "/x" })),
    relatedTo: [],
  } as unknown as Finding);
  return out;
}

const marked = (time: TimeData, findings: Finding[]) =>
  buildTimeline(time, findings)
    .entries.filter((e) => e.likelyCause)
    .map((e) => e.label);

describe("the likely cause among changes the samples cannot order", () => {
  it("a change the failing findings cite outranks one they do not name, even when time alone prefers the other", () => {
    // the drop is the 03:04 sample; 03:03:50 is the earlier change (time alone names it), 03:04:30 the one cited
    const time = timeData([change("tag", "2026-03-14T03:03:50Z", "subnet"), change("deny", "2026-03-14T03:04:30Z", "nsg")]);
    assert.deepEqual(
      changeImpacts(time).map((i) => i.change.id),
      ["tag"],
      "time alone, as before",
    );
    const findings = findingsFor(time, ["nsg"]);
    assert.deepEqual(marked(time, findings), ["nsg"]);
    const verdicts = rankCauses(time, findings);
    assert.match(
      verdicts.get("change:deny")?.why ?? "",
      /^chosen over tag's change to subnet at 03:03:50, .*this one touches nsg, which the failing findings x\/probe-blocked name; tag's change to subnet at 03:03:50 touches subnet, which no failing finding names$/,
    );
    assert.equal(verdicts.get("change:tag")?.likely, false);
  });

  it("a change to the member whose health dropped (its NIC, its VM) counts less than one the findings cite, more than one they do not name", () => {
    const onMember = timeData([change("restart", "2026-03-14T03:03:30Z", "vm1"), change("deny", "2026-03-14T03:04:10Z", "nsg")]);
    assert.deepEqual(
      marked(onMember, findingsFor(onMember, ["nsg"])),
      ["nsg"],
      "the NSG the findings cite, not the VM every finding about the member names",
    );
    const unnamed = timeData([change("restart", "2026-03-14T03:04:30Z", "vm1"), change("tag", "2026-03-14T03:03:50Z", "subnet")]);
    assert.deepEqual(marked(unnamed, findingsFor(unnamed, ["nsg"])), ["vm1"], "the member's own VM, not a subnet nothing names");
  });

  it("a target group's own targets (`<group>|<target>|<port>` subjects) are the member too: the SG its findings cite still wins", () => {
    const group: HealthSeries = {
      ...member(),
      key: "tg|a",
      resourceId: "tg",
      label: "tg in a",
      path: ["lb", "tg", "tg|i-1|80", "i-1", "sg"],
    };
    const time = timeData([change("stop", "2026-03-14T03:03:50Z", "i-1"), change("revoke", "2026-03-14T03:04:30Z", "sg")], [group]);
    const findings = findingsFor(time, []);
    findings.push({
      id: "sg-blocks|i-1",
      ruleId: "x/sg-blocks",
      status: "fail",
      resourceId: "i-1",
      subjects: ["tg|i-1|80", "i-1"],
      evidence: [
        { resourceId: "i-1", pointer: "/i" },
        { resourceId: "sg", pointer: "/sg" },
        { resourceId: "tg", pointer: "/tg" },
      ],
      relatedTo: [],
    } as unknown as Finding);
    assert.deepEqual(marked(time, findings), ["sg"]);
    assert.match(
      rankCauses(time, findings).get("change:revoke")?.why ?? "",
      /stop's change to i-1 at 03:03:50 touches only i-1, the member whose health dropped/,
    );
  });

  it("when the findings cannot tell them apart, time decides, and the timeline says it is undecided", () => {
    const time = timeData([change("a", "2026-03-14T03:03:50Z", "nsg"), change("b", "2026-03-14T03:04:30Z", "nsg")]);
    const findings = findingsFor(time, ["nsg"]);
    assert.deepEqual(
      buildTimeline(time, findings)
        .entries.filter((e) => e.likelyCause)
        .map((e) => e.who),
      ["a"],
      "the earlier change, as time alone names it",
    );
    const verdicts = rankCauses(time, findings);
    assert.match(
      verdicts.get("change:a")?.why ?? "",
      /^undecided between this and b's change to nsg at 03:04:30, .* and the failing findings name each of them: time alone puts this one first$/,
    );
    assert.match(verdicts.get("change:b")?.why ?? "", /^undecided between this and a's change to nsg at 03:03:50/);
  });

  it("changes far enough apart for the samples to order are left to time: the nearest before the drop, no reason given", () => {
    // 03:00:30 is four samples before the 03:04 drop: the member stayed up through them
    const time = timeData([change("deny", "2026-03-14T03:00:30Z", "nsg"), change("tag", "2026-03-14T03:03:10Z", "subnet")]);
    const findings = findingsFor(time, ["nsg"]);
    assert.deepEqual(analyzeChanges(time).contests, []);
    assert.deepEqual(marked(time, findings), ["subnet"]);
    assert.equal(rankCauses(time, findings).get("change:tag")?.why, undefined);
  });
});

// ---------------------------------------------------------------------------
// a gap in the metrics

describe("a change made inside a gap in the metrics", () => {
  // up 03:00–03:04, nothing 03:05–03:19, down from 03:20 (a one-minute series: a sample stands for three minutes at most)
  const gapped = member([...minutes("UUUUU", 0), ...minutes("DDDDD", 20)]);

  it("has an unknown state, not the sample from before the gap", () => {
    assert.equal(stateAt(gapped, "2026-03-14T03:06:10Z"), true, "two minutes after the last sample: still its state");
    assert.equal(stateAt(gapped, "2026-03-14T03:07:00Z"), true, "three intervals after it (two samples missing): the last moment it tells");
    assert.equal(stateAt(gapped, "2026-03-14T03:07:30Z"), undefined, "past three intervals: unknown");
    assert.equal(stateAt(gapped, "2026-03-14T03:12:00Z"), undefined, "eight minutes after it: unknown");
    assert.equal(firstDropAfter(gapped, "2026-03-14T03:12:00Z"), undefined, "no drop the samples can place after it");
    assert.equal(
      firstDropAfter(gapped, "2026-03-14T03:02:30Z")?.t,
      "2026-03-14T03:20:00.000Z",
      "made while up: the member was down when the samples resumed",
    );
  });

  it("is a candidate for the drop found after the gap, never dated by the stale sample: change-before-failure gives the gap", () => {
    // up at 03:04, down at 03:20: the member went down somewhere in the gap, as far as the samples tell after the change
    const time = timeData([change("deny", "2026-03-14T03:12:00Z", "nsg")], [gapped]);
    assert.deepEqual(
      changeImpacts(time).map((i) => [i.change.id, i.drops.map((d) => [d.after?.t, d.at.t])]),
      [["deny", [["2026-03-14T03:04:00.000Z", "2026-03-14T03:20:00.000Z"]]]],
    );
    assert.deepEqual(analyzeChanges(time).unknown, []);
    const reported: Array<{ status: string; key?: string; message?: string; messageId?: string; data?: Record<string, unknown> }> = [];
    checkChangeBeforeFailure({ model: { time }, report: (f: (typeof reported)[number]) => reported.push(f) } as never, [
      { id: "lb", name: "lb" },
    ]);
    assert.deepEqual(
      reported.map((f) => [f.status, f.key]),
      [["fail", "change:deny"]],
      "named with the gap, and no pass for the load balancer",
    );
    assert.deepEqual(
      [reported[0]?.messageId, reported[0]?.data?.gap, reported[0]?.data?.dropAt, reported[0]?.data?.upAt],
      ["changedInGap", "8 min", "03:20", "03:04"],
    );
    const entry = buildTimeline(time, []).entries.find((e) => e.kind === "change");
    assert.deepEqual(entry?.healthUnknown, [
      "vm1: no DipAvailability sample in the 8 min before the change (the last, at 03:04, up); down at 03:20",
    ]);

    // down before the gap, up after it, then a drop: the stale down sample no longer excuses the change
    const recovered = member([...minutes("DDDDD", 0), ...minutes("UUDDD", 20)]);
    const later = timeData([change("deny", "2026-03-14T03:12:00Z", "nsg")], [recovered]);
    assert.deepEqual(
      changeImpacts(later).map((i) => [i.change.id, i.drops[0]?.at.t]),
      [["deny", "2026-03-14T03:22:00.000Z"]],
    );
  });

  it("the CLI: the drop dated by the gap, the change inside it the likely cause; the state at it still unknown", () => {
    // the AWS fixture with no CloudWatch sample from 02:50 to 03:20: bob's revoke (03:10:04) falls in the gap
    const file = awsIncident({ carol: "2026-03-14T02:44:00Z", bob: "2026-03-14T03:10:04Z" }, (doc) => {
      for (const body of Object.values(doc.observations.cloudwatch))
        for (const r of body.MetricDataResults) {
          const keep = r.Timestamps.map((t) => t < "2026-03-14T02:50:00Z" || t > "2026-03-14T03:20:00Z");
          r.Timestamps = r.Timestamps.filter((_, i) => keep[i]);
          r.Values = r.Values.filter((_, i) => keep[i]);
        }
    });
    const t = lbdoctor(["timeline", "--snapshot", file]);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /^ {2}03:10:04 change {2}sg-0e794eeaeb156db55: .* — by bob {2}◀ likely cause$/m, "the one change in the gap");
    assert.doesNotMatch(t.stdout, /— by carol {2}◀ likely cause/, "carol's change before the gap is not the nearest");
    assert.doesNotMatch(t.stdout, /\); 11 min later/, "the drop is not dated at 03:21");
    assert.match(
      t.stdout,
      /^ {2}03:21 {4}health {2}web-tg in us-east-1a went down by 03:21 \(HealthyHostCount 0\), up at 02:49 \(no samples in between\)$/m,
    );
    assert.match(
      t.stdout,
      /^ {13}health at this time unknown: web-tg in us-east-1a: no HealthyHostCount sample in the 21 min before the change \(the last, at 02:49, up\); down at 03:21$/m,
    );
    const c = lbdoctor(["check", "--snapshot", file, "-f", "json"]);
    const mine = (JSON.parse(c.stdout) as Report).findings.filter((f) => f.ruleId === "aws/change-before-failure");
    // carol's change, the nearest before the gap, certainly preceded the drop: a rival of bob's the samples cannot order
    assert.deepEqual(
      mine.map((f) => f.status),
      ["fail", "fail"],
    );
    assert.match(
      mine.find((f) => f.message.includes("by 03:21"))?.message ?? "",
      /in a gap in the metrics; web-tg in us-east-1a was down by 03:21, 11 min after it \(HealthyHostCount 0; up at 02:49, no samples in between: it may have gone down before this change\)/,
    );
  });
});

// ---------------------------------------------------------------------------
// a change that only tags a resource, and the findings of a change set aside

/**
 * The Azure fixture nsg-change-probe-down, as a copy: alice's NSG rule (03:10:04), and dave's edit of the load
 * balancer's tag `owner` at 03:11:40. The load balancer sits in the evidence of every failing finding.
 */
function azureTagIncident(): string {
  const doc = JSON.parse(readFileSync(new URL("../fixtures/azure/nsg-change-probe-down.json", import.meta.url), "utf8"));
  const list = doc.observations.resourceChanges["00000000-0000-0000-0000-0000000000aa"];
  const tag = JSON.parse(JSON.stringify(list[0]));
  const lb =
    "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/ra-multi-vm-rg/providers/Microsoft.Network/loadBalancers/lb-web";
  tag.id = `${lb}/providers/Microsoft.Resources/changes/0858aaaa0000001`;
  tag.name = "0858aaaa0000001";
  tag.properties.targetResourceId = lb;
  tag.properties.targetResourceType = "microsoft.network/loadbalancers";
  Object.assign(tag.properties.changeAttributes, {
    timestamp: "2026-03-14T03:11:40Z",
    changedBy: "dave@contoso.com",
    operation: "microsoft.network/loadbalancers/write",
    correlationId: "0b6e1f7a-2222-4c3e-9a0f-000000000002",
  });
  tag.properties.changes = {
    "tags.owner": { previousValue: "web", newValue: "web-team", changeCategory: "User", propertyChangeType: "Update" },
  };
  list.push(tag);
  const file = join(dir, "azure-tag.json");
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

/** The AWS fixture change-before-failure, as a copy: bob's SG revoke at 03:12:30, dave's AddTags on the ALB at 03:11:50. */
function awsTagIncident(event: { name: string; params: Record<string, unknown> } = { name: "AddTags", params: {} }): string {
  const file = awsIncident({ carol: "2026-03-14T02:44:00Z", bob: "2026-03-14T03:12:30Z" });
  const doc = JSON.parse(readFileSync(file, "utf8"));
  const events = doc.observations.cloudtrail.Events as Array<Trail & Record<string, unknown>>;
  const arn = doc.elbv2.LoadBalancers[0].LoadBalancerArn as string;
  const t = "2026-03-14T03:11:50Z";
  events.push({
    ...JSON.parse(JSON.stringify(events.find((e) => e.Username === "carol"))),
    EventId: "ev-addtags",
    EventName: event.name,
    EventTime: t,
    Username: "dave",
    Resources: [{ ResourceType: "AWS::ElasticLoadBalancingV2::LoadBalancer", ResourceName: arn }],
    CloudTrailEvent: JSON.stringify({
      eventVersion: "1.09",
      userIdentity: { type: "IAMUser", userName: "dave" },
      eventTime: t,
      eventSource: "elasticloadbalancing.amazonaws.com",
      eventName: event.name,
      awsRegion: "us-east-1",
      requestParameters:
        event.name === "AddTags"
          ? { resourceArns: [arn], tags: [{ key: "owner", value: "web-team" }] }
          : { resourceArns: [arn], ...event.params },
      eventID: "ev-addtags",
      readOnly: false,
      eventType: "AwsApiCall",
    }),
  });
  const out = join(dir, "aws-tag.json");
  writeFileSync(out, JSON.stringify(doc));
  return out;
}

type Related = { findingId: string; ruleId: string; relation: string };
type CheckReport = {
  findings: Array<{ id: string; ruleId: string; status: string; resourceName: string; key?: string; relatedTo: Related[] }>;
};

/** check's JSON: the change-before-failure findings by resource name, and whether anything claims or is claimed by each. */
function relations(file: string, rule: string) {
  const r = lbdoctor(["check", "--snapshot", file, "-f", "json"]);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const report = JSON.parse(r.stdout) as CheckReport;
  const changes = report.findings.filter((f) => f.ruleId === rule && f.status === "fail");
  return new Map(
    changes.map((c) => [
      c.resourceName,
      {
        explains: c.relatedTo.filter((x) => x.relation === "explains").length,
        causes: report.findings.filter((f) => f.relatedTo.some((x) => x.relation === "caused-by" && x.findingId === c.id)).length,
      },
    ]),
  );
}

describe("a change that only tags a resource is never the likely cause over one that changed something", () => {
  it("Azure: a tag edit on the load balancer (in every failing finding's evidence) is set aside for the NSG rule, and says why", () => {
    const file = azureTagIncident();
    const r = lbdoctor(["timeline", "--snapshot", file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^ {2}03:10:04 change {2}nsg-web: security rule deny-lb-probe added .* — by alice@contoso\.com {2}◀ likely cause$/m,
    );
    assert.doesNotMatch(r.stdout, /— by dave@contoso\.com {2}◀ likely cause/, r.stdout);
    assert.match(
      r.stdout,
      /^ {13}not the likely cause: set aside for alice@contoso\.com's change to nsg-web at 03:10:04, .*; that one touches nsg-web, which the failing findings azure\/probe-blocked-by-nsg name; this one touches only the tags of lb-web \(tags\.owner\): a tag change cannot break traffic$/m,
    );
    assert.match(r.stdout, /^ {13}why: chosen over dave@contoso\.com's change to lb-web at 03:11:40, /m);
  });

  it("AWS: an AddTags on the ALB is set aside for the SG revoke the findings cite, though time alone puts it first", () => {
    const file = awsTagIncident();
    const r = lbdoctor(["timeline", "--snapshot", file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {2}03:12:30 change {2}sg-0e794eeaeb156db55: ingress tcp 80 .* — by bob {2}◀ likely cause$/m);
    assert.doesNotMatch(r.stdout, /— by dave {2}◀ likely cause/, r.stdout);
    // the tag event names its load balancer and the tag it set (CloudTrail's resourceArns and tags)
    assert.match(r.stdout, /^ {2}03:11:50 change {2}AddTags on app\/web-alb\/\S+: tags\.owner — by dave$/m, r.stdout);
    assert.match(
      r.stdout,
      /^ {13}not the likely cause: set aside for bob's change to sg-0e794eeaeb156db55 at 03:12:30, .*; this one touches only the tags of app\/web-alb\/\S+ \(AddTags\): a tag change cannot break traffic$/m,
    );
  });

  it("AWS: a RemoveTags names the keys it removed, and says their old values were not recorded", () => {
    const file = awsTagIncident({ name: "RemoveTags", params: { tagKeys: ["owner"] } });
    const r = lbdoctor(["timeline", "--snapshot", file, "-f", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const entries = (JSON.parse(r.stdout) as { timeline: { entries: Array<{ text: string; properties?: unknown[] }> } }).timeline.entries;
    const removed = entries.find((e) => e.text.startsWith("RemoveTags on app/web-alb/"));
    assert.ok(removed, JSON.stringify(entries.map((e) => e.text)));
    assert.match(removed.text, /: tags\.owner$/);
    assert.deepEqual(removed.properties, [{ path: "tags.owner", before: "(not recorded)", after: "(none)" }]);
  });

  it("check: the change set aside claims no symptom and no symptom is caused by it; the likely cause keeps them (both clouds)", () => {
    const azure = relations(azureTagIncident(), "azure/change-before-failure");
    // a change to tags only gets no finding at all (it cannot break traffic): none to claim or be claimed
    assert.equal(azure.get("lb-web"), undefined);
    assert.ok((azure.get("nsg-web")?.explains ?? 0) > 0 && (azure.get("nsg-web")?.causes ?? 0) > 0, JSON.stringify([...azure]));
    const aws = relations(awsTagIncident(), "aws/change-before-failure");
    const tagged = [...aws].find(([name]) => name.startsWith("app/web-alb/"));
    assert.equal(tagged, undefined);
    assert.ok((aws.get("sg-0e794eeaeb156db55")?.explains ?? 0) > 0 && (aws.get("sg-0e794eeaeb156db55")?.causes ?? 0) > 0);
  });
});

describe("the findings of a change the timeline sets aside", () => {
  const file = awsIncident({ carol: "2026-03-14T03:11:30Z", bob: "2026-03-14T03:12:30Z" });

  it("check does not present it as a root cause, nor the symptoms as caused by it", () => {
    const r = lbdoctor(["check", "--snapshot", file]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.match(r.stdout, /^ {2}✖ CRITICAL aws\/change-before-failure on sg-0e794eeaeb156db55 \(root cause\)$/m);
    assert.match(
      r.stdout,
      /^ {2}✖ CRITICAL aws\/change-before-failure on targetgroup\/web-tg\/\S+$/m,
      "still a failing finding, no root cause",
    );
    assert.doesNotMatch(r.stdout, /caused by: aws\/change-before-failure on targetgroup\//);
    assert.match(r.stdout, /caused by: aws\/change-before-failure on sg-0e794eeaeb156db55/);
    const mine = relations(file, "aws/change-before-failure");
    assert.deepEqual([...mine.keys()].sort(), ["sg-0e794eeaeb156db55", "targetgroup/web-tg/0f8ae6a1b00b0742"]);
    assert.deepEqual(mine.get("targetgroup/web-tg/0f8ae6a1b00b0742"), { explains: 0, causes: 0 });
  });

  it("timeline -f markdown: the set-aside change is no root cause and its reason is printed, as in the text", () => {
    const r = lbdoctor(["timeline", "--snapshot", file, "--format", "markdown"]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /\(root cause\) \| `aws\/change-before-failure` \| `targetgroup\//);
    assert.match(r.stdout, /\(root cause\) \| `aws\/change-before-failure` \| `sg-0e794eeaeb156db55`/);
    assert.match(r.stdout, /^\*\*Not the likely cause at 03:11:30:\*\* ModifyTargetGroupAttributes .* \(by carol\)$/m);
    assert.match(r.stdout, /^Why not: set aside for bob's change to sg-0e794eeaeb156db55 at 03:12:30, /m);
  });
});

describe("what the failing findings point at, weighed", () => {
  it("tagsOnly: tag properties (Azure), the tagging calls (AWS, Azure's tags API); not a change with other properties or none recorded", () => {
    const c = (operation: string, paths: string[]): Change => ({
      ...change("x", "2026-03-14T03:00:00Z", "r"),
      operation,
      properties: paths.map((path) => ({ path, before: "a", after: "b" })),
    });
    assert.equal(tagsOnly(c("microsoft.network/loadbalancers/write", ["tags.owner", "tags.costCenter"])), true);
    assert.equal(tagsOnly(c("Microsoft.Resources/tags/write", [])), true);
    for (const op of ["AddTags", "CreateTags", "RemoveTags", "DeleteTags"])
      assert.equal(tagsOnly(c(op, ["resourceArns", "tags"])), true, op);
    assert.equal(tagsOnly(c("microsoft.network/loadbalancers/write", ["tags.owner", "properties.probes[0].properties.port"])), false);
    assert.equal(tagsOnly(c("Microsoft.Compute/virtualMachines/restart/action", [])), false, "nothing recorded: not known to be tags");
    assert.equal(tagsOnly(c("RevokeSecurityGroupIngress", ["ingress rule"])), false);
    assert.equal(tagsOnly(c("microsoft.network/networksecuritygroups/write", ["tagsAndMore"])), false);
  });

  it("a tags-only change ranks below any other, even one no failing finding names", () => {
    const tag = { ...change("tag", "2026-03-14T03:04:30Z", "nsg"), properties: [{ path: "tags.owner", before: "a", after: "b" }] };
    const time = timeData([tag, change("other", "2026-03-14T03:03:50Z", "subnet")]);
    const findings = findingsFor(time, ["nsg"]);
    assert.deepEqual(marked(time, findings), ["subnet"]);
    const verdicts = rankCauses(time, findings);
    assert.equal(verdicts.get("change:tag")?.likely, false);
    assert.match(
      verdicts.get("change:tag")?.why ?? "",
      /this one touches only the tags of nsg \(tags\.owner\): a tag change cannot break traffic$/,
    );
  });

  it("a resource a failing finding is about outranks one a finding only cites in its evidence", () => {
    const time = timeData([change("route", "2026-03-14T03:03:50Z", "subnet"), change("deny", "2026-03-14T03:04:30Z", "nsg")]);
    const findings = findingsFor(time, ["subnet"]);
    findings.push({
      id: "nsg-rule|nsg",
      ruleId: "x/nsg-rule",
      status: "fail",
      resourceId: "nsg",
      subjects: ["nsg"],
      evidence: [],
      relatedTo: [],
    } as unknown as Finding);
    assert.deepEqual(marked(time, findings), ["nsg"]);
    assert.match(
      rankCauses(time, findings).get("change:deny")?.why ?? "",
      /this one touches nsg, which the failing findings x\/nsg-rule are about; route's change to subnet at 03:03:50 touches subnet, which the failing findings x\/probe-blocked name$/,
    );
  });

  it("the drop's load balancer, in a finding's evidence, does not tie with a resource the finding cites; it still outranks the member", () => {
    const time = timeData([change("lb-write", "2026-03-14T03:03:50Z", "lb"), change("deny", "2026-03-14T03:04:30Z", "nsg")]);
    const findings = findingsFor(time, ["lb", "nsg"]);
    assert.deepEqual(marked(time, findings), ["nsg"]);
    const onMember = timeData([change("restart", "2026-03-14T03:03:50Z", "vm1"), change("lb-write", "2026-03-14T03:04:30Z", "lb")]);
    assert.deepEqual(marked(onMember, findingsFor(onMember, ["lb"])), ["lb"]);
    assert.match(
      rankCauses(time, findings).get("change:lb-write")?.why ?? "",
      /this one touches lb, the load balancer the failing findings x\/probe-blocked are about \(which they cite whatever broke it\)$/,
    );
  });

  it("a finding about a part of a resource (a load balancer's pool) is about the resource a change to it names", () => {
    const time = timeData([change("deny", "2026-03-14T03:03:50Z", "nsg"), change("lb-write", "2026-03-14T03:04:30Z", "lb")]);
    const findings = findingsFor(time, ["nsg"]);
    findings.push({
      id: "pool-empty|lb/pools/p",
      ruleId: "x/pool-empty",
      status: "fail",
      resourceId: "lb/pools/p",
      subjects: ["lb/pools/p"],
      evidence: [{ resourceId: "lb", pointer: "/lb" }],
      relatedTo: [],
    } as unknown as Finding);
    assert.deepEqual(marked(time, findings), ["lb"]);
    assert.match(
      rankCauses(time, findings).get("change:lb-write")?.why ?? "",
      /this one touches lb, which the failing findings x\/pool-empty are about;/,
    );
  });

  it("setAsideCauses: only the set-aside change's relations go, on copies", () => {
    const time = timeData([change("a", "2026-03-14T03:03:50Z", "subnet"), change("b", "2026-03-14T03:04:30Z", "nsg")]);
    const findings = findingsFor(time, ["nsg"]);
    const [a, b, symptom] = ["change-before-failure|change:a", "change-before-failure|change:b", "probe-blocked|nic1"].map(
      (id) => findings.find((f) => f.id === id) as Finding,
    ) as [Finding, Finding, Finding];
    for (const cause of [a, b]) {
      cause.relatedTo.push({ findingId: symptom.id, ruleId: symptom.ruleId, relation: "explains" });
      symptom.relatedTo.push({ findingId: cause.id, ruleId: cause.ruleId, relation: "caused-by" });
    }
    const out = setAsideCauses(findings, time);
    const byId = new Map(out.map((f) => [f.id, f]));
    assert.deepEqual(byId.get(a.id)?.relatedTo, [], "a, set aside for b (the NSG the finding cites), explains nothing");
    assert.equal(byId.get(b.id), b, "b unchanged");
    assert.deepEqual(
      byId.get(symptom.id)?.relatedTo.map((r) => r.findingId),
      [b.id],
    );
    assert.equal(a.relatedTo.length, 1, "the input is not changed");
  });
});

describe("each drop weighed by the findings about its own member", () => {
  // vm1 (lb1, behind nsg1) and vm2 (lb2, behind nsg2) share a subnet; both drop at 03:04. a changes the subnet at
  // 03:03:50 (on both paths), b changes nsg1 at 03:04:30 (on vm1's path only): vm1's drop is a contest, vm2's is a's alone
  const two = (): TimeData =>
    timeData(
      [change("a", "2026-03-14T03:03:50Z", "subnet"), change("b", "2026-03-14T03:04:30Z", "nsg1")],
      [
        { ...member(), loadBalancerId: "lb1", path: ["lb1", "nic1/ipconfig1", "nic1", "vm1", "nsg1", "subnet"] },
        {
          ...member(),
          key: "m2",
          resourceId: "nic2/ipconfig1",
          label: "vm2",
          loadBalancerId: "lb2",
          path: ["lb2", "nic2/ipconfig1", "nic2", "vm2", "nsg2", "subnet"],
          pointer: "/series/m2",
        },
      ],
    );

  /** The rule's change findings, a failing finding about each member (`cites`: in its evidence), and the engine's links. */
  function findingsTwo(time: TimeData, cites: { vm1: string[]; vm2: string[] }): Finding[] {
    const out: Finding[] = [];
    checkChangeBeforeFailure(
      {
        model: { time },
        report: (f: Partial<Finding>) =>
          out.push({ ...f, id: `cbf|${f.key}`, ruleId: "x/change-before-failure", relatedTo: [] } as unknown as Finding),
      } as never,
      [
        { id: "lb1", name: "lb1" },
        { id: "lb2", name: "lb2" },
      ],
    );
    const symptom = (id: string, n: 1 | 2, on: string[]) =>
      ({
        id,
        ruleId: `x/${id}`,
        status: "fail",
        resourceId: `nic${n}`,
        subjects: [`nic${n}/ipconfig1`, `nic${n}`, `vm${n}`],
        evidence: on.map((resourceId) => ({ resourceId, pointer: "/x" })),
        relatedTo: [],
      }) as unknown as Finding;
    const symptoms = [symptom("vm1-down", 1, cites.vm1), symptom("vm2-down", 2, cites.vm2)];
    // the engine's links: a change finding explains each symptom it shares a subject with
    for (const c of out.filter((f) => f.key?.startsWith("change:")))
      for (const s of symptoms)
        if (s.subjects.some((x) => c.subjects.includes(x))) {
          c.relatedTo.push({ findingId: s.id, ruleId: s.ruleId, relation: "explains" });
          s.relatedTo.push({ findingId: c.id, ruleId: c.ruleId, relation: "caused-by" });
        }
    return [...out, ...symptoms];
  }

  const links = (findings: Finding[]) =>
    Object.fromEntries(findings.map((f) => [f.id, f.relatedTo.map((r) => `${r.relation} ${r.findingId}`)]));

  it("a change set aside for one member's drop stays the likely cause of a drop it alone is named for, and says both", () => {
    const time = two();
    const findings = findingsTwo(time, { vm1: ["nsg1"], vm2: [] });
    assert.deepEqual(
      analyzeChanges(time).contests.map((c) => [c.series.label, c.entrants.map((e) => e.change.id)]),
      [["vm1", ["a", "b"]]],
    );
    const verdicts = rankCauses(time, findings);
    assert.equal(verdicts.get("change:a")?.likely, true, "the only candidate of vm2's drop");
    assert.deepEqual(
      verdicts.get("change:a")?.lost?.map((d) => d.series.label),
      ["vm1"],
    );
    assert.deepEqual(
      verdicts.get("change:a")?.won?.map((d) => d.series.label),
      ["vm2"],
    );
    assert.match(
      verdicts.get("change:a")?.why ?? "",
      /^the likely cause of the 03:04 drop of vm2: no other change a failing finding names is as close to it; not the likely cause of the 03:04 drop of vm1: set aside for b's change to nsg1 at 03:04:30, as close to the 03:04 drop of vm1/,
    );
    assert.match(verdicts.get("change:b")?.why ?? "", /^chosen over a's change to subnet at 03:03:50, /);
    assert.deepEqual(marked(time, findings), ["subnet", "nsg1"]);
    const lines = timelineLines(buildTimeline(time, findings));
    assert.ok(
      lines.some((l) =>
        /^ {13}why: the likely cause of the 03:04 drop of vm2: .*; not the likely cause of the 03:04 drop of vm1: set aside for b's/.test(
          l,
        ),
      ),
      lines.join("\n"),
    );
    // check: a no longer explains vm1's symptom (b does), and still explains vm2's, its only candidate
    assert.deepEqual(links(setAsideCauses(findings, time)), {
      "cbf|change:a": ["explains vm2-down"],
      "cbf|change:b": ["explains vm1-down"],
      "vm1-down": ["caused-by cbf|change:b"],
      "vm2-down": ["caused-by cbf|change:a"],
    });
  });

  it("a finding about another member does not weigh in a contest: vm2's finding citing the subnet leaves vm1's to nsg1", () => {
    const time = two();
    const findings = findingsTwo(time, { vm1: ["nsg1"], vm2: ["subnet"] });
    const verdicts = rankCauses(time, findings);
    assert.equal(verdicts.get("change:b")?.likely, true);
    assert.match(
      verdicts.get("change:b")?.why ?? "",
      /^chosen over a's change to subnet at 03:03:50, .*this one touches nsg1, which the failing findings x\/vm1-down name; a's change to subnet at 03:03:50 touches subnet, which no failing finding names$/,
    );
    assert.equal(verdicts.get("change:a")?.likely, true, "still the likely cause of vm2's drop");
    assert.deepEqual(marked(time, findings), ["subnet", "nsg1"]);
    assert.deepEqual(links(setAsideCauses(findings, time)), {
      "cbf|change:a": ["explains vm2-down"],
      "cbf|change:b": ["explains vm1-down"],
      "vm1-down": ["caused-by cbf|change:b"],
      "vm2-down": ["caused-by cbf|change:a"],
    });
  });
});

// ---------------------------------------------------------------------------
// a drop found after a gap in the metrics: its candidates

describe("a drop found after a gap in the metrics, and the changes the gap holds", () => {
  // up 03:00–03:04, no sample 03:05–03:19, down from 03:20: the member went down somewhere from 03:05 to 03:20
  const gapped = member([...minutes("UUUUU", 0), ...minutes("DDDDD", 20)]);

  it("the changes inside the gap are rivals the samples cannot order: the failing findings decide, and the why gives the gap", () => {
    const time = timeData([change("deny", "2026-03-14T03:08:00Z", "nsg"), change("route", "2026-03-14T03:15:00Z", "subnet")], [gapped]);
    const analysis = analyzeChanges(time);
    assert.deepEqual(analysis.unknown, []);
    assert.deepEqual(
      analysis.contests.map((c) => [c.after?.t, c.at.t, c.entrants.map((e) => [e.change.id, e.byTime])]),
      [
        [
          "2026-03-14T03:04:00.000Z",
          "2026-03-14T03:20:00.000Z",
          [
            ["deny", false],
            ["route", false],
          ],
        ],
      ],
      "rivals the samples cannot order: time names neither",
    );
    const findings = findingsFor(time, ["nsg"]);
    assert.deepEqual(marked(time, findings), ["nsg"], "the change the failing finding cites, not the later one");
    assert.match(
      rankCauses(time, findings).get("change:deny")?.why ?? "",
      /^chosen over route's change to subnet at 03:15, as close to the drop of vm1 by 03:20 \(up at 03:04, no samples in between\): the samples cannot order them; /,
    );
    // the entry of each change says the member's state at it is unknown; the drop is dated by both ends of the gap
    const tl = buildTimeline(time, findings);
    assert.deepEqual(
      tl.entries.map((e) => [e.kind, e.label, e.from, e.healthUnknown?.length ?? 0]),
      [
        ["change", "nsg", undefined, 1],
        ["change", "subnet", undefined, 1],
        ["health", "vm1", "2026-03-14T03:04:00.000Z", 0],
      ],
    );
    assert.match(
      timelineLines(tl).join("\n"),
      /^ {2}03:20 {4}health {2}vm1 went down by 03:20 \(DipAvailability 0\), up at 03:04 \(no samples in between\)$/m,
    );
  });

  it("a change made just before the gap, while up, is a rival of one inside it; so is the nearest one made well before it", () => {
    // 03:04:30: inside the last up sample's interval, less than CONTEST_STEPS intervals before the first missing one
    const close = timeData([change("deny", "2026-03-14T03:04:30Z", "nsg"), change("route", "2026-03-14T03:12:00Z", "subnet")], [gapped]);
    assert.deepEqual(
      analyzeChanges(close).contests.map((c) => c.entrants.map((e) => e.change.id)),
      [["deny", "route"]],
    );
    assert.deepEqual(marked(close, findingsFor(close, ["nsg"])), ["nsg"]);
    // 03:01:30: three up samples after it, the nearest change before the gap: it certainly preceded the drop, the change
    // in the gap only if the member went down late in it; the samples cannot order them
    const far = timeData([change("deny", "2026-03-14T03:01:30Z", "nsg"), change("route", "2026-03-14T03:12:00Z", "subnet")], [gapped]);
    assert.deepEqual(
      analyzeChanges(far).contests.map((c) => c.entrants.map((e) => e.change.id)),
      [["deny", "route"]],
    );
    assert.deepEqual(
      changeImpacts(far).map((i) => i.change.id),
      [],
    );
  });

  it("change-before-failure gives the range of delays the gap allows, for a change before it and one inside it", () => {
    const report = (changes: Change[]) => {
      const out: Array<{ status: string; data?: Record<string, unknown> }> = [];
      checkChangeBeforeFailure(
        { model: { time: timeData(changes, [gapped]) }, report: (f: (typeof out)[number]) => out.push(f) } as never,
        [{ id: "lb", name: "lb" }],
      );
      return out.map((f) => [f.status, f.data?.gap, f.data?.dropAt]);
    };
    assert.deepEqual(report([change("deny", "2026-03-14T03:04:30Z", "nsg")]), [
      ["fail", "between 30 s and 16 min", "03:20; up at 03:04, no samples in between"],
    ]);
    assert.deepEqual(report([change("deny", "2026-03-14T03:18:00Z", "nsg")]), [["fail", "2 min", "03:20"]]);
    // no gap before the drop: as before
    assert.deepEqual(
      (() => {
        const out: Array<{ data?: Record<string, unknown> }> = [];
        checkChangeBeforeFailure(
          {
            model: { time: timeData([change("deny", "2026-03-14T03:02:10Z", "nsg")]) },
            report: (f: (typeof out)[number]) => out.push(f),
          } as never,
          [{ id: "lb", name: "lb" }],
        );
        return out.map((f) => [f.data?.gap, f.data?.dropAt]);
      })(),
      [["2 min", "03:04"]],
    );
  });

  it("a gap with no sample up before it is no drop: a change in it stays unknown, a change after the first down sample is none", () => {
    // down before the gap and after it: the member may never have come up
    const downBoth = member([...minutes("DDDDD", 0), ...minutes("DDDDD", 20)]);
    const t1 = timeData([change("deny", "2026-03-14T03:12:00Z", "nsg")], [downBoth]);
    assert.deepEqual(changeImpacts(t1), []);
    assert.deepEqual(
      analyzeChanges(t1).unknown.map((u) => u.change.id),
      ["deny"],
    );
    assert.equal(
      buildTimeline(t1, []).entries.find((e) => e.kind === "health"),
      undefined,
      "no transition, no dated drop",
    );
    // up before the gap, down after it: a change after the first down sample's interval is not a cause
    const t2 = timeData([change("deny", "2026-03-14T03:21:10Z", "nsg")], [gapped]);
    assert.deepEqual(analyzeChanges(t2), { candidates: [], contests: [], unknown: [] });
    // up before the gap, down after it: the one inside the gap is a candidate, where it was unknown
    const t3 = timeData([change("deny", "2026-03-14T03:12:00Z", "nsg")], [gapped]);
    assert.deepEqual(
      changeImpacts(t3).map((i) => i.change.id),
      ["deny"],
    );
  });
});

// ---------------------------------------------------------------------------
// a drop found after a gap: the nearest change before it, tags-only changes, the first down sample's own interval,
// and a gap that runs to the end of the window

describe("a drop found after a gap: every change the samples cannot order is a rival, and a tag change never names it", () => {
  // up 03:00–03:04, no sample 03:05–03:19, down from 03:20
  const gapped = member([...minutes("UUUUU", 0), ...minutes("DDDDD", 20)]);
  const tagged = (id: string, time: string, resourceId: string): Change => ({ ...change(id, time, resourceId), operation: "CreateTags" });
  const rule = (time: TimeData) => {
    const out: Array<{ status: string; key?: string; messageId?: string; data?: Record<string, unknown> }> = [];
    checkChangeBeforeFailure({ model: { time }, report: (f: (typeof out)[number]) => out.push(f) } as never, [{ id: "lb", name: "lb" }]);
    return out;
  };
  const text = (f: { messageId?: string; data?: Record<string, unknown> }) =>
    (CHANGE_MESSAGES[f.messageId as keyof typeof CHANGE_MESSAGES] ?? "").replace(/\{\{(\w+)\}\}/g, (_, k: string) =>
      String(f.data?.[k] ?? ""),
    );
  const likelyWho = (time: TimeData, findings: Finding[]) =>
    buildTimeline(time, findings)
      .entries.filter((e) => e.likelyCause)
      .map((e) => e.who);

  it("a change made while up before the gap is a rival of one in the gap, however far before it (reviewer G4)", () => {
    // A (03:02) certainly preceded the drop, made somewhere in 03:05–03:21; B (03:18) only if the drop was late
    const time = timeData([change("A", "2026-03-14T03:02:00Z", "nsg"), change("B", "2026-03-14T03:18:00Z", "vm1")], [gapped]);
    assert.deepEqual(
      rule(time).map((f) => [f.status, f.key]),
      [
        ["fail", "change:A"],
        ["fail", "change:B"],
      ],
    );
    assert.deepEqual(
      analyzeChanges(time).contests.map((c) => c.entrants.map((e) => [e.change.id, e.byTime])),
      [
        [
          ["A", false],
          ["B", false],
        ],
      ],
    );
    // the failing findings' evidence decides: one cites the NSG A changed
    assert.deepEqual(likelyWho(time, findingsFor(time, ["nsg"])), ["A"]);
  });

  it("inside a gap, time breaks no tie: undecided changes are neither marked nor set aside (reviewer C)", () => {
    const time = timeData([change("c1", "2026-03-14T03:08:00Z", "nsg"), change("c2", "2026-03-14T03:15:00Z", "vm1")], [gapped]);
    // the rule's findings alone: no failing finding about the member points at either
    const findings = findingsFor(time, []).filter((f) => f.key?.startsWith("change:"));
    assert.deepEqual(likelyWho(time, findings), [], "neither is the likely cause");
    const verdicts = rankCauses(time, findings);
    for (const [id, other] of [
      ["c1", "c2's change to vm1 at 03:15"],
      ["c2", "c1's change to nsg at 03:08"],
    ] as const) {
      const v = verdicts.get(`change:${id}`);
      assert.equal(v?.likely, false, id);
      assert.equal(v?.lost, undefined, `${id}: not set aside, its findings keep their links`);
      assert.equal(v?.tied?.length, 1, id);
      assert.match(v?.why ?? "", new RegExp(`^undecided between this and ${other}, .*: the samples cannot order them`), id);
      assert.doesNotMatch(v?.why ?? "", /time alone/, id);
    }
    const lines = timelineLines(buildTimeline(time, findings)).join("\n");
    assert.doesNotMatch(lines, /time alone|◀ likely cause/);
  });

  it("a change inside the gap says the member was down by the first down sample, and may have gone down before it", () => {
    const [f] = rule(timeData([change("deny", "2026-03-14T03:18:00Z", "nsg")], [gapped]));
    assert.equal(f?.messageId, "changedInGap");
    assert.match(
      text(f ?? {}),
      /^03:18: deny changed nsg \(deny changed nsg\) in a gap in the metrics; vm1 was down by 03:20, 2 min after it \(DipAvailability 0; up at 03:04, no samples in between: it may have gone down before this change\)\. Before → after: not recorded by the source\.$/,
    );
    // a change before the gap: the delay the gap allows, as before
    const [g] = rule(timeData([change("deny", "2026-03-14T03:04:30Z", "nsg")], [gapped]));
    assert.equal(g?.messageId, "changed");
  });

  it("a change inside the first down sample's interval after a gap is no cause: unknown (reviewer B)", () => {
    const time = timeData([change("late", "2026-03-14T03:20:30Z", "nsg")], [gapped]);
    const analysis = analyzeChanges(time);
    assert.deepEqual(analysis.candidates, []);
    assert.deepEqual(
      analysis.unknown.map((u) => [u.change.id, u.members.map((m) => [m.last?.t, m.down?.t])]),
      [["late", [["2026-03-14T03:04:00.000Z", "2026-03-14T03:20:00.000Z"]]]],
    );
    assert.deepEqual(
      rule(time).map((f) => [f.status, f.key, f.messageId]),
      [["unknown", "change:late", "unknownState"]],
    );
    assert.deepEqual(likelyWho(time, findingsFor(time, ["nsg"])), []);
  });

  it("a tag-only change is never named by time: alone in a gap it is no candidate (reviewer G3)", () => {
    const time = timeData([tagged("tag", "2026-03-14T03:12:00Z", "nsg")], [gapped]);
    assert.deepEqual(analyzeChanges(time).candidates, []);
    // a pass, which says a tag change preceded the drop rather than that no change did
    const out = rule(time);
    assert.deepEqual(
      out.map((f) => [f.status, f.messageId]),
      [["pass", "noneTags"]],
    );
    assert.equal(
      text(out[0] ?? {}),
      "No change in the window 03:00 – 04:00 that could break traffic preceded a health drop: tag's change to nsg at 03:12 changed only tags, which nothing reads to forward, filter or answer traffic (1 change read, 1 health series).",
    );
    assert.deepEqual(likelyWho(time, findingsFor(time, ["nsg"])), []);
    // nor alone just before a drop with no gap
    const close = timeData([tagged("tag", "2026-03-14T03:03:30Z", "nsg")]);
    assert.deepEqual(analyzeChanges(close).candidates, []);
  });

  it("a tag-only change does not push an older real change aside (reviewer G2)", () => {
    const up20 = member([...minutes("UUUUUUUUUUUUUUUUUUUU", 0), ...minutes("DDDDD", 20)]);
    const time = timeData([change("real", "2026-03-14T03:03:30Z", "nsg"), tagged("tag", "2026-03-14T03:12:00Z", "nsg")], [up20]);
    assert.deepEqual(
      changeImpacts(time).map((i) => i.change.id),
      ["real"],
    );
    assert.deepEqual(
      rule(time).map((f) => [f.status, f.key]),
      [["fail", "change:real"]],
    );
    assert.deepEqual(likelyWho(time, findingsFor(time, [])), ["real"]);
    // in the drop's own interval: a tag change before it does not make it less near
    const own = timeData([tagged("tag", "2026-03-14T03:03:40Z", "nsg"), change("deny", "2026-03-14T03:04:20Z", "nsg")]);
    assert.deepEqual(
      analyzeChanges(own).candidates.map((i) => [i.change.id, i.byTime]),
      [
        ["tag", false],
        ["deny", true],
      ],
    );
    assert.deepEqual(likelyWho(own, findingsFor(own, [])), ["deny"]);
  });

  it("when the only named entrants of a contest change tags alone, none is the likely cause", () => {
    const time = timeData([
      tagged("t1", "2026-03-14T03:03:20Z", "nsg"),
      tagged("t2", "2026-03-14T03:03:40Z", "subnet"),
      change("deny", "2026-03-14T03:03:50Z", "nsg"),
    ]);
    // the real change's finding left out: the two tag changes are the contest's named entrants
    const findings = findingsFor(time, []).filter((f) => f.key !== "change:deny");
    const verdicts = rankCauses(time, findings);
    assert.deepEqual(
      ["t1", "t2"].map((id) => verdicts.get(`change:${id}`)?.likely),
      [false, false],
    );
    assert.match(verdicts.get("change:t1")?.why ?? "", /each changes only tags, which cannot break traffic$/);
  });

  it("a change no sample follows (the series ends in a gap before the window does) is unknown, not a pass (reviewer E)", () => {
    const time = timeData([change("tail", "2026-03-14T03:30:00Z", "nsg")], [member(minutes("UUUUU", 0))]);
    const out = rule(time);
    assert.deepEqual(
      out.map((f) => [f.status, f.key, f.messageId]),
      [["unknown", "change:tail", "unknownAfter"]],
      "no pass for the load balancer",
    );
    assert.equal(
      text(out[0] ?? {}),
      "03:30: tail changed nsg (tail changed nsg), but what vm1 did after it is unknown: no DipAvailability sample after it (the last, at 03:04, was up). Whether this change broke it, the samples cannot tell.",
    );
    assert.deepEqual(buildTimeline(time, []).entries.find((e) => e.kind === "change")?.healthUnknown, [
      "vm1: no DipAvailability sample after the change (the last, at 03:04, up)",
    ]);
    // samples up after the change to the end of the window: a pass, as before
    const full = timeData([change("mid", "2026-03-14T03:30:00Z", "nsg")], [member(minutes("U".repeat(60), 0))]);
    assert.deepEqual(
      rule(full).map((f) => f.status),
      ["pass"],
    );
  });

  it("of the changes made well before the gap, only the nearest is a rival of those in it", () => {
    const time = timeData(
      [
        change("A", "2026-03-14T03:01:00Z", "nsg"),
        change("X", "2026-03-14T03:02:00Z", "subnet"),
        change("B", "2026-03-14T03:12:00Z", "vm1"),
      ],
      [gapped],
    );
    assert.deepEqual(
      analyzeChanges(time).candidates.map((i) => [i.change.id, i.rivals.map((r) => r.id)]),
      [
        ["X", ["B"]],
        ["B", ["X"]],
      ],
    );
  });
});

describe("a change the last samples cannot judge, and a change to tags only, never a finding of its own (second review)", () => {
  // up 03:00–03:04, no sample 03:05–03:19, down from 03:20
  const gapped = member([...minutes("UUUUU", 0), ...minutes("DDDDD", 20)]);
  const tagged = (id: string, time: string, resourceId: string): Change => ({ ...change(id, time, resourceId), operation: "CreateTags" });
  const rule = (time: TimeData) => {
    const out: Array<{ status: string; key?: string; messageId?: string; data?: Record<string, unknown> }> = [];
    checkChangeBeforeFailure({ model: { time }, report: (f: (typeof out)[number]) => out.push(f) } as never, [{ id: "lb", name: "lb" }]);
    return out;
  };
  const text = (f: { messageId?: string; data?: Record<string, unknown> }) =>
    (CHANGE_MESSAGES[f.messageId as keyof typeof CHANGE_MESSAGES] ?? "").replace(/\{\{(\w+)\}\}/g, (_, k: string) =>
      String(f.data?.[k] ?? ""),
    );

  it("a change in the window's last sample interval, every sample up, is unknown, not a pass (reviewer S1)", () => {
    const time = timeData([change("last", "2026-03-14T03:59:30Z", "nsg")], [member(minutes("U".repeat(60), 0))]);
    const out = rule(time);
    assert.deepEqual(
      out.map((f) => [f.status, f.key, f.messageId]),
      [["unknown", "change:last", "unknownAfter"]],
      "no pass for the load balancer",
    );
    assert.equal(
      text(out[0] ?? {}),
      "03:59:30: last changed nsg (last changed nsg), but what vm1 did after it is unknown: the DipAvailability samples end 30 s after it (the last, at 03:59, was up), too soon for a drop to show: a member counts as down only after several failed health probes. Whether this change broke it, the samples cannot tell.",
    );
    assert.deepEqual(buildTimeline(time, []).entries.find((e) => e.kind === "change")?.healthUnknown, [
      "vm1: the DipAvailability samples end 30 s after the change (the last, at 03:59, up), too soon for a drop to show",
    ]);
  });

  it("a change 10 s before the end of the series' last sample is unknown; so is a later one no sample follows (reviewer S2, S3)", () => {
    // the series ends at 03:57 (its metrics lag the window's end)
    const short = member(minutes("U".repeat(58), 0));
    assert.deepEqual(
      rule(timeData([change("lag", "2026-03-14T03:57:50Z", "nsg")], [short])).map((f) => [f.status, f.key, f.data?.after]),
      [
        [
          "unknown",
          "change:lag",
          "the DipAvailability samples end 10 s after it (the last, at 03:57, was up), too soon for a drop to show: a member counts as down only after several failed health probes",
        ],
      ],
    );
    const two = timeData([change("c1", "2026-03-14T03:57:50Z", "nsg"), change("c2", "2026-03-14T03:58:30Z", "nsg")], [short]);
    assert.deepEqual(
      analyzeChanges(two).unknown.map((u) => [u.change.id, u.members.map((m) => m.endsAfter)]),
      [
        ["c1", ["10 s"]],
        ["c2", [undefined]],
      ],
    );
    assert.deepEqual(
      rule(two).map((f) => [f.status, f.key]),
      [
        ["unknown", "change:c1"],
        ["unknown", "change:c2"],
      ],
    );
  });

  it("within CONTEST_STEPS intervals of the first sample the series lacks: unknown; before that, the samples tell (a pass)", () => {
    const full = member(minutes("U".repeat(60), 0));
    // 03:58:00: a drop at 04:00 (no sample) would have it as a candidate; 03:57:59: a drop it started shows by 03:59
    assert.deepEqual(
      rule(timeData([change("edge", "2026-03-14T03:58:00Z", "nsg")], [full])).map((f) => [f.status, f.messageId]),
      [["unknown", "unknownAfter"]],
    );
    assert.deepEqual(
      rule(timeData([change("early", "2026-03-14T03:57:59Z", "nsg")], [full])).map((f) => [f.status, f.messageId]),
      [["pass", "none"]],
    );
    // a change to tags only there: a pass, never unknown
    assert.deepEqual(
      rule(timeData([tagged("tag", "2026-03-14T03:59:30Z", "nsg")], [full])).map((f) => [f.status, f.messageId]),
      [["pass", "none"]],
    );
  });

  it("the pass counts the changes read in words: 1 change, 2 changes", () => {
    const full = member(minutes("U".repeat(60), 0));
    const one = rule(timeData([change("mid", "2026-03-14T03:30:00Z", "nsg")], [full]));
    assert.equal(text(one[0] ?? {}), "No change in the window 03:00 – 04:00 preceded a health drop (1 change read, 1 health series).");
    const two = rule(timeData([change("a", "2026-03-14T03:20:00Z", "nsg"), change("b", "2026-03-14T03:30:00Z", "nsg")], [full]));
    assert.match(text(two[0] ?? {}), /\(2 changes read, 1 health series\)\.$/);
  });

  it("a tag change before the series starts, the member down at its first sample: a plain pass (no drop seen), no unknown (reviewer E1)", () => {
    const time = timeData([tagged("tag", "2026-03-14T03:02:00Z", "nsg")], [member(minutes("DDDDD", 5))]);
    assert.deepEqual(analyzeChanges(time).unknown, []);
    assert.deepEqual(
      rule(time).map((f) => [f.status, f.messageId]),
      [["pass", "none"]],
    );
    assert.equal(buildTimeline(time, []).entries.find((e) => e.kind === "change")?.healthUnknown, undefined);
  });

  it("a tag change inside the first down sample's interval after a gap: a pass that says only tags changed, no unknown (reviewer E2, a2)", () => {
    const time = timeData([tagged("tag", "2026-03-14T03:20:30Z", "nsg")], [gapped]);
    assert.deepEqual(analyzeChanges(time).unknown, []);
    const out = rule(time);
    assert.deepEqual(
      out.map((f) => [f.status, f.messageId]),
      [["pass", "noneTags"]],
    );
    assert.match(text(out[0] ?? {}), /: tag's change to nsg at 03:20:30 changed only tags, /);
  });

  it("a real change in the gap and a tag change in the first down interval after it: the real one fails, the tag gets nothing (reviewer a1)", () => {
    const time = timeData([change("revoke", "2026-03-14T03:10:04Z", "nsg"), tagged("tag", "2026-03-14T03:20:30Z", "nsg")], [gapped]);
    assert.deepEqual(
      rule(time).map((f) => [f.status, f.key]),
      [["fail", "change:revoke"]],
    );
  });

  it("a tag change losing to a real one in a gap: no finding of its own, named by no rival text; the timeline still sets it aside (reviewer a4)", () => {
    const time = timeData([change("revoke", "2026-03-14T03:10:04Z", "nsg"), tagged("tag", "2026-03-14T03:15:00Z", "nsg")], [gapped]);
    // still a rival in the analysis, which the timeline weighs
    assert.deepEqual(
      analyzeChanges(time).candidates.map((i) => [i.change.id, i.rivals.map((r) => r.id)]),
      [
        ["revoke", ["tag"]],
        ["tag", ["revoke"]],
      ],
    );
    const out = rule(time);
    assert.deepEqual(
      out.map((f) => [f.status, f.key, f.data?.rivals]),
      [["fail", "change:revoke", ""]],
      "no fail for the tag, and the real change's message names no tag change as a rival",
    );
    const findings = findingsFor(time, ["nsg"]);
    assert.deepEqual(
      findings.filter((f) => f.key === "change:tag"),
      [],
    );
    const tl = buildTimeline(time, findings);
    const tag = tl.entries.find((e) => e.who === "tag");
    assert.equal(tag?.likelyCause, undefined);
    assert.equal(tag?.findings, undefined);
    assert.match(
      tag?.why ?? "",
      /^set aside for revoke's change to nsg at 03:10:04, .*; this one touches only the tags of nsg \(CreateTags\): a tag change cannot break traffic$/,
    );
    assert.match(tl.entries.find((e) => e.who === "revoke")?.why ?? "", /^chosen over tag's change to nsg at 03:15, /);
    assert.deepEqual(marked(time, findings), ["nsg"]);
  });
});

describe("a change to tags only is never the likely cause, whatever findings the timeline is given (second review)", () => {
  it("alone in one contest (its real rival's finding left out), set aside in another: still not the likely cause", () => {
    const gap = [...minutes("UUUUU", 0), ...minutes("DDDDD", 20)];
    const two = (k: string, sub: string): HealthSeries => ({
      ...member(gap),
      key: k,
      resourceId: `nic-${k}`,
      label: k,
      path: ["lb", `nic-${k}`, "nsg", sub],
    });
    const tag: Change = { ...change("tag", "2026-03-14T03:12:00Z", "nsg"), operation: "CreateTags" };
    const time = timeData(
      [change("r1", "2026-03-14T03:10:00Z", "sub1"), change("r2", "2026-03-14T03:10:00Z", "sub2"), tag],
      [two("vm1", "sub1"), two("vm2", "sub2")],
    );
    // r2's finding left out (a narrower report): at vm2's drop only the tag change is left to weigh
    const findings = findingsFor(time, []).filter((f) => f.key !== "change:r2");
    const entry = buildTimeline(time, findings).entries.find((e) => e.who === "tag");
    assert.equal(entry?.likelyCause, undefined);
    const v = rankCauses(time, findings).get("change:tag");
    assert.equal(v?.likely, false);
    assert.equal(v?.won, undefined, "it wins no drop, not even one it is left alone at");
    assert.match(v?.why ?? "", /^set aside for r1's change to sub1 at 03:10, /);
  });
});

describe("a tag-only change the pass names only for a drop seen after it; a short span in seconds (third review)", () => {
  const tagged = (id: string, time: string, resourceId: string): Change => ({ ...change(id, time, resourceId), operation: "CreateTags" });
  const rule = (time: TimeData) => {
    const out: Array<{ status: string; key?: string; messageId?: string; data?: Record<string, unknown> }> = [];
    checkChangeBeforeFailure({ model: { time }, report: (f: (typeof out)[number]) => out.push(f) } as never, [{ id: "lb", name: "lb" }]);
    return out;
  };
  const text = (f: { messageId?: string; data?: Record<string, unknown> }) =>
    (CHANGE_MESSAGES[f.messageId as keyof typeof CHANGE_MESSAGES] ?? "").replace(/\{\{(\w+)\}\}/g, (_, k: string) =>
      String(f.data?.[k] ?? ""),
    );

  it("a tag change at 03:05, the member down from its first sample at 03:20 (no drop seen): the plain pass, no tag named", () => {
    const time = timeData([tagged("tag", "2026-03-14T03:05:00Z", "nsg")], [member(minutes("DDDDDDDDDD", 20))]);
    assert.deepEqual(analyzeChanges(time).tagsOnly, undefined);
    assert.deepEqual(analyzeChanges(time).unknown, []);
    const out = rule(time);
    assert.deepEqual(
      out.map((f) => [f.status, f.messageId]),
      [["pass", "none"]],
    );
    assert.equal(text(out[0] ?? {}), "No change in the window 03:00 – 04:00 preceded a health drop (1 change read, 1 health series).");
  });

  it("a tag change while the member was up, a drop after it: the pass still names the tag change", () => {
    const time = timeData([tagged("tag", "2026-03-14T03:02:00Z", "nsg")], [member(minutes("UUUUDDDD"))]);
    assert.deepEqual(
      rule(time).map((f) => [f.status, f.messageId]),
      [["pass", "noneTags"]],
    );
  });

  it("samples that end 90 s after a change read 90 s, not 2 min", () => {
    const time = timeData([change("late", "2026-03-14T03:58:30Z", "nsg")], [member(minutes("U".repeat(60), 0))]);
    assert.deepEqual(
      analyzeChanges(time).unknown.map((u) => u.members.map((m) => m.endsAfter)),
      [["90 s"]],
    );
    assert.equal(
      rule(time)[0]?.data?.after,
      "the DipAvailability samples end 90 s after it (the last, at 03:59, was up), too soon for a drop to show: a member counts as down only after several failed health probes",
    );
    assert.deepEqual(buildTimeline(time, []).entries.find((e) => e.kind === "change")?.healthUnknown, [
      "vm1: the DipAvailability samples end 90 s after the change (the last, at 03:59, up), too soon for a drop to show",
    ]);
  });
});

describe("a change inside a gap in the middle of the series, the member up after it", () => {
  // up 03:00–03:04, no sample 03:05–03:19, up again from 03:20 to 03:59: the member may have gone down and come back
  // up somewhere in the gap, which no sample shows
  const upAfter = member([...minutes("UUUUU", 0), ...minutes("U".repeat(40), 20)]);
  const tagged = (id: string, time: string, resourceId: string): Change => ({ ...change(id, time, resourceId), operation: "CreateTags" });
  const rule = (time: TimeData) => {
    const out: Array<{ status: string; key?: string; messageId?: string; data?: Record<string, unknown> }> = [];
    checkChangeBeforeFailure({ model: { time }, report: (f: (typeof out)[number]) => out.push(f) } as never, [{ id: "lb", name: "lb" }]);
    return out;
  };
  const text = (f: { messageId?: string; data?: Record<string, unknown> }) =>
    (CHANGE_MESSAGES[f.messageId as keyof typeof CHANGE_MESSAGES] ?? "").replace(/\{\{(\w+)\}\}/g, (_, k: string) =>
      String(f.data?.[k] ?? ""),
    );

  it("is unknown, not a pass: the analysis names the gap's ends, the rule and the timeline say what it may hide", () => {
    const time = timeData([change("deny", "2026-03-14T03:10:00Z", "nsg")], [upAfter]);
    const analysis = analyzeChanges(time);
    assert.deepEqual(analysis.candidates, []);
    assert.deepEqual(
      analysis.unknown.map((u) => [u.change.id, u.members.map((m) => [m.series.label, m.down, m.last?.t, m.resumes?.t])]),
      [["deny", [["vm1", undefined, "2026-03-14T03:04:00.000Z", "2026-03-14T03:20:00.000Z"]]]],
    );
    const out = rule(time);
    assert.deepEqual(
      out.map((f) => [f.status, f.key, f.messageId]),
      [["unknown", "change:deny", "unknownAfter"]],
      "no pass for the load balancer",
    );
    assert.equal(
      text(out[0] ?? {}),
      "03:10: deny changed nsg (deny changed nsg), but what vm1 did after it is unknown: no DipAvailability sample between 03:04 (up) and 03:20 (up), a gap in which vm1 may have gone down and come back up. Whether this change broke it, the samples cannot tell.",
    );
    const tl = buildTimeline(time, []);
    assert.deepEqual(tl.entries.find((e) => e.kind === "change")?.healthUnknown, [
      "vm1: no DipAvailability sample between 03:04 (up) and 03:20 (up), a gap in which it may have gone down and come back up",
    ]);
    assert.match(
      timelineLines(tl).join("\n"),
      /^ {13}health at this time unknown: vm1: no DipAvailability sample between 03:04 \(up\) and 03:20 \(up\), a gap in which/m,
    );
  });

  it("so is one made within CONTEST_STEPS intervals before the gap's first missing sample; an earlier one, and one after the gap, pass", () => {
    // 03:03:00: a drop at 03:05 (no sample) would have it as a candidate; 03:02:59: a drop it started shows by 03:04
    assert.deepEqual(
      rule(timeData([change("edge", "2026-03-14T03:03:00Z", "nsg")], [upAfter])).map((f) => [f.status, f.messageId]),
      [["unknown", "unknownAfter"]],
    );
    assert.deepEqual(
      rule(timeData([change("early", "2026-03-14T03:02:59Z", "nsg")], [upAfter])).map((f) => [f.status, f.messageId]),
      [["pass", "none"]],
    );
    // outside any gap: samples on both sides of it, every one up
    for (const t of ["2026-03-14T03:20:00Z", "2026-03-14T03:30:00Z"]) {
      const time = timeData([change("after", t, "nsg")], [upAfter]);
      assert.deepEqual(analyzeChanges(time).unknown, [], t);
      assert.deepEqual(
        rule(time).map((f) => [f.status, f.messageId]),
        [["pass", "none"]],
        t,
      );
    }
  });

  it("down before the gap and up after it: unknown too; down after the gap, or at the change (a recent sample), as before", () => {
    const recovered = member([...minutes("DDDDD", 0), ...minutes("U".repeat(40), 20)]);
    assert.deepEqual(
      rule(timeData([change("mid", "2026-03-14T03:12:00Z", "nsg")], [recovered])).map((f) => [f.status, f.data?.after]),
      [
        [
          "unknown",
          "no DipAvailability sample between 03:04 (down) and 03:20 (up), a gap in which vm1 may have gone down and come back up",
        ],
      ],
    );
    assert.deepEqual(
      rule(timeData([change("while-down", "2026-03-14T03:04:30Z", "nsg")], [recovered])).map((f) => [f.status, f.messageId]),
      [["pass", "none"]],
    );
    // followed by down samples: a candidate for the drop after the gap when up before it, unknown when down before it
    const gapped = member([...minutes("UUUUU", 0), ...minutes("DDDDD", 20)]);
    const out = rule(timeData([change("deny", "2026-03-14T03:10:00Z", "nsg")], [gapped]));
    assert.deepEqual(
      out.map((f) => [f.status, f.messageId]),
      [["fail", "changedInGap"]],
    );
    const downBoth = member([...minutes("DDDDD", 0), ...minutes("DDDDD", 20)]);
    assert.deepEqual(
      rule(timeData([change("deny", "2026-03-14T03:10:00Z", "nsg")], [downBoth])).map((f) => [f.status, f.messageId]),
      [["unknown", "unknownState"]],
    );
  });

  it("a drop after the gap, once samples show the member up: the change a candidate if the nearest, else unknown; a tag change never", () => {
    // up 03:00–03:04, no sample 03:05–03:19, up 03:20–03:29, down from 03:30
    const later = member([...minutes("UUUUU", 0), ...minutes("UUUUUUUUUU", 20), ...minutes("DDDDD", 30)]);
    const nearest = timeData([change("deny", "2026-03-14T03:10:00Z", "nsg")], [later]);
    assert.deepEqual(analyzeChanges(nearest).unknown, [], "a candidate for the 03:30 drop: no unknown besides");
    assert.deepEqual(
      rule(nearest).map((f) => [f.status, f.key]),
      [["fail", "change:deny"]],
    );
    // a change at 03:28 is nearer the drop: the one in the gap is no candidate, and what it did in the gap is unknown
    const older = timeData([change("deny", "2026-03-14T03:10:00Z", "nsg"), change("route", "2026-03-14T03:28:00Z", "subnet")], [later]);
    assert.deepEqual(
      rule(older).map((f) => [f.status, f.key]),
      [
        ["fail", "change:route"],
        ["unknown", "change:deny"],
      ],
    );
    assert.deepEqual(
      rule(timeData([tagged("tag", "2026-03-14T03:10:00Z", "nsg")], [upAfter])).map((f) => [f.status, f.messageId]),
      [["pass", "none"]],
      "a tag change cannot break traffic: never unknown",
    );
  });
});

describe("a series with a sample off its grid: its step is the most common spacing, not the shortest", () => {
  // a sample stamped at a time (seconds after 03:00), up or down
  const sample = (s: number, up = true) => ({ t: new Date(Date.UTC(2026, 2, 14, 3, 0, s)).toISOString(), up, value: up ? 100 : 0 });
  const withSamples = (points: HealthSeries["points"], ...more: HealthSeries["points"]) =>
    member([...points, ...more].sort((a, b) => Date.parse(a.t) - Date.parse(b.t)));
  const rule = (time: TimeData) => {
    const out: Array<{ status: string; key?: string; messageId?: string; data?: Record<string, unknown> }> = [];
    checkChangeBeforeFailure({ model: { time }, report: (f: (typeof out)[number]) => out.push(f) } as never, [{ id: "lb", name: "lb" }]);
    return out;
  };
  // every 5 minutes from 03:00 to 03:55, and one more at 03:01
  const fiveMinutes = (up: (minute: number) => boolean) =>
    withSamples(
      Array.from({ length: 12 }, (_, i) => sample(i * 300, up(i * 5))),
      sample(60, up(1)),
    );

  it("no ordinary interval is a gap: a change far from the extra sample passes, and one inside a real gap is still unknown", () => {
    // up every minute 03:00–03:59, and one more sample at 03:30:30
    const offGrid = withSamples(minutes("U".repeat(60)), sample(1830));
    const time = timeData([change("deny", "2026-03-14T03:10:04Z", "nsg")], [offGrid]);
    assert.deepEqual(analyzeChanges(time).unknown, []);
    assert.deepEqual(
      rule(time).map((f) => [f.status, f.messageId]),
      [["pass", "none"]],
    );
    assert.equal(buildTimeline(time, []).entries.find((e) => e.kind === "change")?.healthUnknown, undefined);
    // a 5-minute series with one pair of samples a minute apart
    const five = timeData([change("deny", "2026-03-14T03:30:04Z", "nsg")], [fiveMinutes(() => true)]);
    assert.deepEqual(analyzeChanges(five).unknown, []);
    assert.deepEqual(
      rule(five).map((f) => [f.status, f.messageId]),
      [["pass", "none"]],
    );
    // up 03:00–03:04, no sample 03:05–03:19, up 03:20–03:59, one more at 03:30:30: the gap is a gap, and only it
    const gapped = withSamples([...minutes("UUUUU", 0), ...minutes("U".repeat(40), 20)], sample(1830));
    const inGap = timeData([change("deny", "2026-03-14T03:10:00Z", "nsg")], [gapped]);
    assert.deepEqual(
      analyzeChanges(inGap).unknown.map((u) => u.members.map((m) => [m.last?.t, m.resumes?.t])),
      [[["2026-03-14T03:04:00.000Z", "2026-03-14T03:20:00.000Z"]]],
    );
    assert.deepEqual(
      rule(timeData([change("deny", "2026-03-14T03:40:04Z", "nsg")], [gapped])).map((f) => [f.status, f.messageId]),
      [["pass", "none"]],
    );
  });

  it("a drop is dated at its sample, not after a gap, and the state a minute and a half after a sample is that sample's", () => {
    // up 03:00–03:04, down 03:05–03:59, one more sample (down) at 03:30:30
    const dropped = withSamples(minutes(`UUUUU${"D".repeat(55)}`), sample(1830, false));
    const time = timeData([change("deny", "2026-03-14T03:03:10Z", "nsg")], [dropped]);
    assert.deepEqual(
      analyzeChanges(time).candidates.map((c) => c.drops.map((d) => [d.at.t, d.after?.t])),
      [[["2026-03-14T03:05:00.000Z", undefined]]],
      "no gap before the drop",
    );
    assert.deepEqual(
      rule(time).map((f) => [f.status, f.messageId, f.data?.gap]),
      [["fail", "changed", "2 min"]],
    );
    assert.deepEqual(
      buildTimeline(time, [])
        .entries.filter((e) => e.kind === "health")
        .map((e) => [e.text, e.from]),
      [["vm1 went down (DipAvailability 0)", undefined]],
    );
    // one sample missing (03:05): 03:05:40 is 100 s after the last sample before it, within STALE_STEPS minutes
    const oneMissing = withSamples([...minutes("UUUUU", 0), ...minutes("U".repeat(50), 6)], sample(1830));
    assert.equal(stateAt(oneMissing, "2026-03-14T03:05:40Z"), true);
    // the 5-minute series: the transitions at 03:30 and 03:45 follow no gap
    const five = fiveMinutes((m) => m < 30 || m >= 45);
    assert.deepEqual(
      buildTimeline(timeData([], [five]), [])
        .entries.filter((e) => e.kind === "health")
        .map((e) => [e.text, e.from]),
      [
        ["vm1 went down (DipAvailability 0)", undefined],
        ["vm1 went up (DipAvailability 100)", undefined],
      ],
    );
    // 03:29:30: the 03:20 sample's interval ended 4.5 min before, within STALE_STEPS of the series' 5 minutes
    assert.equal(stateAt(five, "2026-03-14T03:29:30Z"), true);
  });
});

describe("a series' step: the grain it carries, else one guessed from its samples that neither hides gaps nor makes them", () => {
  const sample = (s: number, up = true) => ({ t: new Date(Date.UTC(2026, 2, 14, 3, 0, s)).toISOString(), up, value: up ? 100 : 0 });
  const rule = (time: TimeData) => {
    const out: Array<{ status: string; key?: string; messageId?: string }> = [];
    checkChangeBeforeFailure({ model: { time }, report: (f: (typeof out)[number]) => out.push(f) } as never, [{ id: "lb", name: "lb" }]);
    return out.map((f) => [f.status, f.messageId]);
  };
  const gaps = (time: TimeData) => analyzeChanges(time).unknown.map((u) => u.members.map((m) => [m.last?.t, m.resumes?.t]));
  // a sparse series, as CloudWatch reports a low-traffic minute (no datapoint): every other minute from 03:00 to 03:40
  // (20 spacings of 2 minutes), then every minute to 03:50 (10 of 1 minute)
  const sparse = () => [...Array.from({ length: 21 }, (_, i) => sample(i * 120)), ...minutes("U".repeat(10), 41)];

  it("without a grain, a sparse series' 1-minute spacings set its step: a change in a missing minute is unknown", async () => {
    const { sampleStep } = await import("../src/core/timeline/analyze.ts");
    const s = member(sparse());
    assert.equal(sampleStep(s), 60_000);
    const time = timeData([change("deny", "2026-03-14T03:11:04Z", "nsg")], [s]);
    assert.deepEqual(gaps(time), [[["2026-03-14T03:10:00.000Z", "2026-03-14T03:12:00.000Z"]]]);
    assert.deepEqual(rule(time), [["unknown", "unknownAfter"]]);
    // with one sample off its grid (03:45:30) as well: its two 30-second spacings set no step, the missing minute is
    // still a gap, and a change among the 1-minute samples (03:43:04) passes
    const offGrid = member([...sparse(), sample(2730)].sort((a, b) => Date.parse(a.t) - Date.parse(b.t)));
    assert.equal(sampleStep(offGrid), 60_000);
    assert.deepEqual(rule(timeData([change("deny", "2026-03-14T03:11:04Z", "nsg")], [offGrid])), [["unknown", "unknownAfter"]]);
    const among = timeData([change("deny", "2026-03-14T03:43:04Z", "nsg")], [offGrid]);
    assert.deepEqual(gaps(among), []);
    assert.deepEqual(rule(among), [["pass", "none"]]);
  });

  it("the grain a series carries is its step, whatever its samples' spacing", async () => {
    const { sampleStep } = await import("../src/core/timeline/analyze.ts");
    // every other minute from 03:00 to 03:58: by its samples a 2-minute series with no gap
    const everyOther = Array.from({ length: 30 }, (_, i) => sample(i * 120));
    const change11 = [change("deny", "2026-03-14T03:11:04Z", "nsg")];
    assert.equal(sampleStep(member(everyOther)), 120_000);
    assert.deepEqual(rule(timeData(change11, [member(everyOther)])), [["pass", "none"]]);
    // a 1-minute grain (the wire's PT1M, Period 60): every spacing is a minute missing, 03:11 among them
    const grained = { ...member(everyOther), step: 60_000 };
    assert.equal(sampleStep(grained), 60_000);
    assert.deepEqual(gaps(timeData(change11, [grained])), [[["2026-03-14T03:10:00.000Z", "2026-03-14T03:12:00.000Z"]]]);
    assert.deepEqual(rule(timeData(change11, [grained])), [["unknown", "unknownAfter"]]);
    // a 5-minute grain over samples a minute apart: still 5 minutes
    const five = { ...member(minutes("U".repeat(60))), step: 300_000 };
    assert.equal(sampleStep(five), 300_000);
  });
});
