/** The Azure model's types: wire resources, typed, normalized and cross-referenced. */
import type { Model, ModelContext, ModelGap } from "../../../core/engine/types.ts";
import type { GuestObservation } from "../../../core/snapshot/types.ts";
import type { AksLoadBalancer, AksRule } from "../aks.ts";
import type { ArmResource, AzureSnapshot, EffectiveNsgBody, RuleHealthBody } from "../wire-types.ts";
import type { LbMetricSeries } from "./time.ts";

export type { ModelContext, ModelGap };

interface Node {
  id: string;
  key: string;
  name: string;
  /** JSON Pointer of this object in the snapshot */
  ptr: string;
}

export interface SecurityRule {
  name: string;
  ptr: string;
  priority: number;
  direction: "Inbound" | "Outbound";
  access: "Allow" | "Deny";
  protocol: string;
  sourcePrefixes: string[];
  destinationPrefixes: string[];
  sourcePorts: string[];
  destinationPorts: string[];
  sourceAsgKeys: string[];
  destinationAsgKeys: string[];
  /** from an effective-NSG body: tags already resolved to prefixes */
  expandedSource?: string[];
  expandedDestination?: string[];
  isDefault: boolean;
  /** a documented default rule that the wire body did not carry */
  synthesized?: boolean;
}

export interface Nsg extends Node {
  raw: ArmResource;
  resourceGroup: string | undefined;
  rules: SecurityRule[];
}

export interface RouteEntry {
  name: string;
  ptr: string;
  addressPrefix: string;
  nextHopType: string;
  nextHopIpAddress?: string;
}

export interface RouteTable extends Node {
  raw: ArmResource;
  routes: RouteEntry[];
}

export interface Vnet extends Node {
  raw: ArmResource;
  addressSpace: string[];
  /** address spaces of peered VNets (remoteAddressSpace) */
  peeredSpace: string[];
  subnets: Subnet[];
}

export interface Subnet extends Node {
  vnetKey: string;
  vnet?: Vnet;
  prefixes: string[];
  nsgId?: string;
  nsg?: Nsg;
  routeTableId?: string;
  routeTable?: RouteTable;
  /** `properties.natGateway.id`: the NAT gateway the subnet sends outbound traffic through */
  natGatewayId?: string;
  /** that NAT gateway, when the snapshot holds it (else a dangling reference is noted) */
  natGateway?: NatGateway;
  /** `properties.defaultOutboundAccess`; undefined when the wire subnet does not carry it */
  defaultOutboundAccess?: boolean;
}

/**
 * A NAT gateway (`Microsoft.Network/natGateways`). "A StandardV2 NAT gateway supports IPv4 and IPv6 public IPs, whereas
 * a Standard NAT gateway supports only IPv4 public IPs" (learn.microsoft.com/azure/nat-gateway/nat-gateway-resource).
 */
export interface NatGateway extends Node {
  raw: ArmResource;
  /** `sku.name` as written (`Standard` | `StandardV2`); undefined when the wire omits it */
  sku: string | undefined;
  /** ids of its IPv4 public IP addresses and prefixes (`properties.publicIpAddresses`, `properties.publicIpPrefixes`) */
  publicIpV4Ids: string[];
  /** ids of its IPv6 public IP addresses and prefixes (`properties.publicIpAddressesV6`, `properties.publicIpPrefixesV6`) */
  publicIpV6Ids: string[];
}

export interface PublicIp extends Node {
  raw: ArmResource;
  sku: string | undefined;
  ipAddress?: string;
  allocation?: string;
}

export interface IpConfig extends Node {
  nic: Nic;
  primary: boolean;
  privateIp?: string;
  subnetId?: string;
  subnet?: Subnet;
  publicIpId?: string;
  publicIp?: PublicIp;
  poolKeys: string[];
  natRuleKeys: string[];
  asgKeys: string[];
}

export interface Nic extends Node {
  raw: ArmResource;
  resourceGroup: string | undefined;
  enableIPForwarding: boolean;
  nsgId?: string;
  nsg?: Nsg;
  vmId?: string;
  vm?: Vm;
  ipConfigs: IpConfig[];
}

export type PowerState = "running" | "deallocated" | "stopped" | "starting" | "stopping" | "deallocating" | "unknown";

export interface Vm extends Node {
  raw: ArmResource;
  kind: "vm" | "vmss-instance";
  resourceGroup: string | undefined;
  /** undefined when the snapshot holds no instance view */
  powerState: PowerState | undefined;
  powerStatePtr?: string;
  availabilitySetId?: string;
  /** VMSS id for a scale-set instance */
  vmssId?: string;
  /** scale-set instance: `properties.latestModelApplied`, when the wire carries it */
  latestModelApplied?: boolean;
  zones: string[];
  nicIds: string[];
  nics: Nic[];
}

export interface AvailabilitySet extends Node {
  raw: ArmResource;
  vmKeys: string[];
}

export interface Vmss extends Node {
  raw: ArmResource;
  instances: Vm[];
  /** `upgradePolicy.mode` as written; undefined when absent (Azure then uses Manual) */
  upgradeMode?: string;
  /** the backend pools the scale-set model puts instance NICs in (idKeys), and where each is named */
  modelPools: Array<{ key: string; id: string; ptr: string }>;
  /** false when the wire scale set holds no network profile, so the model's pools are not known */
  modelKnown: boolean;
}

