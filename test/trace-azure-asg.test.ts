/**
 * `lbdoctor trace --from <IP>` for Azure: the address's ip configuration brings its application security groups, so a
 * source-ASG rule matches a flow from a VM given by IP as it does for the VM given by name; an address that ip
 * configurations in different groups hold (overlapping VNets) leaves such a rule undecided.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TraceOptions } from "../src/core/provider.ts";
import { createAzureInspector } from "../src/providers/azure/inspect.ts";
import { buildAzureModel } from "../src/providers/azure/model.ts";
import { traceAzure } from "../src/providers/azure/trace.ts";
import type { AzureSnapshot } from "../src/providers/azure/wire-types.ts";
import { azure, ids } from "./support/azure-builder.ts";

function trace(snapshot: AzureSnapshot, from: string, to: string): { code: number; verdict: string; deciding?: string } {
  let out = "";
  const opts: TraceOptions = { from, to, protocol: "tcp", format: "json", effective: true, color: false };
  const code = traceAzure(snapshot, opts, { out: (s) => (out += s), err: () => {} });
  const j = JSON.parse(out) as { verdict: string; layers: Array<{ deciding?: { name: string } }> };
  return { code, verdict: j.verdict, deciding: j.layers.find((l) => l.deciding)?.deciding?.name };
}

describe("trace: a source given by IP address", () => {
  it("takes the application security groups of the ip configuration that holds the address", () => {
    const snap = azure()
      .asg("asg-web")
      .nsg("nsg-db", [{ name: "deny-web-to-db", priority: 200, access: "Deny", sourceAsgs: ["asg-web"], ports: "5432" }])
      .vnet("vnet-u", ["10.0.0.0/16"], [{ name: "snet-u", prefix: "10.0.0.0/24", nsg: "nsg-db" }])
      .vm("db1", { subnet: "vnet-u/snet-u", ip: "10.0.0.4" })
      .vm("web1", { subnet: "vnet-u/snet-u", ip: "10.0.0.5", asgs: ["asg-web"] })
      .build();
    const byName = trace(snap, "web1", "db1:5432");
    assert.equal(byName.verdict, "deny");
    assert.equal(byName.deciding, "deny-web-to-db");
    const byIp = trace(snap, "10.0.0.5", "db1:5432");
    assert.equal(byIp.verdict, "deny", "the flow from web1's address is web1's flow");
    assert.equal(byIp.deciding, "deny-web-to-db");
    assert.equal(byIp.code, 1);
    // an address no ip configuration holds is in no group: AllowVnetInBound admits it
    assert.equal(trace(snap, "10.0.0.9", "db1:5432").verdict, "allow");
  });

  it("finds the ip configuration of an IPv6 address however it is spelled", () => {
    const snap = azure()
      .asg("asg-web")
      .nsg("nsg-db", [{ name: "deny-web-to-db", priority: 200, access: "Deny", sourceAsgs: ["asg-web"], ports: "5432" }])
      .vnet("vnet-6", ["fd00:db8::/48"], [{ name: "snet-6", prefix: "fd00:db8::/64", nsg: "nsg-db" }])
      .vm("db6", { subnet: "vnet-6/snet-6", ip: "fd00:db8::4" })
      .vm("web6", { subnet: "vnet-6/snet-6", ip: "fd00:db8::5", asgs: ["asg-web"] })
      .build();
    assert.equal(trace(snap, "fd00:db8::5", "db6:5432").deciding, "deny-web-to-db");
    // the same address, written in full and in capitals: web6's flow all the same
    const other = trace(snap, "FD00:0DB8:0000:0000:0000:0000:0000:0005", "db6:5432");
    assert.equal(other.verdict, "deny");
    assert.equal(other.deciding, "deny-web-to-db");
    // and as a destination
    assert.equal(trace(snap, "web6", "FD00:DB8:0::4:5432").deciding, "deny-web-to-db");
    // in brackets before a port, as in a URL, on either side
    assert.equal(trace(snap, "web6", "[fd00:db8::4]:5432").deciding, "deny-web-to-db");
    assert.equal(trace(snap, "[fd00:db8::5]", "[fd00:db8::4]:5432").deciding, "deny-web-to-db");
  });

  it("is undecided on a source-ASG rule when ip configurations in different groups hold the address", () => {
    const snap = azure()
      .asg("asg-web")
      .nsg("nsg-db", [{ name: "allow-web-to-db", priority: 200, sourceAsgs: ["asg-web"], ports: "5432" }])
      .vnet("vnet-u", ["10.0.0.0/16"], [{ name: "snet-u", prefix: "10.0.0.0/24", nsg: "nsg-db" }])
      .vnet("vnet-a", ["10.1.0.0/16"], [{ name: "snet-a", prefix: "10.1.0.0/24" }])
      .vnet("vnet-b", ["10.1.0.0/16"], [{ name: "snet-b", prefix: "10.1.0.0/24" }])
      .vm("db1", { subnet: "vnet-u/snet-u", ip: "10.0.0.4" })
      .vm("web-a", { subnet: "vnet-a/snet-a", ip: "10.1.0.5", asgs: ["asg-web"] })
      .vm("other-b", { subnet: "vnet-b/snet-b", ip: "10.1.0.5" })
      .build();
    const v = trace(snap, "10.1.0.5", "db1:5432");
    assert.equal(v.verdict, "unknown");
  });
});

describe("the TUI's trace: a custom source given by IP address", () => {
  it("takes the application security groups of the ip configuration that holds the address, as trace does", () => {
    const snap = azure()
      .asg("asg-web")
      .nsg("nsg-db", [{ name: "deny-web-to-db", priority: 200, access: "Deny", sourceAsgs: ["asg-web"], ports: "5432" }])
      .vnet("vnet-u", ["10.0.0.0/16"], [{ name: "snet-u", prefix: "10.0.0.0/24", nsg: "nsg-db" }])
      .lb("lb-db", {
        frontends: [{ name: "fe-db", subnet: "vnet-u/snet-u", privateIp: "10.0.0.100" }],
        pools: ["pool-db"],
        probes: [{ name: "probe-db", protocol: "Tcp", port: 5432 }],
        rules: [{ name: "rule-db", frontend: "fe-db", pool: "pool-db", probe: "probe-db", frontendPort: 5432, backendPort: 5432 }],
      })
      .vm("db1", { subnet: "vnet-u/snet-u", ip: "10.0.0.4", pools: ["lb-db/pool-db"] })
      .vm("web1", { subnet: "vnet-u/snet-u", ip: "10.0.0.5", asgs: ["asg-web"] })
      .build();
    const inspector = createAzureInspector(buildAzureModel(snap));
    const lbKey = ids.lb("lb-db");
    const target = inspector.traceTargets(lbKey)[0];
    assert.ok(target);
    const r = inspector.trace(lbKey, target.key, { kind: "custom", source: "10.0.0.5", port: 5432, protocol: "Tcp" });
    assert.equal(r.verdict, "deny", JSON.stringify(r, null, 1));
    assert.equal(r.layers.find((l) => l.deciding)?.deciding?.name, "deny-web-to-db");
  });
});
