import {
  type AzureScenario,
  azure,
  healthyInternal,
  healthyWeb,
  ids,
  rgId,
  WEB_LB,
  WEB_SUBNET,
} from "../../../test/support/azure-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const POOL = `${WEB_LB}/pool-web`;

/** The reference architecture's network and public LB with the given availability sets and no VM yet. */
function webLb(...sets: string[]): AzureScenario {
  const s = azure()
    .nsg("nsg-web", [{ name: "allow-http", priority: 1000, source: "Internet", ports: "80" }])
    .vnet("vnet-web", ["10.0.0.0/16"], [{ name: "snet-web", prefix: "10.0.0.0/24", nsg: "nsg-web" }])
    .publicIp("pip-lb-web", { ip: "20.50.60.70" })
    .lb(WEB_LB, {
      frontends: [{ name: "fe-web", publicIp: "pip-lb-web" }],
      pools: ["pool-web"],
      probes: [{ name: "probe-http", protocol: "Http", port: 80, path: "/" }],
      rules: [{ name: "rule-http", frontend: "fe-web", pool: "pool-web", probe: "probe-http", frontendPort: 80 }],
    });
  for (const set of sets) s.availabilitySet(set);
  return s;
}

const vm = (s: AzureScenario, name: string, ip: string, place: { availabilitySet?: string; zones?: string[] } = {}) =>
  s.vm(name, { subnet: WEB_SUBNET, ip, pools: [POOL], ...place });

export const cases: RuleCases = {
  valid: [
    { name: "reference architecture: vm1 and vm2 in avset-web", snapshot: healthyWeb().build() },
    { name: "internal LB: app1 and app2 in avset-app", snapshot: healthyInternal().build() },
    {
      name: "vm2's availability set reference comes back in capitals (as the compute API often returns it): still one set",
      snapshot: healthyWeb()
        .edit(ids.vm("vm2"), (r) => {
          (r.properties as Record<string, unknown>).availabilitySet = {
            id: ids
              .availabilitySet("avset-web")
              .replace(/resourceGroups\/[^/]+/, (x) => x.toUpperCase())
              .replace(/avset-web$/, "AVSET-WEB"),
          };
        })
        .build(),
    },
    {
      name: "zonal VMs in zones 1 and 2",
      snapshot: vm(vm(webLb(), "web1", "10.0.0.4", { zones: ["1"] }), "web2", "10.0.0.5", { zones: ["2"] }).build(),
    },
    {
      name: "a regional scale set (its instances are spread by the scale set)",
      snapshot: webLb()
        .vmss("vmss-web")
        .vm("vmss-web_0", { subnet: WEB_SUBNET, ip: "10.0.0.10", pools: [POOL], vmss: { name: "vmss-web", instanceId: "0" } })
        .vm("vmss-web_1", { subnet: WEB_SUBNET, ip: "10.0.0.11", pools: [POOL], vmss: { name: "vmss-web", instanceId: "1" } })
        .build(),
    },
    {
      name: "an IP-address member beside avset VMs is not judged",
      snapshot: vm(vm(webLb("avset-web"), "vm1", "10.0.0.4", { availabilitySet: "avset-web" }), "vm2", "10.0.0.5", {
        availabilitySet: "avset-web",
      })
        .lb("lb-ip", {
          frontends: [{ name: "fe-ip", subnet: WEB_SUBNET, privateIp: "10.0.0.200" }],
          pools: ["pool-ip"],
          rules: [{ name: "rule-ip", frontend: "fe-ip", pool: "pool-ip", frontendPort: 8080 }],
          ipMembers: { "pool-ip": [{ name: "appliance", ip: "10.0.0.60", vnet: "vnet-web" }] },
        })
        .build(),
    },
  ],
  invalid: [
    {
      name: "scale-out: vm3 was created without --availability-set and added to pool-web",
      snapshot: healthyWeb()
        .vm("vm3", { subnet: WEB_SUBNET, ip: "10.0.0.6", pools: [POOL] })
        .build(),
      errors: [{ messageId: "noPlacement", resourceId: ids.pool(WEB_LB, "pool-web"), severity: "medium" }],
    },
    {
      name: "one VM in each of two availability sets: both can be in maintenance at once",
      snapshot: vm(vm(webLb("avset-web-a", "avset-web-b"), "vm1", "10.0.0.4", { availabilitySet: "avset-web-a" }), "vm2", "10.0.0.5", {
        availabilitySet: "avset-web-b",
      }).build(),
      errors: [{ messageId: "splitSets", severity: "medium" }],
    },
    {
      name: "two VMs in each of two availability sets: lower risk, still split",
      snapshot: [
        ["vm1", "10.0.0.4", "avset-web-a"],
        ["vm2", "10.0.0.5", "avset-web-a"],
        ["vm3", "10.0.0.6", "avset-web-b"],
        ["vm4", "10.0.0.7", "avset-web-b"],
      ]
        .reduce(
          (s, [n, ip, set]) => vm(s, n as string, ip as string, { availabilitySet: set as string }),
          webLb("avset-web-a", "avset-web-b"),
        )
        .build(),
      errors: [{ messageId: "splitSets", severity: "low" }],
    },
    {
      name: "a zonal VM next to an availability-set VM",
      snapshot: vm(vm(webLb("avset-web"), "vm1", "10.0.0.4", { availabilitySet: "avset-web" }), "vm2", "10.0.0.5", {
        zones: ["1"],
      }).build(),
      errors: [{ messageId: "mixedZonal" }],
    },
    {
      name: "both zonal VMs in zone 1",
      snapshot: vm(vm(webLb(), "web1", "10.0.0.4", { zones: ["1"] }), "web2", "10.0.0.5", { zones: ["1"] }).build(),
      errors: [{ messageId: "singleZone" }],
    },
    {
      name: "two standalone VMs: one finding that names both",
      snapshot: vm(vm(webLb(), "web1", "10.0.0.4"), "web2", "10.0.0.5").build(),
      errors: [{ messageId: "noPlacement" }],
    },
  ],
  unknown: [
    {
      name: "vm2's VM was not collected: its placement is unknown",
      snapshot: healthyWeb()
        .remove(ids.vm("vm2"))
        .gap({
          operation: "virtualMachines.list",
          resourceId: rgId(),
          status: 500,
          code: "InternalServerError",
          message: "partial listing",
        })
        .build(),
      reason: "not in the snapshot",
    },
  ],
  notApplicable: [
    {
      name: "a pool of IP addresses only",
      snapshot: webLb()
        .lb("lb-ip", {
          frontends: [{ name: "fe-ip", subnet: WEB_SUBNET, privateIp: "10.0.0.200" }],
          pools: ["pool-ip"],
          rules: [{ name: "rule-ip", frontend: "fe-ip", pool: "pool-ip", frontendPort: 8080 }],
          ipMembers: { "pool-ip": [{ name: "appliance", ip: "10.0.0.60", vnet: "vnet-web" }] },
        })
        .remove(ids.lb(WEB_LB))
        .build(),
    },
  ],
};
