import { healthyAlb, healthyNlb, ids, tgArn } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const shiftA = (state = "zonal_shift_active") =>
  healthyNlb().target(ids.tg.app, {
    id: ids.instance.web1,
    az: "us-east-1a",
    override: { state, description: "Zonal shift is active on target" },
  });

export const cases: RuleCases = {
  valid: [
    { name: "no override on any target", snapshot: healthyNlb().build() },
    { name: "an ALB without overrides", snapshot: healthyAlb().build() },
  ],
  invalid: [
    {
      name: "a zonal shift started during last week's us-east-1a impairment is still active: app-1 idles",
      snapshot: shiftA()
        .describe(
          "Incident follow-up: during an impairment of us-east-1a someone started a zonal shift on app-nlb with a 72-hour expiry. The zone " +
            "recovered the same day; the shift was never cancelled, and app-2 alone has carried all the traffic since.",
        )
        .build(),
      errors: [{ messageId: "shifted", severity: "medium", resourceId: ids.lb.nlb }],
    },
    {
      name: "delegated to DNS (cross-zone on)",
      snapshot: shiftA("zonal_shift_delegated_to_dns").lbAttribute(ids.lb.nlb, "load_balancing.cross_zone.enabled", "true").build(),
      errors: [{ messageId: "shifted" }],
    },
    {
      name: "the only healthy target sits in the shifted zone (high)",
      snapshot: shiftA()
        .target(ids.tg.app, { id: ids.instance.web2, az: "us-east-1b", state: "unhealthy", reason: "Target.FailedHealthChecks" })
        .build(),
      errors: [{ messageId: "shifted", severity: "high" }],
    },
    {
      name: "app-tg's only healthy target is shifted away; a second group's healthy target in us-east-1b carries none of app-tg's traffic (high)",
      snapshot: shiftA()
        .target(ids.tg.app, { id: ids.instance.web2, az: "us-east-1b", state: "unhealthy", reason: "Target.FailedHealthChecks" })
        .targetGroup({ name: "admin-tg", protocol: "TCP", port: 8443, lbType: "network" })
        .listener({ lb: ids.lb.nlb, port: 8443, protocol: "TCP", forward: tgArn("admin-tg") })
        .target(tgArn("admin-tg"), { id: ids.instance.web2, az: "us-east-1b" })
        .build(),
      errors: [{ messageId: "shifted", severity: "high" }],
    },
  ],
  unknown: [
    {
      name: "target health not collected",
      snapshot: healthyNlb()
        .edit((s) => {
          delete s.elbv2.TargetHealth?.[ids.tg.app];
        })
        .build(),
      reason: "not collected",
    },
  ],
};
