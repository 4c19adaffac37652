/**
 * A seeded, deterministic synthetic Azure topology, written straight to
 * `lbdoctor.snapshot/v1` in ARM wire format (the shapes of
 * test/support/azure-builder.ts, built without its per-call copies so that
 * 50,000 NICs take well under a second).
 *
 * What it holds, for `nics` NICs (one NIC per VM or scale-set instance):
 *   - load balancers (one per `nicsPerLb` NICs): one frontend (public on even,
 *     internal on odd LBs), one pool, an Http probe on 80 and a Tcp probe on
 *     443, two rules (80, 443), one inbound NAT rule; every 5th LB is fronting
 *     a VM scale set instead of VMs;
 *   - VNets of up to 64 /24 subnets, ~200 NICs a subnet; every subnet has an
 *     NSG (round robin over `nsgs`), every 10th NIC has a NIC NSG too;
 *   - NSGs with `rulesPerNsg` custom rules (a mix of Allow/Deny, single and
 *     plural prefixes and ports, ranges, service tags, ASGs) plus the six
 *     defaults; the rules that let the probe and the data port in sit at the
 *     end, so evaluation walks the whole list;
 *   - route tables on every 4th subnet, some with a VirtualAppliance hop;
 *   - broken members, deterministically: ~4% of VMs deallocated, every 25th
 *     NSG denies AzureLoadBalancer on the probe port, every 17th LB's probe
 *     looks at the wrong port, one LB in 40 has an empty pool;
 *   - observations: rule health for every rule with a probe; optionally the
 *     effective NSGs of every running VM NIC (the live-collection bench).
 *
 * Multi-subscription tenants (`tenant()`) repeat a small topology per
 * subscription in a few resource groups each.
 */
import type { ArmResource, AzureSnapshot, EffectiveNsgBody, RuleHealthBody } from "../src/providers/azure/wire-types.ts";

export interface GenOptions {
  seed?: number;
  nics: number;
  /** NICs per load balancer (default 40) */
  nicsPerLb?: number;
  /** number of NSGs (default: one per 100 NICs, at least 2, at most 500) */
  nsgs?: number;
  rulesPerNsg?: number;
  subscriptionId?: string;
  resourceGroup?: string;
  /** include effective-NSG bodies for running VM NICs (what a live collector would observe) */
  effectiveNsg?: boolean;
  /** prefix for resource names (tenant-scale: one per resource group) */
  prefix?: string;
  location?: string;
  /** front scale sets with every 5th load balancer (default true); false: every pool holds VMs */
  scaleSets?: boolean;
  /**
   * VMs whose availability set is not in the snapshot (default 0): each names its own missing set,
   * so the model records that many dangling references (gaps), spread evenly over the VMs
   */
  danglingAvailabilitySets?: number;
}

/**
 * The topology of issue 12's measurement: 100 Standard load balancers at 20,000 NICs (one pool of
 * 200 VMs each, no scale sets) and 200 VMs whose availability set is missing (200 gaps).
 */
export function issueTopology(nics: number, seed = 1): GenOptions {
  return { seed, nics, nicsPerLb: 200, scaleSets: false, danglingAvailabilitySets: 200 };
}

export const BENCH_SUB = "00000000-0000-0000-0000-00000000be0c";

