import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { join } from "../../../src/core/util/json-pointer.ts";
import { idKey, nameOf, parentResourceId, parseArmId } from "../../../src/providers/azure/arm-id.ts";
import { flowProtocols, isGlobalTier, isStandardSku } from "../../../src/providers/azure/data-path.ts";
import { azureGapData } from "../../../src/providers/azure/gap-data.ts";
import type { AzureModel } from "../../../src/providers/azure/model.ts";
import { gapsFor, type LbRule, listGaps, type Nsg, type PoolMember } from "../../../src/providers/azure/model.ts";
import {
  azNsgAllowCommand,
  memberLabel,
  memberResourceId,
  memberSubjects,
  placeholder,
  rgOf,
  sh,
} from "../../../src/providers/azure/rule-helpers.ts";

/** The NSG ids the snapshot shows in use: its NSGs, and those that subnets, NICs or a failed read name. */
function takenNsgNames(model: AzureModel): Set<string> {
  const taken = new Set(model.nsgs.map((n) => n.key));
  for (const s of model.subnets) if (s.nsgId) taken.add(idKey(s.nsgId));
  for (const n of model.nics) if (n.nsgId) taken.add(idKey(n.nsgId));
  for (const g of model.gaps) if (g.resourceId && /\/networksecuritygroups\/[^/]+$/i.test(g.resourceId)) taken.add(idKey(g.resourceId));
  return taken;
}

/** Why the NSGs of a resource group are not all known (a collection gap over NSG data there, or everywhere), if they are not. */
function nsgListGap(model: AzureModel, rgPrefix: string): string | undefined {
  const rgKey = idKey(rgPrefix);
  for (const g of model.gaps) {
    if (g.kind !== "collection" || !azureGapData(g).includes("azure:nsgs")) continue;
    // a read of one NSG that failed leaves only that name unknown (takenNsgNames holds it)
    if (g.resourceId && /\/networksecuritygroups\/[^/]+$/i.test(g.resourceId)) continue;
    const k = g.resourceId ? idKey(g.resourceId) : undefined;
    if (k === undefined || rgKey === k || rgKey.startsWith(`${k}/`)) return `${g.operation}: ${g.message}`;
  }
  return undefined;
}

/**
 * The subscriptions a Resource Graph snapshot's query covered (docs/resource-graph.md: its scope is
 * `{ source: "resource-graph", subscriptionIds, deep }`), lower-cased; undefined for any other snapshot.
 */
function graphSubscriptions(model: AzureModel): Set<string> | undefined {
  const scope = model.snapshot.scope;
  if (scope.source !== "resource-graph") return undefined;
  const subs = new Set<string>();
  for (const s of Array.isArray(scope.subscriptionIds) ? scope.subscriptionIds : []) if (typeof s === "string") subs.add(s.toLowerCase());
  if (typeof scope.subscriptionId === "string" && scope.subscriptionId !== "") subs.add(scope.subscriptionId.toLowerCase());
  return subs;
}

/** Resource Graph's own caveat, said once: why a Resource Graph listing is never known to be complete. */
const GRAPH_PARTIAL =
  "Resource Graph returns only the resources the caller may read, with no sign that a result is partial, and follows changes with a delay";

/**
 * The subscription whose Resource Graph listing should hold this resource and does not: the snapshot came through
 * Resource Graph, its query covered the resource's subscription, and no collection gap says that query failed (a
 * failed one is a gap the engine reports on everything there). Undefined otherwise (on the ARM path a resource of
 * another resource group is simply not listed).
 */
function graphShouldHold(model: AzureModel, graph: Set<string> | undefined, id: string): string | undefined {
  if (!graph) return undefined;
  const sub = parseArmId(id).subscriptionId;
  if (!sub || !graph.has(sub.toLowerCase())) return undefined;
  const subKey = idKey(`/subscriptions/${sub}`);
  const failed = model.gaps.some(
    (g) =>
      g.kind === "collection" &&
      (!g.resourceId || idKey(g.resourceId) === subKey) &&
      /^resourcegraph\.(resources|subscriptions)$/i.test(g.operation),
  );
  return failed ? undefined : sub;
}

