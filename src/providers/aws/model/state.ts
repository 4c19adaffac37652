/** The state the AWS model's section builders share while they build: the wire lists, the lookups filled so far, the gaps. */
import { danglingRecorder } from "../../../core/engine/gaps.ts";
import { obj } from "../../../core/util/wire.ts";
import type { AwsSnapshot } from "../wire-types.ts";
import type {
  AutoScalingGroup,
  AwsModel,
  Instance,
  Listener,
  LoadBalancer,
  ModelGap,
  NetworkAcl,
  RouteTable,
  SecurityGroup,
  Subnet,
  TargetGroup,
} from "./types.ts";

export interface AwsBuild {
  snapshot: AwsSnapshot;
  elbv2: AwsSnapshot["elbv2"];
  ec2: NonNullable<AwsSnapshot["ec2"]>;
  collected: AwsModel["collected"];
  gaps: ModelGap[];
  noteDangling: ReturnType<typeof danglingRecorder>;
  /** an implicit reference (a subnet's NACL or route table) that nothing in the snapshot satisfies */
  noteUnresolved: (s: { id: string; vpcId?: string }, what: string, why: string) => void;
  securityGroup: Map<string, SecurityGroup>;
  networkAcl: Map<string, NetworkAcl>;
  routeTable: Map<string, RouteTable>;
  subnet: Map<string, Subnet>;
  instance: Map<string, Instance>;
  /** every private IP of every instance */
  instanceByIp: Map<string, Instance>;
  loadBalancer: Map<string, LoadBalancer>;
  targetGroup: Map<string, TargetGroup>;
  listener: Map<string, Listener>;
  autoScalingGroup: Map<string, AutoScalingGroup>;
}

export function startBuild(snapshot: AwsSnapshot): AwsBuild {
  const gaps: ModelGap[] = (snapshot.gaps ?? []).map((g) => ({ ...g, kind: "collection" as const }));
  const ec2 = obj(snapshot.ec2) as NonNullable<AwsSnapshot["ec2"]>;
  return {
    snapshot,
    elbv2: obj(snapshot.elbv2) as unknown as AwsSnapshot["elbv2"],
    ec2,
    collected: {
      securityGroups: Array.isArray(ec2.SecurityGroups),
      instances: Array.isArray(ec2.Instances),
      subnets: Array.isArray(ec2.Subnets),
      networkAcls: Array.isArray(ec2.NetworkAcls),
      routeTables: Array.isArray(ec2.RouteTables),
      autoScaling: Array.isArray(snapshot.autoscaling?.AutoScalingGroups),
    },
    gaps,
    noteDangling: danglingRecorder(gaps),
    noteUnresolved: (s, what, why) => {
      gaps.push({
        kind: "dangling-reference",
        operation: "resolve",
        resourceId: s.id,
        referencedFrom: s.id,
        message: `the ${what} of subnet ${s.id}${s.vpcId ? ` (${s.vpcId})` : ""} is not in the snapshot: ${why}`,
      });
    },
    securityGroup: new Map(),
    networkAcl: new Map(),
    routeTable: new Map(),
    subnet: new Map(),
    instance: new Map(),
    instanceByIp: new Map(),
    loadBalancer: new Map(),
    targetGroup: new Map(),
    listener: new Map(),
    autoScalingGroup: new Map(),
  };
}