/** mulberry32: small, fast, seeded */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function guid(n: number, salt: number): string {
  const h = (x: number) => (Math.imul(x ^ 0x9e3779b9, 0x85ebca6b) >>> 0).toString(16).padStart(8, "0");
  const a = h(n * 31 + salt);
  const b = h(n * 17 + salt + 1);
  const c = h(n * 13 + salt + 2);
  const d = h(n * 7 + salt + 3);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-a${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

const DEFAULTS: Array<[string, number, "Inbound" | "Outbound", "Allow" | "Deny", string, string, string]> = [
  ["AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork", "Allow inbound traffic from all VMs in VNET"],
  ["AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*", "Allow inbound traffic from azure load balancer"],
  ["DenyAllInBound", 65500, "Inbound", "Deny", "*", "*", "Deny all inbound traffic"],
  ["AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork", "Allow outbound traffic from all VMs to all VMs in VNET"],
  ["AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet", "Allow outbound traffic from all VMs to Internet"],
  ["DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*", "Deny all outbound traffic"],
];

interface RuleSpec {
  name: string;
  priority: number;
  direction: "Inbound" | "Outbound";
  access: "Allow" | "Deny";
  protocol: string;
  source: string | string[];
  destination: string | string[];
  ports: string | string[];
  sourceAsgs?: string[];
}

function ruleWire(nsgId: string, r: RuleSpec, kind: "securityRules" | "defaultSecurityRules", description?: string) {
  const p: Record<string, unknown> = {
    provisioningState: "Succeeded",
    protocol: r.protocol,
    access: r.access,
    priority: r.priority,
    direction: r.direction,
  };
  if (description) p.description = description;
  p.sourcePortRange = "*";
  p.sourcePortRanges = [];
  if (Array.isArray(r.ports)) p.destinationPortRanges = r.ports;
  else {
    p.destinationPortRange = r.ports;
    p.destinationPortRanges = [];
  }
  if (r.sourceAsgs) p.sourceApplicationSecurityGroups = r.sourceAsgs.map((id) => ({ id }));
  else if (Array.isArray(r.source)) p.sourceAddressPrefixes = r.source;
  else {
    p.sourceAddressPrefix = r.source;
    p.sourceAddressPrefixes = [];
  }
  if (Array.isArray(r.destination)) p.destinationAddressPrefixes = r.destination;
  else {
    p.destinationAddressPrefix = r.destination;
    p.destinationAddressPrefixes = [];
  }
  return {
    name: r.name,
    id: `${nsgId}/${kind}/${r.name}`,
    etag: `W/"${r.priority.toString(16)}"`,
    type: `Microsoft.Network/networkSecurityGroups/${kind}`,
    properties: p,
  };
}

/** The wire shape of an effective security rule (flat; `securityRules/` prefixes; protocol All for `*`). */
function effectiveRule(kind: "securityRules" | "defaultSecurityRules", r: RuleSpec) {
  const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
  const port = (v: string) => (v === "*" ? "0-65535" : v.includes("-") ? v : `${v}-${v}`);
  return {
    name: `${kind}/${r.name}`,
    protocol: r.protocol === "*" ? "All" : r.protocol,
    sourcePortRange: "0-65535",
    destinationPortRange: Array.isArray(r.ports) ? undefined : port(r.ports),
    destinationPortRanges: Array.isArray(r.ports) ? r.ports.map(port) : [],
    sourceAddressPrefix: Array.isArray(r.source) ? undefined : r.source === "*" ? "0.0.0.0/0" : r.source,
    sourceAddressPrefixes: Array.isArray(r.source) ? r.source : [],
    destinationAddressPrefix: Array.isArray(r.destination) ? undefined : r.destination === "*" ? "0.0.0.0/0" : r.destination,
    destinationAddressPrefixes: Array.isArray(r.destination) ? r.destination : [],
    ...(list(r.source).includes("AzureLoadBalancer") ? { expandedSourceAddressPrefix: ["168.63.129.16/32"] } : {}),
    access: r.access,
    priority: r.priority,
    direction: r.direction,
  };
}

export interface GenStats {
  nics: number;
  vms: number;
  vmssInstances: number;
  loadBalancers: number;
  lbRules: number;
  nsgs: number;
  rulesPerNsg: number;
  subnets: number;
  routeTables: number;
  resources: number;
  deallocated: number;
  /** running, non-scale-set pool-member NICs: the ones a collector asks effective NSGs for */
  effectiveNsgNics: number;
}

export function generate(o: GenOptions): { snapshot: AzureSnapshot; stats: GenStats } {
  const random = rng(o.seed ?? 1);
  const sub = o.subscriptionId ?? BENCH_SUB;
  const rgName = o.resourceGroup ?? "bench-rg";
  const loc = o.location ?? "westeurope";
  const pre = o.prefix ?? "";
  const rgPath = `/subscriptions/${sub}/resourceGroups/${rgName}`;
  const net = (type: string, name: string) => `${rgPath}/providers/Microsoft.Network/${type}/${pre}${name}`;
  const cmp = (type: string, name: string) => `${rgPath}/providers/Microsoft.Compute/${type}/${pre}${name}`;
  const n = (name: string) => `${pre}${name}`;

  const nicCount = Math.max(1, Math.floor(o.nics));
  const nicsPerLb = Math.max(1, o.nicsPerLb ?? 40);
  const lbCount = Math.max(1, Math.ceil(nicCount / nicsPerLb));
  const nsgCount = Math.max(2, Math.min(500, o.nsgs ?? Math.ceil(nicCount / 100)));
  const rulesPerNsg = Math.max(2, o.rulesPerNsg ?? 20);
  const nicsPerSubnet = 200;
  const subnetCount = Math.max(1, Math.ceil(nicCount / nicsPerSubnet));
  const subnetsPerVnet = 64;
  const vnetCount = Math.ceil(subnetCount / subnetsPerVnet);

  const resources: ArmResource[] = [];
  const ruleHealth: Record<string, RuleHealthBody> = {};
  const effective: Record<string, EffectiveNsgBody> = {};

  // ---- ASGs (two, referenced by some rules and some NICs)
  const asgIds = [net("applicationSecurityGroups", "asg-web"), net("applicationSecurityGroups", "asg-admin")];
  for (const id of asgIds) {
    resources.push({
      name: id.split("/").pop() as string,
      id,
      etag: 'W/"1"',
      type: "Microsoft.Network/applicationSecurityGroups",
      location: loc,
      properties: { provisioningState: "Succeeded", resourceGuid: guid(resources.length, 7) },
    });
  }

  // ---- NSGs
  const nsgRules: RuleSpec[][] = [];
  const nsgIds: string[] = [];
  for (let k = 0; k < nsgCount; k++) {
    const id = net("networkSecurityGroups", `nsg-${k}`);
    nsgIds.push(id);
    const rules: RuleSpec[] = [];
    const brokenProbe = k % 25 === 24;
    if (brokenProbe) {
      rules.push({
        name: "deny-lb-probe",
        priority: 100,
        direction: "Inbound",
        access: "Deny",
        protocol: "Tcp",
        source: "AzureLoadBalancer",
        destination: "*",
        ports: "80",
      });
    }
    // filler rules that the probe and data flows must walk past (they do not match them)
    const filler = rulesPerNsg - rules.length - 2;
    for (let j = 0; j < filler; j++) {
      const kind = j % 8;
      const port = 1000 + ((j * 37 + k) % 60000);
      const pri = 110 + j * 10;
      const octet = (j * 7 + k) % 250;
      let r: RuleSpec;
      switch (kind) {
        case 0:
          r = { name: `allow-app-${j}`, priority: pri, direction: "Inbound", access: "Allow", protocol: "Tcp", source: "VirtualNetwork", destination: "*", ports: String(port) };
          break;
        case 1:
          r = { name: `deny-range-${j}`, priority: pri, direction: "Inbound", access: "Deny", protocol: "*", source: `198.51.${octet}.0/24`, destination: "*", ports: `${port}-${port + 9}` };
          break;
        case 2:
          r = { name: `allow-partners-${j}`, priority: pri, direction: "Inbound", access: "Allow", protocol: "Tcp", source: [`203.0.${octet}.0/28`, `192.0.2.${octet}`], destination: "*", ports: [String(port), String(port + 1)] };
          break;
        case 3:
          r = { name: `allow-udp-${j}`, priority: pri, direction: "Inbound", access: "Allow", protocol: "Udp", source: "*", destination: "*", ports: String(port) };
          break;
        case 4:
          r = { name: `allow-admin-asg-${j}`, priority: pri, direction: "Inbound", access: "Allow", protocol: "Tcp", source: "", sourceAsgs: [asgIds[1] as string], destination: "*", ports: "22" };
          break;
        case 5:
          r = { name: `deny-out-${j}`, priority: pri, direction: "Outbound", access: "Deny", protocol: "Tcp", source: "*", destination: `198.18.${octet}.0/24`, ports: String(port) };
          break;
        case 6:
          r = { name: `allow-storage-${j}`, priority: pri, direction: "Inbound", access: "Allow", protocol: "Tcp", source: `10.${200 + (octet % 50)}.0.0/16`, destination: "*", ports: String(port) };
          break;
        default:
          r = { name: `deny-icmp-${j}`, priority: pri, direction: "Inbound", access: "Deny", protocol: "Icmp", source: "*", destination: "*", ports: "*" };
      }
      rules.push(r);
    }
    const last = 110 + filler * 10;
    rules.push({ name: "allow-http", priority: last, direction: "Inbound", access: "Allow", protocol: "Tcp", source: "Internet", destination: "*", ports: ["80", "443"] });
    rules.push({ name: "allow-lb-probe", priority: last + 10, direction: "Inbound", access: "Allow", protocol: "Tcp", source: "AzureLoadBalancer", destination: "*", ports: ["80", "443"] });
    nsgRules.push(rules);
    resources.push({
      name: n(`nsg-${k}`),
      id,
      etag: `W/"${k}"`,
      type: "Microsoft.Network/networkSecurityGroups",
      location: loc,
      properties: {
        provisioningState: "Succeeded",
        resourceGuid: guid(k, 11),
        securityRules: rules.map((r) => ruleWire(id, r, "securityRules")),
        defaultSecurityRules: DEFAULTS.map(([name, priority, direction, access, source, destination, description]) =>
          ruleWire(id, { name, priority, direction, access, protocol: "*", source, destination, ports: "*" }, "defaultSecurityRules", description),
        ),
      },
    });
  }
  const defaultSpecs: RuleSpec[] = DEFAULTS.map(([name, priority, direction, access, source, destination]) => ({
    name,
    priority,
    direction,
    access,
    protocol: "*",
    source,
    destination,
    ports: "*",
  }));

  // ---- route tables (every 4th subnet), an NVA hop on every other one
  const rtCount = Math.ceil(subnetCount / 4);
  const rtIds: string[] = [];
  for (let t = 0; t < rtCount; t++) {
    const id = net("routeTables", `rt-${t}`);
    rtIds.push(id);
    const routes = [
      { name: "to-onprem", addressPrefix: "172.16.0.0/12", nextHopType: "VirtualNetworkGateway" },
      ...(t % 2 === 0 ? [{ name: "default-via-nva", addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: "10.250.0.4" }] : []),
      { name: "blackhole", addressPrefix: `192.0.2.${t % 250}/32`, nextHopType: "None" },
    ];
    resources.push({
      name: n(`rt-${t}`),
      id,
      etag: `W/"${t}"`,
      type: "Microsoft.Network/routeTables",
      location: loc,
      properties: {
        provisioningState: "Succeeded",
        disableBgpRoutePropagation: false,
        routes: routes.map((r) => ({
          name: r.name,
          id: `${id}/routes/${r.name}`,
          etag: 'W/"1"',
          type: "Microsoft.Network/routeTables/routes",
          properties: {
            provisioningState: "Succeeded",
            addressPrefix: r.addressPrefix,
            nextHopType: r.nextHopType,
            ...(r.nextHopIpAddress ? { nextHopIpAddress: r.nextHopIpAddress } : {}),
          },
        })),
      },
    });
  }

  // ---- VNets and subnets
  const subnetIds: string[] = [];
  const subnetNsg: number[] = [];
  const vnetOfSubnet: number[] = [];
  for (let v = 0; v < vnetCount; v++) {
    const id = net("virtualNetworks", `vnet-${v}`);
    const subnets: unknown[] = [];
    for (let s = 0; s < subnetsPerVnet; s++) {
      const idx = v * subnetsPerVnet + s;
      if (idx >= subnetCount) break;
      const sid = `${id}/subnets/snet-${s}`;
      subnetIds.push(sid);
      const nsgIdx = idx % nsgCount;
      subnetNsg.push(nsgIdx);
      vnetOfSubnet.push(v);
      subnets.push({
        name: `snet-${s}`,
        id: sid,
        etag: `W/"${s}"`,
        type: "Microsoft.Network/virtualNetworks/subnets",
        properties: {
          provisioningState: "Succeeded",
          addressPrefix: `10.${v}.${s}.0/24`,
          networkSecurityGroup: { id: nsgIds[nsgIdx] },
          ...(idx % 4 === 0 && rtIds[idx / 4] ? { routeTable: { id: rtIds[idx / 4] } } : {}),
          ipConfigurations: [],
          privateEndpointNetworkPolicies: "Disabled",
          privateLinkServiceNetworkPolicies: "Enabled",
        },
      });
    }
    resources.push({
      name: n(`vnet-${v}`),
      id,
      etag: `W/"${v}"`,
      type: "Microsoft.Network/virtualNetworks",
      location: loc,
      properties: {
        provisioningState: "Succeeded",
        resourceGuid: guid(v, 13),
        addressSpace: { addressPrefixes: [`10.${v}.0.0/16`] },
        subnets,
        virtualNetworkPeerings: [],
        enableDdosProtection: false,
      },
    });
  }

  // ---- load balancers (members filled in below)
  interface LbInfo {
    id: string;
    pool: { id: string; members: string[] };
    rules: Array<{ id: string; probe: string }>;
    natId: string;
    vmss?: string;
    emptyPool: boolean;
  }
  const lbs: LbInfo[] = [];
  const lbResources: ArmResource[] = [];
  for (let b = 0; b < lbCount; b++) {
    const name = n(`lb-${b}`);
    const id = net("loadBalancers", `lb-${b}`);
    const isPublic = b % 2 === 0;
    const feId = `${id}/frontendIPConfigurations/fe`;
    const poolId = `${id}/backendAddressPools/pool`;
    const httpProbe = `${id}/probes/probe-http`;
    const tcpProbe = `${id}/probes/probe-tcp`;
    const wrongPort = b % 17 === 16;
    const info: LbInfo = {
      id,
      pool: { id: poolId, members: [] },
      rules: [
        { id: `${id}/loadBalancingRules/rule-http`, probe: httpProbe },
        { id: `${id}/loadBalancingRules/rule-https`, probe: tcpProbe },
      ],
      natId: `${id}/inboundNatRules/nat-ssh`,
      emptyPool: b % 40 === 39,
      ...(b % 5 === 4 && o.scaleSets !== false ? { vmss: cmp("virtualMachineScaleSets", `vmss-${b}`) } : {}),
    };
    lbs.push(info);
    if (isPublic) {
      resources.push({
        name: n(`pip-lb-${b}`),
        id: net("publicIPAddresses", `pip-lb-${b}`),
        etag: 'W/"1"',
        type: "Microsoft.Network/publicIPAddresses",
        location: loc,
        sku: { name: "Standard", tier: "Regional" },
        properties: {
          provisioningState: "Succeeded",
          resourceGuid: guid(b, 17),
          ipAddress: `20.${50 + ((b >> 16) & 0x7f)}.${(b >> 8) & 0xff}.${b & 0xff}`,
          publicIPAddressVersion: "IPv4",
          publicIPAllocationMethod: "Static",
          idleTimeoutInMinutes: 4,
          ipTags: [],
        },
      });
    }
    const subnetForFe = subnetIds[b % subnetCount] as string;
    const lb: ArmResource = {
      name,
      id,
      etag: `W/"${b}"`,
      type: "Microsoft.Network/loadBalancers",
      location: loc,
      sku: { name: "Standard", tier: "Regional" },
      properties: {
        provisioningState: "Succeeded",
        resourceGuid: guid(b, 19),
        frontendIPConfigurations: [
          {
            name: "fe",
            id: feId,
            etag: 'W/"1"',
            type: "Microsoft.Network/loadBalancers/frontendIPConfigurations",
            properties: isPublic
              ? { provisioningState: "Succeeded", privateIPAllocationMethod: "Dynamic", publicIPAddress: { id: net("publicIPAddresses", `pip-lb-${b}`) } }
              : {
                  provisioningState: "Succeeded",
                  privateIPAddress: subnetForFe.replace(/^.*vnet-(\d+)\/subnets\/snet-(\d+)$/, "10.$1.$2.250"),
                  privateIPAllocationMethod: "Static",
                  subnet: { id: subnetForFe },
                },
          },
        ],
        backendAddressPools: [
          {
            name: "pool",
            id: poolId,
            etag: 'W/"1"',
            type: "Microsoft.Network/loadBalancers/backendAddressPools",
            properties: { provisioningState: "Succeeded", backendIPConfigurations: [], loadBalancerBackendAddresses: [] },
          },
        ],
        probes: [
          {
            name: "probe-http",
            id: httpProbe,
            etag: 'W/"1"',
            type: "Microsoft.Network/loadBalancers/probes",
            properties: { provisioningState: "Succeeded", protocol: "Http", port: wrongPort ? 8080 : 80, requestPath: "/healthz", intervalInSeconds: 5, numberOfProbes: 1, probeThreshold: 1 },
          },
          {
            name: "probe-tcp",
            id: tcpProbe,
            etag: 'W/"1"',
            type: "Microsoft.Network/loadBalancers/probes",
            properties: { provisioningState: "Succeeded", protocol: "Tcp", port: 443, intervalInSeconds: 5, numberOfProbes: 1, probeThreshold: 1 },
          },
        ],
        loadBalancingRules: [
          ["rule-http", 80, httpProbe],
          ["rule-https", 443, tcpProbe],
        ].map(([rn, port, probe]) => ({
          name: rn,
          id: `${id}/loadBalancingRules/${rn}`,
          etag: 'W/"1"',
          type: "Microsoft.Network/loadBalancers/loadBalancingRules",
          properties: {
            provisioningState: "Succeeded",
            frontendIPConfiguration: { id: feId },
            backendAddressPool: { id: poolId },
            probe: { id: probe },
            protocol: "Tcp",
            frontendPort: port,
            backendPort: port,
            loadDistribution: "Default",
            enableFloatingIP: false,
            idleTimeoutInMinutes: 4,
            disableOutboundSnat: false,
          },
        })),
        inboundNatRules: [
          {
            name: "nat-ssh",
            id: info.natId,
            etag: 'W/"1"',
            type: "Microsoft.Network/loadBalancers/inboundNatRules",
            properties: { provisioningState: "Succeeded", frontendIPConfiguration: { id: feId }, frontendPort: 50001, backendPort: 22, protocol: "Tcp", enableFloatingIP: false },
          },
        ],
        outboundRules: [],
      },
    };
    lbResources.push(lb);
    if (info.vmss) {
      resources.push({
        name: n(`vmss-${b}`),
        id: info.vmss,
        type: "Microsoft.Compute/virtualMachineScaleSets",
        location: loc,
        sku: { name: "Standard_DS1_v2", tier: "Standard", capacity: nicsPerLb },
        properties: { provisioningState: "Succeeded", orchestrationMode: "Uniform", upgradePolicy: { mode: "Manual" }, uniqueId: guid(b, 23) },
      });
    }
  }

  // ---- availability sets: one per VM-backed LB
  const avsetIds = new Map<number, string>();
  const avsetVms = new Map<number, Array<{ id: string }>>();
  for (let b = 0; b < lbCount; b++) {
    if (lbs[b]?.vmss) continue;
    const id = cmp("availabilitySets", `avset-${b}`);
    avsetIds.set(b, id);
    const vms: Array<{ id: string }> = [];
    avsetVms.set(b, vms);
    resources.push({
      name: n(`avset-${b}`),
      id,
      type: "Microsoft.Compute/availabilitySets",
      location: loc,
      sku: { name: "Aligned" },
      properties: { platformUpdateDomainCount: 5, platformFaultDomainCount: 2, virtualMachines: vms },
    });
  }

  // ---- NICs, VMs, scale-set instances
  let vms = 0;
  let instances = 0;
  let deallocated = 0;
  let effectiveNsgNics = 0;
  const natDone = new Set<number>();
  const dangling = Math.max(0, Math.floor(o.danglingAvailabilitySets ?? 0));
  const danglingEvery = dangling > 0 ? Math.max(1, Math.floor(nicCount / dangling)) : 0;
  let danglingDone = 0;
  const nsgEffective = (idx: number): RuleSpec[] => [...(nsgRules[idx] ?? []), ...defaultSpecs];
  // each pool member's NIC index and whether its VM is deallocated, for the rule health below
  const member = new Map<string, { i: number; deallocated: boolean }>();
  for (let i = 0; i < nicCount; i++) {
    const b = Math.min(lbCount - 1, Math.floor(i / nicsPerLb));
    const lb = lbs[b] as LbInfo;
    const sIdx = Math.floor(i / nicsPerSubnet);
    const subnetId = subnetIds[sIdx] as string;
    const v = vnetOfSubnet[sIdx] as number;
    const s = sIdx % subnetsPerVnet;
    const ip = `10.${v}.${s}.${4 + (i % nicsPerSubnet)}`;
    const nicNsg = i % 10 === 9 ? (i * 7) % nsgCount : undefined;
    const inPool = !lb.emptyPool;
    const power = random() < 0.04 ? "deallocated" : "running";
    let nicId: string;
    let vmId: string;
    const vmName = n(`vm-${i}`);
    if (lb.vmss) {
      const inst = i % nicsPerLb;
      vmId = `${lb.vmss}/virtualMachines/${inst}`;
      nicId = `${vmId}/networkInterfaces/${n(`vmss-${b}-nic`)}`;
      instances++;
    } else {
      vmId = cmp("virtualMachines", `vm-${i}`);
      nicId = net("networkInterfaces", `vm-${i}-nic`);
      vms++;
    }
    const ipcId = `${nicId}/ipConfigurations/ipconfig1`;
    let missingAvset: string | undefined;
    if (!lb.vmss && danglingDone < dangling && i % danglingEvery === 0) {
      missingAvset = cmp("availabilitySets", `avset-gone-${danglingDone}`);
      danglingDone++;
    }
    const natHere = !lb.vmss && !natDone.has(b);
    if (natHere) natDone.add(b);
    const nic: ArmResource = {
      name: lb.vmss ? n(`vmss-${b}-nic`) : n(`vm-${i}-nic`),
      id: nicId,
      etag: `W/"${i}"`,
      type: "Microsoft.Network/networkInterfaces",
      location: loc,
      properties: {
        provisioningState: "Succeeded",
        resourceGuid: guid(i, 29),
        ipConfigurations: [
          {
            name: "ipconfig1",
            id: ipcId,
            etag: 'W/"1"',
            type: "Microsoft.Network/networkInterfaces/ipConfigurations",
            properties: {
              provisioningState: "Succeeded",
              privateIPAddress: ip,
              privateIPAllocationMethod: "Dynamic",
              privateIPAddressVersion: "IPv4",
              subnet: { id: subnetId },
              primary: true,
              loadBalancerBackendAddressPools: inPool ? [{ id: lb.pool.id }] : [],
              loadBalancerInboundNatRules: natHere ? [{ id: lb.natId }] : [],
              ...(i % 3 === 0 ? { applicationSecurityGroups: [{ id: asgIds[0] }] } : {}),
            },
          },
        ],
        dnsSettings: { dnsServers: [], appliedDnsServers: [] },
        enableAcceleratedNetworking: false,
        enableIPForwarding: false,
        ...(nicNsg !== undefined ? { networkSecurityGroup: { id: nsgIds[nicNsg] } } : {}),
        ...(lb.vmss ? {} : { virtualMachine: { id: vmId } }),
        primary: true,
        nicType: "Standard",
      },
    };
    resources.push(nic);
    if (inPool) lb.pool.members.push(ipcId);
    if (natHere) {
      const natRule = ((lbResources[b]?.properties?.inboundNatRules as unknown[])?.[0] ?? {}) as { properties: Record<string, unknown> };
      natRule.properties.backendIPConfiguration = { id: ipcId };
    }
    if (power === "deallocated") deallocated++;
    member.set(ipcId, { i, deallocated: power === "deallocated" });
    const statuses = [
      { code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded" },
      { code: `PowerState/${power}`, level: "Info", displayStatus: `VM ${power}` },
    ];
    resources.push({
      name: lb.vmss ? `${n(`vmss-${b}`)}_${i % nicsPerLb}` : vmName,
      id: vmId,
      ...(lb.vmss ? { instanceId: String(i % nicsPerLb) } : {}),
      type: lb.vmss ? "Microsoft.Compute/virtualMachineScaleSets/virtualMachines" : "Microsoft.Compute/virtualMachines",
      location: loc,
      properties: {
        vmId: guid(i, 31),
        ...(lb.vmss ? { latestModelApplied: true } : {}),
        hardwareProfile: { vmSize: "Standard_DS1_v2" },
        storageProfile: {
          imageReference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
          osDisk: { osType: "Linux", name: `${vmName}-osdisk`, createOption: "FromImage", caching: "ReadWrite", managedDisk: { storageAccountType: "Premium_LRS" }, diskSizeGB: 30 },
          dataDisks: [],
        },
        networkProfile: { networkInterfaces: [{ id: nicId, properties: { primary: true } }] },
        ...(!lb.vmss && avsetIds.has(b) ? { availabilitySet: { id: missingAvset ?? avsetIds.get(b) } } : {}),
        provisioningState: "Succeeded",
        instanceView: { computerName: vmName, osName: "ubuntu", statuses },
      },
    });
    if (!lb.vmss && !missingAvset) avsetVms.get(b)?.push({ id: vmId });
    if (o.effectiveNsg && inPool && !lb.vmss && power === "running") {
      effectiveNsgNics++;
      const value: EffectiveNsgBody["value"] = [
        {
          networkSecurityGroup: { id: nsgIds[subnetNsg[sIdx] as number] as string },
          association: { subnet: { id: subnetId } },
          effectiveSecurityRules: nsgEffective(subnetNsg[sIdx] as number).map((r) =>
            effectiveRule(r.priority >= 65000 ? "defaultSecurityRules" : "securityRules", r),
          ) as EffectiveNsgBody["value"][number]["effectiveSecurityRules"],
        },
      ];
      if (nicNsg !== undefined) {
        value.push({
          networkSecurityGroup: { id: nsgIds[nicNsg] as string },
          association: { networkInterface: { id: nicId } },
          effectiveSecurityRules: nsgEffective(nicNsg).map((r) =>
            effectiveRule(r.priority >= 65000 ? "defaultSecurityRules" : "securityRules", r),
          ) as EffectiveNsgBody["value"][number]["effectiveSecurityRules"],
        });
      }
      effective[nicId] = { value };
    }
  }

  // ---- pools from the LB side, and rule health
  let lbRules = 0;
  for (let b = 0; b < lbCount; b++) {
    const lb = lbs[b] as LbInfo;
    const res = lbResources[b] as ArmResource;
    const pool = (res.properties?.backendAddressPools as Array<{ properties: { backendIPConfigurations: Array<{ id: string }> } }>)[0];
    if (pool) pool.properties.backendIPConfigurations = lb.pool.members.map((id) => ({ id }));
    const wrongPort = b % 17 === 16;
    for (const rule of lb.rules) {
      lbRules++;
      const addrs = lb.pool.members.map((ipcId) => {
        const { i, deallocated: off } = member.get(ipcId) ?? { i: 0, deallocated: false };
        const http = rule.probe.endsWith("probe-http");
        // a deallocated VM answers no probe
        const down = off || wrongPort || (nsgIds.length > 0 && (subnetNsg[Math.floor(i / nicsPerSubnet)] ?? 0) % 25 === 24 && http);
        return {
          networkInterfaceIPConfigurationId: ipcId,
          state: down ? "Down" : "Up",
          reason: down ? (http ? "Down_Probe_HttpEndpointUnreachable" : "Down_Probe_TcpProbeTimeout") : "Up_Probe_Success",
        };
      });
      ruleHealth[rule.id] = {
        up: addrs.filter((a) => a.state === "Up").length,
        down: addrs.filter((a) => a.state === "Down").length,
        loadBalancerBackendAddresses: addrs,
      };
    }
  }
  resources.push(...lbResources);

  const snapshot: AzureSnapshot = {
    schema: "lbdoctor.snapshot/v1",
    provider: "azure",
    collectedAt: "2026-11-20T10:00:00Z",
    tool: { name: "lbdoctor-bench", version: "1" },
    description: `synthetic: ${nicCount} NICs, ${lbCount} LBs, ${nsgCount} NSGs × ${rulesPerNsg} rules (seed ${o.seed ?? 1})`,
    scope: { subscriptionId: sub, resourceGroup: rgName },
    resources,
    observations: { ruleHealth, effectiveNetworkSecurityGroups: effective, guest: {} },
    gaps: [],
  };
  return {
    snapshot,
    stats: {
      nics: nicCount,
      vms,
      vmssInstances: instances,
      loadBalancers: lbCount,
      lbRules,
      nsgs: nsgCount,
      rulesPerNsg,
      subnets: subnetCount,
      routeTables: rtCount,
      resources: resources.length,
      deallocated,
      effectiveNsgNics,
    },
  };
}

/**
 * A tenant: `subscriptions` subscriptions, each with `lbsPerSubscription` LBs
 * spread over `rgsPerSubscription` resource groups (NICs per LB small). One
 * snapshot per resource group, so the ARM emulator serves them all.
 */
export function tenant(o: {
  subscriptions: number;
  lbsPerSubscription: number;
  rgsPerSubscription?: number;
  nicsPerLb?: number;
  seed?: number;
}): { snapshots: AzureSnapshot[]; subscriptionIds: string[]; resourceGroups: Array<{ subscriptionId: string; resourceGroup: string }>; loadBalancers: number } {
  const rgs = Math.max(1, o.rgsPerSubscription ?? 2);
  const nicsPerLb = o.nicsPerLb ?? 4;
  const snapshots: AzureSnapshot[] = [];
  const subscriptionIds: string[] = [];
  const resourceGroups: Array<{ subscriptionId: string; resourceGroup: string }> = [];
  let loadBalancers = 0;
  for (let s = 0; s < o.subscriptions; s++) {
    const sub = `00000000-0000-4000-a000-${s.toString(16).padStart(12, "0")}`;
    subscriptionIds.push(sub);
    for (let g = 0; g < rgs; g++) {
      const lbsHere = Math.floor(o.lbsPerSubscription / rgs) + (g < o.lbsPerSubscription % rgs ? 1 : 0);
      if (lbsHere === 0) continue;
      const resourceGroup = `app-${g}-rg`;
      const { snapshot, stats } = generate({
        seed: (o.seed ?? 1) * 1000 + s * 10 + g,
        nics: lbsHere * nicsPerLb,
        nicsPerLb,
        nsgs: 2,
        rulesPerNsg: 6,
        subscriptionId: sub,
        resourceGroup,
      });
      loadBalancers += stats.loadBalancers;
      snapshots.push(snapshot);
      resourceGroups.push({ subscriptionId: sub, resourceGroup });
    }
  }
  return { snapshots, subscriptionIds, resourceGroups, loadBalancers };
}
