/** Auto Scaling groups, linked both ways with their target groups and instances. */
import { join, pointer } from "../../../core/util/json-pointer.ts";
import { idKey } from "../../../core/util/resource-id.ts";
import { arr, obj, str, strList } from "../../../core/util/wire.ts";
import { num } from "./read.ts";
import type { AwsBuild } from "./state.ts";
import type { AsgInstance, AutoScalingGroup } from "./types.ts";

export function buildAutoScalingGroups(st: AwsBuild): void {
  arr(st.snapshot.autoscaling?.AutoScalingGroups).forEach((w, i) => {
    const raw = obj(w);
    const name = str(raw.AutoScalingGroupName);
    if (!name) return;
    const ptr = pointer("autoscaling", "AutoScalingGroups", i);
    const tgArns = strList(raw.TargetGroupARNs);
    const asg: AutoScalingGroup = {
      id: name,
      key: idKey(name),
      name,
      ptr,
      raw,
      availabilityZones: strList(raw.AvailabilityZones),
      subnetIds: (str(raw.VPCZoneIdentifier) ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
      targetGroupArns: tgArns,
      targetGroups: [],
      instances: [],
    };
    for (const [k, v] of [
      ["arn", str(raw.AutoScalingGroupARN)],
      ["healthCheckType", str(raw.HealthCheckType)],
    ] as const) {
      if (v) asg[k] = v;
    }
    for (const [k, v] of [
      ["healthCheckGracePeriod", num(raw.HealthCheckGracePeriod)],
      ["minSize", num(raw.MinSize)],
      ["maxSize", num(raw.MaxSize)],
      ["desiredCapacity", num(raw.DesiredCapacity)],
    ] as const) {
      if (v !== undefined) asg[k] = v;
    }
    for (const a of tgArns) {
      const tg = st.targetGroup.get(idKey(a));
      if (tg) {
        asg.targetGroups.push(tg);
        tg.asgs.push(asg);
      } else st.noteDangling(a, asg.arn ?? name, name, "target group");
    }
    arr(raw.Instances).forEach((x, j) => {
      const o = obj(x);
      const iid = str(o.InstanceId);
      if (!iid) return;
      const ai: AsgInstance = { instanceId: iid, ptr: join(ptr, "Instances", j) };
      for (const [k, v] of [
        ["availabilityZone", str(o.AvailabilityZone)],
        ["lifecycleState", str(o.LifecycleState)],
        ["healthStatus", str(o.HealthStatus)],
      ] as const) {
        if (v) ai[k] = v;
      }
      const inst = st.instance.get(idKey(iid));
      if (inst) {
        ai.instance = inst;
        inst.asg = asg;
      } else if (st.collected.instances) st.noteDangling(iid, asg.arn ?? name, name, "instance");
      asg.instances.push(ai);
    });
    // by ARN where there is one: a name is unique in one account and region only, and a snapshot may hold several
    st.autoScalingGroup.set(idKey(asg.arn ?? name), asg);
  });
}
