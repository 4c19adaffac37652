import type { GuestObservation } from "../../../src/core/snapshot/types.ts";
import { healthyWeb, ids, WEB_LB } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

/** The reference architecture with floating IP on its HTTP rule. */
const floating = () => healthyWeb().lbRuleProps(WEB_LB, "rule-http", { enableFloatingIP: true });
const both = (obs: (ip: string) => GuestObservation) => floating().guest("vm1", obs("10.0.0.4")).guest("vm2", obs("10.0.0.5"));

export const cases: RuleCases = {
  valid: [
    { name: "no rule uses floating IP", snapshot: healthyWeb().build() },
    {
      name: "floating IP, the web server listens on every address",
      snapshot: both(() => ({ listening: [{ protocol: "tcp", port: 80, address: "0.0.0.0" }] })).build(),
    },
    {
      name: "floating IP, the web server listens on the frontend IP (and on IPv6 any)",
      snapshot: floating()
        .guest("vm1", { listening: [{ protocol: "tcp", port: 80, address: "20.50.60.70" }] })
        .guest("vm2", { listening: [{ protocol: "tcp", port: 80, address: "[::]" }] })
        .build(),
    },
  ],
  invalid: [
    {
      name: "floating IP, but the web server listens only on the NIC's address",
      snapshot: both((ip) => ({
        listening: [
          { protocol: "tcp", port: 80, address: ip },
          { protocol: "tcp", port: 22, address: "0.0.0.0" },
        ],
      })).build(),
      errors: [
        { messageId: "notOnFrontend", resourceId: ids.nic("vm1-nic") },
        { messageId: "notOnFrontend", resourceId: ids.nic("vm2-nic") },
      ],
    },
    {
      name: "floating IP, nothing listens on the port on vm2",
      snapshot: floating()
        .guest("vm1", { listening: [{ protocol: "tcp", port: 80, address: "0.0.0.0" }] })
        .guest("vm2", { listening: [{ protocol: "tcp", port: 22, address: "0.0.0.0" }] })
        .build(),
      errors: [{ messageId: "notListening", resourceId: ids.nic("vm2-nic"), severity: "high" }],
    },
    {
      name: "floating IP, the frontend's public IP is not in the snapshot and nothing listens on the port on vm2: the loopback fix leaves the IP to fill in",
      snapshot: floating()
        .remove(ids.publicIp("pip-lb-web"))
        .guest("vm1", { listening: [{ protocol: "tcp", port: 80, address: "0.0.0.0" }] })
        .guest("vm2", { listening: [{ protocol: "tcp", port: 22, address: "0.0.0.0" }] })
        .build(),
      errors: [{ messageId: "notListening", resourceId: ids.nic("vm2-nic") }],
    },
    {
      name: "floating IP, the frontend's public IP is not in the snapshot, and the sockets are on loopback or the NIC's own address: neither is the frontend IP",
      snapshot: floating()
        .remove(ids.publicIp("pip-lb-web"))
        .guest("vm1", { listening: [{ protocol: "tcp", port: 80, address: "127.0.0.1" }] })
        .guest("vm2", { listening: [{ protocol: "tcp", port: 80, address: "10.0.0.5" }] })
        .build(),
      errors: [
        { messageId: "notOnFrontend", resourceId: ids.nic("vm1-nic") },
        { messageId: "notOnFrontend", resourceId: ids.nic("vm2-nic") },
      ],
    },
  ],
  unknown: [
    { name: "floating IP without guest data", snapshot: floating().build(), reason: "run with --guest" },
    {
      name: "floating IP, the frontend's public IP is not in the snapshot: a listener on one address may be on the frontend IP",
      snapshot: floating()
        .remove(ids.publicIp("pip-lb-web"))
        .guest("vm1", { listening: [{ protocol: "tcp", port: 80, address: "20.50.60.70" }] })
        .guest("vm2", { listening: [{ protocol: "tcp", port: 80, address: "20.50.60.70" }] })
        .build(),
      reason: "is not in the snapshot",
    },
    {
      name: "floating IP, the guest check failed on vm1",
      snapshot: floating()
        .guest("vm2", { listening: [{ protocol: "tcp", port: 80, address: "0.0.0.0" }] })
        .gap({
          operation: "virtualMachines.runCommand",
          resourceId: ids.vm("vm1"),
          status: 409,
          code: "OperationNotAllowed",
          message: "the VM agent is not ready",
        })
        .build(),
      reason: "the guest check failed",
    },
  ],
};
