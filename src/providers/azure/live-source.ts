/**
 * The live data source of one Azure resource group for the TUI: the
 * collector's own progress events, and watch mode, which re-polls the
 * load-balancing rules' health (a cheap observation) into the snapshot.
 */

import { type LiveOptions, parseConcurrency } from "../../core/live.ts";
import type { Snapshot } from "../../core/snapshot/types.ts";
import type { DataSource } from "../../core/source.ts";
import { toolVersion } from "../../core/version.ts";
import type { AzureTarget } from "./collect/credentials.ts";
import type { RuleHealthPoller } from "./collect/health.ts";
import { probedRules } from "./collect/probed-rules.ts";
import type { AzureSnapshot } from "./wire-types.ts";

/** The load-balancing rules whose health the collector observes: those with a probe (as the collector picks them). */
export function healthRuleIds(snapshot: Snapshot): string[] {
  if (snapshot.provider !== "azure") return [];
  return (snapshot as AzureSnapshot).resources
    .filter((r) => r.type.toLowerCase() === "microsoft.network/loadbalancers")
    .flatMap((lb) => probedRules(lb).map((r) => r.id));
}

/** Live Azure: the same credentials, endpoint and collector as `check <resource-group>`. */
export function azureLiveSource(resourceGroup: string, opts: LiveOptions): DataSource {
  const concurrency = parseConcurrency(opts.concurrency);
  let target: AzureTarget | undefined;
  let poller: RuleHealthPoller | undefined;
  const resolve = async () => {
    if (target) return target;
    const [{ resolveAzureTarget }, { checkSubscriptionIds }] = await Promise.all([
      import("./collect/credentials.ts"),
      import("./collect/arg.ts"),
    ]);
    // a name would reach ARM as an id: refused here as check and snapshot refuse it (exit 2)
    const subscription = opts.subscription ? checkSubscriptionIds([opts.subscription])[0] : undefined;
    target = await resolveAzureTarget({
      ...(subscription ? { subscription } : {}),
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
      const [{ collectAzure }, { resourceGroupCollection }] = await Promise.all([
        import("./collect/collect.ts"),
        import("./collect/acquire.ts"),
      ]);
      return collectAzure({ ...resourceGroupCollection(t, resourceGroup, opts, concurrency), onEvent });
    },
    async pollHealth(snapshot) {
      const t = await resolve();
      if (!poller) {
        const { ruleHealthPoller } = await import("./collect/health.ts");
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
      const res = await poller.poll(healthRuleIds(snapshot));
      const before = snapshot as AzureSnapshot;
      const next: AzureSnapshot = {
        ...before,
        observations: { ...before.observations, ruleHealth: { ...before.observations?.ruleHealth, ...res.bodies } },
      };
      return { snapshot: next, gaps: res.gaps, ms: res.ms };
    },
  };
  return source;
}
