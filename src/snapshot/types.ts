/** The wire types of `lbdoctor.snapshot/v1`. See docs/snapshot.md. */
export const SNAPSHOT_SCHEMA = "lbdoctor.snapshot/v1";

export interface Gap {
  /** The API operation that failed, e.g. `networkInterfaces.listEffectiveNetworkSecurityGroups`. */
  operation: string;
  resourceId?: string;
  status?: number;
  code?: string;
  message: string;
}

/** An ARM resource exactly as the REST API returns it. */
export interface ArmResource {
  id: string;
  name: string;
  type: string;
  location?: string;
  etag?: string;
  tags?: Record<string, string>;
  sku?: { name?: string; tier?: string; [k: string]: unknown };
  zones?: string[];
  properties?: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface RuleHealthBody {
  up?: number;
  down?: number;
  loadBalancerBackendAddresses?: Array<{
    ipAddress?: string;
    networkInterfaceIPConfigurationId?: string;
    state?: string;
    reason?: string;
  }>;
}

export interface EffectiveSecurityRuleWire {
  name?: string;
  protocol?: string;
  sourcePortRange?: string;
  destinationPortRange?: string;
  sourcePortRanges?: string[];
  destinationPortRanges?: string[];
  sourceAddressPrefix?: string;
  destinationAddressPrefix?: string;
  sourceAddressPrefixes?: string[];
  destinationAddressPrefixes?: string[];
  expandedSourceAddressPrefix?: string[];
  expandedDestinationAddressPrefix?: string[];
  access?: string;
  priority?: number;
  direction?: string;
}

export interface EffectiveNsgBody {
  value: Array<{
    networkSecurityGroup?: { id: string };
    association?: { subnet?: { id: string }; networkInterface?: { id: string } };
    effectiveSecurityRules?: EffectiveSecurityRuleWire[];
    tagMap?: Record<string, string[]>;
  }>;
}

export interface GuestObservation {
  listening?: Array<{ protocol: "tcp" | "udp"; port: number; address?: string }>;
  connections?: Array<{ remote: string; local?: string; state?: string }>;
}

export interface AzureSnapshot {
  schema: typeof SNAPSHOT_SCHEMA;
  provider: "azure";
  collectedAt: string;
  tool?: { name?: string; version?: string };
  redacted?: boolean;
  description?: string;
  scope: { subscriptionId?: string; resourceGroup?: string; [k: string]: unknown };
  resources: ArmResource[];
  observations?: {
    ruleHealth?: Record<string, RuleHealthBody>;
    effectiveNetworkSecurityGroups?: Record<string, EffectiveNsgBody>;
    guest?: Record<string, GuestObservation>;
  };
  gaps?: Gap[];
}

export interface AwsSnapshot {
  schema: typeof SNAPSHOT_SCHEMA;
  provider: "aws";
  collectedAt: string;
  tool?: { name?: string; version?: string };
  scope: { region?: string; loadBalancers?: string[]; [k: string]: unknown };
  elbv2?: Record<string, unknown>;
  ec2?: Record<string, unknown>;
  autoscaling?: Record<string, unknown>;
  gaps?: Gap[];
}

export type Snapshot = AzureSnapshot | AwsSnapshot;
