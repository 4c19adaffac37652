/**
 * The contract corpus (test/contract, see its README.md): the clouds' own
 * published examples, kept verbatim, wrapped into snapshots here.
 *
 * Azure: each `x-ms-examples` file's response bodies. An ARM resource body goes
 * into `resources`; a rule-health body into `observations.ruleHealth` and an
 * effective-NSG body into `observations.effectiveNetworkSecurityGroups`, keyed
 * by the id their request parameters name; an instance view into its VM.
 *
 * AWS: each output block of an aws-cli example `.rst`, extracted at test time
 * (the same rule as the corpus's refresh notes: a literal block after `::`
 * that is not the `aws …` command itself), into its `elbv2` / `ec2` /
 * `autoscaling` section. Attribute and target-health outputs are keyed by the
 * ARN the preceding command names.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { rules } from "../../rules/index.ts";
import { diagnose } from "../../src/core/diagnose.ts";
import type { Finding, Model } from "../../src/core/engine/types.ts";
import type { ProviderAdapter } from "../../src/core/provider.ts";
import { parseSnapshot, validateSnapshot } from "../../src/core/snapshot/load.ts";
import type { Snapshot } from "../../src/core/snapshot/types.ts";
import { awsProvider } from "../../src/providers/aws/adapter.ts";
import { azureProvider } from "../../src/providers/azure/adapter.ts";
import { ROOT } from "./cli.ts";

export const CONTRACT = join(ROOT, "test", "contract");

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

// ---------------------------------------------------------------------------
// Azure

export interface AzureExample {
  /** path under test/contract, e.g. azure/network/2026-01-01/SubnetGet.json */
  rel: string;
  /** the file name without `.json` */
  name: string;
  doc: { parameters?: Json; responses?: Record<string, { body?: unknown }> };
}

function walk(dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, ext));
    else if (e.name.endsWith(ext)) out.push(p);
  }
  return out.sort();
}

export function azureExamples(): AzureExample[] {
  return walk(join(CONTRACT, "azure"), ".json").map((p) => ({
    rel: relative(CONTRACT, p),
    name: p.slice(p.lastIndexOf("/") + 1, -".json".length),
    doc: JSON.parse(readFileSync(p, "utf8")),
  }));
}

/** The example's successful response bodies (200 first, then 201), those that have one. */
export function responseBodies(ex: AzureExample): unknown[] {
  const r = ex.doc.responses ?? {};
  return ["200", "201"].map((c) => r[c]?.body).filter((b) => b !== undefined && b !== null);
}

export const isArmResource = (b: unknown): b is Json & { id: string } => isObj(b) && typeof b.id === "string" && b.id.startsWith("/");

const p = (ex: AzureExample, k: string) => String(ex.doc.parameters?.[k] ?? "");

/** `POST …/loadBalancingRules/{rule}/health`: the rule id its parameters name (the path calls the group `groupName`). */
export function ruleIdOf(ex: AzureExample): string {
  const rg = p(ex, "groupName") || p(ex, "resourceGroupName");
  return `/subscriptions/${p(ex, "subscriptionId")}/resourceGroups/${rg}/providers/Microsoft.Network/loadBalancers/${p(ex, "loadBalancerName")}/loadBalancingRules/${p(ex, "loadBalancingRuleName")}`;
}

export function nicIdOf(ex: AzureExample): string {
  return `/subscriptions/${p(ex, "subscriptionId")}/resourceGroups/${p(ex, "resourceGroupName")}/providers/Microsoft.Network/networkInterfaces/${p(ex, "networkInterfaceName")}`;
}

export function vmIdOf(ex: AzureExample): string {
  return `/subscriptions/${p(ex, "subscriptionId")}/resourceGroups/${p(ex, "resourceGroupName")}/providers/Microsoft.Compute/virtualMachines/${p(ex, "vmName")}`;
}

export type BodyKind = "resource" | "ruleHealth" | "effectiveNsg" | "instanceView" | "other";

export function bodyKind(ex: AzureExample, body: unknown): BodyKind {
  if (isArmResource(body)) return "resource";
  if (isObj(body) && ex.doc.parameters?.loadBalancingRuleName !== undefined && ("up" in body || "loadBalancerBackendAddresses" in body))
    return "ruleHealth";
  if (isObj(body) && ex.doc.parameters?.networkInterfaceName !== undefined && Array.isArray(body.value)) return "effectiveNsg";
  if (isObj(body) && ex.doc.parameters?.vmName !== undefined && Array.isArray(body.statuses)) return "instanceView";
  return "other";
}

export interface AzureParts {
  resources: Json[];
  ruleHealth: Record<string, unknown>;
  effectiveNetworkSecurityGroups: Record<string, unknown>;
}

export function emptyParts(): AzureParts {
  return { resources: [], ruleHealth: {}, effectiveNetworkSecurityGroups: {} };
}

/**
 * Adds one example's first successful body to the parts. `ruleId` re-keys a rule-health body
 * (to compose it with a load balancer example whose names differ); an instance view joins the
 * VM already in the parts (as `properties.instanceView`, as a `$expand=instanceView` GET returns it).
 */
