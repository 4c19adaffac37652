import { APP_SUBNET, healthyInternal, healthyWeb, ILB, ids, P } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const FRONTEND = "10.1.0.100";
const db = { remote: "10.1.0.50:5432", state: "ESTAB" };

/** healthyInternal plus a second frontend and rule for an API co-hosted on the same VMs. */
const twoApps = () =>
  healthyInternal().edit(ids.lb(ILB), (r) => {
    const p = P(r);
    const lbId = ids.lb(ILB);
    (p.frontendIPConfigurations as unknown[]).push({
      name: "fe-api",
      id: `${lbId}/frontendIPConfigurations/fe-api`,
      properties: {
        privateIPAddress: "10.1.0.101",
        privateIPAllocationMethod: "Static",
        subnet: { id: ids.subnet(APP_SUBNET) },
      },
    });
    (p.loadBalancingRules as unknown[]).push({
      name: "rule-api",
      id: `${lbId}/loadBalancingRules/rule-api`,
      properties: {
        frontendIPConfiguration: { id: `${lbId}/frontendIPConfigurations/fe-api` },
        backendAddressPool: { id: ids.pool(ILB, "pool-app") },
        probe: { id: ids.probe(ILB, "probe-app") },
        protocol: "Tcp",
        frontendPort: 9090,
        backendPort: 9090,
        enableFloatingIP: false,
      },
    });
  });

export const cases: RuleCases = {
  valid: [
    {
      name: "guest check: the app VMs talk to their database, not to their own frontend",
      snapshot: healthyInternal()
        .guest("app1", { connections: [db] })
        .guest("app2", { connections: [db] })
        .build(),
    },
    {
      name: "a client VM outside the pool calls the frontend: that is the normal path",
      snapshot: healthyInternal()
        .vm("client1", { subnet: APP_SUBNET, ip: "10.1.0.20" })
        .guest("client1", { connections: [{ remote: `${FRONTEND}:8080`, state: "ESTAB" }] })
        .guest("app1", { connections: [] })
        .guest("app2", { connections: [db] })
        .build(),
    },
    {
      name: "a connection to the frontend IP on a port no rule serves is not load-balanced",
      snapshot: healthyInternal()
        .guest("app1", { connections: [{ remote: `${FRONTEND}:9999`, state: "SYN-SENT" }] })
        .guest("app2", { connections: [] })
        .build(),
    },
  ],
  invalid: [
    {
      name: "app1 calls its own internal LB's frontend 10.1.0.100:8080 and sees intermittent timeouts",
      snapshot: healthyInternal()
        .guest("app1", {
          listening: [{ protocol: "tcp", port: 8080, address: "0.0.0.0" }],
          connections: [db, { remote: `${FRONTEND}:8080`, local: "10.1.0.4:51234", state: "ESTAB" }],
        })
        .guest("app2", { connections: [db] })
        .build(),
      errors: [{ messageId: "seen", resourceId: ids.nic("app1-nic") }],
    },
    {
      name: "co-hosted apps: app2's web tier calls the API frontend 10.1.0.101:9090 of the same pool",
      snapshot: twoApps()
        .guest("app1", { connections: [] })
        .guest("app2", { connections: [{ remote: "10.1.0.101:9090", state: "SYN-SENT" }] })
        .build(),
      errors: [{ messageId: "seen", resourceId: ids.nic("app2-nic") }],
    },
    {
      name: "HA-ports rule: any port on the frontend maps back into the pool",
      snapshot: healthyInternal()
        .edit(ids.lb(ILB), (r) => {
          const rule = (P(r).loadBalancingRules as Array<{ properties: Record<string, unknown> }>)[0];
          if (rule) Object.assign(rule.properties, { protocol: "All", frontendPort: 0, backendPort: 0 });
        })
        .guest("app1", { connections: [{ remote: `${FRONTEND}:443`, state: "ESTAB" }] })
        .guest("app2", { connections: [{ remote: `[${FRONTEND}]:22`, state: "ESTAB" }] })
        .build(),
      errors: [{ messageId: "seen" }, { messageId: "seen" }],
    },
    {
      name: "app1 named with --from, and the frontend's private address is not an address: the guest script leaves it to fill in",
      snapshot: healthyInternal()
        .edit(ids.lb(ILB), (r) => {
          const fe = (P(r).frontendIPConfigurations as Array<{ properties: Record<string, unknown> }>)[0];
          if (fe) fe.properties.privateIPAddress = `${FRONTEND};touch pwned`;
        })
        .build(),
      context: { from: ["app1"] },
      errors: [{ messageId: "declared", resourceId: ids.nic("app1-nic") }],
    },
  ],
  unknown: [
    {
      name: "the guest check failed on app1 (VM agent not ready)",
      snapshot: healthyInternal()
        .gap({ operation: "virtualMachines.runCommand", resourceId: ids.vm("app1"), status: 409, message: "the VM agent is not ready" })
        .build(),
      reason: "VM agent is not ready",
    },
  ],
  notApplicable: [
    { name: "no guest data and no --from: nothing to check", snapshot: healthyInternal().build() },
    {
      name: "a public LB's backend calling its public frontend is not an internal-LB hairpin",
      snapshot: healthyWeb()
        .guest("vm1", { connections: [{ remote: "20.50.60.70:80", state: "ESTAB" }] })
        .build(),
    },
  ],
};
