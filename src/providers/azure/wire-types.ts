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
    /** the time window the time data covers */
    window?: { from: string; until: string };
    /** GET {lb id}/providers/Microsoft.Insights/metrics responses, by load balancer id */
    metrics?: Record<string, MetricsResponseBody[]>;
    /** Resource Graph `resourcechanges` rows, by subscription id */
    resourceChanges?: Record<string, ResourceChangeRow[]>;
    /** Activity Log events (eventtypes/management/values), by resource group id */
    activityLog?: Record<string, ActivityLogEvent[]>;
  };
  gaps?: Gap[];
}

/** The body of `GET /{resourceUri}/providers/Microsoft.Insights/metrics` (api-version 2024-02-01). */
export interface MetricsResponseBody {
  cost?: number;
  timespan?: string;
  interval?: string;
  namespace?: string;
  resourceregion?: string;
  value?: Array<{
    id?: string;
    type?: string;
    name?: { value?: string; localizedValue?: string };
    unit?: string;
    errorCode?: string;
    timeseries?: Array<{
      metadatavalues?: Array<{ name?: { value?: string; localizedValue?: string }; value?: string }>;
      data?: Array<{ timeStamp: string; average?: number; minimum?: number; maximum?: number; total?: number; count?: number }>;
    }>;
  }>;
}

/** A row of the Resource Graph `resourcechanges` table. */
export interface ResourceChangeRow {
  id?: string;
  name?: string;
  type?: string;
  subscriptionId?: string;
  resourceGroup?: string;
  properties?: {
    targetResourceId?: string;
    targetResourceType?: string;
    changeType?: string;
    changeAttributes?: {
      timestamp?: string;
      changedBy?: string;
      changedByType?: string;
      clientType?: string;
      operation?: string;
      correlationId?: string;
      changesCount?: number;
    };
    changes?: Record<string, { previousValue?: unknown; newValue?: unknown; changeCategory?: string; propertyChangeType?: string }>;
  };
}

/** An Activity Log event (EventData) as the REST API returns it. */
export interface ActivityLogEvent {
  caller?: string;
  correlationId?: string;
  eventDataId?: string;
  eventTimestamp?: string;
  submissionTimestamp?: string;
  resourceId?: string;
  resourceGroupName?: string;
  operationName?: { value?: string; localizedValue?: string };
  status?: { value?: string; localizedValue?: string };
  subStatus?: { value?: string; localizedValue?: string };
  category?: { value?: string; localizedValue?: string };
  level?: string;
  [k: string]: unknown;
}

/** Narrows a snapshot of any provider to an Azure one. */
export function isAzureSnapshot(s: { provider: string }): s is AzureSnapshot {
  return s.provider === "azure";
}
