import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineRule } from "../src/core/engine/define-rule.ts";
import { interpolate, orderFindings, runRules, runRulesCounting } from "../src/core/engine/run.ts";
import type { Finding, Model, Rule, RuleContext } from "../src/core/engine/types.ts";
import { clip } from "../src/core/util/words.ts";
import { type AzureModel, buildAzureModel } from "../src/providers/azure/model.ts";
import { healthyWeb, ids } from "./support/azure-builder.ts";
import { TEST_RULE_META } from "./support/rule-tester.ts";

const model = buildAzureModel(healthyWeb().build());
const meta = TEST_RULE_META;

describe("rule engine", () => {
  it("a rule that throws becomes one error finding and the run goes on", () => {
    const boom = defineRule<AzureModel>({
      ...meta,
      id: "azure/boom",
      messages: { m: "x" },
      check: () => {
        throw new Error("kaboom");
      },
    });
    const ok = defineRule<AzureModel>({
      ...meta,
      id: "azure/ok",
      messages: { m: "lb {{name}}" },
      check: ({ model, report }) => {
        for (const lb of model.loadBalancers) report({ status: "pass", resourceId: lb.id, messageId: "m", data: { name: lb.name } });
      },
    });
    const findings = runRules(model, [boom, ok]);
    const err = findings.find((f) => f.ruleId === "azure/boom");
    assert.equal(err?.status, "error");
    assert.match(err?.message ?? "", /kaboom/);
    assert.equal(findings.find((f) => f.ruleId === "azure/ok")?.message, "lb lb-web");
  });

  it("a finding's subjects are keys, each once, in their first order (a short list and a long one)", () => {
    const lb = model.loadBalancers[0]?.id as string;
    const many = Array.from({ length: 12 }, (_, i) => `/X/${i % 5}`);
    const rule = defineRule<AzureModel>({
      ...meta,
      id: "azure/subjects",
      messages: { m: "x" },
      check: ({ report }) => {
        report({ status: "fail", resourceId: lb, key: "short", messageId: "m", subjects: ["/A/b", "/a/B", "/c", "/A/B/"] });
        report({ status: "fail", resourceId: lb, key: "long", messageId: "m", subjects: many });
      },
    });
    const [short, long] = runRules(model, [rule]);
    assert.deepEqual(short?.subjects, ["/a/b", "/c"]);
    assert.deepEqual(long?.subjects, ["/x/0", "/x/1", "/x/2", "/x/3", "/x/4"]);
  });

  it("reporting an undeclared messageId is an error finding, not a silent message", () => {
    const bad = defineRule<AzureModel>({
      ...meta,
      id: "azure/bad-message",
      messages: { m: "x" },
      check: ({ report }) => report({ status: "fail", resourceId: "/x", messageId: "nope" }),
    });
    const [f] = runRules(model, [bad]);
    assert.equal(f?.status, "error");
    assert.match(f?.message ?? "", /unknown messageId 'nope'/);
  });

  it("a rule that reports nothing yields one not-applicable result", () => {
    const quiet = defineRule<AzureModel>({ ...meta, id: "azure/quiet", messages: {}, check: () => {} });
    const findings = runRules(model, [quiet]);
    assert.deepEqual(
      findings.map((f) => f.status),
      ["not-applicable"],
    );
  });

  it("a finding id repeated within a rule gets #2, #3…, whatever the casing of the resource id or a | in it", () => {
    const r = defineRule<AzureModel>({
      ...meta,
      id: "azure/dup",
      messages: { m: "x" },
      check: ({ report }) => {
        const at = (resourceId: string, key?: string) =>
          report({ status: "fail", resourceId, messageId: "m", ...(key === undefined ? {} : { key }) });
        at("/S/A", "k");
        at("/s/a", "k"); // the same resource: ids compare case-insensitively
        at("/s/a", "k#2"); // taken by the one above: becomes k#2#2
        at("/s/a");
        at("/s/a");
        at("/s/b", "k");
        at("/x|y", "z"); // joins to the same id as (/x, y|z) below
        at("/x", "y|z");
      },
    });
    assert.deepEqual(
      runRules(model, [r]).map((f) => f.id),
      [
        "azure/dup|/s/a|k",
        "azure/dup|/s/a|k#2",
        "azure/dup|/s/a|k#2#2",
        "azure/dup|/s/a|",
        "azure/dup|/s/a|#2",
        "azure/dup|/s/b|k",
        "azure/dup|/x|y|z",
        "azure/dup|/x|y|z#2",
      ],
    );
  });

  it("a repeated id gets #2 however many keys its resource already has (a short list of them, then a set)", () => {
    const r = defineRule<AzureModel>({
      ...meta,
      id: "azure/many",
      messages: { m: "x" },
      check: ({ report }) => {
        for (let i = 0; i < 12; i++) report({ status: "fail", resourceId: "/s/c", key: `k${i}`, messageId: "m" });
        for (const k of ["k0", "k7", "k8", "k11", "k11", "k12"]) report({ status: "fail", resourceId: "/S/C", key: k, messageId: "m" });
      },
    });
    assert.deepEqual(
      runRules(model, [r])
        .map((f) => f.id.slice("azure/many|/s/c|".length))
        .slice(12),
      ["k0#2", "k7#2", "k8#2", "k11#2", "k11#3", "k12"],
    );
  });

  it("evidence values are read from the snapshot at the pointer", () => {
    const lb = model.loadBalancers[0];
    assert.ok(lb);
    const r = defineRule<AzureModel>({
      ...meta,
      id: "azure/evidence",
      messages: { m: "x" },
      check: ({ report }) =>
        report({ status: "fail", resourceId: lb.id, messageId: "m", evidence: [{ resourceId: lb.id, pointer: `${lb.ptr}/sku/name` }] }),
    });
    assert.equal(runRules(model, [r])[0]?.evidence[0]?.value, "Standard");
  });

  it("links a root cause to the symptom it explains through a shared subject, and orders causes first", () => {
    const nic = ids.nic("vm1-nic");
    const symptom: Rule = defineRule<AzureModel>({
      ...meta,
      id: "azure/symptom",
      severity: "critical",
      messages: { m: "down" },
      check: ({ report }) => report({ status: "fail", resourceId: nic, messageId: "m", evidence: [] }),
    });
    const cause: Rule = defineRule<AzureModel>({
      ...meta,
      id: "azure/cause",
      severity: "low",
      explains: ["azure/symptom"],
      messages: { m: "blocked" },
      check: ({ report }) => report({ status: "fail", resourceId: nic, messageId: "m" }),
    });
    const findings = orderFindings(runRules(model, [symptom, cause]));
    assert.equal(findings[0]?.ruleId, "azure/cause", "the cause leads even at a lower severity");
    assert.deepEqual(
      findings[0]?.relatedTo.map((r) => [r.ruleId, r.relation]),
      [["azure/symptom", "explains"]],
    );
    assert.deepEqual(
      findings[1]?.relatedTo.map((r) => [r.ruleId, r.relation]),
      [["azure/cause", "caused-by"]],
    );
  });

  it("links each cause and symptom once, however many subjects they share, and a shared cause to every symptom", () => {
    const subnet = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a";
    const nics = Array.from({ length: 300 }, (_, i) => ids.nic(`vm${i}-nic`));
    const symptom: Rule = defineRule<AzureModel>({
      ...meta,
      id: "azure/symptom",
      messages: { m: "down" },
      check: ({ report }) => {
        for (const nic of nics) report({ status: "fail", resourceId: nic, messageId: "m", subjects: [nic, subnet, subnet.toUpperCase()] });
      },
    });
    const cause: Rule = defineRule<AzureModel>({
      ...meta,
      id: "azure/cause",
      explains: ["azure/symptom"],
      messages: { m: "blocked" },
      check: ({ report }) => report({ status: "fail", resourceId: subnet, messageId: "m", subjects: [subnet, ...nics] }),
    });
    const findings = runRules(model, [symptom, cause]);
    const c = findings.find((f) => f.ruleId === "azure/cause");
    assert.equal(c?.relatedTo.length, 300);
    assert.equal(new Set(c?.relatedTo.map((r) => r.findingId)).size, 300);
    for (const f of findings.filter((x) => x.ruleId === "azure/symptom")) {
      assert.deepEqual(
        f.relatedTo.map((r) => [r.findingId, r.relation]),
        [[c?.id, "caused-by"]],
      );
    }
  });

  it("finding ids are stable: rule id + normalized resource id + key, independent of order", () => {
    const r = defineRule<AzureModel>({
      ...meta,
      id: "azure/ids",
      messages: { m: "x" },
      check: ({ report }) => {
        report({ status: "pass", resourceId: ids.nic("VM1-NIC"), messageId: "m", key: "k" });
      },
    });
    const [a] = runRules(model, [r]);
    assert.equal(a?.id, `azure/ids|${ids.nic("vm1-nic").toLowerCase()}|k`);
  });

  it("defineRule refuses a malformed id", () => {
    assert.throws(() => defineRule<AzureModel>({ ...meta, id: "azure/Bad_Id", messages: {}, check: () => {} }), /bad rule id/);
    assert.throws(() => defineRule<AzureModel>({ ...meta, id: "aws/x", messages: {}, check: () => {} }), /must start with its provider/);
  });

  it('passes "summary": passes come back light, fails whole, and a pass a collection gap turns unknown is completed', () => {
    const lb = model.loadBalancers[0];
    assert.ok(lb);
    const mixed = defineRule<AzureModel>({
      ...meta,
      id: "azure/mixed",
      messages: { ok: "lb {{name}} fine", bad: "lb {{name}} broken" },
      check: ({ report }) => {
        const evidence = [{ resourceId: lb.id, pointer: lb.ptr, label: "lb" }];
        report({ status: "pass", resourceId: lb.id, key: "a", messageId: "ok", data: { name: lb.name }, evidence });
        report({ status: "fail", resourceId: lb.id, key: "b", messageId: "bad", data: { name: lb.name }, evidence });
      },
    });
    const [pass, fail] = runRules(model, [mixed], { passes: "summary" });
    assert.equal(pass?.status, "pass");
    assert.equal(pass?.message, "", "a summarized pass carries no message");
    assert.deepEqual(pass?.evidence, []);
    assert.equal(fail?.message, "lb lb-web broken");
    assert.equal(
      fail?.evidence[0]?.value,
      model.snapshot.resources.find((r) => r.id === lb.id),
    );
    // the same rule with its data not collected: the pass becomes an unknown, whole (message and evidence)
    const gapped = {
      ...model,
      gaps: [{ kind: "collection" as const, operation: "loadBalancers.list", message: "denied", covers: ["azure:loadBalancers"] }],
    };
    const [unknown] = runRules(gapped as AzureModel, [mixed], { passes: "summary" });
    assert.equal(unknown?.status, "unknown");
    assert.match(unknown?.message ?? "", /What was collected says: lb lb-web fine$/);
    assert.ok(
      unknown?.evidence.some((e) => e.label === "lb" && e.value !== undefined),
      "its evidence is resolved",
    );
    assert.deepEqual(unknown?.subjects, [lb.key]);
  });

  it("a rule with hundreds of thousands of findings does not overflow the stack (100,000-NIC snapshots)", () => {
    const many = defineRule<AzureModel>({
      ...meta,
      id: "azure/many",
      messages: { m: "member {{n}}" },
      check: ({ report }) => {
        for (let n = 0; n < 300_000; n++) report({ status: "pass", resourceId: `/x/${n}`, messageId: "m", data: { n } });
      },
    });
    const findings = runRules(model, [many], { passes: "summary" });
    assert.equal(findings.length, 300_000);
  });

  it('passes "count": passes and not-applicable results are counted, not made findings; every other finding and id is as in a full run', () => {
    const lb = model.loadBalancers[0];
    assert.ok(lb);
    const mixed = defineRule<AzureModel>({
      ...meta,
      id: "azure/mixed",
      messages: { ok: "fine", bad: "broken", na: "n/a" },
      check: ({ report }) => {
        // a counted pass takes its key: the fail after it on the same resource and key is k#2, as in a full run
        report({ status: "pass", resourceId: lb.id, loadBalancerId: lb.id, key: "k", messageId: "ok" });
        report({ status: "fail", resourceId: lb.id.toUpperCase(), loadBalancerId: lb.id, key: "k", messageId: "bad" });
        report({ status: "not-applicable", resourceId: "/s/other", messageId: "na" });
        report({ status: "pass", resourceId: lb.id, key: "k", messageId: "ok" });
        // and one counted after a finding: k#3, so this fail is k#4
        report({ status: "fail", resourceId: lb.id, key: "k", messageId: "bad" });
      },
    });
    const onlyPasses = defineRule<AzureModel>({
      ...meta,
      id: "azure/only-passes",
      messages: { ok: "fine" },
      check: ({ report }) => report({ status: "pass", resourceId: lb.id, messageId: "ok" }),
    });
    const boom = defineRule<AzureModel>({
      ...meta,
      id: "azure/boom",
      messages: { ok: "fine" },
      check: ({ report }) => {
        report({ status: "pass", resourceId: lb.id, messageId: "ok" });
        throw new Error("kaboom");
      },
    });
    const rules = [mixed, onlyPasses, boom];
    const full = runRules(model, rules);
    const { findings, counted } = runRulesCounting(model, rules, { passes: "count" });
    assert.deepEqual(
      findings.map((f) => [f.id, f.status]),
      full.filter((f) => f.status !== "pass" && f.status !== "not-applicable").map((f) => [f.id, f.status]),
    );
    assert.deepEqual(
      findings.filter((f) => f.status === "fail").map((f) => f.id),
      [`azure/mixed|${lb.key}|k#2`, `azure/mixed|${lb.key}|k#4`],
    );
    // a rule whose results were all counted gets no "nothing in scope" result; a rule that threw counts nothing
    assert.deepEqual(counted, [
      {
        ruleId: "azure/mixed",
        status: ["pass", "not-applicable", "pass"],
        resourceId: [lb.id, "/s/other", lb.id],
        loadBalancerId: [lb.id, undefined, undefined],
        key: ["k", undefined, "k"],
      },
      { ruleId: "azure/only-passes", status: ["pass"], resourceId: [lb.id], loadBalancerId: [undefined], key: [undefined] },
    ]);
    // with a collection gap the rule reads, nothing is counted: its passes become unknown findings, whole
    const gapped = {
      ...model,
      gaps: [{ kind: "collection" as const, operation: "loadBalancers.list", message: "denied", covers: ["azure:loadBalancers"] }],
    };
    const withGap = runRulesCounting(gapped as AzureModel, [mixed], { passes: "count" });
    assert.deepEqual(withGap.counted, []);
    assert.deepEqual(
      withGap.findings.map((f) => f.status),
      ["unknown", "fail", "unknown", "unknown", "fail"],
    );
    assert.match(withGap.findings[0]?.message ?? "", /What was collected says: fine$/);
  });
});

