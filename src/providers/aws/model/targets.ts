/** Targets and their health (DescribeTargetHealth), resolved to instances and subnets. */

import { cidrInterval, ipInCidr } from "../../../core/util/ip.ts";
import { join, pointer } from "../../../core/util/json-pointer.ts";
import { idKey } from "../../../core/util/resource-id.ts";
import { arr, obj, str } from "../../../core/util/wire.ts";
import { keyIn, num } from "./read.ts";
import type { AwsBuild } from "./state.ts";
import type { Target, TargetKind } from "./types.ts";

export function buildTargets(st: AwsBuild): void {
  for (const tg of st.targetGroup.values()) {
    const hk = keyIn(st.elbv2.TargetHealth, tg.arn);
    if (hk === undefined || !st.elbv2.TargetHealth) continue;
    tg.healthKnown = true;
    tg.healthPtr = pointer("elbv2", "TargetHealth", hk);
    arr(st.elbv2.TargetHealth[hk]).forEach((d, j) => {
      const o = obj(d);
      const t = obj(o.Target);
      const id = str(t.Id);
      if (!id) return;
      const ptr = join(tg.healthPtr as string, j);
      const port = num(t.Port) ?? tg.port;
      const kind: TargetKind =
        tg.targetType === "ip" || tg.targetType === "lambda" || tg.targetType === "alb"
          ? tg.targetType
          : id.startsWith("i-")
            ? "instance"
            : cidrInterval(id)
              ? "ip"
              : "instance";
      const th = obj(o.TargetHealth);
      const target: Target = {
        tg,
        id,
        key: idKey(`${tg.arn}|${id}|${port ?? ""}`),
        kind,
        ptr,
        statePtr: join(ptr, "TargetHealth", "State"),
      };
      if (port !== undefined) target.port = port;
      // traffic-port: the target's own port; a spec that is neither that nor a number resolves to nothing
      const hcPort = tg.healthCheck.portSpec === "traffic-port" ? port : tg.healthCheck.port;
      if (hcPort !== undefined) target.healthCheckPort = hcPort;
      for (const [k, v] of [
        ["availabilityZone", str(t.AvailabilityZone)],
        ["state", str(th.State)],
        ["reason", str(th.Reason)],
        ["description", str(th.Description)],
      ] as const) {
        if (v) target[k] = v;
      }
      const anomaly = obj(o.AnomalyDetection);
      const result = str(anomaly.Result)?.toLowerCase();
      if (result) {
        const mitigation = str(anomaly.MitigationInEffect)?.toLowerCase();
        target.anomaly = { result, ...(mitigation ? { mitigation } : {}), ptr: join(ptr, "AnomalyDetection") };
      }
      const override = obj(o.AdministrativeOverride);
      const oState = str(override.State)?.toLowerCase();
      if (oState) {
        const reason = str(override.Reason);
        const description = str(override.Description);
        target.override = {
          state: oState,
          ...(reason ? { reason } : {}),
          ...(description ? { description } : {}),
          ptr: join(ptr, "AdministrativeOverride"),
        };
      }
      if (kind === "instance") {
        const inst = st.instance.get(idKey(id));
        if (inst) {
          target.instance = inst;
          if (inst.privateIp) target.ip = inst.privateIp;
          if (inst.subnet) target.subnet = inst.subnet;
        } else st.noteDangling(id, tg.arn, tg.name, "instance");
      } else if (kind === "ip") {
        target.ip = id;
        let inst = st.instanceByIp.get(id);
        // private IPs repeat across VPCs (several accounts or regions in one snapshot): the target's is in its group's VPC
        if (inst && tg.vpcId && inst.vpcId && inst.vpcId !== tg.vpcId)
          inst = [...st.instance.values()].find((i) => i.vpcId === tg.vpcId && i.privateIps.includes(id));
        if (inst) target.instance = inst;
        const s =
          inst?.subnet ?? [...st.subnet.values()].find((x) => x.cidr && (!tg.vpcId || x.vpcId === tg.vpcId) && ipInCidr(id, x.cidr));
        if (s) target.subnet = s;
      }
      tg.targets.push(target);
    });
  }
}
