/** The emulated AWS actions, per service: ELBv2, Auto Scaling and the EC2 Describes lbdoctor calls. */

import type { AwsService } from "./index.ts";
import { type AwsState, EC2_MAX_RESULTS, each, type Handler, limitOf, type Params, page, QueryError, validation } from "./protocol.ts";
import { ec2FilterValues, matchesFilters, type Rec } from "./store.ts";

export function awsHandlers(st: AwsState): Record<AwsService, Map<string, Handler>> {
  // STS and EC2 DescribeRegions are answered by the partitions (partitions.ts): they depend on the caller, not on a snapshot
  return { elbv2: elbv2Handlers(st), ec2: ec2Handlers(st), autoscaling: autoscalingHandlers(st), sts: new Map() };
}

function elbv2Handlers(st: AwsState): Map<string, Handler> {
  const lbByArn = (arn: string) => st.store.loadBalancers.find((lb) => lb.LoadBalancerArn === arn);
  const tgByArn = (arn: string) => st.store.targetGroups.find((tg) => tg.TargetGroupArn === arn);
  const lbNotFound = () => new QueryError(400, "LoadBalancerNotFound", "One or more load balancers not found");
  const tgNotFound = () => new QueryError(400, "TargetGroupNotFound", "One or more target groups not found");
  return new Map<string, Handler>([
    [
      "DescribeLoadBalancers",
      (p) => {
        const names = p.list("Names.member");
        const arns = p.list("LoadBalancerArns.member");
        if (names.length > 0 && arns.length > 0)
          throw validation("elbv2", "Load balancer names and load balancer ARNs cannot be specified at the same time");
        if (names.length > 20 || arns.length > 20) throw validation("elbv2", "You can specify up to 20 load balancers in a single call");
        let lbs = st.store.loadBalancers;
        if (names.length > 0 || arns.length > 0) {
          const wanted = names.length > 0 ? names : arns;
          const key = names.length > 0 ? "LoadBalancerName" : "LoadBalancerArn";
          if (wanted.some((w) => !lbs.some((lb) => lb[key] === w))) throw lbNotFound();
          lbs = lbs.filter((lb) => wanted.includes(String(lb[key])));
        }
        const pg = page("elbv2", lbs, p.get("Marker"), limitOf(st, "elbv2", p, "PageSize", 1, 400));
        return { LoadBalancers: pg.items, NextMarker: pg.next };
      },
    ],
    [
      "DescribeLoadBalancerAttributes",
      (p) => {
        const arn = p.get("LoadBalancerArn") ?? "";
        if (!lbByArn(arn)) throw lbNotFound();
        return { Attributes: st.store.loadBalancerAttributes.get(arn) ?? [] };
      },
    ],
    [
      "DescribeListeners",
      (p) => {
        const lbArn = p.get("LoadBalancerArn");
        const arns = p.list("ListenerArns.member");
        if (!lbArn && arns.length === 0) throw validation("elbv2", "You must specify either listener ARNs or a load balancer ARN");
        let ls = st.store.listeners;
        if (lbArn) {
          if (!lbByArn(lbArn)) throw lbNotFound();
          ls = ls.filter((l) => l.LoadBalancerArn === lbArn);
        }
        if (arns.length > 0) {
          if (arns.some((a) => !ls.some((l) => l.ListenerArn === a)))
            throw new QueryError(400, "ListenerNotFound", "One or more listeners not found");
          ls = ls.filter((l) => arns.includes(String(l.ListenerArn)));
        }
        const pg = page("elbv2", ls, p.get("Marker"), limitOf(st, "elbv2", p, "PageSize", 1, 400));
        return { Listeners: pg.items, NextMarker: pg.next };
      },
    ],
    [
      "DescribeRules",
      (p) => {
        const listenerArn = p.get("ListenerArn");
        const arns = p.list("RuleArns.member");
        let rules: Rec[];
        if (listenerArn) {
          if (!st.store.listeners.some((l) => l.ListenerArn === listenerArn))
            throw new QueryError(400, "ListenerNotFound", "One or more listeners not found");
          rules = st.store.rules.get(listenerArn) ?? [];
        } else if (arns.length > 0) {
          const all = [...st.store.rules.values()].flat();
          if (arns.some((a) => !all.some((r) => r.RuleArn === a))) throw new QueryError(400, "RuleNotFound", "One or more rules not found");
          rules = all.filter((r) => arns.includes(String(r.RuleArn)));
        } else {
          throw validation("elbv2", "You must specify either listener ARN or rule ARNs");
        }
        const pg = page("elbv2", rules, p.get("Marker"), limitOf(st, "elbv2", p, "PageSize", 1, 400));
        return { Rules: pg.items, NextMarker: pg.next };
      },
    ],
    [
      "DescribeTargetGroups",
      (p) => {
        const lbArn = p.get("LoadBalancerArn");
        const arns = p.list("TargetGroupArns.member");
        const names = p.list("Names.member");
        let tgs = st.store.targetGroups;
        if (lbArn) {
          if (!lbByArn(lbArn)) throw lbNotFound();
          tgs = tgs.filter((tg) => Array.isArray(tg.LoadBalancerArns) && tg.LoadBalancerArns.includes(lbArn));
        }
        if (arns.length > 0) {
          if (arns.some((a) => !tgs.some((tg) => tg.TargetGroupArn === a))) throw tgNotFound();
          tgs = tgs.filter((tg) => arns.includes(String(tg.TargetGroupArn)));
        }
        if (names.length > 0) {
          if (names.some((n) => !tgs.some((tg) => tg.TargetGroupName === n))) throw tgNotFound();
          tgs = tgs.filter((tg) => names.includes(String(tg.TargetGroupName)));
        }
        const pg = page("elbv2", tgs, p.get("Marker"), limitOf(st, "elbv2", p, "PageSize", 1, 400));
        return { TargetGroups: pg.items, NextMarker: pg.next };
      },
    ],
    [
      "DescribeTargetGroupAttributes",
      (p) => {
        const arn = p.get("TargetGroupArn") ?? "";
        if (!tgByArn(arn)) throw tgNotFound();
        return { Attributes: st.store.targetGroupAttributes.get(arn) ?? [] };
      },
    ],
    [
      "DescribeTargetHealth",
      (p) => {
        const arn = p.get("TargetGroupArn") ?? "";
        if (!tgByArn(arn)) throw tgNotFound();
        let ds = st.store.targetHealth.get(arn) ?? [];
        const targets = p.structs("Targets.member");
        if (targets.length > 0) {
          ds = ds.filter((d) => {
            const t = (d.Target ?? {}) as Rec;
            return targets.some((w) => w.Id === t.Id && (w.Port === undefined || w.Port === String(t.Port)));
          });
        }
        // AnomalyDetection is answered only when asked for (Include: AnomalyDetection or All)
        const include = p.list("Include.member");
        const bad = include.find((i) => i !== "All" && i !== "AnomalyDetection");
        if (bad !== undefined) throw validation("elbv2", `Include member '${bad}' is not one of All, AnomalyDetection`);
        if (include.length === 0) ds = ds.map(({ AnomalyDetection: _, ...rest }) => rest);
        return { TargetHealthDescriptions: ds };
      },
    ],
    [
      "DescribeTags",
      (p) => {
        const arns = p.list("ResourceArns.member");
        if (arns.length === 0) throw validation("elbv2", "ResourceArns must be specified");
        if (arns.length > 20) throw validation("elbv2", "You can specify up to 20 resources in a single call");
        for (const a of arns) {
          if (a.includes(":loadbalancer/") && !lbByArn(a)) throw lbNotFound();
          if (a.includes(":targetgroup/") && !tgByArn(a)) throw tgNotFound();
        }
        return { TagDescriptions: arns.map((a) => ({ ResourceArn: a, Tags: st.store.tags.get(a) ?? [] })) };
      },
    ],
  ]);
}

