/**
 * Case tables for rules, in the manner of ESLint's RuleTester:
 *
 *   runRuleTests(rule, {
 *     valid:   [{ name, snapshot }],                       // no fail, at least one pass
 *     invalid: [{ name, snapshot, errors: [{ messageId, resourceId? }] }],
 *     unknown: [{ name, snapshot, reason?: "substring" }], // undecidable: unknown, never a guess
 *     notApplicable: [{ name, snapshot, messageId?: "why it does not apply" }],
 *   });
 *
 * It refuses an invalid case that reports no fail, a valid case that fails,
 * messageIds the rule does not declare, duplicate case names, and snapshots
 * that do not validate against the snapshot schema.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runRules, runRulesCounting } from "../../src/core/engine/run.ts";
import type { Finding, Model, Rule } from "../../src/core/engine/types.ts";
import { validateSnapshot } from "../../src/core/snapshot/load.ts";
import type { Snapshot } from "../../src/core/snapshot/types.ts";
import { buildAwsModel } from "../../src/providers/aws/model.ts";
import { isAwsSnapshot } from "../../src/providers/aws/wire-types.ts";
import { idKey } from "../../src/providers/azure/arm-id.ts";
import { buildAzureModel, type ModelContext } from "../../src/providers/azure/model.ts";
import type { AzureSnapshot } from "../../src/providers/azure/wire-types.ts";

export interface CaseBase {
  name: string;
  snapshot: Snapshot;
  /** what the user said on the command line (`--from <vm>`) */
  context?: ModelContext;
}
export interface InvalidCase extends CaseBase {
  errors: Array<{ messageId: string; resourceId?: string; severity?: string }>;
}
export interface UnknownCase extends CaseBase {
  /** a substring the unknown finding's message must contain */
  reason?: string;
}
export interface NotApplicableCase extends CaseBase {
  /** the message a not-applicable finding must carry (the reason it does not apply) */
  messageId?: string;
}
export interface RuleCases {
  valid: CaseBase[];
  invalid: InvalidCase[];
  unknown?: UnknownCase[];
  notApplicable?: NotApplicableCase[];
}

export function evaluateCase(rule: Rule, snapshot: Snapshot, context?: ModelContext): Finding[] {
  const problems = validateSnapshot(snapshot);
  if (problems.length > 0) throw new Error(`case snapshot is not valid against the schema:\n${problems.join("\n")}`);
  const model = isAwsSnapshot(snapshot) ? buildAwsModel(snapshot, context) : buildAzureModel(snapshot as AzureSnapshot, context);
  const findings = runRules(model, [rule]);
  assertCountingAgrees(model, [rule], findings);
  return findings;
}

/**
 * A `passes: "count"` run (where rules may skip the detail of passes: `passDetail` false) gives the same results as
 * the full run: every fail, unknown and error finding whole, and the passes and not-applicable results of each rule
 * that counted them in the same order, on the same resources and load balancers.
 */
export function assertCountingAgrees(model: Model, rules: Rule[], full: Finding[], label = ""): void {
  const { findings, counted } = runRulesCounting(model, rules, { passes: "count" });
  const light = (f: Finding) => f.status === "pass" || f.status === "not-applicable";
  assert.deepEqual(
    findings.filter((f) => !light(f)),
    full.filter((f) => !light(f)),
    `${label} a counting run changed a fail, unknown or error finding`,
  );
  const countedIds = new Set(counted.map((c) => c.ruleId));
  const want = new Map<string, Array<[string, string, string | undefined, string | undefined, string]>>();
  for (const f of full) {
    if (!light(f) || !countedIds.has(f.ruleId)) continue;
    const list = want.get(f.ruleId) ?? [];
    list.push([f.status, f.resourceId, f.loadBalancerId, f.key, f.severity]);
    want.set(f.ruleId, list);
  }
  const rule = new Map(rules.map((r) => [r.id, r]));
  for (const c of counted) {
    assert.deepEqual(
      c.status.map((s, i) => [s, c.resourceId[i], c.loadBalancerId[i], c.key[i], c.severity?.[i] ?? rule.get(c.ruleId)?.severity]),
      want.get(c.ruleId),
      `${label} ${c.ruleId}: a counting run counted other results than the full run's passes`,
    );
  }
}

function summary(findings: Finding[]): string {
  return findings.map((f) => `  ${f.status} ${f.messageId ?? ""} ${f.resourceName}: ${f.message}`).join("\n");
}

