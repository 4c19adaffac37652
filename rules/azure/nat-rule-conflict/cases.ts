import type { ArmResource } from "../../../src/providers/azure/wire-types.ts";
import { healthyInternal, healthyWeb, ids, P, WEB_LB, WEB_NSG, WEB_SUBNET } from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

type Wire = { name: string; id: string; properties: Record<string, unknown> };
const natRules = (r: ArmResource) => P(r).inboundNatRules as Wire[];
const lbId = ids.lb(WEB_LB);
const fe = (name = "fe-web") => ({ id: `${lbId}/frontendIPConfigurations/${name}` });

/** Edits one NAT rule of lb-web. */
const editNat = (name: string, props: Record<string, unknown>) => (r: ArmResource) => {
  const n = natRules(r).find((x) => x.name === name);
  if (n) Object.assign(n.properties, props);
};

/** Adds a NAT rule to lb-web (no backend unless given). */
const addNat = (name: string, props: Record<string, unknown>) => (r: ArmResource) => {
  natRules(r).push({
    name,
    id: `${lbId}/inboundNatRules/${name}`,
    properties: { frontendIPConfiguration: fe(), protocol: "Tcp", ...props },
  });
};

export const cases: RuleCases = {
  valid: [
    { name: "reference architecture: 50001/50002 → SSH, allowed only from the admin range", snapshot: healthyWeb().build() },
    {
      name: "the same frontend port on TCP and UDP is not a clash",
      snapshot: healthyWeb()
        .edit(lbId, addNat("nat-udp-50001", { protocol: "Udp", frontendPort: 50001, backendPort: 5001 }))
        .build(),
    },
    {
      name: "the same frontend port on another frontend is not a clash",
      snapshot: healthyWeb()
        .publicIp("pip-lb-web2", { ip: "20.50.60.71" })
        .edit(lbId, (r) => {
          (P(r).frontendIPConfigurations as unknown[]).push({
            name: "fe-web2",
            id: fe("fe-web2").id,
            properties: { publicIPAddress: { id: ids.publicIp("pip-lb-web2") } },
          });
          addNat("nat-other-fe", { frontendIPConfiguration: fe("fe-web2"), frontendPort: 50001, backendPort: 8081 })(r);
        })
        .build(),
    },
    {
      name: "no SSH allow at all: the NAT rule exposes nothing",
      snapshot: healthyWeb().removeNsgRule(WEB_NSG, "allow-ssh-admin").build(),
    },
    {
      name: "Standard LB without any NSG is closed by default (azure/standard-lb-no-nsg reports it)",
      snapshot: healthyWeb().subnetNsg(WEB_SUBNET, null).build(),
    },
  ],
  invalid: [
    {
      name: "the admin-only SSH rule was widened to any source: SSH on both VMs is open to the Internet",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, {
          name: "allow-ssh-admin",
          priority: 1010,
          source: "*",
          ports: "22",
          description: "SSH from the admin network only",
        })
        .build(),
      errors: [
        { messageId: "exposed", severity: "high" },
        { messageId: "exposed", severity: "high" },
      ],
    },
    {
      name: "the SSH rule's source is split into 0.0.0.0/1 and 128.0.0.0/1: together the whole Internet",
      snapshot: healthyWeb()
        .nsgRule(WEB_NSG, {
          name: "allow-ssh-admin",
          priority: 1010,
          source: ["0.0.0.0/1", "128.0.0.0/1"],
          ports: "22",
          description: "SSH from the admin network only",
        })
        .build(),
      errors: [
        { messageId: "exposed", severity: "high" },
        { messageId: "exposed", severity: "high" },
      ],
    },
    {
      name: "copy-paste: nat-ssh-vm2 also uses frontend port 50001",
      snapshot: healthyWeb()
        .edit(lbId, editNat("nat-ssh-vm2", { frontendPort: 50001 }))
        .build(),
      errors: [
        { messageId: "portReuse", resourceId: `${lbId}/inboundNatRules/nat-ssh-vm1`, severity: "medium" },
        { messageId: "portReuse", resourceId: `${lbId}/inboundNatRules/nat-ssh-vm2`, severity: "medium" },
      ],
    },
    {
      name: "a NAT rule on frontend port 80, which load-balancing rule rule-http already uses",
      snapshot: healthyWeb()
        .edit(lbId, editNat("nat-ssh-vm1", { frontendPort: 80 }))
        .build(),
      errors: [{ messageId: "portReuse", resourceId: `${lbId}/inboundNatRules/nat-ssh-vm1` }],
    },
    {
      name: "RDP NAT rule to a VM whose NSG allows 3389 from the Internet",
      snapshot: healthyWeb()
        .edit(lbId, editNat("nat-ssh-vm2", { backendPort: 3389 }))
        .nsgRule(WEB_NSG, { name: "allow-rdp", priority: 1020, source: "Internet", ports: "3389" })
        .build(),
      errors: [{ messageId: "exposed" }],
    },
    {
      name: "a NAT rule v2 (port range 50000-50099 to the pool) overlaps both v1 NAT rules",
      snapshot: healthyWeb()
        .edit(
          lbId,
          addNat("nat-ssh-pool", {
            frontendPortRangeStart: 50000,
            frontendPortRangeEnd: 50099,
            backendPort: 22,
            backendAddressPool: { id: ids.pool(WEB_LB, "pool-web") },
          }),
        )
        .build(),
      // each v1 rule clashes with the range, and the range with each v1 rule
      errors: [{ messageId: "portReuse" }, { messageId: "portReuse" }, { messageId: "portReuse" }, { messageId: "portReuse" }],
    },
  ],
  unknown: [
    {
      name: "the subnet's NSG is not in the snapshot",
      snapshot: healthyWeb().remove(ids.nsg(WEB_NSG)).build(),
      reason: "not in the snapshot",
    },
  ],
  notApplicable: [{ name: "an internal LB without NAT rules", snapshot: healthyInternal().build() }],
};
