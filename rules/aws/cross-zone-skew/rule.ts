import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Remediation } from "../../../src/core/engine/types.ts";
import { compareText } from "../../../src/core/util/collate.ts";
import { k8sRemediation } from "../../../src/providers/aws/kubernetes.ts";
import type { AwsModel, LoadBalancer, Target, TargetGroup } from "../../../src/providers/aws/model.ts";
import { gapNote, sh, targetLabel } from "../../../src/providers/aws/rule-helpers.ts";
import {
  type CrossZone,
  effectiveCrossZone,
  groupBase,
  isHealthy,
  lbZoneNames,
  percent,
  servedGroups,
  targetAz,
} from "../../../src/providers/aws/target-facts.ts";

const MAX_LISTED = 12;

function fix(lb: LoadBalancer, tg: TargetGroup, cz: CrossZone): Remediation {
  if (cz.byGroup) {
    const value = lb.type === "application" ? "use_load_balancer_configuration" : "true";
    return {
      summary: `Let ${tg.name}'s traffic cross zones again (${value}), or keep the same number of healthy targets in every zone.`,
      commands: [
        `aws elbv2 modify-target-group-attributes --target-group-arn ${sh(tg.arn)} --attributes Key=load_balancing.cross_zone.enabled,Value=${value}`,
      ],
    };
  }
  return {
    summary:
      `Turn cross-zone load balancing on for ${lb.name} (for a Network Load Balancer, traffic between zones is then charged), ` +
      "or keep the same number of healthy targets in every zone (an Auto Scaling group balances its zones).",
    commands: [
      `aws elbv2 modify-load-balancer-attributes --load-balancer-arn ${sh(lb.arn)} --attributes Key=load_balancing.cross_zone.enabled,Value=true`,
    ],
  };
}

