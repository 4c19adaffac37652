import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Evidence, Severity } from "../../../src/core/engine/types.ts";
import { k8sLabel, k8sOwner } from "../../../src/providers/aws/kubernetes.ts";
import type { AwsModel, LoadBalancer, Target } from "../../../src/providers/aws/model.ts";
import { gapNote, sh, targetLabel, targetSubjects } from "../../../src/providers/aws/rule-helpers.ts";
import { isHealthy, targetAz } from "../../../src/providers/aws/target-facts.ts";
import { isZonalShift, type Override, overrideOf } from "../../../src/providers/aws/target-signals.ts";

interface Shifted {
  t: Target;
  o: Override;
}

/** The zone's id (`use1-az1`): zonal shifts name the zone they move traffic away from by its id. */
function zoneId(lb: LoadBalancer, az: string): string | undefined {
  for (const z of lb.zones) {
    const name = z.zoneName ?? z.subnet?.availabilityZone;
    const id = z.subnet?.raw.AvailabilityZoneId;
    if (name === az && typeof id === "string") return id;
  }
  return undefined;
}

function cancelCommands(lb: LoadBalancer, id: string | undefined): string[] {
  // the zone id goes inside a JMESPath string literal: a snapshot value with a quote could rewrite the query and pick
  // another zone's shift to cancel, so only an id made of letters, digits and hyphens (use1-az1, usw2-lax1-az1) is embedded
  const safe = id !== undefined && /^[A-Za-z0-9-]+$/.test(id) ? id : undefined;
  const query = safe ? `items[?awayFrom=='${safe}'].zonalShiftId | [0]` : "items[0].zonalShiftId";
  return [
    `aws arc-zonal-shift list-zonal-shifts --resource-identifier ${sh(lb.arn)} --status ACTIVE`,
    `ZONAL_SHIFT_ID=$(aws arc-zonal-shift list-zonal-shifts --resource-identifier ${sh(lb.arn)} --status ACTIVE --query ${sh(query)} --output text)`,
    'aws arc-zonal-shift cancel-zonal-shift --zonal-shift-id "$ZONAL_SHIFT_ID"',
  ];
}

