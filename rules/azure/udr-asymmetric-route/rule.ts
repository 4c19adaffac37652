import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Evidence, RuleContext } from "../../../src/core/engine/types.ts";
import { compareText } from "../../../src/core/util/collate.ts";
import { idKey } from "../../../src/providers/azure/arm-id.ts";
import { isGlobalTier } from "../../../src/providers/azure/data-path.ts";
import type { AzureModel, LbRule, LoadBalancer, PoolMember, RouteEntry, RouteTable, Subnet } from "../../../src/providers/azure/model.ts";
import { lbFrontendIp } from "../../../src/providers/azure/model.ts";
import {
  cidrInterval,
  formatInterval,
  intervalSize,
  ipInCidr,
  isPublicIpv4,
  publicSpaceByRoute,
  resolveHop,
} from "../../../src/providers/azure/route-helpers.ts";
import { memberLabel, memberSubjects, rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

/** The subnet a pool member sits in: its ip configuration's, or for an IP-only member the subnet of its VNet that holds the IP. */
function subnetOf(model: AzureModel, m: PoolMember): { subnet?: Subnet; missingId?: string } {
  if (m.ipConfig) return m.ipConfig.subnet ? { subnet: m.ipConfig.subnet } : m.ipConfig.subnetId ? { missingId: m.ipConfig.subnetId } : {};
  if (m.ip && m.vnetId) {
    const v = model.byKey.vnet.get(idKey(m.vnetId));
    const s = v?.subnets.find((x) => x.prefixes.some((p) => m.ip !== undefined && ipInCidr(m.ip, p)));
    if (s) return { subnet: s };
  }
  return {};
}

const HOP_MESSAGE: Record<string, string> = {
  virtualappliance: "viaNva",
  virtualnetworkgateway: "forcedTunnel",
  none: "blackhole",
};

export default defineRule<AzureModel>({
  id: "azure/udr-asymmetric-route",
  provider: "azure",
  severity: "high",
  reads: ["azure:loadBalancers", "azure:nics", "azure:vnets", "azure:routeTables", "azure:publicIps"],
  title: "Public LB members return Internet traffic through an NVA (asymmetric route)",
  description:
    "Clients reach the members of a public load balancer straight from the Internet, through the LB's public frontend. " +
    "The replies follow the member subnet's routes. When a user-defined route such as `0.0.0.0/0` sends them to a " +
    "network virtual appliance (the highly available NVA guidance's UDR to an NVA, or Azure Firewall), the return path differs from the way in: " +
    "the stateful firewall never saw the connection and drops the reply, or SNATs it to its own address, and the client's " +
    "handshake never completes. Probes still pass, so the members look healthy while every client times out. The check " +
    "runs a longest-prefix match over the member subnet's route table for the public IPv4 space and reports the route " +
    "that takes Internet replies away from the Internet (to an NVA, to a VPN gateway by forced tunneling, or to None). " +
    "Routes learned by BGP are not in the snapshot.",
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/virtual-network/virtual-networks-udr-overview",
      title: "Virtual network traffic routing",
    },
    { url: "https://learn.microsoft.com/en-us/azure/architecture/networking/guide/nva-ha", title: "Deploy highly available NVAs" },
    { url: "https://learn.microsoft.com/en-us/azure/route-server/next-hop-ip", title: "Next hop IP support" },
  ],
  references: [
    "https://learn.microsoft.com/azure/firewall/integrate-lb#asymmetric-routing",
    "https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#how-azure-selects-a-route",
  ],
  messages: {
    viaNva:
      "Public LB {{lb}} ({{frontend}}) delivers Internet clients to {{members}} in subnet {{subnet}}, but route {{route}} of {{table}} sends the replies to {{clients}} to virtual appliance {{hop}}: the return path differs from the way in, so the NVA drops or SNATs them and connections never complete.",
    forcedTunnel:
      "Public LB {{lb}} ({{frontend}}) delivers Internet clients to {{members}} in subnet {{subnet}}, but route {{route}} of {{table}} forces the replies to {{clients}} into the VPN/ExpressRoute gateway (forced tunneling): they never reach the clients.",
    blackhole:
      "Public LB {{lb}} ({{frontend}}) delivers Internet clients to {{members}} in subnet {{subnet}}, but route {{route}} of {{table}} drops (next hop None) the replies to {{clients}}.",
    viaOther:
      "Public LB {{lb}} ({{frontend}}) delivers Internet clients to {{members}} in subnet {{subnet}}, but route {{route}} of {{table}} sends the replies to {{clients}} to next hop {{hopType}} instead of the Internet.",
    direct:
      "Subnet {{subnet}} (members {{members}} of public LB {{lb}}) sends replies to Internet clients straight out{{how}}: the return path matches the way in.",
    dnatDesign:
      "Route {{route}} of {{table}} sends replies to {{clients}} from subnet {{subnet}} (members {{members}} of public LB {{lb}}) to virtual appliance {{hop}}, but host route(s) {{hostRoutes}} go straight to the Internet: the documented firewall-DNAT design, which works only if clients enter through {{hostIps}}, not the LB frontend directly; whether they do is not in the snapshot.",
    tableMissing:
      "Subnet {{subnet}} (members {{members}} of public LB {{lb}}) uses route table {{table}}, which is not in the snapshot, so the return path is not known.",
    subnetMissing:
      "Pool member {{members}} of public LB {{lb}} sits in subnet {{subnet}}, which is not in the snapshot, so its routes are not known.",
    noSubnet: "Pool member {{members}} of public LB {{lb}} has no NIC or subnet in the snapshot, so its routes are not known.",
  },
  remediation:
    "Make replies leave the way requests came in. Preferred (Azure Firewall docs): let clients enter through the firewall " +
    "too, DNAT on the firewall's public IP to the load balancer (an internal LB is the simpler design), and add a host " +
    "route for the firewall's public IP with next hop Internet. If the public LB must stay reachable directly, the member " +
    "subnet needs routes with next hop Internet for the client ranges, or the members must move to a subnet without the " +
    "default route to the NVA.",
  check(ctx) {
    for (const lb of ctx.model.loadBalancers) {
      // a cross-region (Global tier) load balancer's members are regional load balancers' frontends: their own members are judged there
      if (isGlobalTier(lb)) continue;
      const publicRules = lb.rules.filter((r) => r.frontend?.publicIpId);
      if (publicRules.length === 0) continue;
      const groups = subnetGroups(ctx, lb, publicRules);
      for (const g of [...groups.values()].sort((a, b) => compareText(a.subnet.name, b.subnet.name))) judgeSubnet(ctx, lb, g);
    }
  },
});