export default defineRule<AwsModel>({
  id: "aws/cross-zone-skew",
  provider: "aws",
  severity: "medium",
  reads: [
    "aws:loadBalancers",
    "aws:loadBalancerAttributes",
    "aws:targetGroups",
    "aws:targetGroupAttributes",
    "aws:targetHealth",
    "aws:instances",
    "aws:subnets",
  ],
  title: "Cross-zone load balancing is off and zones hold unequal numbers of healthy targets",
  description:
    "Clients spread over the load balancer's zone nodes about equally (DNS returns one address per zone). With cross-zone load " +
    "balancing off, each node sends only to the healthy targets of its own zone, so a zone with fewer healthy targets loads each of " +
    "them more: with one target in us-east-1a and three in us-east-1b, the first gets 50% of the traffic and the others 16.7% each. " +
    "Cross-zone is off by default on a Network Load Balancer (and a Gateway Load Balancer); on an Application Load Balancer it is " +
    "always on at the load balancer level, but a target group can turn it off (`load_balancing.cross_zone.enabled=false`). A zone " +
    "with no healthy target is assumed to be removed from DNS. Severity is medium when a target carries at least twice the share of " +
    "another, low otherwise.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/how-elastic-load-balancing-works.html",
      title: "How Elastic Load Balancing works",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-cross-zone.html",
      title: "Cross-zone load balancing for target groups",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/disable-cross-zone.html",
      title: "Cross-zone load balancing for target groups",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/how-elastic-load-balancing-works.html#cross-zone-load-balancing",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/network-load-balancers.html#cross-zone-load-balancing",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/disable-cross-zone.html",
  ],
  messages: {
    skew: "Cross-zone load balancing is off for target group {{targetGroup}} on {{lb}} ({{basis}}), and its zones hold unequal numbers of healthy targets ({{zones}}): each zone's node gets an equal share of the traffic, so the targets' shares are {{shares}}.",
    balanced:
      "Cross-zone load balancing is off for target group {{targetGroup}} on {{lb}}, but every zone holds the same number of healthy targets ({{zones}}).",
    balancedEither:
      "Whether cross-zone load balancing is on for target group {{targetGroup}} on {{lb}} is not known ({{reason}}), but every zone holds the same number of healthy targets ({{zones}}): the traffic is even either way.",
    crossZoneOn: "Traffic of target group {{targetGroup}} crosses zones on {{lb}} ({{basis}}): every healthy target gets an equal share.",
    undecidable: "Cannot tell whether target group {{targetGroup}} on {{lb}} is evenly spread across zones: {{reason}}.",
    noHealthy: "Target group {{targetGroup}} on {{lb}} has no healthy target in the load balancer's zones: no distribution to compare.",
  },
  remediation:
    "Turn cross-zone load balancing on (`aws elbv2 modify-load-balancer-attributes … Key=load_balancing.cross_zone.enabled,Value=true`, or " +
    "the target group's attribute), or keep an equal number of healthy targets in every enabled zone.",
  check({ model, report }) {
    for (const { lb, tg } of servedGroups(model)) {
      const base = groupBase(lb, tg);
      const data = { lb: lb.name, targetGroup: tg.name };
      const tgEv = { resourceId: tg.arn, pointer: tg.ptr, label: "target group" };
      const cz = effectiveCrossZone(lb, tg);
      const czEv = {
        resourceId: cz.resourceId,
        pointer: cz.ptr,
        label: `cross-zone setting (${cz.byGroup ? "target group" : "load balancer"})`,
      };
      const attrsMissing = !tg.attributesKnown
        ? `the attributes of target group ${tg.name} were not collected${gapNote(model, [tg.arn], ["DescribeTargetGroupAttributes"])}`
        : !cz.byGroup && lb.type !== "application" && !lb.attributesKnown
          ? `the attributes of ${lb.name} were not collected${gapNote(model, [lb.arn], ["DescribeLoadBalancerAttributes"])}`
          : undefined;
      if (!attrsMissing && cz.on) {
        report({ ...base, status: "pass", messageId: "crossZoneOn", data: { ...data, basis: cz.basis }, evidence: [czEv] });
        continue;
      }
      if (!tg.healthKnown) {
        const reason = [attrsMissing, `the target health was not collected${gapNote(model, [tg.arn], ["DescribeTargetHealth"])}`]
          .filter(Boolean)
          .join("; ");
        report({ ...base, status: "unknown", messageId: "undecidable", data: { ...data, reason }, evidence: [czEv, tgEv] });
        continue;
      }
      const zones = [...new Set(lbZoneNames(lb).filter((z): z is string => !!z))].sort();
      const healthy = tg.targets.filter(isHealthy).map((t) => ({ t, az: targetAz(t)?.az }));
      const unplaced = healthy.filter((h) => !h.az);
      if (unplaced.length > 0) {
        const reason = `the zone of ${unplaced.map((h) => h.t.id).join(", ")} is not known${gapNote(
          model,
          unplaced.map((h) => h.t.id),
          ["DescribeInstances"],
        )}`;
        report({ ...base, status: "unknown", messageId: "undecidable", data: { ...data, reason }, evidence: [czEv] });
        continue;
      }
      // AvailabilityZone `all` (an IP target outside the VPC): every zone's node sends to it, beside that zone's own targets
      const everywhere = healthy.filter((h) => h.az?.toLowerCase() === "all").map((h) => h.t);
      const byZone = new Map<string, Target[]>(zones.map((z) => [z, []]));
      for (const h of healthy) byZone.get(h.az as string)?.push(h.t);
      const served = [...byZone].map(([z, ts]) => [z, [...ts, ...everywhere]] as const);
      const active = served.filter(([, ts]) => ts.length > 0);
      const zonesText = [
        ...[...byZone].map(([z, ts]) => `${z}: ${ts.length}`),
        ...(everywhere.length > 0 ? [`all zones: ${everywhere.length}`] : []),
      ].join(", ");
      const healthEv = { resourceId: tg.arn, pointer: tg.healthPtr ?? tg.ptr, label: "target health" };
      if (active.length === 0) {
        report({ ...base, status: "not-applicable", messageId: "noHealthy", data, evidence: [healthEv] });
        continue;
      }
      // each active zone's node gets an equal part of the traffic and splits it over the targets it sends to
      const byTarget = new Map<Target, { t: Target; z: string; share: number }>();
      for (const [z, ts] of active) {
        for (const t of ts) {
          const e = byTarget.get(t) ?? { t, z: everywhere.includes(t) ? "all zones" : z, share: 0 };
          e.share += 1 / active.length / ts.length;
          byTarget.set(t, e);
        }
      }
      const shares = [...byTarget.values()];
      const top = Math.max(...shares.map((x) => x.share));
      const bottom = Math.min(...shares.map((x) => x.share));
      const even = top - bottom < 1e-9;
      if (attrsMissing) {
        // the setting is not known: an even spread with cross-zone off is even with it on too; an uneven one depends on it
        if (even)
          report({
            ...base,
            status: "pass",
            messageId: "balancedEither",
            data: { ...data, zones: zonesText, reason: attrsMissing },
            evidence: [healthEv],
          });
        else report({ ...base, status: "unknown", messageId: "undecidable", data: { ...data, reason: attrsMissing }, evidence: [tgEv] });
        continue;
      }
      if (even) {
        report({ ...base, status: "pass", messageId: "balanced", data: { ...data, zones: zonesText }, evidence: [czEv, healthEv] });
        continue;
      }
      shares.sort((a, b) => b.share - a.share || compareText(a.z, b.z) || compareText(a.t.id, b.t.id));
      const listed = shares.slice(0, MAX_LISTED).map((s) => `${targetLabel(s.t)} in ${s.z} ${percent(s.share)}`);
      if (shares.length > MAX_LISTED) listed.push(`and ${shares.length - MAX_LISTED} more`);
      const max = shares[0]?.share ?? 0;
      const min = shares[shares.length - 1]?.share ?? 0;
      report({
        ...base,
        subjects: [tg.key, ...shares.map((s) => s.t.key)],
        severity: max >= 2 * min ? "medium" : "low",
        status: "fail",
        messageId: "skew",
        data: { ...data, basis: cz.basis, zones: zonesText, shares: listed.join(", ") },
        evidence: [
          czEv,
          healthEv,
          ...shares.slice(0, MAX_LISTED).map((s) => ({ resourceId: tg.arn, pointer: s.t.statePtr, label: `${s.t.id} in ${s.z}` })),
        ],
        remediation: k8sRemediation(model, tg.arn, fix(lb, tg, cz)),
      });
    }
  },
});
