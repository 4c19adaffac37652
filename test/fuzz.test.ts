/**
 * Hostile and broken input, generated: the snapshot loader and everything
 * after it (model, rules, report, every formatter, diff), and the config
 * loader. The result is always a clear input error (exit 2) or a report;
 * never a crash (a rule's `error` finding counts as one), a hang or a stack trace. Bounded to a few seconds per
 * property (fast-check's time limit), a dozen in all.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { stringify as yamlStringify } from "yaml";
import { rules as catalog } from "../rules/index.ts";
import { parseConfig } from "../src/core/config/config.ts";
import { diffSnapshots as diffWith } from "../src/core/diff/compare.ts";
import type { Snapshot } from "../src/core/snapshot/types.ts";
import { awsDiff } from "../src/providers/aws/diff.ts";
import { azureDiff } from "../src/providers/azure/diff.ts";

const diffSnapshots = (a: Snapshot, b: Snapshot) => diffWith(a, b, b.provider === "aws" ? awsDiff : azureDiff);

import { runRules } from "../src/core/engine/run.ts";
import { InputError } from "../src/core/errors.ts";
import { FORMAT_NAMES, loadFormatter } from "../src/core/report/formats.ts";
import { buildReport } from "../src/core/report/report.ts";
import { parseSnapshot } from "../src/core/snapshot/load.ts";
import { stripSecrets } from "../src/core/util/secrets.ts";
import { providerFor } from "../src/providers/index.ts";
import { fixture, lbdoctor } from "./support/cli.ts";

const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-fuzz-"));
const BASE_TEXT = readFileSync(fixture("demo"), "utf8").trimEnd();
const BASE = JSON.parse(BASE_TEXT);
const formatters = await Promise.all(FORMAT_NAMES.map((n) => loadFormatter(n)));
const LIMIT = { interruptAfterTimeLimit: 2500, markInterruptAsFailure: false } as const;

/** parse → strip → model → rules → report → every format → diff. Returns how it ended; throws only on a crash. */
async function pipeline(text: string): Promise<"input-error" | "report"> {
  let snap: ReturnType<typeof parseSnapshot>;
  try {
    snap = parseSnapshot(text, "fuzz.json");
  } catch (e) {
    if (e instanceof InputError) return "input-error";
    throw e;
  }
  stripSecrets(snap);
  try {
    const provider = await providerFor(snap.provider);
    const model = provider.buildModel(snap, { from: [] });
    const rules = catalog.filter((r) => r.provider === snap.provider);
    const findings = runRules(model, rules);
    // the engine turns a rule that throws into an `error` finding: for the fuzz that is a crash all the same
    const crashed = findings.filter((f) => f.status === "error");
    if (crashed.length > 0) throw new Error(`rules crashed: ${crashed.map((f) => `${f.ruleId}: ${f.message}`).join("; ")}`);
    const report = buildReport({
      model,
      loadBalancers: provider.loadBalancers(model),
      findings,
      failOn: "high",
      version: "fuzz",
      rulesRun: rules.length,
      source: "fuzz.json",
      rules,
    });
    for (const format of formatters) format(report, { color: false, verbose: true });
    diffSnapshots(BASE, snap);
    diffSnapshots(snap, snap);
  } catch (e) {
    if (e instanceof InputError) return "input-error";
    throw e;
  }
  return "report";
}

/** Every JSON Pointer-like path of a document (as token lists), for mutations. */
function paths(doc: unknown, max = 4000): string[][] {
  const out: string[][] = [];
  const walk = (v: unknown, p: string[]) => {
    if (out.length >= max) return;
    out.push(p);
    if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
  };
  walk(doc, []);
  return out;
}
const ALL_PATHS = paths(BASE).filter((p) => p.length > 0);

function setAt(doc: unknown, path: string[], value: unknown, remove = false): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  let cur: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  const last = path.at(-1) as string;
  if (remove) {
    if (Array.isArray(cur)) cur.splice(Number(last), 1);
    else delete cur[last];
  } else cur[last] = value;
  return copy;
}