type Ctx = RuleContext<AzureModel>;
/** The members of a load balancer's public rules that sit in one subnet, and those rules. */
type Group = { subnet: Subnet; members: Map<string, PoolMember>; rules: Set<LbRule> };

/** The first rule's frontend, named with its IP. */
function frontendOf(rules: Iterable<LbRule>): string {
  const f = [...rules][0]?.frontend;
  return f ? `${f.name} ${lbFrontendIp(f) ?? ""}`.trim() : "public frontend";
}

/** The public rules' members grouped by subnet; a member whose subnet is unknown is reported here, once. */
function subnetGroups({ model, report }: Ctx, lb: LoadBalancer, publicRules: LbRule[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  const seenLost = new Set<string>();
  for (const rule of publicRules) {
    for (const m of rule.pool?.members ?? []) {
      if (m.kind === "frontend") continue; // a regional frontend, not a machine with a subnet
      const { subnet, missingId } = subnetOf(model, m);
      if (!subnet) {
        if (seenLost.has(m.key)) continue;
        seenLost.add(m.key);
        report({
          status: "unknown",
          resourceId: m.nic?.id ?? m.id,
          loadBalancerId: lb.id,
          key: `${lb.name}|${m.key}`,
          subjects: memberSubjects(m),
          messageId: missingId ? "subnetMissing" : "noSubnet",
          data: { lb: lb.name, members: memberLabel(m), subnet: missingId ?? "" },
          evidence: [{ resourceId: lb.id, pointer: m.ptr, label: "pool member" }],
        });
        continue;
      }
      let g = groups.get(subnet.key);
      if (!g) groups.set(subnet.key, (g = { subnet, members: new Map(), rules: new Set() }));
      g.members.set(m.key, m);
      g.rules.add(rule);
    }
  }
  return groups;
}

/** One member subnet: replies leave directly (no route table, or no route takes public space off the Internet), or not. */
function judgeSubnet(ctx: Ctx, lb: LoadBalancer, { subnet, members, rules }: Group): void {
  const { report } = ctx;
  const memberList = [...members.values()];
  const data = {
    lb: lb.name,
    frontend: frontendOf(rules),
    subnet: subnet.name,
    members: memberList.map((m) => m.vm?.name ?? memberLabel(m)).join(", "),
  };
  const base = {
    resourceId: subnet.id,
    loadBalancerId: lb.id,
    key: `${lb.name}|${subnet.name}`,
    subjects: [subnet.id, ...memberList.flatMap(memberSubjects)],
  };
  const subnetEvidence = { resourceId: subnet.id, pointer: `${subnet.ptr}/properties/routeTable`, label: "subnet route table" };
  if (!subnet.routeTableId) {
    report({
      ...base,
      status: "pass",
      messageId: "direct",
      data: { ...data, how: " (no route table: system routes)" },
      evidence: [{ resourceId: subnet.id, pointer: subnet.ptr, label: "subnet" }],
    });
    return;
  }
  const table = subnet.routeTable;
  if (!table) {
    report({
      ...base,
      status: "unknown",
      messageId: "tableMissing",
      data: { ...data, table: subnet.routeTableId.split("/").pop() ?? subnet.routeTableId },
      evidence: [subnetEvidence],
    });
    return;
  }
  const vnetSpace = subnet.vnet ? [...subnet.vnet.addressSpace, ...subnet.vnet.peeredSpace] : subnet.prefixes;
  const owners = publicSpaceByRoute(table.routes, vnetSpace);
  const bad = owners
    .filter((o) => o.route.nextHopType.toLowerCase() !== "internet")
    .sort((a, b) => intervalSize(b.space) - intervalSize(a.space));
  if (bad.length === 0) {
    report({
      ...base,
      status: "pass",
      messageId: "direct",
      data: { ...data, how: ` (route table ${table.name})` },
      evidence: [subnetEvidence],
    });
    return;
  }
  judgeRoutes(ctx, lb, subnet, rules, table, bad, { base, data, subnetEvidence });
}

type SpaceOwner = ReturnType<typeof publicSpaceByRoute>[number];

/** Routes take replies to public clients away from the Internet: a DNAT design through the NVA (undecidable) or asymmetric. */
function judgeRoutes(
  { model, report }: Ctx,
  lb: LoadBalancer,
  subnet: Subnet,
  rules: Set<LbRule>,
  table: RouteTable,
  bad: SpaceOwner[],
  shared: {
    base: { resourceId: string; loadBalancerId: string; key: string; subjects: string[] };
    data: Record<string, string>;
    subnetEvidence: Evidence;
  },
): void {
  const { base, data, subnetEvidence } = shared;
  const main = bad[0] as SpaceOwner;
  const route = main.route;
  const clients = describeClients(route, main.space, table.routes);
  const hopType = route.nextHopType;
  const hop = route.nextHopIpAddress ?? hopType;
  const tdata = { ...data, table: table.name, route: `${route.name} (${route.addressPrefix})`, clients, hop, hopType };
  const routeEvidence = { resourceId: table.id, pointer: route.ptr, label: "route that takes the replies" };
  const frontend = [...rules][0]?.frontend;
  const feEvidence = frontend ? [{ resourceId: lb.id, pointer: frontend.ptr, label: "public frontend" }] : [];

  const lbIps = new Set(lb.frontends.map(lbFrontendIp).filter((x): x is string => !!x));
  const hostRoutes = table.routes.filter((r) => {
    const c = cidrInterval(r.addressPrefix);
    const ip = r.addressPrefix.split("/")[0] ?? "";
    return r.nextHopType.toLowerCase() === "internet" && c?.length === 32 && isPublicIpv4(ip) && !lbIps.has(ip);
  });
  if (hopType.toLowerCase() === "virtualappliance" && hostRoutes.length > 0) {
    report({
      ...base,
      status: "unknown",
      messageId: "dnatDesign",
      data: {
        ...tdata,
        hostRoutes: hostRoutes.map((r) => `${r.name} (${r.addressPrefix})`).join(", "),
        hostIps: hostRoutes.map((r) => r.addressPrefix.split("/")[0]).join(", "),
      },
      evidence: [routeEvidence, ...hostRoutes.map((r) => ({ resourceId: table.id, pointer: r.ptr, label: "host route to the Internet" }))],
    });
    return;
  }
  report({
    ...base,
    status: "fail",
    messageId: HOP_MESSAGE[hopType.toLowerCase()] ?? "viaOther",
    data: tdata,
    evidence: [
      routeEvidence,
      ...bad.slice(1).map((o) => ({
        resourceId: table.id,
        pointer: o.route.ptr,
        label: `another route that takes replies (${o.route.nextHopType})`,
      })),
      subnetEvidence,
      ...feEvidence,
    ],
    remediation: asymmetryFix(model, lb, subnet, table, route),
  });
}

/** How to make replies leave the way requests came in, by the next hop that takes them now. */
function asymmetryFix(
  model: AzureModel,
  lb: LoadBalancer,
  subnet: Subnet,
  table: RouteTable,
  route: RouteEntry,
): { summary: string; commands: string[] } {
  const hopType = route.nextHopType;
  const g = `--resource-group ${sh(rgOf(table.id))} --route-table-name ${sh(table.name)}`;
  if (hopType.toLowerCase() === "virtualappliance") {
    // the NVA's own public IP, when the snapshot shows it, is the DNAT entry point clients should use
    const nva = route.nextHopIpAddress ? resolveHop(model, route.nextHopIpAddress, [table]) : undefined;
    const pip = nva?.kind === "nic" ? nva.ipConfig.nic.ipConfigs.map((c) => c.publicIp?.ipAddress).find((x) => !!x) : undefined;
    const entry = pip ?? "<firewall-public-ip>";
    return {
      summary:
        `Let clients enter through the NVA/firewall too: DNAT on its public IP${pip ? ` ${pip}` : ""} to ${lb.name} (an internal LB is simpler), ` +
        `and send replies to that public IP straight out with a host route in ${table.name}. If ${lb.name} must stay reachable directly, ` +
        `add routes with next hop Internet for the client ranges to ${table.name}, or move the members out of ${subnet.name}.`,
      commands: [
        `az network route-table route create ${g} --name nva-public-ip-direct --address-prefix ${sh(`${entry}/32`)} --next-hop-type Internet`,
      ],
    };
  }
  if (hopType.toLowerCase() === "none") {
    return {
      summary: `Route ${route.name} drops the replies; send them to the Internet (or move the members to a subnet without this route).`,
      commands: [`az network route-table route update ${g} --name ${sh(route.name)} --next-hop-type Internet`],
    };
  }
  return {
    summary:
      `Replies to Internet clients must leave through the Internet, not next hop ${hopType}: add routes with next hop Internet for the client ` +
      `ranges to ${table.name} (replace <client-cidr>), or move the public-facing members to a subnet without route ${route.name}.`,
    commands: [
      `az network route-table route create ${g} --name clients-direct --address-prefix ${sh("<client-cidr>")} --next-hop-type Internet`,
    ],
  };
}

/** "every Internet client", "every Internet client except 203.0.113.0/24", or "Internet clients in 1.0.0.0/8". */
function describeClients(route: RouteEntry, space: ReadonlyArray<readonly [number, number]>, routes: RouteEntry[]): string {
  const c = cidrInterval(route.addressPrefix);
  if (c?.length === 0) {
    const carved = routes.filter(
      (r) => r !== route && r.nextHopType.toLowerCase() === "internet" && isPublicIpv4(r.addressPrefix.split("/")[0] ?? ""),
    );
    return carved.length > 0 ? `every Internet client except ${carved.map((r) => r.addressPrefix).join(", ")}` : "every Internet client";
  }
  const shown = space.slice(0, 3).map(formatInterval).join(", ");
  return `Internet clients in ${shown}${space.length > 3 ? " and more" : ""}`;
}