export function addExample(parts: AzureParts, ex: AzureExample, opts: { ruleId?: string } = {}): AzureParts {
  const body = responseBodies(ex)[0];
  switch (bodyKind(ex, body)) {
    case "resource": {
      const id = (body as { id: string }).id.toLowerCase();
      parts.resources = parts.resources.filter((r) => String(r.id).toLowerCase() !== id);
      parts.resources.push(body as Json);
      break;
    }
    case "ruleHealth":
      parts.ruleHealth[opts.ruleId ?? ruleIdOf(ex)] = body;
      break;
    case "effectiveNsg":
      parts.effectiveNetworkSecurityGroups[nicIdOf(ex)] = body;
      break;
    case "instanceView": {
      const vmId = vmIdOf(ex).toLowerCase();
      parts.resources = parts.resources.map((r) =>
        String(r.id).toLowerCase() === vmId
          ? { ...r, properties: { ...(isObj(r.properties) ? r.properties : {}), instanceView: body } }
          : r,
      );
      break;
    }
    default:
      break;
  }
  return parts;
}

export function azureSnapshot(parts: AzureParts, description: string): Json {
  const observations: Json = {};
  if (Object.keys(parts.ruleHealth).length > 0) observations.ruleHealth = parts.ruleHealth;
  if (Object.keys(parts.effectiveNetworkSecurityGroups).length > 0)
    observations.effectiveNetworkSecurityGroups = parts.effectiveNetworkSecurityGroups;
  return {
    schema: "lbdoctor.snapshot/v1",
    provider: "azure",
    collectedAt: "2026-01-01T00:00:00Z",
    description,
    scope: { subscriptionId: "subid", resourceGroup: "rg1" },
    resources: structuredClone(parts.resources),
    ...(Object.keys(observations).length > 0 ? { observations: structuredClone(observations) } : {}),
    gaps: [],
  };
}

// ---------------------------------------------------------------------------
// AWS

export interface RstBlock {
  /** path under test/contract, e.g. aws/elbv2/describe-target-health.rst */
  rel: string;
  /** 1-based among the file's non-command blocks (the numbering the corpus notes use) */
  n: number;
  intro: string;
  text: string;
  /** the `aws …` command block before it */
  command?: string;
  json?: unknown;
  parseError?: string;
}

/** Every literal block of an aws-cli example file that is not the command itself. */
export function rstBlocks(path: string): RstBlock[] {
  const lines = readFileSync(path, "utf8").split("\n");
  const out: RstBlock[] = [];
  let n = 0;
  let command: string | undefined;
  for (let i = 0; i < lines.length; ) {
    const line = lines[i] as string;
    if (!line.trimEnd().endsWith("::")) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < lines.length && (lines[j] as string).trim() === "") j++;
    const block: string[] = [];
    while (j < lines.length && ((lines[j] as string).trim() === "" || /^[ \t]/.test(lines[j] as string))) block.push(lines[j++] as string);
    const text = dedent(block).trim();
    if (text.startsWith("aws ")) command = text;
    else if (text) {
      const b: RstBlock = { rel: relative(CONTRACT, path), n: ++n, intro: line.trim(), text };
      if (command) b.command = command;
      try {
        b.json = JSON.parse(text);
      } catch (e) {
        b.parseError = (e as Error).message;
      }
      out.push(b);
    }
    i = Math.max(j, i + 1);
  }
  return out;
}

function dedent(lines: string[]): string {
  const indents = lines.filter((l) => l.trim() !== "").map((l) => (l.match(/^[ \t]*/) as RegExpMatchArray)[0].length);
  const cut = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join("\n");
}

export function awsExampleFiles(): string[] {
  return walk(join(CONTRACT, "aws"), ".rst");
}

/** The value of `--flag` in a CLI command block (continuation backslashes allowed). */
export function flag(command: string | undefined, name: string): string | undefined {
  const m = command?.match(new RegExp(`--${name}\\s+(\\S+)`));
  return m?.[1];
}

export interface AwsParts {
  elbv2: Json & { LoadBalancers: unknown[] };
  ec2: Json;
  autoscaling: Json;
}

export function emptyAwsParts(): AwsParts {
  return { elbv2: { LoadBalancers: [] }, ec2: {}, autoscaling: {} };
}

const LISTS: Record<string, [keyof AwsParts, string]> = {
  LoadBalancers: ["elbv2", "LoadBalancers"],
  TargetGroups: ["elbv2", "TargetGroups"],
  Listeners: ["elbv2", "Listeners"],
  SecurityGroups: ["ec2", "SecurityGroups"],
  Subnets: ["ec2", "Subnets"],
  NetworkAcls: ["ec2", "NetworkAcls"],
  RouteTables: ["ec2", "RouteTables"],
  NetworkInterfaces: ["ec2", "NetworkInterfaces"],
  Vpcs: ["ec2", "Vpcs"],
  AutoScalingGroups: ["autoscaling", "AutoScalingGroups"],
};