/** Checks the table itself (before any case runs); exported so the tester's own tests can call it. */
export function checkTable(rule: Rule, cases: RuleCases): void {
  const names = new Set<string>();
  const all = [...cases.valid, ...cases.invalid, ...(cases.unknown ?? []), ...(cases.notApplicable ?? [])];
  for (const c of all) {
    if (names.has(c.name)) throw new Error(`${rule.id}: duplicate case name '${c.name}'`);
    names.add(c.name);
  }
  for (const c of cases.notApplicable ?? []) {
    if (c.messageId && !(c.messageId in rule.messages))
      throw new Error(`${rule.id}: not-applicable case '${c.name}' names unknown messageId '${c.messageId}'`);
  }
  for (const c of cases.invalid) {
    if (c.errors.length === 0) throw new Error(`${rule.id}: invalid case '${c.name}' expects no errors`);
    for (const e of c.errors) {
      if (!(e.messageId in rule.messages)) throw new Error(`${rule.id}: invalid case '${c.name}' names unknown messageId '${e.messageId}'`);
    }
  }
  if (cases.invalid.length === 0) throw new Error(`${rule.id}: a rule needs at least one invalid case`);
  if (cases.valid.length === 0) throw new Error(`${rule.id}: a rule needs at least one valid case`);
}

export function assertInvalid(rule: Rule, c: InvalidCase): void {
  const findings = evaluateCase(rule, c.snapshot, c.context);
  const fails = findings.filter((f) => f.status === "fail");
  const errors = findings.filter((f) => f.status === "error");
  assert.equal(errors.length, 0, `rule errored:\n${summary(errors)}`);
  assert.ok(fails.length > 0, `invalid case reported no fail:\n${summary(findings)}`);
  const got = fails.map((f) => f.messageId).sort();
  const want = c.errors.map((e) => e.messageId).sort();
  assert.deepEqual(got, want, `fail messageIds differ:\n${summary(fails)}`);
  for (const e of c.errors) {
    if (e.resourceId) {
      assert.ok(
        fails.some((f) => f.messageId === e.messageId && idKey(f.resourceId) === idKey(e.resourceId as string)),
        `no '${e.messageId}' fail on ${e.resourceId}:\n${summary(fails)}`,
      );
    }
    if (e.severity) {
      assert.ok(
        fails.some((f) => f.messageId === e.messageId && f.severity === e.severity),
        `no '${e.messageId}' fail with severity ${e.severity}`,
      );
    }
  }
  for (const f of fails) {
    assert.ok(f.evidence.length > 0, `fail '${f.message}' carries no evidence`);
    for (const ev of f.evidence) assert.ok(ev.pointer.startsWith("/"), `evidence pointer '${ev.pointer}' is not a JSON pointer`);
  }
}

export function runRuleTests(rule: Rule, cases: RuleCases): void {
  checkTable(rule, cases);
  describe(rule.id, () => {
    for (const c of cases.valid) {
      it(`valid: ${c.name}`, () => {
        const findings = evaluateCase(rule, c.snapshot, c.context);
        const bad = findings.filter((f) => f.status === "fail" || f.status === "error" || f.status === "unknown");
        assert.equal(bad.length, 0, `valid case reported:\n${summary(bad)}`);
        assert.ok(
          findings.some((f) => f.status === "pass"),
          `valid case reported no pass (did the rule evaluate anything?):\n${summary(findings)}`,
        );
      });
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, () => assertInvalid(rule, c));
    }
    for (const c of cases.unknown ?? []) {
      it(`unknown: ${c.name}`, () => {
        const findings = evaluateCase(rule, c.snapshot, c.context);
        const fails = findings.filter((f) => f.status === "fail" || f.status === "error");
        assert.equal(fails.length, 0, `unknown case must not fail:\n${summary(fails)}`);
        const unknowns = findings.filter((f) => f.status === "unknown");
        assert.ok(unknowns.length > 0, `unknown case reported no unknown:\n${summary(findings)}`);
        if (c.reason) {
          assert.ok(
            unknowns.some((f) => f.message.includes(c.reason as string)),
            `no unknown mentions '${c.reason}':\n${summary(unknowns)}`,
          );
        }
      });
    }
    for (const c of cases.notApplicable ?? []) {
      it(`not-applicable: ${c.name}`, () => {
        const findings = evaluateCase(rule, c.snapshot, c.context);
        assert.ok(
          findings.length > 0 && findings.every((f) => f.status === "not-applicable"),
          `expected only not-applicable:\n${summary(findings)}`,
        );
        if (c.messageId)
          assert.ok(
            findings.some((f) => f.messageId === c.messageId),
            `expected a not-applicable finding with message ${c.messageId}:\n${summary(findings)}`,
          );
      });
    }
  });
}

/** The metadata of a throwaway Azure rule in an engine test (reads the load balancers; add `id`, `messages`, `check`). */
export const TEST_RULE_META = {
  provider: "azure" as const,
  severity: "high" as const,
  title: "t",
  description: "d",
  citations: [{ url: "https://example.com/doc", title: "A doc" }],
  references: [],
  remediation: "r",
  reads: ["azure:loadBalancers"],
};
