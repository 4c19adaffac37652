import { healthyWeb, ids, WEB_LB } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

type Power = "running" | "deallocated" | "stopped" | null;

/** The reference web LB's frontend chained to a Gateway LB with two appliances (NVAs) in its pool. */
const chained = (nva1: Power | "absent", nva2: Power | "absent") => {
  const s = healthyWeb()
    .vnet("vnet-nva", ["10.2.0.0/16"], [{ name: "snet-nva", prefix: "10.2.0.0/24" }])
    .lb("lb-gw", {
      sku: "Gateway",
      frontends: [{ name: "fe-gw", subnet: "vnet-nva/snet-nva", privateIp: "10.2.0.100" }],
      pools: ["pool-nva"],
      probes: [{ name: "probe-nva", protocol: "Tcp", port: 9000 }],
      rules: [
        { name: "ha-ports", frontend: "fe-gw", pool: "pool-nva", probe: "probe-nva", protocol: "All", frontendPort: 0, backendPort: 0 },
      ],
    })
    .chainToGateway(WEB_LB, "fe-web", ids.frontend("lb-gw", "fe-gw"));
  if (nva1 !== "absent") s.vm("nva1", { subnet: "vnet-nva/snet-nva", ip: "10.2.0.4", pools: ["lb-gw/pool-nva"], power: nva1 });
  if (nva2 !== "absent") s.vm("nva2", { subnet: "vnet-nva/snet-nva", ip: "10.2.0.5", pools: ["lb-gw/pool-nva"], power: nva2 });
  return s;
};
const FE = ids.frontend(WEB_LB, "fe-web");

export const cases: RuleCases = {
  valid: [
    { name: "both appliances running", snapshot: chained("running", "running").build() },
    { name: "one appliance deallocated, the other running", snapshot: chained("deallocated", "running").build() },
  ],
  invalid: [
    {
      name: "both appliances deallocated: everything to the chained frontend is dropped",
      snapshot: chained("deallocated", "deallocated").build(),
      errors: [{ messageId: "allDown", resourceId: FE, severity: "critical" }],
    },
    {
      name: "nva1 deallocated, nva2 running but set to admin state Down: no appliance takes new flows",
      snapshot: chained("deallocated", "running").adminState("lb-gw", "pool-nva", { vm: "nva2" }, "Down").build(),
      errors: [{ messageId: "allDown", resourceId: FE, severity: "critical" }],
    },
    {
      name: "the Gateway LB's pool holds no appliance",
      snapshot: chained("absent", "absent").build(),
      errors: [{ messageId: "empty", resourceId: FE }],
    },
  ],
  unknown: [
    {
      name: "the Gateway LB is not in the snapshot (another resource group)",
      snapshot: chained("running", "running").remove(ids.lb("lb-gw")).build(),
      reason: "not in the snapshot",
    },
    {
      name: "no appliance's power state is known",
      snapshot: chained(null, "deallocated").build(),
      reason: "rule health is not available",
    },
  ],
  notApplicable: [{ name: "no frontend is chained", snapshot: healthyWeb().build() }],
};
