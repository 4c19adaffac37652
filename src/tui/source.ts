/**
 * Where the TUI's snapshot comes from: a file, or live collection (Azure),
 * with the collector's progress events; and, live only, the cheap
 * observation that watch mode re-polls (rule health). No Ink here.
 */
import type { CollectEvent } from "../collectors/azure/collect.ts";
import type { AzureTarget } from "../collectors/azure/credentials.ts";
import type { RuleHealthPoll, RuleHealthPoller } from "../collectors/azure/health.ts";
import { acquireSnapshot, type LiveOptions, parseConcurrency } from "../commands/acquire.ts";
import { InputError } from "../errors.ts";
import { loadSnapshotFile } from "../snapshot/load.ts";
import type { AzureSnapshot, Snapshot } from "../snapshot/types.ts";
import { toolVersion } from "../version.ts";

export type { CollectEvent };

export interface DataSource {
  live: boolean;
  /** "snapshot fixtures/azure/demo.json" or "live: subscription …, resource group …" */
  label: string;
  /** a resource group or load balancer that narrows the view */
  target?: string;
  acquire(onEvent: (e: CollectEvent) => void): Promise<Snapshot>;
  /** polls the live rule health of a snapshot's rules; absent when the source cannot watch */
  pollHealth?: (snapshot: Snapshot) => Promise<RuleHealthPoll>;
  /** why watch mode is unavailable */
  watchUnavailable?: string;
}

export function snapshotSource(file: string, target?: string): DataSource {
  return {
    live: false,
    label: `snapshot ${file}`,
    ...(target ? { target } : {}),
    async acquire(onEvent) {
      const t0 = performance.now();
      onEvent({ type: "phase", name: "read snapshot" });
      const snapshot = loadSnapshotFile(file);
      for (const gap of snapshot.gaps ?? []) onEvent({ type: "gap", gap });
      onEvent({ type: "done", calls: 0, ms: performance.now() - t0, resources: resourceCount(snapshot), gaps: snapshot.gaps?.length ?? 0 });
      return snapshot;
    },
    watchUnavailable:
      "watch needs live rule health, and a snapshot is one moment in time: run `lbdoctor tui <resource-group> --watch 5s` against Azure",
  };
}

/** Resources in a snapshot: Azure's list, or the items of AWS's Describe* lists. */
function resourceCount(s: Snapshot): number {
  if (s.provider === "azure") return Array.isArray(s.resources) ? s.resources.length : 0;
  let n = 0;
  for (const service of [s.elbv2, s.ec2, s.autoscaling] as Array<Record<string, unknown> | undefined>) {
    for (const v of Object.values(service ?? {})) if (Array.isArray(v)) n += v.length;
  }
  return n;
}

/** The load-balancing rules whose health the collector observes: those with a probe. */
export function healthRuleIds(snapshot: Snapshot): string[] {
  if (snapshot.provider !== "azure") return [];
  const out: string[] = [];
  for (const r of (snapshot as AzureSnapshot).resources) {
    if (r.type.toLowerCase() !== "microsoft.network/loadbalancers") continue;
    const rules = (r.properties as { loadBalancingRules?: unknown } | undefined)?.loadBalancingRules;
    for (const rule of Array.isArray(rules) ? rules : []) {
      const x = rule as { id?: string; properties?: { probe?: { id?: string } } };
      if (x.id && x.properties?.probe?.id) out.push(x.id);
    }
  }
  return out;
}