/** A collection gap over VNet data for the subscription or resource group a resource is in (a failed Resource Graph query is one). */
function vnetListGap(model: AzureModel, id: string) {
  const key = idKey(id);
  return model.gaps.find(
    (g) =>
      g.kind === "collection" &&
      g.resourceId !== undefined &&
      /^\/subscriptions\/[^/]+(\/resourcegroups\/[^/]+)?$/.test(idKey(g.resourceId)) &&
      key.startsWith(`${idKey(g.resourceId)}/`) &&
      azureGapData(g).includes("azure:vnets"),
  );
}

/**
 * Why the NSGs of a resource group were never listed: a snapshot of one resource group lists that group's NSGs only
 * (a VNet of another group is fetched by id, its group's NSGs are not), so a name there is not known to be free.
 */
function outsideScope(model: AzureModel, rgPrefix: string): string | undefined {
  const graph = graphSubscriptions(model);
  if (graph) {
    // a Resource Graph snapshot lists whole subscriptions, and never completely as far as anyone can tell
    const sub = parseArmId(rgPrefix).subscriptionId;
    if (!sub || !graph.has(sub.toLowerCase()))
      return `the snapshot's Resource Graph query covered subscription${graph.size === 1 ? "" : "s"} ${[...graph].join(", ")} only`;
    return `the snapshot comes from Resource Graph: ${GRAPH_PARTIAL}`;
  }
  const scope = model.snapshot.scope;
  const rg = scope.resourceGroup;
  if (typeof rg !== "string" || rg === "") return undefined;
  const sub = typeof scope.subscriptionId === "string" && scope.subscriptionId !== "" ? scope.subscriptionId : undefined;
  const listed = sub ? idKey(`/subscriptions/${sub}/resourceGroups/${rg}`) : `/resourcegroups/${rg.toLowerCase()}`;
  const key = idKey(rgPrefix);
  if (sub ? key === listed : key.endsWith(listed)) return undefined;
  return `the snapshot lists resource group ${rg} only`;
}

/** `base`, else `base-lb`, `base-lb2`, … : the first name not taken (NSG names are at most 80 characters). */
function freeName(base: string, isTaken: (name: string) => boolean): string {
  const stem = base.slice(0, 74);
  if (!isTaken(stem)) return stem;
  for (let i = 1; ; i++) {
    const name = `${stem}-lb${i === 1 ? "" : i}`;
    if (!isTaken(name)) return name;
  }
}