export default defineRule<AwsModel>({
  id: "aws/zonal-shift-active",
  provider: "aws",
  severity: "medium",
  reads: ["aws:loadBalancers", "aws:targetGroups", "aws:targetHealth"],
  title: "A zonal shift steers traffic away from a zone",
  description:
    "Amazon Application Recovery Controller's zonal shift moves a load balancer's traffic away from one Availability Zone on purpose, " +
    "until it expires or is cancelled: someone started it (or zonal autoshift, whose practice runs show up as zonal shifts too). " +
    "`DescribeTargetHealth` then reports every target in that zone with `AdministrativeOverride.State` `zonal_shift_active` (or " +
    "`zonal_shift_delegated_to_dns` when cross-zone load balancing is on and the zone's load balancer address is removed from DNS); this is " +
    "independent of the target's health state. Those targets get no new connections (existing ones are not cut), so the zone's capacity " +
    "is idle and whatever else looks wrong in that zone (targets unhealthy or unused there) has an intended explanation. A shift left in " +
    "place after the incident it was for is a capacity loss; one covering the only zone with healthy targets is an outage. Severity is " +
    "medium, high when no healthy target is left outside the shifted zone.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_AdministrativeOverride.html",
      title: "AdministrativeOverride - Elastic Load Balancing",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/zonal-shift.html",
      title: "Zonal shift for your Network Load Balancer - Elastic Load Balancing",
    },
    {
      url: "https://docs.aws.amazon.com/cli/latest/reference/arc-zonal-shift/cancel-zonal-shift.html",
      title: "cancel-zonal-shift",
    },
    {
      url: "https://docs.aws.amazon.com/cli/v1/reference/arc-zonal-shift/list-zonal-shifts.html",
      title: "list-zonal-shifts",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/enable-zonal-shift.html",
    "https://docs.aws.amazon.com/r53recovery/latest/dg/arc-zonal-shift.resource-types.network-load-balancers.html",
  ],
  explains: ["aws/targets-unhealthy"],
  messages: {
    shifted:
      "A zonal shift is {{how}} on {{lb}}{{k8s}} away from {{zone}}: {{count}} target(s) there ({{targets}}) get no new traffic on purpose{{description}}. {{capacity}}",
    none: "No zonal shift is active on {{lb}}: no target carries an administrative override.",
    noHealth: "Cannot tell whether a zonal shift is active on {{lb}}: {{why}}.",
  },
  remediation:
    "If the shift is no longer needed (the zone has recovered, or it was a test), end it: `aws arc-zonal-shift list-zonal-shifts " +
    "--resource-identifier <load balancer ARN> --status ACTIVE` names it (its `awayFrom` is the zone id), and `aws arc-zonal-shift " +
    "cancel-zonal-shift --zonal-shift-id <id>` cancels it. If it is still needed, make sure the other zones can carry the load.",
  check({ model, report }) {
    for (const lb of model.loadBalancers) {
      const base = { resourceId: lb.arn, resourceName: lb.name, loadBalancerId: lb.arn, subjects: [lb.key] };
      const missing = lb.targetGroups.filter((tg) => !tg.healthKnown);
      const shifted: Shifted[] = [];
      const others: Target[] = [];
      for (const tg of lb.targetGroups) {
        for (const t of tg.targets) {
          const o = overrideOf(t);
          if (o && isZonalShift(o)) shifted.push({ t, o });
          else others.push(t);
        }
      }
      if (shifted.length === 0) {
        if (missing.length > 0) {
          report({
            ...base,
            status: "unknown",
            messageId: "noHealth",
            data: {
              lb: lb.name,
              why: `the target health of ${missing.map((t) => t.name).join(", ")} was not collected${gapNote(
                model,
                missing.map((t) => t.arn),
                ["DescribeTargetHealth"],
              )}`,
            },
            evidence: missing.map((tg) => ({ resourceId: tg.arn, pointer: tg.ptr, label: "target group" })),
          });
        } else if (lb.targetGroups.some((tg) => tg.targets.length > 0)) {
          report({ ...base, status: "pass", messageId: "none", data: { lb: lb.name } });
        }
        continue;
      }
      const owner = k8sOwner(model, lb.arn);
      const byZone = new Map<string, Shifted[]>();
      for (const s of shifted) {
        const az = targetAz(s.t)?.az ?? "an unknown zone";
        let list = byZone.get(az);
        if (!list) byZone.set(az, (list = []));
        list.push(s);
      }
      for (const [az, list] of byZone) {
        const id = zoneId(lb, az);
        const delegated = list.every((s) => s.o.state === "zonal_shift_delegated_to_dns");
        // a target group's traffic goes only to its own targets: another group's healthy targets carry none of it
        const groups = [...new Set(list.map((s) => s.t.tg))];
        const stranded = groups.filter((tg) => !others.some((t) => t.tg === tg && isHealthy(t)));
        const healthyElsewhere = others.filter((t) => groups.includes(t.tg) && isHealthy(t));
        const severity: Severity = stranded.length > 0 ? "high" : "medium";
        const unhealthyHere = list.filter((s) => !isHealthy(s.t));
        const capacity =
          stranded.length > 0
            ? `No healthy target of ${stranded.map((tg) => tg.name).join(", ")} is left outside that zone: the load balancer has nowhere to send ${stranded.length === 1 ? "its" : "their"} new traffic.`
            : `${healthyElsewhere.length} healthy target(s) in the other zones carry the traffic.${unhealthyHere.length > 0 ? ` The unhealthy or unused targets in ${az} (${unhealthyHere.map((s) => targetLabel(s.t)).join(", ")}) are out of rotation by this shift anyway.` : ""}`;
        const description = list.find((s) => s.o.description)?.o.description;
        const evidence: Evidence[] = list.slice(0, 4).map((s) => ({
          resourceId: s.t.tg.arn,
          pointer: s.o.ptr,
          label: `administrative override of ${s.t.id}`,
        }));
        if (owner) evidence.push({ resourceId: lb.arn, pointer: owner.ptr, label: "Kubernetes owner (tag)" });
        report({
          ...base,
          key: az,
          severity,
          subjects: [lb.key, ...list.flatMap((s) => targetSubjects(s.t))],
          status: "fail",
          messageId: "shifted",
          data: {
            lb: lb.name,
            k8s: owner ? ` (${k8sLabel(owner)})` : "",
            how: delegated ? "delegated to DNS" : "active",
            zone: id ? `${az} (zone id ${id})` : az,
            count: list.length,
            targets: list
              .slice(0, 5)
              .map((s) => targetLabel(s.t))
              .join(", ")
              .concat(list.length > 5 ? ", …" : ""),
            description: `${delegated ? " (cross-zone load balancing is on: the zone's load balancer address is taken out of DNS)" : ""}${description ? ` ("${description}")` : ""}`,
            capacity,
          },
          evidence,
          remediation: {
            summary: `If the shift away from ${az} is no longer needed, cancel it (practice runs of zonal autoshift are listed too); otherwise make sure the other zones can carry ${lb.name}'s load.`,
            commands: cancelCommands(lb, id),
          },
        });
      }
    }
  },
});
