/**
 * Builds Azure snapshots in ARM wire format (the JSON the REST API returns,
 * modelled on the examples in Azure/azure-rest-api-specs), for rule case
 * tables and the bundled fixtures.
 *
 *   const snap = healthyWeb()                       // the reference architecture
 *     .nsgRule("nsg-web", { name: "deny-probe", priority: 100, access: "Deny", source: "AzureLoadBalancer", ports: "80" })
 *     .build();
 *
 * Names are short (`vm1`, `lb-web/pool-web`); the builder turns them into ids.
 */
import type { Gap, GuestObservation } from "../../src/core/snapshot/types.ts";
import type { ArmResource, AzureSnapshot, EffectiveNsgBody, RuleHealthBody } from "../../src/providers/azure/wire-types.ts";

export const SUB = "00000000-0000-0000-0000-0000000000aa";
export const RG = "ra-multi-vm-rg";
export const LOCATION = "westeurope";

/** A deterministic GUID from a seed, so generated fixtures are stable. */
function guid(seed: string): string {
  let hex = "";
  for (let round = 0; hex.length < 32; round++) {
    let h = 2166136261 ^ round;
    for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    hex += h.toString(16).padStart(8, "0");
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function rgId(rg = RG, sub = SUB): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}`;
}
export function netId(type: string, name: string, rg = RG): string {
  return `${rgId(rg)}/providers/Microsoft.Network/${type}/${name}`;
}
export function computeId(type: string, name: string, rg = RG): string {
  return `${rgId(rg)}/providers/Microsoft.Compute/${type}/${name}`;
}
/** The properties envelope of a wire resource, created when absent. */
export const P = (r: ArmResource): Record<string, unknown> => (r.properties ??= {});
const etag = (s: string) => `W/"${guid(s)}"`;

export interface SecurityRuleSpec {
  name: string;
  priority: number;
  direction?: "Inbound" | "Outbound";
  access?: "Allow" | "Deny";
  protocol?: "Tcp" | "Udp" | "Icmp" | "Esp" | "Ah" | "*";
  /** one prefix, or several (written to the plural field) */
  source?: string | string[];
  destination?: string | string[];
  /** destination port(s): "80", "1000-2000", "*", or several (plural field) */
  ports?: string | string[];
  sourcePorts?: string | string[];
  sourceAsgs?: string[];
  destinationAsgs?: string[];
  description?: string;
}

export function securityRuleWire(nsgId: string, r: SecurityRuleSpec): Record<string, unknown> {
  const props: Record<string, unknown> = {
    provisioningState: "Succeeded",
    protocol: r.protocol ?? "Tcp",
    access: r.access ?? "Allow",
    priority: r.priority,
    direction: r.direction ?? "Inbound",
  };
  if (r.description) props.description = r.description;
  const put = (single: string, plural: string, v: string | string[] | undefined, dflt: string) => {
    if (Array.isArray(v)) {
      props[single] = undefined;
      props[plural] = v;
    } else {
      props[single] = v ?? dflt;
      props[plural] = [];
    }
  };
  put("sourcePortRange", "sourcePortRanges", r.sourcePorts, "*");
  put("destinationPortRange", "destinationPortRanges", r.ports, "*");
  if (r.sourceAsgs) {
    props.sourceApplicationSecurityGroups = r.sourceAsgs.map((a) => ({ id: netId("applicationSecurityGroups", a) }));
  } else put("sourceAddressPrefix", "sourceAddressPrefixes", r.source, "*");
  if (r.destinationAsgs) {
    props.destinationApplicationSecurityGroups = r.destinationAsgs.map((a) => ({ id: netId("applicationSecurityGroups", a) }));
  } else put("destinationAddressPrefix", "destinationAddressPrefixes", r.destination, "*");
  for (const k of Object.keys(props)) if (props[k] === undefined) delete props[k];
  return {
    name: r.name,
    id: `${nsgId}/securityRules/${r.name}`,
    etag: etag(r.name),
    type: "Microsoft.Network/networkSecurityGroups/securityRules",
    properties: props,
  };
}

const DEFAULTS: SecurityRuleSpec[] = [
  {
    name: "AllowVnetInBound",
    priority: 65000,
    direction: "Inbound",
    access: "Allow",
    protocol: "*",
    source: "VirtualNetwork",
    destination: "VirtualNetwork",
    description: "Allow inbound traffic from all VMs in VNET",
  },
  {
    name: "AllowAzureLoadBalancerInBound",
    priority: 65001,
    direction: "Inbound",
    access: "Allow",
    protocol: "*",
    source: "AzureLoadBalancer",
    destination: "*",
    description: "Allow inbound traffic from azure load balancer",
  },
  {
    name: "DenyAllInBound",
    priority: 65500,
    direction: "Inbound",
    access: "Deny",
    protocol: "*",
    source: "*",
    destination: "*",
    description: "Deny all inbound traffic",
  },
  {
    name: "AllowVnetOutBound",
    priority: 65000,
    direction: "Outbound",
    access: "Allow",
    protocol: "*",
    source: "VirtualNetwork",
    destination: "VirtualNetwork",
    description: "Allow outbound traffic from all VMs to all VMs in VNET",
  },
  {
    name: "AllowInternetOutBound",
    priority: 65001,
    direction: "Outbound",
    access: "Allow",
    protocol: "*",
    source: "*",
    destination: "Internet",
    description: "Allow outbound traffic from all VMs to Internet",
  },
  {
    name: "DenyAllOutBound",
    priority: 65500,
    direction: "Outbound",
    access: "Deny",
    protocol: "*",
    source: "*",
    destination: "*",
    description: "Deny all outbound traffic",
  },
];

export interface FrontendSpec {
  name: string;
  publicIp?: string;
  /** "vnet/subnet" for an internal frontend */
  subnet?: string;
  privateIp?: string;
}
export interface ProbeSpec {
  name: string;
  protocol: "Tcp" | "Http" | "Https";
  port: number;
  path?: string;
}
export interface LbRuleSpec {
  name: string;
  frontend: string;
  pool: string;
  probe?: string;
  protocol?: "Tcp" | "Udp" | "All";
  frontendPort: number;
  backendPort?: number;
  loadDistribution?: "Default" | "SourceIP" | "SourceIPProtocol";
  enableFloatingIP?: boolean;
}
export interface NatRuleSpec {
  name: string;
  frontend: string;
  frontendPort: number;
  backendPort: number;
  protocol?: "Tcp" | "Udp";
  /** "vm/nicName" or a vm name: the vm's primary NIC */
  target?: string;
}
export interface LbSpec {
  sku?: "Standard" | "Basic" | "Gateway";
  frontends: FrontendSpec[];
  pools: string[];
  probes?: ProbeSpec[];
  rules?: LbRuleSpec[];
  natRules?: NatRuleSpec[];
  /** IP-based pool members: pool → [{ name, ip, vnet }] */
  ipMembers?: Record<string, Array<{ name: string; ip: string; vnet: string }>>;
}
export interface NicSpec {
  name?: string;
  /** "vnet/subnet" */
  subnet: string;
  ip: string;
  /** "lb/pool" */
  pools?: string[];
  nsg?: string;
  publicIp?: string;
  asgs?: string[];
  enableIPForwarding?: boolean;
  /** extra ip configurations beyond the primary */
  secondary?: Array<{ name: string; ip: string; pools?: string[] }>;
}
export interface VmSpec extends NicSpec {
  availabilitySet?: string;
  zones?: string[];
  power?: "running" | "deallocated" | "stopped" | null;
  /** extra NICs (dual-NIC VMs) */
  extraNics?: NicSpec[];
  osType?: "Linux" | "Windows";
  vmss?: { name: string; instanceId: string };
}

export class AzureScenario {
  private resources = new Map<string, ArmResource>();
  private order: string[] = [];
  private ruleHealthBodies: Record<string, RuleHealthBody> = {};
  private effective: Record<string, EffectiveNsgBody> = {};
  private guestObs: Record<string, GuestObservation> = {};
  private gapList: Gap[] = [];
  private pendingPools: Array<{ ipcId: string; pool: string }> = [];
  private pendingNat: Array<{ nat: string; lb: string; target: string }> = [];
  rg = RG;

  private put(r: ArmResource): this {
    const k = r.id.toLowerCase();
    if (!this.resources.has(k)) this.order.push(k);
    this.resources.set(k, r);
    return this;
  }
  get(id: string): ArmResource {
    const r = this.resources.get(id.toLowerCase());
    if (!r) throw new Error(`builder: no resource ${id}`);
    return r;
  }
  has(id: string): boolean {
    return this.resources.has(id.toLowerCase());
  }
  /** Removes a resource (to make a reference dangle, or to model a failed list). */
  remove(id: string): this {
    this.resources.delete(id.toLowerCase());
    this.order = this.order.filter((k) => k !== id.toLowerCase());
    return this;
  }

  vnet(
    name: string,
    space: string[],
    subnets: Array<{ name: string; prefix: string; nsg?: string; routeTable?: string }>,
    rg = this.rg,
  ): this {
    const id = netId("virtualNetworks", name, rg);
    return this.put({
      name,
      id,
      etag: etag(name),
      type: "Microsoft.Network/virtualNetworks",
      location: LOCATION,
      properties: {
        provisioningState: "Succeeded",
        resourceGuid: guid(name),
        addressSpace: { addressPrefixes: space },
        subnets: subnets.map((s) => ({
          name: s.name,
          id: `${id}/subnets/${s.name}`,
          etag: etag(s.name),
          type: "Microsoft.Network/virtualNetworks/subnets",
          properties: {
            provisioningState: "Succeeded",
            addressPrefix: s.prefix,
            ...(s.nsg ? { networkSecurityGroup: { id: netId("networkSecurityGroups", s.nsg, rg) } } : {}),
            ...(s.routeTable ? { routeTable: { id: netId("routeTables", s.routeTable, rg) } } : {}),
            ipConfigurations: [],
            privateEndpointNetworkPolicies: "Disabled",
            privateLinkServiceNetworkPolicies: "Enabled",
          },
        })),
        virtualNetworkPeerings: [],
        enableDdosProtection: false,
      },
    });
  }

  /** Sets or clears the NSG on a subnet ("vnet/subnet"). */
  subnetNsg(subnet: string, nsg: string | null): this {
    const [v, s] = subnet.split("/") as [string, string];
    const vnet = this.get(netId("virtualNetworks", v, this.rg));
    const sub = (P(vnet).subnets as Array<{ name: string; properties: Record<string, unknown> }>).find((x) => x.name === s);
    if (!sub) throw new Error(`builder: no subnet ${subnet}`);
    if (nsg) sub.properties.networkSecurityGroup = { id: netId("networkSecurityGroups", nsg, this.rg) };
    else delete sub.properties.networkSecurityGroup;
    return this;
  }

  subnetRouteTable(subnet: string, routeTable: string | null): this {
    const [v, s] = subnet.split("/") as [string, string];
    const vnet = this.get(netId("virtualNetworks", v, this.rg));
    const sub = (P(vnet).subnets as Array<{ name: string; properties: Record<string, unknown> }>).find((x) => x.name === s);
    if (!sub) throw new Error(`builder: no subnet ${subnet}`);
    if (routeTable) sub.properties.routeTable = { id: netId("routeTables", routeTable, this.rg) };
    else delete sub.properties.routeTable;
    return this;
  }

  nsg(name: string, rules: SecurityRuleSpec[] = [], rg = this.rg): this {
    const id = netId("networkSecurityGroups", name, rg);
    return this.put({
      name,
      id,
      etag: etag(name),
      type: "Microsoft.Network/networkSecurityGroups",
      location: LOCATION,
      properties: {
        provisioningState: "Succeeded",
        resourceGuid: guid(name),
        securityRules: rules.map((r) => securityRuleWire(id, r)),
        defaultSecurityRules: DEFAULTS.map((r) => {
          const w = securityRuleWire(id, r);
          w.id = `${id}/defaultSecurityRules/${r.name}`;
          w.type = "Microsoft.Network/networkSecurityGroups/defaultSecurityRules";
          return w;
        }),
      },
    });
  }

  /** Adds (or replaces, by name) a custom rule on an existing NSG. */
  nsgRule(nsg: string, rule: SecurityRuleSpec): this {
    const r = this.get(netId("networkSecurityGroups", nsg, this.rg));
    const list = (P(r).securityRules as Array<{ name: string }>).filter((x) => x.name !== rule.name);
    list.push(securityRuleWire(r.id, rule) as { name: string });
    (r.properties as Record<string, unknown>).securityRules = list;
    return this;
  }

  removeNsgRule(nsg: string, ruleName: string): this {
    const r = this.get(netId("networkSecurityGroups", nsg, this.rg));
    (r.properties as Record<string, unknown>).securityRules = (P(r).securityRules as Array<{ name: string }>).filter(
      (x) => x.name !== ruleName,
    );
    return this;
  }

  asg(name: string): this {
    return this.put({
      name,
      id: netId("applicationSecurityGroups", name),
      etag: etag(name),
      type: "Microsoft.Network/applicationSecurityGroups",
      location: LOCATION,
      properties: { provisioningState: "Succeeded", resourceGuid: guid(name) },
    });
  }

  routeTable(name: string, routes: Array<{ name: string; prefix: string; nextHopType: string; nextHopIp?: string }>): this {
    const id = netId("routeTables", name);
    return this.put({
      name,
      id,
      etag: etag(name),
      type: "Microsoft.Network/routeTables",
      location: LOCATION,
      properties: {
        provisioningState: "Succeeded",
        disableBgpRoutePropagation: false,
        routes: routes.map((r) => ({
          name: r.name,
          id: `${id}/routes/${r.name}`,
          etag: etag(r.name),
          type: "Microsoft.Network/routeTables/routes",
          properties: {
            provisioningState: "Succeeded",
            addressPrefix: r.prefix,
            nextHopType: r.nextHopType,
            ...(r.nextHopIp ? { nextHopIpAddress: r.nextHopIp } : {}),
          },
        })),
      },
    });
  }

  publicIp(name: string, opts: { sku?: "Standard" | "Basic"; ip?: string; allocation?: "Static" | "Dynamic" } = {}): this {
    const sku = opts.sku ?? "Standard";
    return this.put({
      name,
      id: netId("publicIPAddresses", name),
      etag: etag(name),
      type: "Microsoft.Network/publicIPAddresses",
      location: LOCATION,
      sku: { name: sku, tier: "Regional" },
      properties: {
        provisioningState: "Succeeded",
        resourceGuid: guid(name),
        ...(opts.ip ? { ipAddress: opts.ip } : {}),
        publicIPAddressVersion: "IPv4",
        publicIPAllocationMethod: opts.allocation ?? (sku === "Standard" ? "Static" : "Dynamic"),
        idleTimeoutInMinutes: 4,
        ipTags: [],
      },
    });
  }

  availabilitySet(name: string): this {
    return this.put({
      name,
      id: computeId("availabilitySets", name),
      type: "Microsoft.Compute/availabilitySets",
      location: LOCATION,
      sku: { name: "Aligned" },
      properties: { platformUpdateDomainCount: 5, platformFaultDomainCount: 2, virtualMachines: [] },
    });
  }

  lb(name: string, spec: LbSpec): this {
    const id = netId("loadBalancers", name);
    const sub = (p: string) => `${id}/${p}`;
    const fe = (n: string) => ({ id: sub(`frontendIPConfigurations/${n}`) });
    this.put({
      name,
      id,
      etag: etag(name),
      type: "Microsoft.Network/loadBalancers",
      location: LOCATION,
      sku: { name: spec.sku ?? "Standard", tier: "Regional" },
      properties: {
        provisioningState: "Succeeded",
        resourceGuid: guid(name),
        frontendIPConfigurations: spec.frontends.map((f) => ({
          name: f.name,
          id: sub(`frontendIPConfigurations/${f.name}`),
          etag: etag(f.name),
          type: "Microsoft.Network/loadBalancers/frontendIPConfigurations",
          properties: {
            provisioningState: "Succeeded",
            ...(f.publicIp
              ? { publicIPAddress: { id: netId("publicIPAddresses", f.publicIp) } }
              : {
                  privateIPAddress: f.privateIp,
                  privateIPAllocationMethod: "Static",
                  privateIPAddressVersion: "IPv4",
                  subnet: {
                    id: `${netId("virtualNetworks", (f.subnet ?? "").split("/")[0] ?? "")}/subnets/${(f.subnet ?? "").split("/")[1]}`,
                  },
                }),
            loadBalancingRules: (spec.rules ?? [])
              .filter((r) => r.frontend === f.name)
              .map((r) => ({ id: sub(`loadBalancingRules/${r.name}`) })),
            inboundNatRules: (spec.natRules ?? [])
              .filter((r) => r.frontend === f.name)
              .map((r) => ({ id: sub(`inboundNatRules/${r.name}`) })),
          },
        })),
        backendAddressPools: spec.pools.map((p) => ({
          name: p,
          id: sub(`backendAddressPools/${p}`),
          etag: etag(p),
          type: "Microsoft.Network/loadBalancers/backendAddressPools",
          properties: {
            provisioningState: "Succeeded",
            backendIPConfigurations: [],
            loadBalancerBackendAddresses: (spec.ipMembers?.[p] ?? []).map((m) => ({
              name: m.name,
              properties: { ipAddress: m.ip, virtualNetwork: { id: netId("virtualNetworks", m.vnet) } },
            })),
            loadBalancingRules: (spec.rules ?? []).filter((r) => r.pool === p).map((r) => ({ id: sub(`loadBalancingRules/${r.name}`) })),
          },
        })),
        loadBalancingRules: (spec.rules ?? []).map((r) => ({
          name: r.name,
          id: sub(`loadBalancingRules/${r.name}`),
          etag: etag(r.name),
          type: "Microsoft.Network/loadBalancers/loadBalancingRules",
          properties: {
            provisioningState: "Succeeded",
            frontendIPConfiguration: fe(r.frontend),
            backendAddressPool: { id: sub(`backendAddressPools/${r.pool}`) },
            backendAddressPools: [{ id: sub(`backendAddressPools/${r.pool}`) }],
            ...(r.probe ? { probe: { id: sub(`probes/${r.probe}`) } } : {}),
            protocol: r.protocol ?? "Tcp",
            loadDistribution: r.loadDistribution ?? "Default",
            frontendPort: r.frontendPort,
            backendPort: r.backendPort ?? r.frontendPort,
            idleTimeoutInMinutes: 4,
            enableFloatingIP: r.enableFloatingIP ?? false,
            enableTcpReset: false,
            disableOutboundSnat: false,
          },
        })),
        probes: (spec.probes ?? []).map((p) => ({
          name: p.name,
          id: sub(`probes/${p.name}`),
          etag: etag(p.name),
          type: "Microsoft.Network/loadBalancers/probes",
          properties: {
            provisioningState: "Succeeded",
            protocol: p.protocol,
            port: p.port,
            ...(p.protocol === "Tcp" ? {} : { requestPath: p.path ?? "/" }),
            intervalInSeconds: 15,
            numberOfProbes: 2,
            probeThreshold: 1,
            loadBalancingRules: (spec.rules ?? [])
              .filter((r) => r.probe === p.name)
              .map((r) => ({ id: sub(`loadBalancingRules/${r.name}`) })),
          },
        })),
        inboundNatRules: (spec.natRules ?? []).map((n) => ({
          name: n.name,
          id: sub(`inboundNatRules/${n.name}`),
          etag: etag(n.name),
          type: "Microsoft.Network/loadBalancers/inboundNatRules",
          properties: {
            provisioningState: "Succeeded",
            frontendIPConfiguration: fe(n.frontend),
            frontendPort: n.frontendPort,
            backendPort: n.backendPort,
            protocol: n.protocol ?? "Tcp",
            idleTimeoutInMinutes: 4,
            enableFloatingIP: false,
            enableTcpReset: false,
          },
        })),
        inboundNatPools: [],
        outboundRules: [],
      },
    });
    for (const n of spec.natRules ?? []) if (n.target) this.pendingNat.push({ nat: n.name, lb: name, target: n.target });
    return this;
  }

  private nicWire(vmName: string | undefined, spec: NicSpec, vmId: string | undefined, nicIdOverride?: string): ArmResource {
    const name = spec.name ?? `${vmName}-nic`;
    const id = nicIdOverride ?? netId("networkInterfaces", name);
    const [v, s] = spec.subnet.split("/") as [string, string];
    const subnetId = `${netId("virtualNetworks", v)}/subnets/${s}`;
    const ipc = (n: string, ip: string, primary: boolean, pools: string[] | undefined, pip?: string) => {
      const ipcId = `${id}/ipConfigurations/${n}`;
      for (const p of pools ?? []) this.pendingPools.push({ ipcId, pool: p });
      return {
        name: n,
        id: ipcId,
        etag: etag(n),
        type: "Microsoft.Network/networkInterfaces/ipConfigurations",
        properties: {
          provisioningState: "Succeeded",
          privateIPAddress: ip,
          privateIPAllocationMethod: "Dynamic",
          privateIPAddressVersion: "IPv4",
          subnet: { id: subnetId },
          primary,
          ...(pip ? { publicIPAddress: { id: netId("publicIPAddresses", pip) } } : {}),
          loadBalancerBackendAddressPools: (pools ?? []).map((p) => {
            const [lb, pool] = p.split("/") as [string, string];
            return { id: `${netId("loadBalancers", lb)}/backendAddressPools/${pool}` };
          }),
          loadBalancerInboundNatRules: [],
          ...(spec.asgs && primary
            ? { applicationSecurityGroups: spec.asgs.map((a) => ({ id: netId("applicationSecurityGroups", a) })) }
            : {}),
        },
      };
    };
    return {
      name,
      id,
      etag: etag(name),
      type: "Microsoft.Network/networkInterfaces",
      location: LOCATION,
      properties: {
        provisioningState: "Succeeded",
        resourceGuid: guid(name),
        ipConfigurations: [
          ipc("ipconfig1", spec.ip, true, spec.pools, spec.publicIp),
          ...(spec.secondary ?? []).map((x) => ipc(x.name, x.ip, false, x.pools)),
        ],
        dnsSettings: { dnsServers: [], appliedDnsServers: [] },
        enableAcceleratedNetworking: false,
        enableIPForwarding: spec.enableIPForwarding ?? false,
        ...(spec.nsg ? { networkSecurityGroup: { id: netId("networkSecurityGroups", spec.nsg) } } : {}),
        ...(vmId ? { virtualMachine: { id: vmId } } : {}),
        primary: true,
        nicType: "Standard",
      },
    };
  }

  /** A NIC with no VM (e.g. an NVA NIC modelled alone). */
  nic(spec: NicSpec & { name: string }): this {
    return this.put(this.nicWire(undefined, spec, undefined));
  }

  vm(name: string, spec: VmSpec): this {
    const vmss = spec.vmss;
    const id = vmss
      ? `${computeId("virtualMachineScaleSets", vmss.name)}/virtualMachines/${vmss.instanceId}`
      : computeId("virtualMachines", name);
    const nicId = vmss ? `${id}/networkInterfaces/${spec.name ?? `${vmss.name}-nic`}` : undefined;
    const nic = this.nicWire(name, spec, vmss ? undefined : id, nicId);
    this.put(nic);
    const extra = (spec.extraNics ?? []).map((n, i) => this.nicWire(name, { ...n, name: n.name ?? `${name}-nic${i + 2}` }, id));
    for (const n of extra) this.put(n);
    const power = spec.power === undefined ? "running" : spec.power;
    const statuses: Array<Record<string, unknown>> = [
      { code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded" },
    ];
    if (power) statuses.push({ code: `PowerState/${power}`, level: "Info", displayStatus: `VM ${power}` });
    const os = spec.osType ?? "Linux";
    const vm: ArmResource = {
      name: vmss ? `${vmss.name}_${vmss.instanceId}` : name,
      id,
      ...(vmss ? { instanceId: vmss.instanceId } : {}),
      type: vmss ? "Microsoft.Compute/virtualMachineScaleSets/virtualMachines" : "Microsoft.Compute/virtualMachines",
      location: LOCATION,
      ...(spec.zones ? { zones: spec.zones } : {}),
      properties: {
        vmId: guid(name),
        ...(vmss ? { latestModelApplied: true } : {}),
        hardwareProfile: { vmSize: "Standard_DS1_v2" },
        storageProfile: {
          imageReference:
            os === "Linux"
              ? { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" }
              : { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2022-datacenter", version: "latest" },
          osDisk: {
            osType: os,
            name: `${name}-osdisk`,
            createOption: "FromImage",
            caching: "ReadWrite",
            managedDisk: { storageAccountType: "Premium_LRS" },
            diskSizeGB: 30,
          },
          dataDisks: [],
        },
        networkProfile: {
          networkInterfaces: [nic, ...extra].map((n, i) => ({ id: n.id, properties: { primary: i === 0 } })),
        },
        ...(spec.availabilitySet ? { availabilitySet: { id: computeId("availabilitySets", spec.availabilitySet) } } : {}),
        provisioningState: "Succeeded",
        instanceView: power === null ? {} : { computerName: name, osName: os === "Linux" ? "ubuntu" : "Windows Server 2022", statuses },
      },
    };
    this.put(vm);
    if (spec.availabilitySet && this.has(computeId("availabilitySets", spec.availabilitySet))) {
      const as = this.get(computeId("availabilitySets", spec.availabilitySet));
      (P(as).virtualMachines as Array<{ id: string }>).push({ id });
    }
    return this;
  }

  vmss(name: string): this {
    return this.put({
      name,
      id: computeId("virtualMachineScaleSets", name),
      type: "Microsoft.Compute/virtualMachineScaleSets",
      location: LOCATION,
      sku: { name: "Standard_DS1_v2", tier: "Standard", capacity: 2 },
      properties: { provisioningState: "Succeeded", orchestrationMode: "Uniform", upgradePolicy: { mode: "Manual" }, uniqueId: guid(name) },
    });
  }

  /** Sets a VM's power state (null: no instance view). */
  power(vm: string, state: "running" | "deallocated" | "stopped" | null): this {
    const r = this.get(computeId("virtualMachines", vm));
    const props = r.properties as Record<string, unknown>;
    props.instanceView =
      state === null
        ? {}
        : {
            computerName: vm,
            statuses: [
              { code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded" },
              { code: `PowerState/${state}`, level: "Info", displayStatus: `VM ${state}` },
            ],
          };
    return this;
  }

  /** Rule health body for an LB rule. States per VM name (its primary ipconfig). */
  ruleHealth(lb: string, rule: string, members: Array<{ vm: string; state: "Up" | "Down"; reason?: string; nic?: string }>): this {
    const ruleId = `${netId("loadBalancers", lb)}/loadBalancingRules/${rule}`;
    const addrs = members.map((m) => {
      const nicName = m.nic ?? `${m.vm}-nic`;
      const nic = this.get(netId("networkInterfaces", nicName));
      const ipc = (P(nic).ipConfigurations as Array<{ id: string; properties: { privateIPAddress: string } }>)[0];
      return {
        ipAddress: ipc?.properties.privateIPAddress,
        networkInterfaceIPConfigurationId: ipc?.id,
        state: m.state,
        reason: m.reason ?? (m.state === "Up" ? "Up_Probe_Success" : "Down_Probe_TcpProbeTimeout"),
      };
    });
    this.ruleHealthBodies[ruleId] = {
      up: addrs.filter((a) => a.state === "Up").length,
      down: addrs.filter((a) => a.state === "Down").length,
      loadBalancerBackendAddresses: addrs,
    };
    return this;
  }

  /** Effective NSG body for a NIC, built from the NSGs the builder holds (subnet and NIC), tags expanded as given. */
  effectiveNsg(nicName: string, body: EffectiveNsgBody): this {
    this.effective[netId("networkInterfaces", nicName)] = body;
    return this;
  }

  guest(vm: string, obs: GuestObservation): this {
    this.guestObs[computeId("virtualMachines", vm)] = obs;
    return this;
  }

  gap(g: Gap): this {
    this.gapList.push(g);
    return this;
  }

  /** Last-resort edit of the wire JSON of one resource. */
  edit(id: string, fn: (r: ArmResource) => void): this {
    fn(this.get(id));
    return this;
  }

  private resolvePending(): void {
    for (const { ipcId, pool } of this.pendingPools) {
      const [lb, p] = pool.split("/") as [string, string];
      const lbId = netId("loadBalancers", lb);
      if (!this.has(lbId)) continue;
      const pools = this.get(lbId).properties?.backendAddressPools as Array<{
        name: string;
        properties: { backendIPConfigurations: Array<{ id: string }> };
      }>;
      const target = pools.find((x) => x.name === p);
      if (target && !target.properties.backendIPConfigurations.some((x) => x.id === ipcId))
        target.properties.backendIPConfigurations.push({ id: ipcId });
    }
    this.pendingPools = [];
    for (const { nat, lb, target } of this.pendingNat) {
      const lbId = netId("loadBalancers", lb);
      const nicName = target.includes("/") ? (target.split("/")[1] as string) : `${target}-nic`;
      const nicId = netId("networkInterfaces", nicName);
      if (!this.has(nicId) || !this.has(lbId)) continue;
      const nic = this.get(nicId);
      const ipc = (P(nic).ipConfigurations as Array<{ id: string; properties: { loadBalancerInboundNatRules: Array<{ id: string }> } }>)[0];
      const natId = `${lbId}/inboundNatRules/${nat}`;
      if (ipc && !ipc.properties.loadBalancerInboundNatRules.some((x) => x.id === natId))
        ipc.properties.loadBalancerInboundNatRules.push({ id: natId });
      const rules = this.get(lbId).properties?.inboundNatRules as Array<{ name: string; properties: Record<string, unknown> }>;
      const r = rules.find((x) => x.name === nat);
      if (r && ipc) r.properties.backendIPConfiguration = { id: ipc.id };
    }
    this.pendingNat = [];
  }

  build(collectedAt = "2026-11-20T10:00:00Z"): AzureSnapshot {
    this.resolvePending();
    const snap: AzureSnapshot = {
      schema: "lbdoctor.snapshot/v1",
      provider: "azure",
      collectedAt,
      scope: { subscriptionId: SUB, resourceGroup: this.rg },
      resources: this.order.map((k) => this.resources.get(k) as ArmResource).map((r) => structuredClone(r)),
      observations: {
        ruleHealth: structuredClone(this.ruleHealthBodies),
        effectiveNetworkSecurityGroups: structuredClone(this.effective),
        guest: structuredClone(this.guestObs),
      },
      gaps: structuredClone(this.gapList),
    };
    return snap;
  }

  /** A deep copy, so a case can branch from a shared base. */
  clone(): AzureScenario {
    this.resolvePending();
    const c = new AzureScenario();
    c.resources = new Map([...this.resources].map(([k, v]) => [k, structuredClone(v)]));
    c.order = [...this.order];
    c.ruleHealthBodies = structuredClone(this.ruleHealthBodies);
    c.effective = structuredClone(this.effective);
    c.guestObs = structuredClone(this.guestObs);
    c.gapList = structuredClone(this.gapList);
    c.rg = this.rg;
    return c;
  }

  apply(fn: (s: this) => void): this {
    fn(this);
    return this;
  }

  // -------------------------------------------------------------------------
  // outbound, admin state, scale-set models, gateway chains, tags (issue 14)

  private subnetWire(subnet: string): { name: string; properties: Record<string, unknown> } {
    const [v, s] = subnet.split("/") as [string, string];
    const vnet = this.get(netId("virtualNetworks", v, this.rg));
    const sub = (P(vnet).subnets as Array<{ name: string; properties: Record<string, unknown> }>).find((x) => x.name === s);
    if (!sub) throw new Error(`builder: no subnet ${subnet}`);
    return sub;
  }

  /** Sets properties on a subnet ("vnet/subnet"), e.g. `{ defaultOutboundAccess: false }`; undefined deletes. */
  subnetProps(subnet: string, props: Record<string, unknown>): this {
    const sub = this.subnetWire(subnet);
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined) delete sub.properties[k];
      else sub.properties[k] = v;
    }
    return this;
  }

  /** A NAT gateway resource, attached to the given subnets ("vnet/subnet"). */
  natGateway(name: string, subnets: string[], publicIps: string[] = []): this {
    const id = netId("natGateways", name);
    this.put({
      name,
      id,
      etag: etag(name),
      type: "Microsoft.Network/natGateways",
      location: LOCATION,
      sku: { name: "Standard" },
      properties: {
        provisioningState: "Succeeded",
        resourceGuid: guid(name),
        idleTimeoutInMinutes: 4,
        publicIpAddresses: publicIps.map((p) => ({ id: netId("publicIPAddresses", p) })),
        subnets: subnets.map((s) => ({ id: ids.subnet(s) })),
      },
    });
    for (const s of subnets) this.subnetProps(s, { natGateway: { id } });
    return this;
  }

  /** Sets properties on a load-balancing rule, e.g. `{ disableOutboundSnat: true }`. */
  lbRuleProps(lb: string, rule: string, props: Record<string, unknown>): this {
    const rules = P(this.get(netId("loadBalancers", lb))).loadBalancingRules as Array<{
      name: string;
      properties: Record<string, unknown>;
    }>;
    const r = rules.find((x) => x.name === rule);
    if (!r) throw new Error(`builder: no rule ${lb}/${rule}`);
    Object.assign(r.properties, props);
    return this;
  }

  /** An outbound rule on a load balancer: SNAT for `pool` through `frontends`. */
  outboundRule(
    lb: string,
    spec: { name: string; frontends: string[]; pool: string; protocol?: "All" | "Tcp" | "Udp"; ports?: number },
  ): this {
    const lbId = netId("loadBalancers", lb);
    const r = this.get(lbId);
    const list = (P(r).outboundRules as Array<unknown> | undefined) ?? [];
    list.push({
      name: spec.name,
      id: `${lbId}/outboundRules/${spec.name}`,
      etag: etag(spec.name),
      type: "Microsoft.Network/loadBalancers/outboundRules",
      properties: {
        provisioningState: "Succeeded",
        allocatedOutboundPorts: spec.ports ?? 1024,
        protocol: spec.protocol ?? "All",
        enableTcpReset: true,
        idleTimeoutInMinutes: 4,
        backendAddressPool: { id: `${lbId}/backendAddressPools/${spec.pool}` },
        frontendIPConfigurations: spec.frontends.map((f) => ({ id: `${lbId}/frontendIPConfigurations/${f}` })),
      },
    });
    P(r).outboundRules = list;
    return this;
  }

  /**
   * Lists a NIC-based member in the pool's `loadBalancerBackendAddresses` (as ARM returns it) with an admin state,
   * or sets the admin state of an IP-based address (by its name).
   */
  adminState(lb: string, pool: string, member: { vm?: string; nic?: string; address?: string }, state: "None" | "Up" | "Down"): this {
    this.resolvePending();
    const pools = P(this.get(netId("loadBalancers", lb))).backendAddressPools as Array<{
      name: string;
      properties: { loadBalancerBackendAddresses?: Array<{ name: string; properties: Record<string, unknown> }> };
    }>;
    const p = pools.find((x) => x.name === pool);
    if (!p) throw new Error(`builder: no pool ${lb}/${pool}`);
    const list = (p.properties.loadBalancerBackendAddresses ??= []);
    if (member.address) {
      const a = list.find((x) => x.name === member.address);
      if (!a) throw new Error(`builder: no address ${member.address} in ${lb}/${pool}`);
      a.properties.adminState = state;
      return this;
    }
    const nicName = member.nic ?? `${member.vm}-nic`;
    const ipc = (P(this.get(netId("networkInterfaces", nicName))).ipConfigurations as Array<{ id: string }>)[0];
    if (!ipc) throw new Error(`builder: NIC ${nicName} has no ip configuration`);
    let entry = list.find((x) => (x.properties.networkInterfaceIPConfiguration as { id?: string } | undefined)?.id === ipc.id);
    if (!entry) {
      entry = { name: `${lb}-${pool}-${nicName}`, properties: { networkInterfaceIPConfiguration: { id: ipc.id } } };
      list.push(entry);
    }
    entry.properties.adminState = state;
    return this;
  }

  /**
   * The scale set's model: its NIC configuration puts instances in `pools` ("lb/pool").
   * `upgradeMode` defaults to Manual, as Azure does when none is set.
   */
  vmssModel(name: string, spec: { subnet: string; pools: string[]; upgradeMode?: "Manual" | "Automatic" | "Rolling" | null }): this {
    const r = this.get(computeId("virtualMachineScaleSets", name));
    const [v, s] = spec.subnet.split("/") as [string, string];
    const props = P(r);
    if (spec.upgradeMode === null) delete props.upgradePolicy;
    else props.upgradePolicy = { mode: spec.upgradeMode ?? "Manual" };
    props.virtualMachineProfile = {
      networkProfile: {
        networkInterfaceConfigurations: [
          {
            name: `${name}-nic`,
            properties: {
              primary: true,
              enableIPForwarding: false,
              ipConfigurations: [
                {
                  name: "ipconfig1",
                  properties: {
                    primary: true,
                    subnet: { id: `${netId("virtualNetworks", v)}/subnets/${s}` },
                    loadBalancerBackendAddressPools: spec.pools.map((p) => {
                      const [lb, pool] = p.split("/") as [string, string];
                      return { id: `${netId("loadBalancers", lb)}/backendAddressPools/${pool}` };
                    }),
                  },
                },
              ],
            },
          },
        ],
      },
    };
    return this;
  }

  /** Sets `latestModelApplied` on a scale-set instance. */
  latestModelApplied(vmss: string, instanceId: string, applied: boolean): this {
    const r = this.get(`${computeId("virtualMachineScaleSets", vmss)}/virtualMachines/${instanceId}`);
    P(r).latestModelApplied = applied;
    return this;
  }

  /** Rule health body with members named by NIC id (scale-set instances), in the shape ARM returns. */
  ruleHealthByNic(lb: string, rule: string, members: Array<{ nicId: string; state: "Up" | "Down" | ""; reason?: string }>): this {
    const ruleId = `${netId("loadBalancers", lb)}/loadBalancingRules/${rule}`;
    const addrs = members.map((m) => {
      const ipc = (P(this.get(m.nicId)).ipConfigurations as Array<{ id: string; properties: { privateIPAddress: string } }>)[0];
      return {
        ipAddress: ipc?.properties.privateIPAddress,
        networkInterfaceIPConfigurationId: ipc?.id,
        state: m.state,
        reason: m.reason ?? (m.state === "Up" ? "Up_Probe_Success" : m.state === "Down" ? "Down_Probe_TcpProbeTimeout" : ""),
      };
    });
    this.ruleHealthBodies[ruleId] = {
      up: addrs.filter((a) => a.state === "Up").length,
      down: addrs.filter((a) => a.state === "Down").length,
      loadBalancerBackendAddresses: addrs,
    };
    return this;
  }

  /** Tags on a resource (merged). */
  tags(id: string, tags: Record<string, string>): this {
    const r = this.get(id);
    r.tags = { ...(r.tags ?? {}), ...tags };
    return this;
  }

  /** Chains a Standard public LB frontend to a Gateway LB frontend (`gatewayLoadBalancer`). */
  chainToGateway(lb: string, frontend: string, gatewayFrontendId: string): this {
    const fes = P(this.get(netId("loadBalancers", lb))).frontendIPConfigurations as Array<{
      name: string;
      properties: Record<string, unknown>;
    }>;
    const f = fes.find((x) => x.name === frontend);
    if (!f) throw new Error(`builder: no frontend ${lb}/${frontend}`);
    f.properties.gatewayLoadBalancer = { id: gatewayFrontendId };
    return this;
  }
}

export function azure(): AzureScenario {
  return new AzureScenario();
}

export const WEB_LB = "lb-web";
export const WEB_NSG = "nsg-web";
export const WEB_SUBNET = "vnet-web/snet-web";

/**
 * The reference architecture for load-balanced VMs, healthy: a public Standard LB in front
 * of two Linux VMs in one availability set, an HTTP probe on /, a rule for
 * port 80, NAT rules mapping 50001/50002 to SSH, and a subnet NSG that allows
 * HTTP from the Internet and SSH only from an admin range. Probe health is Up.
 */
export function healthyWeb(): AzureScenario {
  return azure()
    .nsg(WEB_NSG, [
      { name: "allow-http", priority: 1000, source: "Internet", ports: "80", description: "Allow HTTP from the Internet" },
      { name: "allow-ssh-admin", priority: 1010, source: "203.0.113.0/24", ports: "22", description: "SSH from the admin network only" },
    ])
    .vnet(
      "vnet-web",
      ["10.0.0.0/16"],
      [
        { name: "snet-web", prefix: "10.0.0.0/24", nsg: WEB_NSG },
        { name: "snet-mgmt", prefix: "10.0.1.0/24" },
      ],
    )
    .publicIp("pip-lb-web", { ip: "20.50.60.70" })
    .availabilitySet("avset-web")
    .lb(WEB_LB, {
      frontends: [{ name: "fe-web", publicIp: "pip-lb-web" }],
      pools: ["pool-web"],
      probes: [{ name: "probe-http", protocol: "Http", port: 80, path: "/" }],
      rules: [{ name: "rule-http", frontend: "fe-web", pool: "pool-web", probe: "probe-http", frontendPort: 80, backendPort: 80 }],
      natRules: [
        { name: "nat-ssh-vm1", frontend: "fe-web", frontendPort: 50001, backendPort: 22, target: "vm1" },
        { name: "nat-ssh-vm2", frontend: "fe-web", frontendPort: 50002, backendPort: 22, target: "vm2" },
      ],
    })
    .vm("vm1", { subnet: WEB_SUBNET, ip: "10.0.0.4", pools: [`${WEB_LB}/pool-web`], availabilitySet: "avset-web" })
    .vm("vm2", { subnet: WEB_SUBNET, ip: "10.0.0.5", pools: [`${WEB_LB}/pool-web`], availabilitySet: "avset-web" })
    .ruleHealth(WEB_LB, "rule-http", [
      { vm: "vm1", state: "Up" },
      { vm: "vm2", state: "Up" },
    ]);
}

export const ILB = "lb-internal";
export const APP_SUBNET = "vnet-app/snet-app";

/**
 * An internal Standard LB (10.1.0.100) in front of two app VMs in one
 * availability set, TCP probe on 8080, a subnet NSG allowing 8080 from the VNet,
 * and a NAT gateway on the subnet for outbound (an internal LB gives none).
 */
export function healthyInternal(): AzureScenario {
  return azure()
    .nsg("nsg-app", [{ name: "allow-app-from-vnet", priority: 100, source: "VirtualNetwork", ports: "8080" }])
    .vnet("vnet-app", ["10.1.0.0/16"], [{ name: "snet-app", prefix: "10.1.0.0/24", nsg: "nsg-app" }])
    .availabilitySet("avset-app")
    .lb(ILB, {
      frontends: [{ name: "fe-app", subnet: APP_SUBNET, privateIp: "10.1.0.100" }],
      pools: ["pool-app"],
      probes: [{ name: "probe-app", protocol: "Http", port: 8080, path: "/healthz" }],
      rules: [{ name: "rule-app", frontend: "fe-app", pool: "pool-app", probe: "probe-app", frontendPort: 8080, backendPort: 8080 }],
    })
    .vm("app1", { subnet: APP_SUBNET, ip: "10.1.0.4", pools: [`${ILB}/pool-app`], availabilitySet: "avset-app" })
    .vm("app2", { subnet: APP_SUBNET, ip: "10.1.0.5", pools: [`${ILB}/pool-app`], availabilitySet: "avset-app" })
    .ruleHealth(ILB, "rule-app", [
      { vm: "app1", state: "Up" },
      { vm: "app2", state: "Up" },
    ])
    .publicIp("pip-natgw-app", { ip: "20.50.60.80" })
    .natGateway("natgw-app", [APP_SUBNET], ["pip-natgw-app"]);
}

/** ids for assertions */
export const ids = {
  lb: (name: string) => netId("loadBalancers", name),
  nsg: (name: string) => netId("networkSecurityGroups", name),
  nic: (name: string) => netId("networkInterfaces", name),
  ipconfig: (nic: string, ipc = "ipconfig1") => `${netId("networkInterfaces", nic)}/ipConfigurations/${ipc}`,
  vm: (name: string) => computeId("virtualMachines", name),
  rule: (lb: string, rule: string) => `${netId("loadBalancers", lb)}/loadBalancingRules/${rule}`,
  pool: (lb: string, pool: string) => `${netId("loadBalancers", lb)}/backendAddressPools/${pool}`,
  probe: (lb: string, probe: string) => `${netId("loadBalancers", lb)}/probes/${probe}`,
  subnet: (vnetSubnet: string) => {
    const [v, s] = vnetSubnet.split("/") as [string, string];
    return `${netId("virtualNetworks", v)}/subnets/${s}`;
  },
  routeTable: (name: string) => netId("routeTables", name),
  publicIp: (name: string) => netId("publicIPAddresses", name),
  availabilitySet: (name: string) => computeId("availabilitySets", name),
  asg: (name: string) => netId("applicationSecurityGroups", name),
  vmss: (name: string) => computeId("virtualMachineScaleSets", name),
  vmssInstance: (vmss: string, instanceId: string) => `${computeId("virtualMachineScaleSets", vmss)}/virtualMachines/${instanceId}`,
  /** the NIC the builder gives a scale-set instance (`.vm(…, { vmss })`) */
  vmssNic: (vmss: string, instanceId: string, nic = `${vmss}-nic`) =>
    `${computeId("virtualMachineScaleSets", vmss)}/virtualMachines/${instanceId}/networkInterfaces/${nic}`,
  natGateway: (name: string) => netId("natGateways", name),
  frontend: (lb: string, fe: string) => `${netId("loadBalancers", lb)}/frontendIPConfigurations/${fe}`,
  vnet: (name: string) => netId("virtualNetworks", name),
};