function autoscalingHandlers(st: AwsState): Map<string, Handler> {
  return new Map<string, Handler>([
    [
      "DescribeAutoScalingGroups",
      (p) => {
        const names = p.list("AutoScalingGroupNames.member");
        const filters = p.queryFilters();
        for (const f of filters) {
          if (!(f.name === "tag-key" || f.name === "tag-value" || f.name.startsWith("tag:")))
            throw validation("autoscaling", `Filter name '${f.name}' is not valid`);
        }
        let asgs = st.store.autoScalingGroups;
        if (names.length > 0) asgs = asgs.filter((a) => names.includes(String(a.AutoScalingGroupName)));
        asgs = asgs.filter((a) => matchesFilters((name, item) => ec2FilterValues("", name, item), filters, a));
        const pg = page("autoscaling", asgs, p.get("NextToken"), limitOf(st, "autoscaling", p, "MaxRecords", 1, 100));
        return { AutoScalingGroups: pg.items, NextToken: pg.next };
      },
    ],
  ]);
}

function ec2Handlers(st: AwsState): Map<string, Handler> {
  const ec2Describe =
    (action: string, all: () => Rec[], idParam: string, idField: string, notFound: string, outKey: string) =>
    (p: Params): Rec => {
      const ids = p.list(idParam);
      let items = all();
      if (ids.length > 0) {
        const missing = ids.filter((id) => !items.some((x) => x[idField] === id));
        if (missing.length > 0) throw new QueryError(400, notFound, `The ${idField} '${missing.join(", ")}' does not exist`);
        items = items.filter((x) => ids.includes(String(x[idField])));
      }
      const filters = p.ec2Filters();
      for (const f of filters) {
        if (
          !f.name.startsWith("tag:") &&
          f.name !== "tag-key" &&
          f.name !== "tag-value" &&
          ec2FilterValues(action, f.name, {}) === undefined
        )
          throw new QueryError(400, "InvalidParameterValue", `The filter '${f.name}' is invalid`);
      }
      items = items.filter((x) => matchesFilters((name, item) => ec2FilterValues(action, name, item), filters, x));
      if (ids.length > 0 && action === "DescribeInstances" && p.get("MaxResults") !== undefined)
        throw new QueryError(400, "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults");
      const pg = page("ec2", items, p.get("NextToken"), limitOf(st, "ec2", p, "MaxResults", 5, EC2_MAX_RESULTS[action] ?? 1000));
      return { [outKey]: pg.items, NextToken: pg.next };
    };

  return new Map<string, Handler>([
    [
      "DescribeSecurityGroups",
      ec2Describe("DescribeSecurityGroups", () => st.store.securityGroups, "GroupId", "GroupId", "InvalidGroup.NotFound", "SecurityGroups"),
    ],
    [
      "DescribeInstances",
      (p) => {
        const r = ec2Describe(
          "DescribeInstances",
          () => st.store.instances,
          "InstanceId",
          "InstanceId",
          "InvalidInstanceID.NotFound",
          "Instances",
        )(p);
        // one reservation per instance: the snapshot keeps instances flattened
        const reservations = each(r.Instances).map((i) => ({
          ReservationId: `r-${String(i.InstanceId).replace(/^i-/, "")}`,
          OwnerId: st.store.account,
          Groups: [],
          Instances: [i],
        }));
        return { Reservations: reservations, NextToken: r.NextToken };
      },
    ],
    [
      "DescribeSubnets",
      ec2Describe("DescribeSubnets", () => st.store.subnets, "SubnetId", "SubnetId", "InvalidSubnetID.NotFound", "Subnets"),
    ],
    [
      "DescribeNetworkAcls",
      ec2Describe(
        "DescribeNetworkAcls",
        () => st.store.networkAcls,
        "NetworkAclId",
        "NetworkAclId",
        "InvalidNetworkAclID.NotFound",
        "NetworkAcls",
      ),
    ],
    [
      "DescribeRouteTables",
      ec2Describe(
        "DescribeRouteTables",
        () => st.store.routeTables,
        "RouteTableId",
        "RouteTableId",
        "InvalidRouteTableID.NotFound",
        "RouteTables",
      ),
    ],
  ]);
}
