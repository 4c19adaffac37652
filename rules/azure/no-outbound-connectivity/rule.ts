import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Evidence } from "../../../src/core/engine/types.ts";
import { parseCidr } from "../../../src/core/util/ip.ts";
import { join } from "../../../src/core/util/json-pointer.ts";
import { nameOf, parentResourceId } from "../../../src/providers/azure/arm-id.ts";
import { gapReason, memberName, reportListGaps } from "../../../src/providers/azure/compute-helpers.ts";
import type {
  AzureModel,
  Frontend,
  IpConfig,
  LoadBalancer,
  NatGateway,
  Pool,
  PoolMember,
  PublicIp,
  RouteEntry,
  Subnet,
} from "../../../src/providers/azure/model.ts";
import { spelledRef } from "../../../src/providers/azure/model.ts";
import { memberResourceId, memberSubjects, rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

type Ev = Omit<Evidence, "value">;

interface Path {
  /** what the member goes out through, for the message */
  label: string;
  evidence: Ev;
  /** implicit (default outbound access): works, but Microsoft is retiring it for new networks */
  implicit?: boolean;
}

/**
 * The IP version a route's address prefix is the default route of (`0.0.0.0/0`, `::/0`, however spelled), else
 * undefined: a route has one destination prefix, of one family ("Existing IPv4 routes don't apply to IPv6 traffic,
 * because each route has a single destination address prefix").
 */
function defaultRouteVersion(prefix: string): IpVersion | undefined {
  const c = parseCidr(prefix.trim());
  if (c?.[1] !== 0) return undefined;
  return c[0].kind() === "ipv6" ? "IPv6" : "IPv4";
}

/** The subnet's user-defined default routes of one IP version. */
function defaultRoutes(subnet: Subnet, version: IpVersion): RouteEntry[] {
  return subnet.routeTable?.routes.filter((x) => defaultRouteVersion(x.addressPrefix) === version) ?? [];
}

const TUNNEL_HOP = /^(virtualappliance|virtualnetworkgateway)$/i;

/**
 * The default route of the member's IP version (0.0.0.0/0 for an IPv4 member, ::/0 for an IPv6 one) in the subnet's
 * route table, when it sends traffic to an appliance or a gateway: a route of the other version says nothing of the
 * member's egress.
 */
function forcedTunnel(subnet: Subnet, version: IpVersion): Path | undefined {
  const t = subnet.routeTable;
  const r = defaultRoutes(subnet, version).find((x) => TUNNEL_HOP.test(x.nextHopType));
  if (!t || !r) return undefined;
  return {
    label: `route ${r.name} in ${t.name} (${r.addressPrefix} → ${r.nextHopType}${r.nextHopIpAddress ? ` ${r.nextHopIpAddress}` : ""}); the appliance must provide the egress`,
    evidence: { resourceId: t.id, pointer: r.ptr, label: "default route" },
  };
}

/**
 * What the subnet's route table says of a member that has no path, for the message: a default route of the member's
 * version that drops its traffic (next hop None), or a default route to an appliance or gateway of the other version
 * only (which does not carry the member's traffic).
 */
function routeNotes(subnet: Subnet, version: IpVersion): { notes: string[]; evidence: Ev[] } {
  const t = subnet.routeTable;
  if (!t) return { notes: [], evidence: [] };
  const notes: string[] = [];
  const evidence: Ev[] = [];
  const own = defaultRoutes(subnet, version);
  const drop = own.find((x) => /^none$/i.test(x.nextHopType));
  if (drop) {
    notes.push(`route ${drop.name} in ${t.name} (${drop.addressPrefix} → None) drops its ${version} traffic to the internet`);
    evidence.push({ resourceId: t.id, pointer: drop.ptr, label: "default route (None)" });
  }
  const otherVersion: IpVersion = version === "IPv6" ? "IPv4" : "IPv6";
  const other = defaultRoutes(subnet, otherVersion).find((x) => TUNNEL_HOP.test(x.nextHopType));
  if (other && !own.some((x) => TUNNEL_HOP.test(x.nextHopType))) {
    notes.push(
      `route ${other.name} in ${t.name} (${other.addressPrefix} → ${other.nextHopType}) carries ${otherVersion} traffic only, and no ` +
        `${version === "IPv6" ? "::/0" : "0.0.0.0/0"} route sends its ${version} traffic to an appliance or gateway`,
    );
    evidence.push({ resourceId: t.id, pointer: other.ptr, label: `default route (${otherVersion} only)` });
  }
  return { notes, evidence };
}

interface PoolPath {
  label: string;
  evidence: Ev;
  /** only the NIC's primary ip configuration uses it (outbound rules, and the SNAT of load-balancing rules alike) */
  primaryOnly: boolean;
  /** position among every load balancer's outbound rules and SNAT rules */
  order: number;
}

const poolPathCache = new WeakMap<AzureModel, Map<string, PoolPath[]>>();

/**
 * The outbound paths a pool gives its members (outbound rules, and SNAT of a Standard load balancer's rules with a
 * public frontend), by pool key: built once per model, so each member looks up its own pools instead of walking
 * every load balancer.
 */
function poolPaths(model: AzureModel): Map<string, PoolPath[]> {
  let byPool = poolPathCache.get(model);
  if (byPool) return byPool;
  byPool = new Map();
  const add = (poolKey: string, p: PoolPath) => {
    const list = byPool?.get(poolKey);
    if (list) list.push(p);
    else byPool?.set(poolKey, [p]);
  };
  let order = 0;
  for (const other of model.loadBalancers) {
    for (const o of other.outboundRules) {
      if (!o.pool) continue;
      add(o.pool.key, {
        label: `outbound rule ${o.name} of ${other.name} (pool ${o.pool.name})`,
        evidence: { resourceId: other.id, pointer: o.ptr, label: "outbound rule" },
        primaryOnly: true,
        order: order++,
      });
    }
    if (other.sku.toLowerCase() !== "standard") continue;
    for (const r of other.rules) {
      if (!r.pool || r.disableOutboundSnat || !r.frontend?.publicIpId) continue;
      add(r.pool.key, {
        label: `SNAT of load-balancing rule ${r.name} of ${other.name} (public frontend ${r.frontend.name})`,
        evidence: { resourceId: other.id, pointer: join(r.ptr, "properties", "disableOutboundSnat"), label: "rule SNAT" },
        // SNAT is programmed for the primary ip configuration only: a secondary one in the pool gets inbound flows,
        // never outbound (MicrosoftDocs/azure-docs#83270 and #97694)
        primaryOnly: true,
        order: order++,
      });
    }
  }
  poolPathCache.set(model, byPool);
  return byPool;
}

/**
 * Why a NAT gateway gives an IPv6 member no egress, or undefined when it does: "A StandardV2 NAT gateway supports IPv4
 * and IPv6 public IPs, whereas a Standard NAT gateway supports only IPv4 public IPs", so only a StandardV2 one with an
 * IPv6 public IP or prefix (`publicIpAddressesV6`, `publicIpPrefixesV6`) serves IPv6 flows.
 */
function natNoV6(nat: NatGateway, subnet: Subnet): { why: string; evidence: Ev } | undefined {
  const v2 = nat.sku !== undefined && /^standardv2$/i.test(nat.sku);
  if (v2 && nat.publicIpV6Ids.length > 0) return undefined;
  if (v2) {
    return {
      why: `NAT gateway ${nat.name} on subnet ${subnet.name} is StandardV2 but has no IPv6 public IP or prefix, so it gives IPv6 flows no egress`,
      evidence: { resourceId: nat.id, pointer: join(nat.ptr, "properties"), label: "NAT gateway (no IPv6 public IP or prefix)" },
    };
  }
  return {
    why:
      `NAT gateway ${nat.name} on subnet ${subnet.name} is ${nat.sku ? `${nat.sku}, not StandardV2` : "not StandardV2 (no sku)"}, and only a ` +
      "StandardV2 NAT gateway supports IPv6 public IPs (a Standard one supports only IPv4 public IPs), so it gives IPv6 flows no egress",
    evidence: {
      resourceId: nat.id,
      pointer: nat.raw.sku ? join(nat.ptr, "sku") : nat.ptr,
      label: "NAT gateway SKU (IPv4 public IPs only)",
    },
  };
}

/** True for an IPv6 member: an IPv6 ip configuration, or an IPv6 backend address. */
function memberIsV6(m: PoolMember, c: IpConfig | undefined): boolean {
  if (c) return isV6(c);
  return m.kind === "ip" && m.ip !== undefined && m.ip.includes(":");
}

/** The IP version of a member's traffic: IPv6 for an IPv6 member, else IPv4 (the default `privateIPAddressVersion`). */
function memberVersion(m: PoolMember, c: IpConfig | undefined): IpVersion {
  return memberIsV6(m, c) ? "IPv6" : "IPv4";
}

/**
 * Why the public IP on the member's ip configuration gives it no egress: it is in the snapshot and of the other IP
 * version (which Azure refuses to associate, so only an edited snapshot holds one); undefined when it serves the member,
 * or there is none. One the snapshot lacks, or whose version it cannot read, serves it: Azure associates a public IP
 * only with an ip configuration of its IP version (IPVersionForPublicIpAndNicIpConfigurationMustMatch).
 */
function publicIpGap(c: IpConfig | undefined, version: IpVersion): { why: string; evidence: Ev } | undefined {
  const pip = c?.publicIp;
  if (!c?.publicIpId || !pip) return undefined;
  const name = nameOf(c.publicIpId);
  const pv = publicIpVersion(pip);
  if (pv === undefined || pv === version) return undefined;
  return {
    why:
      `public IP ${name} on its ip configuration ${c.name} is ${pv}${pip.ipAddress ? ` (${pip.ipAddress})` : ""}, and a public IP gives ` +
      `egress to traffic of its own IP version only, not to this ${version} ip configuration's`,
    evidence: {
      resourceId: pip.id,
      pointer: pip.ipAddress ? join(pip.ptr, "properties", "ipAddress") : join(pip.ptr, "properties"),
      label: `public IP (${pv})`,
    },
  };
}

/**
 * Every outbound path the documentation lists, that this member has; an empty list means none. A subnet's NAT gateway
 * counts for an IPv6 member only when the snapshot holds it and it gives IPv6 egress (see natNoV6): one the snapshot
 * lacks is left to the caller, which reports unknown rather than a pass or a fail.
 */
function outboundPaths(model: AzureModel, m: PoolMember, c: IpConfig | undefined, subnet: Subnet): Path[] {
  const paths: Path[] = [];
  const version = memberVersion(m, c);
  if (subnet.natGatewayId && (version === "IPv4" || (subnet.natGateway && !natNoV6(subnet.natGateway, subnet)))) {
    paths.push({
      label: `NAT gateway ${nameOf(subnet.natGatewayId)} on subnet ${subnet.name}`,
      evidence: { resourceId: subnet.id, pointer: join(subnet.ptr, "properties", "natGateway"), label: "subnet NAT gateway" },
    });
  }
  // an instance-level public IP serves the ip configuration it is attached to, not the NIC's other ones: "Azure uses the
  // public IP assigned to the IP configuration of the instance's NIC for all outbound flows", and "for secondary IP
  // configurations, you can only ping to the Internet if the configuration has a public IP address associated with it";
  // and only for the IP version it is of: Azure refuses a mismatch (IPVersionForPublicIpAndNicIpConfigurationMustMatch),
  // so one the snapshot lacks is of the member's version, and only an edited snapshot holds one of the other (publicIpGap)
  if (c?.publicIpId && !publicIpGap(c, version)) {
    paths.push({
      label: `instance-level public IP ${nameOf(c.publicIpId)} on ip configuration ${c.name} of ${c.nic.name}${c.publicIp ? "" : " (not in the snapshot: Azure associates a public IP only with an ip configuration of its IP version)"}`,
      evidence: {
        resourceId: c.nic.id,
        pointer: join(c.ptr, "properties", "publicIPAddress"),
        label: "instance-level public IP",
      },
    });
  }
  if (c && m.kind === "ipconfig") {
    // outbound rules and load-balancing rules' SNAT apply to the NIC's primary IPv4 configuration, in any pool of any
    // Standard load balancer it is in
    const byPool = poolPaths(model);
    let found: PoolPath[] | undefined;
    for (const k of c.poolKeys) {
      const list = byPool.get(k);
      if (!list) continue;
      found ??= [];
      for (const p of list) if ((c.primary || isV6(c) || !p.primaryOnly) && !found.includes(p)) found.push(p);
    }
    if (found) {
      // in the order of the load balancers and their rules, whatever the order of the NIC's pools
      found.sort((a, b) => a.order - b.order);
      for (const p of found) paths.push({ label: p.label, evidence: { ...p.evidence } });
    }
  }
  const tunnel = forcedTunnel(subnet, version);
  if (tunnel) paths.push(tunnel);
  // IP-based pools behave as a Basic load balancer: default outbound access stays, unless the subnet is private
  if (m.kind === "ip" && subnet.defaultOutboundAccess !== false) {
    paths.push({
      label: `default outbound access of subnet ${subnet.name} (implicit; IP-based pools keep it)`,
      evidence: { resourceId: subnet.id, pointer: subnet.ptr, label: "subnet" },
      implicit: true,
    });
  }
  return paths;
}

type IpVersion = "IPv4" | "IPv6";

/** `IPv4` or `IPv6` from a wire version field (`privateIPAddressVersion`, `publicIPAddressVersion`), else undefined. */
function versionField(v: unknown): IpVersion | undefined {
  if (typeof v !== "string") return undefined;
  return /^ipv6$/i.test(v) ? "IPv6" : /^ipv4$/i.test(v) ? "IPv4" : undefined;
}

/** The IP version of an ip configuration: its private address decides, else its `privateIPAddressVersion`. */
function ipVersion(c: IpConfig): IpVersion | undefined {
  if (c.privateIp) return c.privateIp.includes(":") ? "IPv6" : "IPv4";
  const configs = (c.nic.raw.properties as { ipConfigurations?: unknown } | undefined)?.ipConfigurations;
  if (!Array.isArray(configs)) return undefined;
  for (const w of configs as Array<{ id?: unknown; name?: unknown; properties?: { privateIPAddressVersion?: unknown } }>) {
    const same = typeof w?.id === "string" ? w.id.toLowerCase() === c.key : w?.name === c.name;
    if (same) return versionField(w.properties?.privateIPAddressVersion);
  }
  return undefined;
}

/**
 * An IPv6 ip configuration: never a NIC's primary one (that is IPv4), and the "primary only" limit of outbound rules and
 * rule SNAT is about the primary IPv4 configuration ("Outbound rules for the secondary IP configuration are only
 * supported for IPv6"): a dual-stack pool's IPv6 members get outbound through the load balancer's IPv6 frontend.
 */
function isV6(c: IpConfig): boolean {
  return ipVersion(c) === "IPv6";
}

/** The IP version of a public IP: its address decides, else `publicIPAddressVersion` (IPv4 by default); undefined when that field is unreadable. */
function publicIpVersion(pip: PublicIp): IpVersion | undefined {
  if (pip.ipAddress) return pip.ipAddress.includes(":") ? "IPv6" : "IPv4";
  const v = (pip.raw.properties as { publicIPAddressVersion?: unknown } | undefined)?.publicIPAddressVersion;
  return v === undefined ? "IPv4" : versionField(v);
}

/** The IP version of a public frontend (see publicIpVersion); undefined when the public IP is not in the snapshot. */
function frontendVersion(f: Frontend): IpVersion | undefined {
  return f.publicIp ? publicIpVersion(f.publicIp) : undefined;
}

/** The IP version of a pool's members (by ip configuration or by address): undefined when none says, "mixed" when they differ. */
function poolVersion(pool: Pool): IpVersion | "mixed" | undefined {
  let found: IpVersion | undefined;
  for (const m of pool.members) {
    const v =
      m.kind === "ipconfig" && m.ipConfig
        ? ipVersion(m.ipConfig)
        : m.kind === "ip" && m.ip
          ? m.ip.includes(":")
            ? "IPv6"
            : "IPv4"
          : undefined;
    if (!v) continue;
    if (found && found !== v) return "mixed";
    found = v;
  }
  return found;
}

/**
 * The cheapest fix: a NAT gateway on the subnet (and, for a public load balancer, an outbound rule as the alternative).
 * For an IPv6 pool, the NAT gateway these commands create would not do: a Standard NAT gateway takes IPv4 public IPs only.
 */
function fixFor(lb: LoadBalancer, pool: Pool, subnet: Subnet): { summary: string; commands: string[] } {
  const lbRg = sh(rgOf(lb.id));
  const rg = sh(rgOf(subnet.id));
  const vnet = nameOf(parentResourceId(subnet.id));
  const nat = `natgw-${vnet}`.slice(0, 80);
  const pip = `${nat}-pip`.slice(0, 80);
  const version = poolVersion(pool);
  const v6 = version === "IPv6";
  const natCommands = [
    `az network public-ip create --resource-group ${rg} --name ${sh(pip)} --sku Standard --allocation-method Static`,
    `az network nat gateway create --resource-group ${rg} --name ${sh(nat)} --public-ip-addresses ${sh(pip)} --idle-timeout 4`,
    `az network vnet subnet update --resource-group ${rg} --vnet-name ${sh(vnet)} --name ${sh(subnet.name)} --nat-gateway ${sh(nat)}`,
  ];
  // Azure refuses an outbound rule on a frontend that a load-balancing rule still uses for SNAT
  // (LoadBalancingRuleMustDisableSNATSinceSameFrontendIPConfigurationIsReferencedByOutboundRule): a public frontend no
  // such rule uses is taken first; else those rules' SNAT is turned off before the outbound rule is created
  const snatRulesOn = (fe: Frontend) => lb.rules.filter((r) => r.frontend === fe && !r.disableOutboundSnat);
  // the frontend must be of the pool's IP version: a load balancer translates IPv4 to IPv4 and IPv6 to IPv6, never
  // between them ("Load balancing doesn't perform any protocol translation (no NAT64)"); a pool of both takes neither
  const wanted: IpVersion | undefined = version === "mixed" ? undefined : v6 ? "IPv6" : "IPv4";
  const anyPublic = lb.frontends.some((f) => f.publicIpId);
  const publicFes = wanted ? lb.frontends.filter((f) => f.publicIpId && frontendVersion(f) === wanted) : [];
  const publicFe = publicFes.find((f) => snatRulesOn(f).length === 0) ?? publicFes[0];
  // an outbound rule serves primary IPv4 configurations (and IPv6 ones) only, and Azure refuses one on a pool that
  // secondary IPv4 configurations are in (OutboundRuleCannotBeUsedWithBackendAddressPoolThatIsReferencedBySecondaryIpConfigs)
  const secondary = pool.members.some((m) => m.kind === "ipconfig" && m.ipConfig !== undefined && !m.ipConfig.primary && !isV6(m.ipConfig));
  let summary = v6
    ? `Pool ${pool.name} holds IPv6 ip configurations, and a Standard NAT gateway takes IPv4 public IPs only: their egress needs a ` +
      `StandardV2 NAT gateway with an IPv6 public IP on subnet ${subnet.name} (it takes precedence over every other method and needs no ` +
      "change on the load balancer), or an instance-level IPv6 public IP on each ip configuration."
    : `Attach a NAT gateway to subnet ${subnet.name}: it gives every VM in the subnet outbound access, takes precedence over every other method, ` +
      "and needs no change on the load balancer.";
  const existing = subnet.natGateway;
  if (v6 && existing && natNoV6(existing, subnet)) {
    summary +=
      existing.sku !== undefined && /^standardv2$/i.test(existing.sku)
        ? ` Subnet ${subnet.name} already has StandardV2 NAT gateway ${existing.name}: add an IPv6 public IP or prefix to it.`
        : ` Subnet ${subnet.name}'s NAT gateway ${existing.name} is not StandardV2, and a Standard NAT gateway cannot be upgraded: replace it with a ` +
          "StandardV2 one (which takes StandardV2 public IPs only).";
  }
  let commands = v6 ? [] : natCommands;
  if (publicFe && lb.kubernetes === undefined && !secondary) {
    const snatRules = snatRulesOn(publicFe);
    const steps = [
      ...snatRules.map(
        (r) =>
          `az network lb rule update --resource-group ${lbRg} --lb-name ${sh(lb.name)} --name ${sh(r.name)} --disable-outbound-snat true`,
      ),
      `az network lb outbound-rule create --resource-group ${lbRg} --lb-name ${sh(lb.name)} --name ${sh(`outbound-${pool.name}`)} ` +
        `--frontend-ip-configs ${sh(publicFe.name)} --address-pool ${sh(pool.name)} --protocol All`,
    ];
    summary += v6
      ? ` Or, since ${lb.name} has a public IPv6 frontend (${publicFe.name}), add an outbound rule for pool ${pool.name}`
      : ` Alternatively, since ${lb.name} has a public frontend, add an outbound rule for pool ${pool.name}`;
    if (snatRules.length > 0) {
      summary +=
        `. Azure accepts an outbound rule on ${publicFe.name} only once the load-balancing rules that use it (${snatRules.map((r) => r.name).join(", ")}) ` +
        "stop using it for SNAT, so their disableOutboundSnat goes first (the members of other pools those rules serve then need an outbound rule too)";
    }
    summary += `: ${steps.join(" ; then ")}`;
    // for an IPv6 pool the outbound rule is the one fix that can be printed as commands
    if (v6) commands = steps;
  } else if (anyPublic && lb.kubernetes === undefined) {
    if (secondary) {
      summary +=
        ` An outbound rule of ${lb.name} is no alternative: it serves only primary IPv4 configurations, and Azure refuses one on pool ${pool.name}, ` +
        "which holds secondary IPv4 configurations.";
    } else if (wanted) {
      summary +=
        ` An outbound rule of ${lb.name} is no alternative yet: its frontend must be of the pool's IP version (a load balancer does no NAT64), ` +
        `and ${lb.name} has no public ${wanted} frontend${publicFes.length === 0 && lb.frontends.some((f) => f.publicIpId && !f.publicIp) ? " whose public IP the snapshot holds" : ""}.`;
    } else {
      summary += ` An outbound rule of ${lb.name} is no alternative: its frontend must be of the pool's IP version, and pool ${pool.name} holds both IPv4 and IPv6 members.`;
    }
  }
  return { summary, commands };
}

export default defineRule<AzureModel>({
  id: "azure/no-outbound-connectivity",
  provider: "azure",
  severity: "medium",
  title: "Backend members have no outbound path to the internet",
  reads: ["azure:loadBalancers", "azure:nics", "azure:vnets", "azure:routeTables"],
  description:
    "A VM whose NIC is in the backend pool of a Standard load balancer gets no default outbound access: it reaches the internet only through an " +
    "explicit method. The documented ones are a NAT gateway on the subnet (for an IPv6 member, only a StandardV2 one with an IPv6 public IP " +
    "or prefix: a Standard NAT gateway supports only IPv4 public IPs; when the NAT gateway is not in the snapshot, an IPv6 member with no " +
    "other path is unknown), an instance-level public IP on the member's own IP configuration (a " +
    "public IP on another IP configuration of the same NIC serves that one only, and a public IP serves traffic of its own IP version only: " +
    "Azure associates a public IP only with an IP configuration of its own IP version, so one the snapshot lacks still counts), an outbound rule of a Standard public load balancer covering the " +
    "pool (primary IPv4 configuration, or an IPv6 one, through a frontend of the same IP version), and the SNAT of a load-balancing rule with a public frontend (also " +
    "programmed for the primary IP configuration only: a secondary IP configuration in the pool gets inbound flows, not outbound) unless " +
    '`disableOutboundSnat` is true ("your virtual machine will not have outbound connectivity if you set this parameter to true and do not have an ' +
    'outbound rule"). An internal load balancer gives none. Pools configured by IP address behave as a Basic load balancer and keep default ' +
    "outbound access, unless the subnet is private (`defaultOutboundAccess: false`, the default for virtual networks created with API versions " +
    "released after 31 March 2026). A default route of the member's IP version (0.0.0.0/0 for an IPv4 member, ::/0 for an " +
    "IPv6 one: a route of one version says nothing of the other's traffic) to a virtual appliance or gateway is counted as a path: the " +
    "appliance has to provide the egress, which lbdoctor cannot see. Without any path, package updates, license activation, calls to external APIs and often the " +
    "application itself fail while the load balancer's inbound side looks healthy.",
  citations: [
    { url: "https://learn.microsoft.com/en-us/azure/load-balancer/outbound-rules", title: "Outbound rules Azure Load Balancer" },
    {
      url: "https://learn.microsoft.com/en-us/azure/virtual-network/ip-services/default-outbound-access",
      title: "Default outbound access in Azure",
    },
    { url: "https://learn.microsoft.com/en-us/azure/nat-gateway/nat-gateway-resource", title: "Azure NAT Gateway resource" },
    {
      url: "https://techcommunity.microsoft.com/t5/azure-networking-blog/private-subnets-by-default-in-azure-virtual-networks-what/ba-p/4513778",
      title: "Private subnets by default in Azure virtual networks (Microsoft Tech Community)",
    },
  ],
  references: [
    "https://learn.microsoft.com/azure/load-balancer/outbound-rules",
    "https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access",
    "https://learn.microsoft.com/cli/azure/network/nat/gateway#az-network-nat-gateway-create",
  ],
  messages: {
    none: "{{member}} in pool {{pool}} of {{lb}} has no outbound path: {{missing}}.",
    has: "{{member}} in pool {{pool}} of {{lb}} goes out through {{path}}.",
    noSubnet:
      "{{member}} in pool {{pool}} of {{lb}}: its subnet {{subnet}} is not in the snapshot{{detail}}, so its NAT gateway and default outbound access cannot be checked.",
    noNic:
      "{{member}} in pool {{pool}} of {{lb}}: its network interface is not in the snapshot{{detail}}, so its outbound path cannot be checked.",
    noNatGateway:
      "{{member}} in pool {{pool}} of {{lb}} is IPv6, and its one candidate outbound path, NAT gateway {{nat}} on subnet {{subnet}}, is not in the " +
      "snapshot{{detail}}: a NAT gateway gives IPv6 egress only when it is StandardV2 with an IPv6 public IP or prefix (a Standard one takes " +
      "IPv4 public IPs only), so its outbound path cannot be checked.",
    lbListGap:
      "Load balancers could not be listed ({{operation}}: {{reason}}), so an outbound rule that covers these members may be missing from the snapshot.",
    poolElsewhere:
      "{{member}} in pool {{pool}} of {{lb}} has no outbound path in the snapshot, but it is also in pool {{otherPool}} of load balancer {{otherLb}}, which is not in the snapshot (a resource group that was not collected): an outbound rule there may give it egress, so its outbound path cannot be checked.",
  },
  remediation:
    "Give the subnet an explicit outbound method. The cheapest and recommended one is a NAT gateway on the subnet (`az network nat gateway create`, " +
    "then `az network vnet subnet update --nat-gateway`). For a public Standard load balancer, an outbound rule for the pool works too, on a " +
    "public frontend of the pool's IP version. IPv6 members need a StandardV2 NAT gateway with an IPv6 public IP (a Standard one takes IPv4 " +
    "public IPs only) or that IPv6 outbound rule. " +
    "If the backends must not reach the internet, suppress this finding with that reason.",
  check({ model, report, passDetail }) {
    reportListGaps(model, report, "lbListGap", ["loadBalancers.list"]);
    for (const lb of model.loadBalancers) {
      if (lb.sku.toLowerCase() !== "standard") continue; // Basic keeps default outbound; a Gateway LB's backends are appliances
      for (const pool of lb.pools) {
        const rules = lb.rules.filter((r) => r.pool === pool);
        if (rules.length === 0 && !lb.outboundRules.some((o) => o.pool === pool)) continue;
        // the fix depends on the pool and the subnet alone: its commands are quoted once per subnet, not once per member
        const fixes = new Map<Subnet, { summary: string; commands: string[] }>();
        const fixOf = (subnet: Subnet) => {
          let fix = fixes.get(subnet);
          if (!fix) fixes.set(subnet, (fix = fixFor(lb, pool, subnet)));
          return { summary: fix.summary, commands: fix.commands.slice() };
        };
        for (const m of pool.members) {
          if (m.kind === "frontend") continue; // a Global-tier member is a regional frontend, not a machine
          const key = `${pool.name}|${m.key}`;
          const c = m.ipConfig;
          if (m.kind === "ipconfig" && !c) {
            const { base, data, memberEv } = shown(lb, pool, m, key);
            const why = gapReason(model, [parentResourceId(m.id)], ["networkInterfaces.list"]);
            report({
              ...base,
              status: "unknown",
              messageId: "noNic",
              data: { ...data, detail: why ? ` (${why})` : "" },
              evidence: [memberEv],
            });
            continue;
          }
          const subnet = c?.subnet;
          if (!subnet) {
            const { base, data, memberEv } = shown(lb, pool, m, key);
            const subnetId = c?.subnetId ?? m.vnetId ?? "";
            const why = subnetId ? gapReason(model, [subnetId, parentResourceId(subnetId)], ["virtualNetworks.list"]) : undefined;
            report({
              ...base,
              status: "unknown",
              messageId: "noSubnet",
              data: { ...data, subnet: subnetId ? nameOf(subnetId) : "(unknown)", detail: why ? ` (${why})` : "" },
              evidence: [memberEv],
            });
            continue;
          }
          const paths = outboundPaths(model, m, c, subnet);
          if (paths.length > 0 && passDetail === false) {
            // a pass that is only counted needs no message data or evidence
            report({ resourceId: memberResourceId(m), loadBalancerId: lb.id, key, status: "pass", messageId: "has" });
            continue;
          }
          const { base, data, memberEv } = shown(lb, pool, m, key);
          if (paths.length > 0) {
            report({
              ...base,
              status: "pass",
              messageId: "has",
              data: { ...data, path: paths.map((p) => p.label).join("; ") },
              evidence: paths.map((p) => p.evidence),
            });
            continue;
          }
          const version = memberVersion(m, c);
          const pipGap = publicIpGap(c, version);
          // an IPv6 member behind a NAT gateway the snapshot lacks: whether that gateway gives IPv6 egress is not known
          const v6 = subnet.natGatewayId !== undefined && memberIsV6(m, c);
          const natEv: Ev = { resourceId: subnet.id, pointer: join(subnet.ptr, "properties", "natGateway"), label: "subnet NAT gateway" };
          if (v6 && subnet.natGatewayId && !subnet.natGateway) {
            const why = gapReason(model, [subnet.natGatewayId], ["natGateways.list"]);
            report({
              ...base,
              status: "unknown",
              messageId: "noNatGateway",
              data: { ...data, nat: nameOf(subnet.natGatewayId), subnet: subnet.name, detail: why ? ` (${why})` : "" },
              evidence: [natEv, memberEv],
            });
            continue;
          }
          // also in a pool of a load balancer the snapshot lacks (one in a resource group that was not collected, as in a
          // hub and spoke): an outbound rule there may give it egress, which only that load balancer's data can tell
          const elsewhere =
            c && m.kind === "ipconfig" && (c.primary || isV6(c))
              ? c.poolKeys.find((k) => !model.byKey.pool.has(k) && !model.byKey.resource.has(parentResourceId(k)))
              : undefined;
          if (c && elsewhere) {
            report({
              ...base,
              status: "unknown",
              messageId: "poolElsewhere",
              data: {
                ...data,
                otherPool: nameOf(spelledRef(c, "loadBalancerBackendAddressPools", elsewhere)),
                otherLb: nameOf(parentResourceId(spelledRef(c, "loadBalancerBackendAddressPools", elsewhere))),
              },
              evidence: [
                memberEv,
                {
                  resourceId: c.nic.id,
                  pointer: join(c.ptr, "properties", "loadBalancerBackendAddressPools"),
                  label: `pools of ${c.nic.name}/${c.name}`,
                },
              ],
            });
            continue;
          }
          // an IPv6 member behind a NAT gateway that takes IPv4 public IPs only (or has no IPv6 one)
          const natGap = v6 && subnet.natGateway ? natNoV6(subnet.natGateway, subnet) : undefined;
          // a secondary ip configuration gets nothing from the pool's outbound rules or rule SNAT, whatever they are
          const secondary = c !== undefined && !c.primary && !isV6(c) && m.kind === "ipconfig";
          const routes = routeNotes(subnet, version);
          const missing = [
            natGap ? natGap.why : `no NAT gateway on subnet ${subnet.name}`,
            pipGap ? pipGap.why : c ? `no public IP on its ip configuration ${c.name}` : "no public IP on its ip configuration",
            ...(secondary
              ? [
                  `it is a secondary ip configuration (${c.name}) of ${c.nic.name}, and outbound rules and the SNAT of load-balancing rules serve only a NIC's primary ip configuration`,
                ]
              : [
                  "no outbound rule covers its pool",
                  rules.some((r) => r.disableOutboundSnat)
                    ? `rule(s) ${rules
                        .filter((r) => r.disableOutboundSnat)
                        .map((r) => r.name)
                        .join(", ")} set disableOutboundSnat`
                    : lb.isInternal
                      ? `${lb.name} is internal, and an internal load balancer gives no outbound SNAT`
                      : "no load-balancing rule with a public frontend gives it SNAT",
                ]),
            m.kind === "ip"
              ? `subnet ${subnet.name} is private (defaultOutboundAccess: false)`
              : "as a NIC-based member of a Standard load balancer it gets no default outbound access",
            ...routes.notes,
          ].join("; ");
          const evidence: Ev[] = [
            ...(natGap
              ? [
                  { resourceId: subnet.id, pointer: join(subnet.ptr, "properties", "natGateway"), label: "subnet NAT gateway" },
                  natGap.evidence,
                ]
              : [{ resourceId: subnet.id, pointer: subnet.ptr, label: "subnet (no natGateway)" }]),
            ...(pipGap ? [pipGap.evidence] : []),
            ...routes.evidence,
            memberEv,
            ...rules
              .filter((r) => r.disableOutboundSnat)
              .map((r) => ({ resourceId: lb.id, pointer: join(r.ptr, "properties", "disableOutboundSnat"), label: "disableOutboundSnat" })),
          ];
          report({
            ...base,
            status: "fail",
            messageId: "none",
            data: { ...data, missing },
            evidence,
            remediation: fixOf(subnet),
          });
        }
      }
    }
  },
});

/** Where a member's shown result is, its message data and its evidence as a pool member (not made for a counted pass). */
function shown(lb: LoadBalancer, pool: Pool, m: PoolMember, key: string) {
  const memberEv: Ev = { resourceId: lb.id, pointer: m.ptr, label: "pool member" };
  return {
    base: { resourceId: memberResourceId(m), loadBalancerId: lb.id, key, subjects: memberSubjects(m) },
    data: { member: memberName(m), pool: pool.name, lb: lb.name },
    memberEv,
  };
}