/** Live Azure: the same credentials, endpoint and collector as `check <resource-group>`. */
export function azureLiveSource(resourceGroup: string, opts: LiveOptions): DataSource {
  const concurrency = parseConcurrency(opts.concurrency);
  let target: AzureTarget | undefined;
  let poller: RuleHealthPoller | undefined;
  const resolve = async () => {
    if (target) return target;
    const { resolveAzureTarget } = await import("../collectors/azure/credentials.ts");
    target = await resolveAzureTarget({
      ...(opts.subscription ? { subscription: opts.subscription } : {}),
      ...(opts.tenant ? { tenant: opts.tenant } : {}),
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.caFile ? { caFile: opts.caFile } : {}),
    });
    return target;
  };
  const source: DataSource = {
    live: true,
    label: `live: resource group ${resourceGroup}`,
    target: resourceGroup,
    async acquire(onEvent) {
      onEvent({ type: "phase", name: "credentials" });
      const t = await resolve();
      source.label = `live: subscription ${t.subscriptionId}, resource group ${resourceGroup}`;
      const { collectAzure } = await import("../collectors/azure/collect.ts");
      return collectAzure({
        subscriptionId: t.subscriptionId,
        resourceGroup,
        credential: t.credential,
        ...(t.endpoint ? { endpoint: t.endpoint } : {}),
        ...(t.ca ? { ca: t.ca } : {}),
        concurrency,
        effectiveNsg: opts.effectiveNsg !== false,
        guest: opts.guest === true,
        toolVersion: toolVersion(),
        ...(opts.pollIntervalMs ? { pollIntervalMs: opts.pollIntervalMs } : {}),
        onEvent,
      });
    },
    async pollHealth(snapshot) {
      const t = await resolve();
      if (!poller) {
        const { ruleHealthPoller } = await import("../collectors/azure/health.ts");
        poller = await ruleHealthPoller({
          subscriptionId: t.subscriptionId,
          credential: t.credential,
          ...(t.endpoint ? { endpoint: t.endpoint } : {}),
          ...(t.ca ? { ca: t.ca } : {}),
          concurrency,
          toolVersion: toolVersion(),
          ...(opts.pollIntervalMs ? { pollIntervalMs: opts.pollIntervalMs } : {}),
        });
      }
      return poller.poll(healthRuleIds(snapshot));
    },
  };
  return source;
}

/**
 * The live source for the command line: one Azure resource group gets the
 * collector's own progress events and watch mode; any other live scope that
 * `check` can read (several subscriptions through Resource Graph, other
 * clouds as their collectors arrive) goes through the same acquisition as
 * `check`, with one coarse phase, and no watch.
 */
export function liveSource(target: string | undefined, opts: LiveOptions): DataSource {
  const subscriptions = (opts.subscription ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (opts.provider !== "aws" && target && subscriptions.length <= 1) {
    const one: LiveOptions = { ...opts };
    if (subscriptions[0]) one.subscription = subscriptions[0];
    return azureLiveSource(target, one);
  }
  const where =
    opts.provider === "aws"
      ? `AWS${opts.region ? ` region ${opts.region}` : ""}${target ? `, ${target}` : ", every load balancer"}`
      : `Azure Resource Graph${subscriptions.length > 0 ? `, subscription ${subscriptions.join(", ")}` : ", every subscription"}`;
  const source: DataSource = {
    live: true,
    label: `live: ${where}`,
    ...(target ? { target } : {}),
    async acquire(onEvent) {
      const t0 = performance.now();
      onEvent({ type: "phase", name: "collecting" });
      const quiet = { out: () => {}, err: () => {} };
      const r = await acquireSnapshot(target, opts, quiet, false);
      source.label = r.source;
      for (const gap of r.snapshot.gaps ?? []) onEvent({ type: "gap", gap });
      onEvent({
        type: "done",
        calls: 0,
        ms: performance.now() - t0,
        resources: resourceCount(r.snapshot),
        gaps: r.snapshot.gaps?.length ?? 0,
      });
      return r.snapshot;
    },
    watchUnavailable:
      opts.provider === "aws"
        ? "watch polls Azure load-balancing-rule health; AWS target health is not polled yet"
        : "watch polls the rule health of one Azure resource group: run `lbdoctor tui <resource-group> --watch 5s`",
  };
  return source;
}

/** "5s", "500ms", "2m", "10" (seconds) → milliseconds; from 1 s to 1 h. */
export function parseInterval(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/i.exec(text.trim());
  if (!m) throw new InputError(`--watch '${text}' is not an interval such as 5s, 1500ms or 1m`);
  const n = Number(m[1]);
  const unit = (m[2] ?? "s").toLowerCase();
  const ms = unit === "ms" ? n : unit === "m" ? n * 60_000 : n * 1000;
  if (ms < 1000 || ms > 3_600_000) throw new InputError(`--watch '${text}' must be from 1s to 60m`);
  return Math.round(ms);
}
