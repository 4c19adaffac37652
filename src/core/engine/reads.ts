/**
 * The data a rule reads, named by provider-scoped families ("aws:targetHealth",
 * "azure:effectiveNsg"). A rule declares them in `reads`; each provider maps a
 * collection gap to the families it leaves incomplete (the gap's `covers`), and
 * the engine turns what a rule would pass, or call not applicable, into
 * `unknown` when a gap covers data the rule reads (see run.ts, applyGaps).
 */
import type { ProviderId } from "../snapshot/types.ts";

export const DATA_KEYS = {
  aws: [
    "aws:loadBalancers",
    "aws:loadBalancerAttributes",
    "aws:listeners",
    "aws:listenerRules",
    "aws:targetGroups",
    "aws:targetGroupAttributes",
    "aws:targetHealth",
    "aws:instances",
    "aws:securityGroups",
    "aws:subnets",
    "aws:networkAcls",
    "aws:routeTables",
    "aws:autoscaling",
    "aws:guest",
    "aws:metrics",
    "aws:changes",
  ],
  azure: [
    "azure:loadBalancers",
    "azure:nics",
    "azure:nsgs",
    "azure:applicationSecurityGroups",
    "azure:routeTables",
    "azure:publicIps",
    "azure:vnets",
    "azure:vms",
    "azure:scaleSets",
    "azure:availabilitySets",
    "azure:ruleHealth",
    "azure:effectiveNsg",
    "azure:guest",
    "azure:metrics",
    "azure:changes",
  ],
} as const satisfies Record<ProviderId, readonly string[]>;

export type AwsDataKey = (typeof DATA_KEYS.aws)[number];
export type AzureDataKey = (typeof DATA_KEYS.azure)[number];
export type DataKey = AwsDataKey | AzureDataKey;

/** The keys of a provider that are not valid data keys (empty when all are). */
export function unknownDataKeys(provider: ProviderId, keys: readonly string[]): string[] {
  const valid = new Set<string>(DATA_KEYS[provider]);
  return keys.filter((k) => !valid.has(k));
}