/** The record key a list of that kind must carry (a `--query` projection of partial objects lacks it). */
const RECORD_KEY: Record<string, string> = {
  LoadBalancers: "LoadBalancerArn",
  TargetGroups: "TargetGroupArn",
  Listeners: "ListenerArn",
  SecurityGroups: "GroupId",
  Subnets: "SubnetId",
  NetworkAcls: "NetworkAclId",
  RouteTables: "RouteTableId",
  AutoScalingGroups: "AutoScalingGroupName",
  Instances: "InstanceId",
};

/**
 * Where an output block goes in a snapshot, or why it goes nowhere: `--query` projections of
 * partial records, tags (not a snapshot section), outputs that are not JSON.
 */
export function placeBlock(parts: AwsParts, b: RstBlock): { placed: string } | { skipped: string } {
  if (b.parseError !== undefined) return { skipped: `not JSON as published (${b.parseError})` };
  const j = b.json;
  const push = (section: keyof AwsParts, key: string, items: unknown[]) => {
    const s = parts[section] as Json;
    s[key] = [...((s[key] as unknown[] | undefined) ?? []), ...structuredClone(items)];
    return { placed: `${section}.${key}` };
  };
  if (Array.isArray(j)) {
    // a --query projection: usable only when its items are whole records of a known kind
    if (j.every((x) => isObj(x) && typeof x.AutoScalingGroupName === "string")) return push("autoscaling", "AutoScalingGroups", j);
    return { skipped: "a --query projection, not a whole record" };
  }
  if (!isObj(j)) return { skipped: "not an object" };
  if (Array.isArray(j.Reservations)) {
    const instances = j.Reservations.flatMap((r) => (isObj(r) && Array.isArray(r.Instances) ? r.Instances : []));
    return push("ec2", "Instances", instances);
  }
  if (Array.isArray(j.TargetHealthDescriptions)) {
    const arn = flag(b.command, "target-group-arn");
    if (!arn) return { skipped: "target health without the target group its command names" };
    const th = ((parts.elbv2.TargetHealth as Json | undefined) ??= {});
    th[arn] = [...((th[arn] as unknown[] | undefined) ?? []), ...structuredClone(j.TargetHealthDescriptions)];
    return { placed: "elbv2.TargetHealth" };
  }
  if (Array.isArray(j.Attributes)) {
    const lb = flag(b.command, "load-balancer-arn");
    const tg = flag(b.command, "target-group-arn");
    const [key, arn] = lb ? ["LoadBalancerAttributes", lb] : tg ? ["TargetGroupAttributes", tg] : [undefined, undefined];
    if (!key || !arn) return { skipped: "attributes without the ARN their command names" };
    const m = ((parts.elbv2[key] as Json | undefined) ??= {});
    m[arn] = structuredClone(j.Attributes);
    return { placed: `elbv2.${key}` };
  }
  for (const [k, [section, key]] of Object.entries(LISTS)) {
    if (!Array.isArray(j[k])) continue;
    const need = RECORD_KEY[k];
    const items = j[k] as unknown[];
    if (need && !items.every((x) => isObj(x) && typeof x[need] === "string")) return { skipped: `${k} without ${need}` };
    return push(section, key, items);
  }
  return { skipped: `no snapshot section holds ${Object.keys(j).join(", ")}` };
}

export function awsSnapshot(parts: AwsParts, description: string): Json {
  return {
    schema: "lbdoctor.snapshot/v1",
    provider: "aws",
    collectedAt: "2026-01-01T00:00:00Z",
    description,
    scope: { region: "us-west-2" },
    elbv2: structuredClone(parts.elbv2),
    ec2: structuredClone(parts.ec2),
    autoscaling: structuredClone(parts.autoscaling),
    gaps: [],
  };
}

// ---------------------------------------------------------------------------
// diagnosis

/** Loads a wrapped snapshot the way `check --snapshot` does and diagnoses it with every rule of its provider. */
export function diagnoseContract(doc: Record<string, unknown>): { snapshot: Snapshot; model: Model; findings: Finding[] } {
  assert.deepEqual(validateSnapshot(doc), [], "the snapshot schema accepts it");
  const snapshot = parseSnapshot(JSON.stringify(doc), "contract");
  const adapter = (snapshot.provider === "azure" ? azureProvider : awsProvider) as unknown as ProviderAdapter<Model>;
  const d = diagnose({ snapshot, adapter, rules, source: "contract" });
  return { snapshot, model: d.model, findings: d.findings };
}

/** Every rule a verdict or unknown, never an error; no unfilled template slot nor a stray `undefined`/`NaN` in a message. */
export function assertSensible(findings: Finding[]): void {
  const errors = findings.filter((f) => f.status === "error").map((f) => `${f.ruleId}: ${f.message}`);
  assert.deepEqual(errors, [], "no rule errors");
  const garbled = findings
    .filter((f) => /\{\{|\bundefined\b|\bNaN\b|\[object Object\]/.test(`${f.message} ${f.remediation?.summary ?? ""}`))
    .map((f) => `${f.ruleId}: ${f.message}`);
  assert.deepEqual(garbled, [], "no garbled messages");
}
