import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { idKey, parseArmId } from "../../../src/providers/azure/arm-id.ts";
import type { AzureModel, IpConfig, Nic } from "../../../src/providers/azure/model.ts";
import {
  type ApplianceRoute,
  applianceHops,
  firewallHopFinding,
  frontendBackends,
  resolveHop,
} from "../../../src/providers/azure/route-helpers.ts";
import { nicPoolArgs, rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

/** Other forwarding NICs next to an NVA (same subnet, or a VM in the same availability set): a likely partner. */
function partnersOf(model: AzureModel, c: IpConfig): Nic[] {
  const avset = c.nic.vm?.availabilitySetId?.toLowerCase();
  return model.nics.filter(
    (n) =>
      n !== c.nic &&
      n.enableIPForwarding &&
      (n.vm === undefined || n.vm !== c.nic.vm) &&
      (n.ipConfigs.some((x) => x.subnet !== undefined && x.subnet === c.subnet) ||
        (avset !== undefined && n.vm?.availabilitySetId?.toLowerCase() === avset)),
  );
}

/** The highly available NVA guidance's HA design as commands: an internal Standard LB with an HA-ports rule in front of the NVAs, and the routes re-pointed. */
function haCommands(model: AzureModel, nvas: IpConfig[], routes: ApplianceRoute[]): string[] {
  const first = nvas[0] as IpConfig;
  const rg = rgOf(first.nic.id);
  let lbName = "lb-nva";
  for (let n = 2; model.loadBalancers.some((l) => l.name.toLowerCase() === lbName); n++) lbName = `lb-nva-${n}`;
  const subnet = first.subnet;
  const vnetName = subnet?.vnet?.name ?? first.subnetId?.split("/")[8] ?? "<vnet>";
  const subnetName = subnet?.name ?? first.subnetId?.split("/").pop() ?? "<subnet>";
  const freeIp = `<free-ip-in-${subnet?.prefixes[0] ?? subnetName}>`;
  const g = `--resource-group ${sh(rg)}`;
  // the new load balancer's pool, for the NVAs' NICs: by name in the load balancer's group, else by id
  const sub = parseArmId(first.nic.id).subscriptionId;
  const poolId = `${sub ? `/subscriptions/${sub}` : ""}/resourceGroups/${rg}/providers/Microsoft.Network/loadBalancers/${lbName}/backendAddressPools/pool-nva`;
  return [
    `az network lb create ${g} --name ${lbName} --sku Standard --vnet-name ${sh(vnetName)} --subnet ${sh(subnetName)} --frontend-ip-name fe-nva --private-ip-address ${sh(freeIp)} --backend-pool-name pool-nva`,
    `az network lb probe create ${g} --lb-name ${lbName} --name probe-nva --protocol Tcp --port ${sh("<nva-health-port>")}`,
    `az network lb rule create ${g} --lb-name ${lbName} --name ha-ports --protocol All --frontend-port 0 --backend-port 0 --frontend-ip-name fe-nva --backend-pool-name pool-nva --probe-name probe-nva`,
    ...nvas.map(
      (c) =>
        `az network nic ip-config address-pool add --resource-group ${sh(rgOf(c.nic.id))} --nic-name ${sh(c.nic.name)} --ip-config-name ${sh(c.name)} ${nicPoolArgs(c.nic.id, poolId)}`,
    ),
    // each route table in its own subscription, named on its line: the spokes that route to one hub may sit in
    // several subscriptions, each with a table of the same group and name
    ...routes.map((r) => {
      const tableSub = parseArmId(r.table.id).subscriptionId;
      return `az network route-table route update --resource-group ${sh(rgOf(r.table.id))} --route-table-name ${sh(r.table.name)} --name ${sh(r.route.name)} --next-hop-type VirtualAppliance --next-hop-ip-address ${sh(freeIp)}${tableSub ? ` --subscription ${sh(tableSub)}` : ""}`;
    }),
  ];
}

export default defineRule<AzureModel>({
  id: "azure/nva-single-point-of-failure",
  provider: "azure",
  severity: "medium",
  reads: ["azure:routeTables", "azure:loadBalancers", "azure:nics", "azure:vnets", "azure:vms", "azure:availabilitySets"],
  title: "Route next hop is a single NVA",
  description:
    "The highly available NVA guidance: when all traffic has to pass one network virtual appliance, that NVA is a single point of failure; if it " +
    "fails there is no other path and every subnet behind it is cut off. The highly available design puts two or more " +
    "NVAs in an availability set (or across zones) behind an internal Standard load balancer with an HA-ports rule, and " +
    "routes to the LB's frontend IP, so the LB's probe moves traffic to a healthy NVA. The check follows every " +
    "VirtualAppliance route in the snapshot: a next hop that is one NIC's own IP fails (with a lower severity when a " +
    "second forwarding NIC sits next to it: the highly available NVA guidance's active-passive pair, where failover depends on a daemon rewriting " +
    "the route); an internal LB frontend with two or more members, or Azure Firewall, passes.",
  citations: [
    { url: "https://learn.microsoft.com/en-us/azure/architecture/networking/guide/nva-ha", title: "Deploy highly available NVAs" },
    { url: "https://learn.microsoft.com/en-us/azure/route-server/next-hop-ip", title: "Next hop IP support" },
  ],
  references: [
    "https://learn.microsoft.com/azure/architecture/networking/guide/network-virtual-appliance-high-availability",
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-ha-ports-overview",
  ],
  messages: {
    single:
      "Route(s) {{routes}} send traffic to {{ip}}, the address of a single NVA NIC {{nic}}{{vm}}: if it fails, nothing else carries that traffic.",
    activePassive:
      "Route(s) {{routes}} send traffic to {{ip}} on {{nic}}{{vm}} only, with a likely passive partner ({{partners}}) next to it: failover depends on something rewriting the route (the highly available NVA guidance's active-passive design), and traffic stops until it does.",
    singleBehindLb:
      "Route(s) {{routes}} send traffic to {{ip}}, frontend {{frontend}} of internal LB {{lb}}, but its pools hold only one NVA ({{members}}): still a single point of failure.",
    behindLb:
      "Route(s) {{routes}} send traffic to {{ip}}, frontend {{frontend}} of internal LB {{lb}}, which spreads it over {{count}} NVAs ({{members}}).",
    azureFirewall: "Route(s) {{routes}} send traffic to {{ip}}, Azure Firewall {{firewall}}, which is highly available by itself.",
    lbNoMembers:
      "Route(s) {{routes}} send traffic to {{ip}}, frontend {{frontend}} of internal LB {{lb}}, but no pool member behind it is in the snapshot, so how many NVAs serve it is not known.",
    notFound:
      "No NIC or internal LB frontend in the snapshot holds {{ip}}, the next hop of {{routes}}: the NVA may live in another resource group or VNet that was not collected.",
    ambiguous: "Several NICs in the snapshot hold {{ip}}, the next hop of {{routes}} ({{nics}}), so which one is the NVA is not known.",
    noHopIp: "Route {{routes}} has next hop VirtualAppliance but no next-hop IP address.",
  },
  remediation:
    "Run two or more NVAs in an availability set or across zones, put them behind an internal Standard load balancer with " +
    "an HA-ports rule and a probe on a port the NVA answers on, enable IP forwarding on their NICs, and point the routes " +
    "at the LB frontend IP instead of one NVA's IP.",
  check({ model, report }) {
    const hops = applianceHops(model, report);
    for (const hop of hops) {
      const ip = hop.data.ip;
      const { tables, tableIds, routeEvidence, data, onTable } = hop;

      const firewall = firewallHopFinding(model, hop, "pass");
      if (firewall) {
        report(firewall);
        continue;
      }
      const target = resolveHop(model, ip, tables);
      if (target.kind === "lb-frontend") {
        const { lb, frontend } = target;
        const { nics, ipOnly } = frontendBackends(lb, frontend);
        // one appliance counts once, however many of its NICs sit in the pools
        const machines = new Map<string, string>();
        for (const n of nics) if (!machines.has(n.vm?.key ?? n.key)) machines.set(n.vm?.key ?? n.key, n.vm?.name ?? n.name);
        const members = [...machines.values(), ...ipOnly];
        const lbData = { ...data, lb: lb.name, frontend: frontend.name, members: members.join(", "), count: members.length };
        const lbBase = { ...onTable, resourceId: lb.id, loadBalancerId: lb.id, subjects: [lb.id, ...tableIds] };
        const feEvidence = { resourceId: lb.id, pointer: frontend.ptr, label: "internal LB frontend" };
        if (members.length >= 2) {
          report({ ...lbBase, status: "pass", messageId: "behindLb", data: lbData, evidence: [feEvidence, ...routeEvidence] });
        } else if (members.length === 0) {
          report({ ...lbBase, status: "unknown", messageId: "lbNoMembers", data: lbData, evidence: [feEvidence, ...routeEvidence] });
        } else {
          const only = nics[0];
          const onlyIpc = only?.ipConfigs.find((c) => c.poolKeys.length > 0) ?? only?.ipConfigs[0];
          const partners = onlyIpc ? partnersOf(model, onlyIpc) : [];
          const served = lb.rules.filter((r) => r.frontendId !== undefined && idKey(r.frontendId) === frontend.key);
          const pool = served.find((r) => r.pool)?.pool;
          // the NIC's group (`nicId`: any id in it) may not be the load balancer's: the pool then goes by id, and a NIC of
          // another subscription than the load balancer's (the finding's) names its own
          const lbSub = parseArmId(lb.id).subscriptionId;
          const addToPool = (nicName: string, ipcName: string, nicId: string) => {
            const nicSub = parseArmId(nicId).subscriptionId;
            const poolArgs = nicPoolArgs(nicId, pool?.id ?? `${lb.id}/backendAddressPools/<pool>`);
            const subscription = nicSub && lbSub && nicSub.toLowerCase() !== lbSub.toLowerCase() ? ` --subscription ${sh(nicSub)}` : "";
            return `az network nic ip-config address-pool add --resource-group ${sh(rgOf(nicId))} --nic-name ${sh(nicName)} --ip-config-name ${sh(ipcName)} ${poolArgs}${subscription}`;
          };
          const candidates = partners.flatMap((p) => (p.ipConfigs[0] ? [addToPool(p.name, p.ipConfigs[0].name, p.id)] : []));
          report({
            ...lbBase,
            status: "fail",
            messageId: "singleBehindLb",
            data: lbData,
            evidence: [feEvidence, ...(pool ? [{ resourceId: lb.id, pointer: pool.ptr, label: "backend pool" }] : []), ...routeEvidence],
            remediation: {
              summary:
                `Add a second NVA (IP forwarding on, same availability set or another zone) to ${pool?.name ?? "the pool"} of ${lb.name}.` +
                (partners.length > 0
                  ? ` ${partners.map((p) => p.name).join(", ")} already forwards and could join it.`
                  : " Replace <second-nva-nic> with its NIC."),
              commands: candidates.length > 0 ? candidates : [addToPool("<second-nva-nic>", "ipconfig1", lb.id)],
            },
          });
        }
        continue;
      }
      if (target.kind === "nic") {
        const c = target.ipConfig;
        const nic = c.nic;
        const partners = partnersOf(model, c);
        const partnerIpcs = partners.map((p) => p.ipConfigs.find((x) => x.primary) ?? p.ipConfigs[0]).filter((x): x is IpConfig => !!x);
        report({
          resourceId: nic.id,
          key: ip,
          subjects: [nic.id, ...(nic.vm ? [nic.vm.id] : []), ...tableIds],
          status: "fail",
          messageId: partners.length > 0 ? "activePassive" : "single",
          severity: partners.length > 0 ? "low" : "medium",
          data: {
            ...data,
            nic: nic.name,
            vm: nic.vm ? ` (VM ${nic.vm.name})` : "",
            partners: partners.map((p) => p.vm?.name ?? p.name).join(", "),
          },
          evidence: [
            ...routeEvidence,
            { resourceId: nic.id, pointer: `${c.ptr}/properties/privateIPAddress`, label: "NVA ip configuration" },
          ],
          remediation: {
            summary:
              (partners.length > 0
                ? `Put ${nic.name} and ${partners.map((p) => p.name).join(", ")} behind an internal Standard LB with an HA-ports rule`
                : `Deploy a second NVA next to ${nic.vm?.name ?? nic.name} (same availability set or another zone, IP forwarding on), put both behind an internal Standard LB with an HA-ports rule`) +
              ", and point the route(s) at its frontend IP (the highly available NVA guidance). Replace the <...> placeholders: a free address in the NVA subnet and a port every NVA answers on.",
            commands: haCommands(model, [c, ...partnerIpcs], hop.routes),
          },
        });
        continue;
      }
      if (target.kind === "ambiguous") {
        report({
          ...onTable,
          status: "unknown",
          messageId: "ambiguous",
          data: { ...data, nics: target.ipConfigs.map((x) => x.nic.name).join(", ") },
          evidence: routeEvidence,
        });
        continue;
      }
      report({ ...onTable, status: "unknown", messageId: "notFound", data, evidence: routeEvidence });
    }
  },
});