export interface Frontend extends Node {
  lb: LoadBalancer;
  privateIp?: string;
  subnetId?: string;
  subnet?: Subnet;
  publicIpId?: string;
  publicIp?: PublicIp;
  zones: string[];
  /** `gatewayLoadBalancer.id`: the Gateway load balancer frontend this frontend is chained to */
  gatewayLoadBalancerId?: string;
  /** that Gateway frontend, when the snapshot holds it (resolved after every load balancer is read) */
  gatewayFrontend?: Frontend;
}

export interface PoolMember {
  /** frontend: a Global-tier (cross-region) load balancer's member, a regional load balancer's frontend */
  kind: "ipconfig" | "ip" | "frontend";
  /** ipconfig id, or `<pool id>/loadBalancerBackendAddresses/<name>` */
  id: string;
  key: string;
  /** pointer of the membership entry inside the pool */
  ptr: string;
  ipConfig?: IpConfig;
  nic?: Nic;
  vm?: Vm;
  ip?: string;
  /** for IP-based members: the VNet they are declared in */
  vnetId?: string;
  /** `adminState` of the member's backend address (None | Up | Down), and where it is */
  adminState?: string;
  adminStatePtr?: string;
  /** kind frontend: the regional frontend's id (`loadBalancerFrontendIPConfiguration`), resolved when the snapshot holds it */
  frontendId?: string;
  frontend?: Frontend;
}

export interface Pool extends Node {
  lb: LoadBalancer;
  members: PoolMember[];
}

export interface Probe extends Node {
  lb: LoadBalancer;
  protocol: string;
  port: number;
  requestPath?: string;
  rules: LbRule[];
}

export interface LbRule extends Node {
  lb: LoadBalancer;
  raw: Record<string, unknown>;
  frontendId?: string;
  frontend?: Frontend;
  poolId?: string;
  pool?: Pool;
  probeId?: string;
  probe?: Probe;
  protocol: string;
  frontendPort: number;
  backendPort: number;
  loadDistribution: string;
  enableFloatingIP: boolean;
  /** `disableOutboundSnat`: true turns off the outbound SNAT the rule would give its pool */
  disableOutboundSnat: boolean;
  /** set when Kubernetes (cloud-provider-azure) manages the rule: the Service it serves */
  kubernetes?: AksRule;
}

export interface OutboundRule extends Node {
  lb: LoadBalancer;
  poolId?: string;
  pool?: Pool;
  frontendIds: string[];
  protocol: string;
}

export interface NatRule extends Node {
  lb: LoadBalancer;
  frontendId?: string;
  frontend?: Frontend;
  protocol: string;
  frontendPort?: number;
  frontendPortRangeStart?: number;
  frontendPortRangeEnd?: number;
  backendPort: number;
  backendIpConfigId?: string;
  backendIpConfig?: IpConfig;
}

export interface LoadBalancer extends Node {
  raw: ArmResource;
  resourceGroup: string | undefined;
  sku: string;
  /** `sku.tier`: Regional (the default) or Global (a cross-region load balancer, whose members are regional load balancers' frontends) */
  tier: string;
  /** true when every frontend is private (an internal load balancer) */
  isInternal: boolean;
  frontends: Frontend[];
  pools: Pool[];
  rules: LbRule[];
  probes: Probe[];
  natRules: NatRule[];
  outboundRules: OutboundRule[];
  /** set when Kubernetes (cloud-provider-azure, e.g. AKS) manages this load balancer */
  kubernetes?: AksLoadBalancer;
}

export interface EffectiveNsgObservation {
  key: string;
  ptr: string;
  body: EffectiveNsgBody;
}

export interface AzureModel extends Model {
  provider: "azure";
  snapshot: AzureSnapshot;
  context: ModelContext;
  loadBalancers: LoadBalancer[];
  nics: Nic[];
  vms: Vm[];
  nsgs: Nsg[];
  vnets: Vnet[];
  subnets: Subnet[];
  routeTables: RouteTable[];
  publicIps: PublicIp[];
  availabilitySets: AvailabilitySet[];
  vmss: Vmss[];
  gaps: ModelGap[];
  /** lookups by idKey */
  byKey: {
    resource: Map<string, { raw: ArmResource; ptr: string }>;
    nic: Map<string, Nic>;
    ipConfig: Map<string, IpConfig>;
    vm: Map<string, Vm>;
    nsg: Map<string, Nsg>;
    subnet: Map<string, Subnet>;
    vnet: Map<string, Vnet>;
    routeTable: Map<string, RouteTable>;
    publicIp: Map<string, PublicIp>;
    pool: Map<string, Pool>;
    availabilitySet: Map<string, AvailabilitySet>;
    vmss: Map<string, Vmss>;
  };
  observations: {
    ruleHealth: Map<string, { ptr: string; body: RuleHealthBody }>;
    effectiveNsgs: Map<string, EffectiveNsgObservation>;
    guest: Map<string, { ptr: string; body: GuestObservation }>;
  };
  /** load-balancer metric series (observations.metrics), for the SNAT and flapping rules */
  metrics: LbMetricSeries[];
}