export default defineRule<AzureModel>({
  id: "azure/standard-lb-no-nsg",
  provider: "azure",
  severity: "critical",
  // whether an NSG is attached is read from the NIC and the subnet: the NSG resources themselves decide nothing here,
  // except on a Resource Graph snapshot, where an NSG its listing should hold and does not makes the reference doubtful
  // (a failed Resource Graph query is a gap over NICs and VNets too, so azure:nsgs need not be read)
  reads: ["azure:loadBalancers", "azure:nics", "azure:vnets"],
  title: "Standard public load balancer member without any NSG",
  description:
    'A Standard load balancer is secure by default: "Standard load balancers and standard public IP addresses are closed to inbound ' +
    "connections unless opened by Network Security Groups… If you don't have an NSG on a subnet or NIC of your virtual machine resource, " +
    "traffic isn't allowed to reach this resource.\" A member of a Standard public load balancer whose NIC and subnet both lack an NSG " +
    "therefore receives no client traffic at all, although the rule, probe and pool look right (the old Basic SKU, retired in September 2025, " +
    "was open by default, so this bites after a migration). Severity is critical: the member serves nobody.",
  citations: [
    { url: "https://learn.microsoft.com/en-us/azure/virtual-network/network-security-groups-overview", title: "Network security groups" },
    { url: "https://learn.microsoft.com/en-us/azure/load-balancer/outbound-rules", title: "Outbound rules Azure Load Balancer" },
  ],
  references: [
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-overview#securebydefault",
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-troubleshoot#no-inbound-connectivity-to-standard-external-load-balancers-elb",
  ],
  messages: {
    noNsg:
      "{{member}} is behind Standard public load balancer {{lb}} (rule {{rules}}) but has no NSG on NIC {{nic}} nor on subnet {{subnet}}: inbound traffic is closed by default, so clients cannot reach it.",
    hasNsg: "{{member}} behind {{lb}} has NSG {{nsg}} on its {{layer}}, which opens (or closes) inbound traffic explicitly.",
    subnetMissing:
      "{{member}} has no NSG on its NIC, and its subnet {{subnet}} is not in the snapshot, so whether the subnet has an NSG is not known{{gap}}.",
    noNic: "Pool member {{member}} of {{lb}} has no NIC in the snapshot, so its NSGs are not known.",
    nsgNotHeld:
      "{{member}} behind {{lb}} names NSG {{nsg}} on its {{layer}}, but the snapshot, collected through Resource Graph over subscription {{subscription}}, " +
      "does not hold that NSG. " +
      GRAPH_PARTIAL +
      ": the NSG may be hidden from the caller (then it is attached), or deleted since, which Azure allows only once nothing references it " +
      "(then the {{layer}} reference is out of date and the member may have no NSG at all). Whether an NSG is attached is not known.",
    notInScope: "Load balancer {{lb}} is {{why}}; this rule covers members of Standard public load balancers only.",
  },
  remediation:
    "Create an NSG with inbound Allow rules for the load-balanced ports (from the clients' prefixes, or `Internet`) and associate it with the " +
    "members' subnet (or NICs). The default rule AllowAzureLoadBalancerInBound keeps health probes working.",
  check({ model, report, passDetail }) {
    // the NSG names in use, once (a member without an NSG gets a new one's name that is free)
    let taken: Set<string> | undefined;
    // a Resource Graph snapshot: an NSG that a NIC or subnet names, and that its listing should hold but does not, is
    // no proof of an attached NSG (see nsgNotHeld); elsewhere the reference alone is enough
    const graph = graphSubscriptions(model);
    /** the subscription whose Resource Graph listing misses the NSG a NIC or subnet names; undefined when the reference can be trusted */
    const doubtful = (nsgId: string | undefined, held: Nsg | undefined) =>
      nsgId && !held ? graphShouldHold(model, graph, nsgId) : undefined;
    for (const lb of model.loadBalancers) {
      const why = !isStandardSku(lb)
        ? `${lb.sku} SKU`
        : isGlobalTier(lb)
          ? "a cross-region (Global tier) load balancer, whose members are regional load balancers' frontends, not machines"
          : lb.isInternal
            ? "internal (no public frontend)"
            : undefined;
      if (why) {
        report({ status: "not-applicable", resourceId: lb.id, loadBalancerId: lb.id, messageId: "notInScope", data: { lb: lb.name, why } });
        continue;
      }
      // members fed by at least one load-balancing rule, with those rules
      const members = new Map<string, { member: PoolMember; rules: LbRule[] }>();
      for (const rule of lb.rules) {
        for (const member of rule.pool?.members ?? []) {
          if (member.kind === "frontend") continue; // a regional frontend has no NIC or NSG of its own
          const e = members.get(member.key);
          if (e) e.rules.push(rule);
          else members.set(member.key, { member, rules: [rule] });
        }
      }
      for (const { member, rules } of members.values()) {
        const c0 = member.ipConfig;
        if (
          passDetail === false &&
          c0 &&
          ((c0.nic.nsgId && !doubtful(c0.nic.nsgId, c0.nic.nsg)) || (c0.subnet?.nsgId && !doubtful(c0.subnet.nsgId, c0.subnet.nsg)))
        ) {
          // a pass that is only counted (hasNsg below) needs no message data or evidence
          report({ resourceId: memberResourceId(member), loadBalancerId: lb.id, key: member.key, status: "pass", messageId: "hasNsg" });
          continue;
        }
        const base = { resourceId: memberResourceId(member), loadBalancerId: lb.id, key: member.key, subjects: memberSubjects(member) };
        const data = { member: memberLabel(member), lb: lb.name, rules: rules.map((r) => r.name).join(", ") };
        const memberEv = { resourceId: lb.id, pointer: member.ptr, label: "pool member" };
        const c = member.ipConfig;
        if (!c) {
          report({ ...base, status: "unknown", messageId: "noNic", data, evidence: [memberEv] });
          continue;
        }
        const nicEv = { resourceId: c.nic.id, pointer: join(c.nic.ptr, "properties", "networkSecurityGroup"), label: "NIC NSG" };
        const nicDoubt = doubtful(c.nic.nsgId, c.nic.nsg);
        if (c.nic.nsgId && !nicDoubt) {
          const nsg = c.nic.nsg?.name ?? nameOf(c.nic.nsgId);
          report({ ...base, status: "pass", messageId: "hasNsg", data: { ...data, nsg, layer: `NIC ${c.nic.name}` }, evidence: [nicEv] });
          continue;
        }
        /** an NSG named on the NIC or the subnet that the Resource Graph snapshot should hold and does not: not known */
        const notHeld = (nsgId: string, layer: string, subscription: string, ev: typeof nicEv) =>
          report({
            ...base,
            status: "unknown",
            messageId: "nsgNotHeld",
            data: { ...data, nsg: nameOf(nsgId), layer, subscription },
            evidence: [{ ...ev, label: `${ev.label} (not in the snapshot)` }],
          });
        const subnet = c.subnet;
        if (!subnet && c.nic.nsgId && nicDoubt) {
          notHeld(c.nic.nsgId, `NIC ${c.nic.name}`, nicDoubt, nicEv);
          continue;
        }
        if (!subnet) {
          // a failed collection says why the subnet is missing; the dangling reference itself would only repeat the message
          const gap =
            gapsFor(model, [c.subnetId]).find((g) => g.kind === "collection") ??
            listGaps(model, "virtualNetworks").find((g) => !g.resourceId) ??
            // a Resource Graph query that failed for the subscription (or the resource group) the subnet is in
            (c.subnetId ? vnetListGap(model, c.subnetId) : undefined);
          const parts = (c.subnetId ?? "").split("/");
          const subnetName = c.subnetId ? `${parts[parts.length - 3]}/${parts[parts.length - 1]}` : "(none named)";
          const graphSub = !gap && c.subnetId ? graphShouldHold(model, graph, c.subnetId) : undefined;
          const why = gap
            ? ` (${gap.operation}: ${gap.message})`
            : graphSub
              ? ` (the Resource Graph query over subscription ${graphSub} returned no such virtual network: ${GRAPH_PARTIAL})`
              : "";
          report({
            ...base,
            status: "unknown",
            messageId: "subnetMissing",
            data: { ...data, subnet: subnetName, gap: why },
            evidence: [{ resourceId: c.nic.id, pointer: join(c.ptr, "properties", "subnet"), label: "subnet reference" }],
          });
          continue;
        }
        const subnetEv = { resourceId: subnet.id, pointer: join(subnet.ptr, "properties", "networkSecurityGroup"), label: "subnet NSG" };
        const subnetDoubt = doubtful(subnet.nsgId, subnet.nsg);
        if (subnet.nsgId && !subnetDoubt) {
          const nsg = subnet.nsg?.name ?? nameOf(subnet.nsgId);
          report({
            ...base,
            status: "pass",
            messageId: "hasNsg",
            data: { ...data, nsg, layer: `subnet ${subnet.name}` },
            evidence: [subnetEv],
          });
          continue;
        }
        if (c.nic.nsgId && nicDoubt) {
          notHeld(c.nic.nsgId, `NIC ${c.nic.name}`, nicDoubt, nicEv);
          continue;
        }
        if (subnet.nsgId && subnetDoubt) {
          notHeld(subnet.nsgId, `subnet ${subnet.name}`, subnetDoubt, subnetEv);
          continue;
        }
        // the fix: one NSG for the subnet, an allow per load-balanced port, then attach it. `az network nsg create` on
        // a name that exists replaces that NSG (its rules with none), so the name is one the snapshot shows free, or a
        // placeholder when the NSGs of the resource group could not be listed
        const rg = rgOf(subnet.id);
        taken ??= takenNsgNames(model);
        const rgPrefix = subnet.id.slice(0, subnet.id.toLowerCase().indexOf("/providers/"));
        const nsgIdOf = (name: string) => `${rgPrefix}/providers/Microsoft.Network/networkSecurityGroups/${name}`;
        const unlisted = nsgListGap(model, rgPrefix) ?? outsideScope(model, rgPrefix);
        const nsgName = unlisted ? "new-nsg-name" : freeName(`nsg-${subnet.name}`, (n) => taken?.has(idKey(nsgIdOf(n))) === true);
        const nsgArg = unlisted ? placeholder("new-nsg-name") : sh(nsgName);
        const nsg: Nsg = {
          id: nsgIdOf(nsgName),
          key: idKey(nsgIdOf(nsgName)),
          name: nsgName,
          ptr: "",
          raw: { id: nsgIdOf(nsgName), name: nsgName, type: "Microsoft.Network/networkSecurityGroups" },
          resourceGroup: rg,
          rules: [],
        };
        const location = subnet.vnet?.raw.location ?? c.nic.raw.location;
        const allows = rules.flatMap((r, i) =>
          r.backendPort > 0
            ? [
                azNsgAllowCommand({
                  nsg,
                  nsgArg,
                  name: `allow-${r.name}-${r.backendPort}`.slice(0, 80),
                  priority: 1000 + 10 * i,
                  source: "Internet",
                  port: r.backendPort,
                  protocol: flowProtocols(r.protocol).length > 1 ? "*" : (flowProtocols(r.protocol)[0] ?? "Tcp"),
                  description: `Clients of load-balancing rule ${r.name}`,
                }),
              ]
            : [],
        );
        const vnetName = subnet.vnet?.name ?? nameOf(parentResourceId(subnet.id));
        report({
          ...base,
          status: "fail",
          messageId: "noNsg",
          data: { ...data, nic: c.nic.name, subnet: subnet.name },
          evidence: [
            { resourceId: c.nic.id, pointer: join(c.nic.ptr, "properties", "networkSecurityGroup"), label: "NIC NSG (absent)" },
            { resourceId: subnet.id, pointer: join(subnet.ptr, "properties", "networkSecurityGroup"), label: "subnet NSG (absent)" },
            ...rules.map((r) => ({ resourceId: lb.id, pointer: r.ptr, label: "load-balancing rule" })),
            { resourceId: lb.id, pointer: join(lb.ptr, "sku"), label: "load balancer SKU" },
          ],
          remediation: {
            summary:
              `Create ${unlisted ? "a new NSG" : `NSG ${nsgName}`}, allow the load-balanced port(s) ${[...new Set(rules.map((r) => r.backendPort))].join(", ")} ` +
              `(narrow Internet to your clients' prefixes if you can), and associate it with subnet ${subnet.name}. ` +
              "Health probes keep working through the default rule AllowAzureLoadBalancerInBound." +
              (unlisted
                ? ` The NSGs of resource group ${rg} are not all known (${unlisted}), so pick a name no NSG there has: creating an NSG under an existing name replaces its rules.`
                : ""),
            commands: [
              `az network nsg create --resource-group ${sh(rg)} --name ${nsgArg}${location ? ` --location ${sh(location)}` : ""}`,
              ...allows,
              `az network vnet subnet update --resource-group ${sh(rg)} --vnet-name ${sh(vnetName)} --name ${sh(subnet.name)} --network-security-group ${nsgArg}`,
            ],
          },
        });
      }
    }
  },
});