describe("a message value's long runs", () => {
  // the cut by the regular expression alone: every run of 257 or more non-white-space characters cut, then the whole at 4,000
  const reference = (v: string) =>
    v.length <= 256
      ? v
      : clip(
          v.replace(/\S{257,}/g, (t) => clip(t)),
          4000,
        );
  it("interpolate cuts exactly what the regular expression cuts, whatever the white space (ASCII, U+00A0, U+2028, U+3000)", () => {
    const pieces = ["a", "é", "😀", " ", "\t", "\n", "\u00a0", "\u2028", "\u3000", "\ufeff", "\r", "\v", "\f"];
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    let cut = 0;
    for (let i = 0; i < 400; i++) {
      let v = "";
      // runs of one piece repeated, of lengths around the 256 limit, so that runs end on every kind of white space
      while (v.length < 300 + rand(900))
        v += (pieces[rand(pieces.length)] as string).repeat(rand(4) === 0 ? 200 + rand(120) : 1 + rand(20));
      const got = interpolate("{{v}}", { v });
      assert.equal(got, reference(v), JSON.stringify(v.slice(0, 80)));
      if (got !== v) cut++;
    }
    assert.ok(cut > 50 && cut < 400, `both outcomes are exercised (${cut} of 400 cut)`);
  });
});