describe("fuzz: the snapshot loader and everything after it", () => {
  it("arbitrary text and arbitrary JSON", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        async (text) => {
          assert.equal(await pipeline(text), "input-error");
        },
      ),
      { numRuns: 300, ...LIMIT },
    );
  });

  it("truncated snapshots", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: BASE_TEXT.length - 1 }), async (n) => {
        assert.equal(await pipeline(BASE_TEXT.slice(0, n)), "input-error");
      }),
      { numRuns: 150, ...LIMIT },
    );
  });

  it("a value anywhere replaced by anything of any type, or removed", async () => {
    const results = { "input-error": 0, report: 0 };
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: ALL_PATHS.length - 1 }), fc.jsonValue({ maxDepth: 3 }), fc.boolean(), async (i, value, remove) => {
        const doc = setAt(BASE, ALL_PATHS[i] as string[], value, remove);
        results[await pipeline(JSON.stringify(doc))]++;
      }),
      { numRuns: 250, ...LIMIT },
    );
    assert.ok(results.report > 0 && results["input-error"] > 0, `both outcomes occur: ${JSON.stringify(results)}`);
  });

  it("hostile strings in every string field", async () => {
    const strings = paths(BASE).filter((p) => {
      let v: unknown = BASE;
      for (const k of p) v = (v as Record<string, unknown>)[k];
      return typeof v === "string";
    });
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: strings.length - 1 }),
        fc.string({
          unit: fc.constantFrom(
            "\u001b",
            "[",
            "]",
            "<",
            ">",
            "&",
            "\r",
            "\n",
            "|",
            "`",
            "%",
            ":",
            ",",
            "@",
            "\u0000",
            "\ud800",
            "a",
            "/",
            "*",
          ),
        }),
        async (i, s) => {
          const doc = setAt(BASE, strings[i] as string[], s);
          await pipeline(JSON.stringify(doc));
        },
      ),
      { numRuns: 200, ...LIMIT },
    );
  });

  it("a value of the wrong type where the model trusts a type is an input error, not a rule crash", async () => {
    const pip = BASE.resources.findIndex((r: { type: string }) => r.type === "Microsoft.Network/publicIPAddresses");
    const lb = BASE.resources.findIndex((r: { type: string }) => r.type === "Microsoft.Network/loadBalancers");
    assert.ok(pip >= 0 && lb >= 0, "the base fixture has a public IP and a load balancer");
    for (const i of [pip, lb]) {
      for (const sku of [{ name: 5 }, { name: null }, { name: ["Basic"] }]) {
        const doc = setAt(BASE, ["resources", String(i), "sku"], sku);
        assert.equal(await pipeline(JSON.stringify(doc)), "input-error", `${BASE.resources[i].type} sku ${JSON.stringify(sku)}`);
      }
    }
    // what the schema still accepts keeps working: no SKU at all, or one with a name
    assert.equal(await pipeline(JSON.stringify(setAt(BASE, ["resources", String(pip), "sku"], undefined, true))), "report");
    assert.equal(
      await pipeline(JSON.stringify(setAt(BASE, ["resources", String(pip), "sku"], { name: "Standard", tier: "Regional" }))),
      "report",
    );
  });

  it("duplicate ids, dangling references, empty and reordered lists", async () => {
    const dup = structuredClone(BASE);
    dup.resources.push(...structuredClone(BASE.resources));
    assert.equal(await pipeline(JSON.stringify(dup)), "report");
    const dangling = structuredClone(BASE);
    for (const r of dangling.resources) if (r.properties?.networkSecurityGroup) r.properties.networkSecurityGroup.id += "-gone";
    dangling.resources = dangling.resources.filter((r: { type: string }) => r.type !== "Microsoft.Network/virtualNetworks");
    assert.equal(await pipeline(JSON.stringify(dangling)), "report");
    assert.equal(await pipeline(JSON.stringify({ ...BASE, resources: [] })), "report");
    assert.equal(await pipeline(JSON.stringify({ ...BASE, resources: [...BASE.resources].reverse() })), "report");
  });

  it("huge arrays finish quickly", async () => {
    const big = structuredClone(BASE);
    const nic = big.resources.find((r: { type: string }) => r.type === "Microsoft.Network/networkInterfaces");
    for (let i = 0; i < 2000; i++) big.resources.push({ ...structuredClone(nic), id: `${nic.id}-${i}`, name: `${nic.name}-${i}` });
    big.resources[0].properties.junk = Array.from({ length: 200_000 }, (_, i) => i);
    const t0 = performance.now();
    assert.equal(await pipeline(JSON.stringify(big)), "report");
    assert.ok(performance.now() - t0 < 10_000, "a large snapshot takes seconds, not minutes");
  });

  it("100,000 levels of nesting: a clear input error, not a stack overflow", async () => {
    const deep = `{"schema":"lbdoctor.snapshot/v1","provider":"azure","collectedAt":"x","scope":{},"resources":[{"id":"/a","name":"a","type":"t","properties":${"[".repeat(100_000)}${"]".repeat(100_000)}}]}`;
    await assert.rejects(async () => {
      parseSnapshot(deep, "deep.json");
    }, /deep\.json is nested more than 100 levels deep \(at \/resources\/0\/properties(\/0)+\/…\(\d+ more\)…\/0\)/);
    const file = join(tmp, "deep.json");
    writeFileSync(file, deep);
    const out = join(tmp, "deep.out.json");
    for (const args of [
      ["check", "--snapshot", file, "--format", "json", "--output", out],
      ["diff", file, fixture("demo")],
    ]) {
      const r = lbdoctor(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /nested more than 100 levels deep/);
      assert.doesNotMatch(r.stderr, /\n\s+at |internal error/);
    }
  });

  it("broken snapshots through the CLI: exit 2, a message, no stack", () => {
    const cases = [
      '{"schema":"lbdoctor.snapshot/v1",',
      "null",
      '"x"',
      JSON.stringify({ ...BASE, resources: "nope" }),
      JSON.stringify({ ...BASE, provider: "gcp" }),
    ];
    cases.forEach((text, i) => {
      const file = join(tmp, `broken-${i}.json`);
      writeFileSync(file, text);
      for (const format of ["text", "sarif", "junit"]) {
        const r = lbdoctor(["check", "--snapshot", file, "--format", format]);
        assert.equal(r.code, 2, `${text.slice(0, 40)}: ${r.stderr}`);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, /^lbdoctor: /);
        assert.doesNotMatch(r.stderr, /\n\s+at |internal error/);
      }
    });
  });
});

