import type { ArmResource } from "../../../src/providers/azure/wire-types.ts";
import { healthyInternal, healthyWeb, ILB, ids, P, rgId, WEB_LB } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

type Wire = Array<{ name: string; properties: Record<string, unknown> }>;

/** Sets (or, with undefined, removes) loadDistribution on one load-balancing rule. */
const distribution = (rule: string, mode: string | undefined) => (r: ArmResource) => {
  for (const x of P(r).loadBalancingRules as Wire) {
    if (x.name !== rule) continue;
    if (mode === undefined) delete x.properties.loadDistribution;
    else x.properties.loadDistribution = mode;
  }
};

export const cases: RuleCases = {
  valid: [
    { name: "reference architecture: Default (5-tuple hash)", snapshot: healthyWeb().build() },
    { name: "internal LB with Default distribution", snapshot: healthyInternal().build() },
    {
      name: "the rule health call failed: the rule's own load distribution (Default) still decides",
      snapshot: (() => {
        const s = healthyWeb()
          .gap({
            operation: "loadBalancerLoadBalancingRules.health",
            resourceId: ids.rule(WEB_LB, "rule-http"),
            status: 403,
            code: "AuthorizationFailed",
            message: "denied",
          })
          .build();
        delete s.observations?.ruleHealth?.[ids.rule(WEB_LB, "rule-http")];
        return s;
      })(),
    },
    {
      name: "no loadDistribution on the wire means Default",
      snapshot: healthyWeb().edit(ids.lb(WEB_LB), distribution("rule-http", undefined)).build(),
    },
  ],
  invalid: [
    {
      name: "Client IP persistence on the public web rule; an office of users behind one NAT address lands on one VM (all members Up)",
      snapshot: healthyWeb().edit(ids.lb(WEB_LB), distribution("rule-http", "SourceIP")).build(),
      errors: [{ messageId: "persistent", resourceId: ids.rule(WEB_LB, "rule-http"), severity: "low" }],
    },
    {
      name: "Client IP and protocol on an internal LB fed by a two-instance proxy tier",
      snapshot: healthyInternal().edit(ids.lb(ILB), distribution("rule-app", "SourceIPProtocol")).build(),
      errors: [{ messageId: "persistent", resourceId: ids.rule(ILB, "rule-app") }],
    },
    {
      name: "only the persistent one of two rules fails",
      snapshot: healthyWeb()
        .edit(ids.lb(WEB_LB), (r) => {
          const rules = P(r).loadBalancingRules as Wire;
          const http = rules[0];
          if (!http) return;
          const https = structuredClone(http) as Wire[number] & { id?: string };
          https.name = "rule-https";
          https.id = ids.rule(WEB_LB, "rule-https");
          Object.assign(https.properties, { frontendPort: 443, backendPort: 443, loadDistribution: "SourceIP" });
          rules.push(https);
        })
        .build(),
      errors: [{ messageId: "persistent", resourceId: ids.rule(WEB_LB, "rule-https") }],
    },
  ],
  unknown: [
    {
      name: "a distribution mode lbdoctor does not know",
      snapshot: healthyWeb().edit(ids.lb(WEB_LB), distribution("rule-http", "RoundRobin")).build(),
      reason: "does not recognize",
    },
    {
      name: "listing load balancers failed",
      snapshot: healthyWeb()
        .remove(ids.lb(WEB_LB))
        .gap({
          operation: "loadBalancers.list",
          resourceId: rgId(),
          status: 403,
          code: "AuthorizationFailed",
          message: "no read permission",
        })
        .build(),
      reason: "could not be listed",
    },
  ],
  notApplicable: [
    {
      name: "a load balancer with no load-balancing rule",
      snapshot: healthyWeb()
        .edit(ids.lb(WEB_LB), (r) => {
          P(r).loadBalancingRules = [];
        })
        .build(),
    },
  ],
};
