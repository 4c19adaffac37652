/** ELBv2 target groups: health check, attributes and the settings whose defaults depend on the load balancer type. */
import { join, pointer } from "../../../core/util/json-pointer.ts";
import { idKey } from "../../../core/util/resource-id.ts";
import { arr, obj, str, strList } from "../../../core/util/wire.ts";
import { boolSetting, num, preserveClientIpDefault, readAttributes } from "./read.ts";
import type { AwsBuild } from "./state.ts";
import type { HealthCheck, LoadBalancer, TargetGroup } from "./types.ts";

export function buildTargetGroups(st: AwsBuild): void {
  arr(st.elbv2.TargetGroups).forEach((w, i) => {
    const raw = obj(w);
    const arn = str(raw.TargetGroupArn);
    if (!arn) return;
    const ptr = pointer("elbv2", "TargetGroups", i);
    const name = str(raw.TargetGroupName) ?? arn;
    const { attributes, known } = readAttributes(st.elbv2.TargetGroupAttributes, arn, pointer("elbv2", "TargetGroupAttributes"));
    const lbArns = strList(raw.LoadBalancerArns);
    const lbs = lbArns.map((a) => st.loadBalancer.get(idKey(a))).filter((x): x is LoadBalancer => !!x);
    for (const a of lbArns) if (!st.loadBalancer.has(idKey(a))) st.noteDangling(a, arn, name, "load balancer");
    const targetType = str(raw.TargetType) ?? "instance";
    const protocol = str(raw.Protocol);
    const portSpec = String(raw.HealthCheckPort ?? "traffic-port");
    const hcPort = portSpec === "traffic-port" ? undefined : num(portSpec);
    const hc: HealthCheck = { enabled: raw.HealthCheckEnabled !== false, portSpec, portPtr: join(ptr, "HealthCheckPort") };
    if (hcPort !== undefined) hc.port = hcPort;
    for (const [k, v] of [
      ["protocol", str(raw.HealthCheckProtocol)],
      ["path", str(raw.HealthCheckPath)],
      ["matcher", str(obj(raw.Matcher).HttpCode) ?? str(obj(raw.Matcher).GrpcCode)],
    ] as const) {
      if (v) hc[k] = v;
    }
    for (const [k, v] of [
      ["intervalSeconds", num(raw.HealthCheckIntervalSeconds)],
      ["timeoutSeconds", num(raw.HealthCheckTimeoutSeconds)],
      ["healthyThreshold", num(raw.HealthyThresholdCount)],
      ["unhealthyThreshold", num(raw.UnhealthyThresholdCount)],
    ] as const) {
      if (v !== undefined) hc[k] = v;
    }
    const stick = boolSetting(attributes, "stickiness.enabled", false, ptr);
    const stickType = attributes.get("stickiness.type")?.value;
    const dereg = attributes.get("deregistration_delay.timeout_seconds");
    const cz = attributes.get("load_balancing.cross_zone.enabled");
    const lbType = lbs[0]?.type;
    const tg: TargetGroup = {
      id: arn,
      key: idKey(arn),
      name,
      ptr,
      raw,
      arn,
      targetType,
      loadBalancerArns: lbArns,
      loadBalancers: lbs,
      listeners: [],
      healthCheck: hc,
      attributes,
      attributesKnown: known,
      stickiness: { ...stick, ...(stickType ? { type: stickType } : {}) },
      deregistrationDelay: dereg
        ? { value: num(dereg.value) ?? 300, source: "attribute", ptr: dereg.ptr }
        : { value: 300, source: "default", ptr },
      crossZone: cz
        ? { value: cz.value, source: "attribute", ptr: cz.ptr }
        : { value: "use_load_balancer_configuration", source: "default", ptr },
      preserveClientIp: boolSetting(attributes, "preserve_client_ip.enabled", preserveClientIpDefault(lbType, targetType, protocol), ptr),
      targets: [],
      healthKnown: false,
      asgs: [],
    };
    // ALB and GWLB never preserve client IPs by this attribute; an explicit NLB setting always wins
    if (lbType !== undefined && lbType !== "network") tg.preserveClientIp = { value: false, source: "default", ptr };
    for (const [k, v] of [
      ["protocol", protocol],
      ["protocolVersion", str(raw.ProtocolVersion)],
      ["vpcId", str(raw.VpcId)],
    ] as const) {
      if (v) tg[k] = v;
    }
    const port = num(raw.Port);
    if (port !== undefined) tg.port = port;
    for (const lb of lbs) lb.targetGroups.push(tg);
    st.targetGroup.set(tg.key, tg);
  });
}