describe("counting around scoped gaps", () => {
  it("a result about the whole scope is concerned by every gap, as in a full run", () => {
    const gap = {
      kind: "collection" as const,
      operation: "x.get",
      message: "denied",
      resourceId: "/r/gapped",
      covers: ["k"],
      affects: ["/r/gapped"],
    };
    const model = { provider: "azure", snapshot: { collectedAt: "x", scope: {} }, gaps: [gap] } as unknown as Model;
    const rule = {
      id: "azure/synth",
      provider: "azure",
      severity: "high",
      title: "t",
      source: "s",
      references: [],
      reads: ["k"],
      messages: { m: "msg {{x}}" },
      check({ report }: RuleContext) {
        report({ status: "pass", resourceId: "", messageId: "m", data: { x: 1 } });
        report({ status: "pass", resourceId: "/r/a", key: "k", messageId: "m" });
        report({ status: "not-applicable", resourceId: "/r/b", messageId: "m", subjects: ["/r/gapped"] });
      },
    } as unknown as Rule;
    const full = runRulesCounting(model, [rule]).findings;
    const counting = runRulesCounting(model, [rule], { passes: "count" });
    const statuses = (fs: Finding[]) => Object.fromEntries(fs.filter((f) => f.status !== "pass").map((f) => [f.id, f.status]));
    assert.deepEqual(statuses(counting.findings), statuses(full));
    assert.equal(full.find((f) => f.resourceId === "")?.status, "unknown");
    // the one pass no gap concerns is counted, as a full run keeps it passing
    assert.deepEqual(
      counting.counted.map((c) => [c.status, c.resourceId]),
      [[["pass"], ["/r/a"]]],
    );
  });
});
