/** The wire types of an Azure `lbdoctor.snapshot/v1`: ARM resources and observation bodies, as the REST API returns them. See docs/snapshot.md. */
import type { Gap, GuestObservation, SNAPSHOT_SCHEMA } from "../../core/snapshot/types.ts";

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

/** Narrows a snapshot of any provider to an Azure one. */
export function isAzureSnapshot(s: { provider: string }): s is AzureSnapshot {
  return s.provider === "azure";
}
