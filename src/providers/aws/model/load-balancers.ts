/** ELBv2 load balancers, with their zones, subnets, security groups and attributes. */
import { join, pointer } from "../../../core/util/json-pointer.ts";
import { idKey } from "../../../core/util/resource-id.ts";
import { arr, obj, str, strList } from "../../../core/util/wire.ts";
import { resolveGroups } from "./instances.ts";
import { arnRegion, boolSetting, readAttributes } from "./read.ts";
import type { AwsBuild } from "./state.ts";
import type { LbZone, LoadBalancer } from "./types.ts";

export function buildLoadBalancers(st: AwsBuild): void {
  arr(st.elbv2.LoadBalancers).forEach((w, i) => {
    const raw = obj(w);
    const arn = str(raw.LoadBalancerArn);
    if (!arn) return;
    const ptr = pointer("elbv2", "LoadBalancers", i);
    const name = str(raw.LoadBalancerName) ?? arn;
    const type = str(raw.Type) ?? "application";
    const sgIds = strList(raw.SecurityGroups);
    const { attributes, known } = readAttributes(st.elbv2.LoadBalancerAttributes, arn, pointer("elbv2", "LoadBalancerAttributes"));
    // a Gateway Load Balancer has no scheme (it is reached through Gateway Load Balancer endpoints, never from the
    // internet); an ALB or NLB without one is internet-facing, the API's default
    const scheme = str(raw.Scheme) ?? (type === "gateway" ? "" : "internet-facing");
    const lb: LoadBalancer = {
      id: arn,
      key: idKey(arn),
      name,
      ptr,
      raw,
      arn,
      type,
      scheme,
      internetFacing: scheme === "internet-facing",
      zones: [],
      subnets: [],
      securityGroupIds: sgIds,
      securityGroups: resolveGroups(st, sgIds, arn, name),
      securityGroupsPtr: sgIds.length > 0 ? join(ptr, "SecurityGroups") : ptr,
      attributes,
      attributesKnown: known,
      // always on for an ALB (a target group may still turn it off: TargetGroup.crossZone)
      crossZone:
        type === "application"
          ? {
              value: true,
              source: attributes.has("load_balancing.cross_zone.enabled") ? "attribute" : "default",
              ptr: attributes.get("load_balancing.cross_zone.enabled")?.ptr ?? ptr,
            }
          : boolSetting(attributes, "load_balancing.cross_zone.enabled", false, ptr),
      listeners: [],
      targetGroups: [],
    };
    for (const [k, v] of [
      ["vpcId", str(raw.VpcId)],
      ["state", str(obj(raw.State).Code)],
      ["dnsName", str(raw.DNSName)],
      ["ipAddressType", str(raw.IpAddressType)],
      ["region", arnRegion(arn) ?? str(st.snapshot.scope?.region)],
    ] as const) {
      if (v) lb[k] = v;
    }
    arr(raw.AvailabilityZones).forEach((z, j) => {
      const zone: LbZone = { ptr: join(ptr, "AvailabilityZones", j) };
      const zn = str(obj(z).ZoneName);
      if (zn) zone.zoneName = zn;
      const sid = str(obj(z).SubnetId);
      if (sid) {
        zone.subnetId = sid;
        const s = st.subnet.get(idKey(sid));
        if (s) {
          zone.subnet = s;
          lb.subnets.push(s);
        } else st.noteDangling(sid, arn, name, "subnet");
      }
      lb.zones.push(zone);
    });
    st.loadBalancer.set(lb.key, lb);
  });
}
