/**
 * Which data a collection gap leaves incomplete (the `reads` keys of the
 * rules), and which resources its findings concern. The operations are the
 * IAM action names the collector writes (`elasticloadbalancing:DescribeTargetHealth`);
 * a snapshot built by hand may name the bare action (`DescribeTargetHealth`).
 */
import { type AwsDataKey, DATA_KEYS } from "../../core/engine/reads.ts";
import type { Gap } from "../../core/snapshot/types.ts";
import { idKey } from "../../core/util/resource-id.ts";
import type { AwsModel } from "./model.ts";

export const AWS_DATA_KEYS = DATA_KEYS.aws;

/** An action, and what failing it leaves out: its own data and the data only it leads to. */
const BY_ACTION: Record<string, AwsDataKey[]> = {
  describeloadbalancers: [...DATA_KEYS.aws],
  describeloadbalancerattributes: ["aws:loadBalancerAttributes"],
  describelisteners: ["aws:listeners", "aws:listenerRules"],
  describerules: ["aws:listenerRules"],
  // Auto Scaling groups are kept by the target groups they name: without those, a group is dropped unseen
  describetargetgroups: ["aws:targetGroups", "aws:targetGroupAttributes", "aws:targetHealth", "aws:autoscaling"],
  describetargetgroupattributes: ["aws:targetGroupAttributes"],
  describetargethealth: ["aws:targetHealth"],
  describeinstances: ["aws:instances"],
  describesecuritygroups: ["aws:securityGroups"],
  describesubnets: ["aws:subnets"],
  describenetworkacls: ["aws:networkAcls"],
  describeroutetables: ["aws:routeTables"],
  describeautoscalinggroups: ["aws:autoscaling"],
  // tags name owners (Kubernetes); no verdict depends on them
  describetags: [],
  // time data (--since, timeline)
  getmetricdata: ["aws:metrics"],
  lookupevents: ["aws:changes"],
};

/** The data keys a gap covers. An operation lbdoctor does not know covers everything: a fault never passes a rule. */
export function awsGapData(gap: Gap): AwsDataKey[] {
  const op = gap.operation;
  if (op === "snapshot" || op === "resolve") return [];
  // a role not assumed, regions not listed, a region not read (several regions or accounts): no collected
  // load balancer's data is missing, the gap only says where nothing was read
  if (op === "sts:AssumeRole" || op === "ec2:DescribeRegions" || /:loadbalancer\/\*$/.test(gap.resourceId ?? "")) return [];
  if (/ssm|send-?command|guest/i.test(op)) return ["aws:guest"];
  // an internet gateway's own route tables (ingress routing): no rule reads them; the trace reads the gap itself
  if (/describeroutetables$/i.test(op) && /^igw-/i.test(gap.resourceId ?? "")) return [];
  const action = op.slice(op.lastIndexOf(":") + 1).toLowerCase();
  return BY_ACTION[action] ?? [...DATA_KEYS.aws];
}

/**
 * The normalized ids whose findings a gap on one resource can change: the
 * resource and the targets it holds (a target group's), or for an EC2 id
 * (whose own Describe may have failed, so the model may not hold it) the
 * load balancers, instances and targets that reference it. A finding is about
 * them when its resource, load balancer, subjects or evidence name one.
 * Undefined: the gap is not about one resource lbdoctor can place, so it concerns the whole rule.
 */
export function awsGapAffects(model: AwsModel, gap: Gap): string[] | undefined {
  if (!gap.resourceId) return undefined;
  const key = idKey(gap.resourceId);
  const out = new Set([key]);
  if (model.byKey.loadBalancer.has(key) || model.byKey.listener.has(key)) return [...out];
  const tg = model.byKey.targetGroup.get(key);
  if (tg) {
    for (const t of tg.targets) out.add(t.key);
    return [...out];
  }
  const kind = /^(i|sg|subnet)-/.exec(key)?.[1];
  if (!kind) return undefined;
  const is = (id: string | undefined) => id !== undefined && idKey(id) === key;
  for (const l of model.loadBalancers) {
    if ((kind === "sg" && l.securityGroupIds.some(is)) || (kind === "subnet" && l.zones.some((z) => is(z.subnetId)))) out.add(l.key);
  }
  for (const i of model.instances) {
    if ((kind === "sg" && i.securityGroupIds.some(is)) || (kind === "subnet" && is(i.subnetId))) out.add(i.key);
  }
  for (const t of model.targetGroups.flatMap((g) => g.targets)) {
    const inst = t.instance;
    if ((kind === "i" && is(t.id)) || (inst && out.has(inst.key)) || (kind === "subnet" && t.subnet !== undefined && is(t.subnet.id))) {
      out.add(t.key);
      if (inst) out.add(inst.key);
    }
  }
  return [...out];
}