describe("fuzz: the config loader", () => {
  const load = (text: string) => {
    try {
      parseConfig(text, "fuzz.yaml", catalog);
      return "config";
    } catch (e) {
      if (e instanceof InputError) return "input-error";
      throw e;
    }
  };

  it("arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        load(text);
      }),
      { numRuns: 500, ...LIMIT },
    );
  });

  it("arbitrary YAML documents, and near-valid ones", () => {
    const key = fc.constantFrom(
      "failOn",
      "rules",
      "suppressions",
      "rule",
      "resource",
      "tag",
      "reason",
      "expires",
      "enabled",
      "severity",
      "version",
      "x",
    );
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        fc.constantFrom("high", "off", "azure/backend-public-ip", "azure/*", "**", "2026-12-31", "", null, true, 1, "[", "{"),
        fc.dictionary(key, tie("v"), { maxKeys: 4 }),
        fc.array(tie("v"), { maxLength: 3 }),
      ),
    })).v;
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 4 }), (doc) => {
        load(yamlStringify(doc));
      }),
      { numRuns: 400, ...LIMIT },
    );
  });

  it("deep nesting and alias bombs are input errors", () => {
    assert.equal(load(`rules: ${"[".repeat(50_000)}${"]".repeat(50_000)}`), "input-error");
    assert.equal(load(`x: ${"{a: ".repeat(20_000)}1${"}".repeat(20_000)}`), "input-error");
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "rules: [*c, *c, *c, *c]",
    ].join("\n");
    assert.equal(load(bomb), "input-error");
  });
});
