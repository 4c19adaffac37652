/**
 * Real-world shapes (issue 16): the published examples in test/contract that
 * lbdoctor got wrong, one assertion per shape. Each test failed before its fix.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Model } from "../src/core/engine/types.ts";
import type { ProviderAdapter } from "../src/core/provider.ts";
import { FORMAT_NAMES, loadFormatter } from "../src/core/report/formats.ts";
import { formatText } from "../src/core/report/formatters/text.ts";
import { buildReport } from "../src/core/report/report.ts";
import { parseSnapshot, validateSnapshot } from "../src/core/snapshot/load.ts";
import { awsProvider } from "../src/providers/aws/adapter.ts";
import { azureProvider } from "../src/providers/azure/adapter.ts";
import { armTypeFromId, completeArmResources } from "../src/providers/azure/arm-type.ts";
import type { AzureModel } from "../src/providers/azure/model.ts";
import { analyze } from "../src/tui/analyze.ts";
import { overviewRows } from "../src/tui/views/overview.ts";
import {
  type AwsParts,
  type AzureExample,
  addExample,
  awsSnapshot,
  azureExamples,
  azureSnapshot,
  CONTRACT,
  diagnoseContract,
  emptyAwsParts,
  emptyParts,
  placeBlock,
  responseBodies,
  rstBlocks,
} from "./support/contract.ts";

const azure = azureExamples();

/** The text report of a wrapped snapshot, verbose (every finding). */
export function renderText(doc: Record<string, unknown>): string {
  const { model, findings } = diagnoseContract(doc);
  const adapter = model.provider === "azure" ? azureProvider : awsProvider;
  const loadBalancers = (adapter as unknown as ProviderAdapter<Model>).loadBalancers(model);
  const report = buildReport({ model, loadBalancers, findings, failOn: "high", version: "0.0.0-test", rulesRun: 1 });
  return formatText(report, { color: false, verbose: true });
}
export const example = (n: string): AzureExample => {
  const ex = azure.find((e) => e.name === n);
  assert.ok(ex, `example ${n} is in the corpus`);
  return ex;
};

describe("ARM `type` is read-only and optional: derived from the id", () => {
  it("armTypeFromId reads the namespace and every type segment, child resources included", () => {
    assert.equal(
      armTypeFromId("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s1"),
      "Microsoft.Network/virtualNetworks/subnets",
    );
    assert.equal(
      armTypeFromId(
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/ss/virtualMachines/0/networkInterfaces/n",
      ),
      "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/networkInterfaces",
    );
    assert.equal(armTypeFromId("/subscriptions/s/resourceGroups/rg"), undefined);
  });

  it("SubnetGet.json (no type, no location, no etag) passes the schema and joins the model as a subnet", () => {
    const body = responseBodies(example("SubnetGet"))[0] as Record<string, unknown>;
    assert.equal(body.type, undefined, "the published body has no type");
    const doc = azureSnapshot(addExample(emptyParts(), example("SubnetGet")), "subnet");
    assert.deepEqual(validateSnapshot(doc), []);
    const { model } = diagnoseContract(doc);
    const subnets = (model as AzureModel).subnets;
    assert.deepEqual(
      subnets.map((s) => [s.name, s.prefixes]),
      [["subnet1", ["10.0.0.0/16"]]],
    );
  });

  it("the Azure adapter fills type and name in wherever it reads resources; a body that has them is left as it is", () => {
    const id =
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/ss/virtualMachines/0/networkInterfaces/nic";
    const plainNic = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/web-nic";
    const text = JSON.stringify({
      schema: "lbdoctor.snapshot/v1",
      provider: "azure",
      collectedAt: "2026-01-01T00:00:00Z",
      scope: {},
      resources: [
        { id, properties: {}, tags: { team: "web" } },
        { id: `${id}2`, name: "x", type: "Microsoft.Network/networkInterfaces" },
        { id: plainNic, properties: { ipConfigurations: [] } },
      ],
    });
    const loaded = parseSnapshot(text);
    // the core loader knows no cloud: it leaves the wire body as it is
    assert.equal((loaded as unknown as { resources: Array<{ type?: string }> }).resources[0]?.type, undefined);
    const completed = completeArmResources(loaded as never) as unknown as { resources: Array<{ name: string; type: string }> };
    assert.deepEqual(
      completed.resources.map((r) => [r.name, r.type]),
      [
        ["nic", "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/networkInterfaces"],
        ["x", "Microsoft.Network/networkInterfaces"],
        ["web-nic", "Microsoft.Network/networkInterfaces"],
      ],
    );
    // the adapter's readers see the completed resources: the model, diff entities, suppression tags
    const model = azureProvider.buildModel(loaded, { from: [] }) as AzureModel;
    assert.ok(
      model.nics.some((n) => n.name === "web-nic"),
      "the type-less NIC joins the model",
    );
    assert.ok(
      azureProvider.diff.entities(loaded).some((e) => e.name === "web-nic" && e.type === "Microsoft.Network/networkInterfaces"),
      "diff lists the type-less NIC with its type",
    );
    assert.deepEqual(azureProvider.tagsOf(loaded)(id), { team: "web" });
    const same = { resources: [{ id, name: "n", type: "t/x" }] };
    assert.equal(completeArmResources(same), same, "nothing missing: the same object");
  });
});

describe("port 0 is any port (the REST spec), not only with protocol All", () => {
  /** The Gateway provider example's response, with its rule on the ports the example's request sends (0), under the given protocol. */
  const gatewayOnPort0 = (protocol: string) => {
    const parts = addExample(emptyParts(), example("LoadBalancerCreateGatewayLoadBalancerProviderWithOneBackendPool"));
    const lb = parts.resources[0] as { properties: { loadBalancingRules: Array<{ properties: Record<string, unknown> }> } };
    const rule = lb.properties.loadBalancingRules[0];
    assert.ok(rule);
    Object.assign(rule.properties, { frontendPort: 0, backendPort: 0, protocol });
    return azureSnapshot(parts, `gateway provider, rule ${protocol} 0`);
  };
  for (const protocol of ["Tcp", "All"]) {
    it(`azure/probe-port-mismatch does not fire on the Gateway provider rule ${protocol} 0 (probe on 80)`, () => {
      const { findings } = diagnoseContract(gatewayOnPort0(protocol));
      const f = findings.filter((x) => x.ruleId === "azure/probe-port-mismatch");
      assert.deepEqual(
        f.map((x) => x.status),
        ["not-applicable"],
      );
      assert.match(f[0]?.message ?? "", /every port/);
    });
  }
});

describe("observations outrank inference", () => {
  it("LoadBalancerGet (empty pool) with LoadBalancerHealth (up: 1, Up_Probe_Success): no CRITICAL outage, an unknown that names the contradiction", async () => {
    const parts = addExample(emptyParts(), example("LoadBalancerGet"));
    const lb = parts.resources[0] as { properties: { loadBalancingRules: Array<{ id: string }> } };
    const ruleId = lb.properties.loadBalancingRules[0]?.id;
    assert.ok(ruleId);
    addExample(parts, example("LoadBalancerHealth"), { ruleId });
    const doc = azureSnapshot(parts, "LoadBalancerGet + LoadBalancerHealth");
    const { findings } = diagnoseContract(doc);
    const f = findings.filter((x) => x.ruleId === "azure/backend-pool-empty");
    assert.deepEqual(
      f.map((x) => [x.status, x.messageId]),
      [["unknown", "observedServing"]],
    );
    assert.deepEqual(f[0]?.basis, {
      inferred: "pool be-lb has no members, so no backend can serve",
      observed: "rule health reports 1 backend(s) Up (Up_Probe_Success)",
      contradiction: true,
    });
    assert.match(f[0]?.message ?? "", /stale/);
    assert.equal(f[0]?.evidence[0]?.pointer.startsWith("/observations/ruleHealth/"), true, "the observation is the first evidence");
    // every format names it
    const text = renderText(doc);
    assert.match(text, /contradiction: observed rule health reports 1 backend\(s\) Up/);
  });
});

/** One published aws-cli output block, placed into the parts (see test/support/contract.ts). */
function place(parts: AwsParts, rel: string, n: number): AwsParts {
  const b = rstBlocks(join(CONTRACT, rel)).find((x) => x.n === n);
  assert.ok(b, `${rel} block ${n}`);
  assert.ok("placed" in placeBlock(parts, b), `${rel} block ${n} loads`);
  return parts;
}

describe("observations outrank inference (AWS target health)", () => {
  it("aws/target-az-not-enabled: a target AWS reports healthy is not 'getting no traffic'; the contradiction is named", () => {
    // composed: the published ALB, its target group, the published healthy entry re-pointed at the published instance
    // (placed in us-east-2a, a zone the ALB has not enabled)
    const parts = emptyAwsParts();
    place(parts, "aws/elbv2/describe-load-balancers.rst", 1);
    place(parts, "aws/elbv2/describe-target-groups.rst", 1);
    place(parts, "aws/elbv2/describe-target-health.rst", 2);
    place(parts, "aws/ec2/describe-instances.rst", 1);
    const health = parts.elbv2.TargetHealth as Record<string, Array<{ Target: { Id: string } }>>;
    const instance = (parts.ec2.Instances as Array<{ InstanceId: string }>)[0];
    assert.ok(instance);
    for (const list of Object.values(health)) for (const d of list) d.Target.Id = instance.InstanceId;
    const { findings } = diagnoseContract(awsSnapshot(parts, "ALB, healthy target in a zone the ALB has not enabled"));
    const f = findings.filter((x) => x.ruleId === "aws/target-az-not-enabled");
    assert.deepEqual(
      f.map((x) => [x.status, x.messageId]),
      [["unknown", "observedHealthy"]],
    );
    assert.equal(f[0]?.basis?.contradiction, true);
    assert.equal(f[0]?.basis?.observed, "target health reports it healthy");
    assert.doesNotMatch(f[0]?.message ?? "", /gets no traffic/);
  });
});

describe("aws/listener-no-target-group: a target group missing from the snapshot is a collection gap", () => {
  it("modify-listener (forward to my-new-targets) with the published ALB and target groups: unknown, never CRITICAL 'deleted'", () => {
    const parts = emptyAwsParts();
    place(parts, "aws/elbv2/describe-load-balancers.rst", 1);
    place(parts, "aws/elbv2/describe-target-groups.rst", 1);
    place(parts, "aws/elbv2/modify-listener.rst", 1);
    const { findings } = diagnoseContract(awsSnapshot(parts, "ALB whose listener forwards to a group the snapshot lacks"));
    const f = findings.filter((x) => x.ruleId === "aws/listener-no-target-group");
    assert.deepEqual(
      f.map((x) => [x.status, x.messageId]),
      [["unknown", "missing"]],
    );
    assert.match(f[0]?.message ?? "", /refuses to delete a target group an action references/);
    assert.doesNotMatch(f[0]?.message ?? "", /deleted,/);
  });
});

/** The published GWLB (create-load-balancer #4) with the published GENEVE target group (create-target-group #5) and its listener. */
function gatewayLoadBalancer(): Record<string, unknown> {
  const parts = emptyAwsParts();
  place(parts, "aws/elbv2/create-load-balancer.rst", 4);
  place(parts, "aws/elbv2/create-target-group.rst", 5);
  const lb = (parts.elbv2.LoadBalancers as Array<{ LoadBalancerArn: string; Type: string; Scheme?: string }>)[0];
  const tg = (parts.elbv2.TargetGroups as Array<{ TargetGroupArn: string }>)[0];
  assert.ok(lb && tg);
  assert.equal(lb.Type, "gateway");
  assert.equal(lb.Scheme, undefined, "a GWLB has no scheme");
  // composed: a GWLB listener has no protocol and no port (it takes every IP packet on every port)
  parts.elbv2.Listeners = [
    {
      ListenerArn: `${lb.LoadBalancerArn.replace(":loadbalancer/", ":listener/")}/0123456789abcdef`,
      LoadBalancerArn: lb.LoadBalancerArn,
      DefaultActions: [{ Type: "forward", TargetGroupArn: tg.TargetGroupArn }],
    },
  ];
  return awsSnapshot(parts, "a Gateway Load Balancer");
}

describe("Gateway load balancers are never misnamed", () => {
  it("AWS GWLB: not internet-facing, its listener is 'all ports', in every format", async () => {
    const doc = gatewayLoadBalancer();
    const { model, findings } = diagnoseContract(doc);
    const lb = (model as unknown as { loadBalancers: Array<{ internetFacing: boolean; scheme: string }> }).loadBalancers[0];
    assert.equal(lb?.internetFacing, false);
    assert.deepEqual(
      awsProvider.loadBalancers(model as never).map((x) => [x.name, x.sku, x.kind]),
      [["my-gateway-load-balancer", "gateway", "gateway"]],
    );
    const internetFacing = findings.filter((f) => f.ruleId === "aws/internet-facing-in-private-subnets" && f.status !== "not-applicable");
    assert.deepEqual(
      internetFacing.map((f) => f.message),
      [],
    );
    // rule titles may say "internet-facing"; no finding about this load balancer does
    assert.deepEqual(
      findings.filter((f) => /internet-facing|\binternal\b/i.test(`${f.message} ${f.resourceName}`)).map((f) => f.message),
      [],
    );
    const ltg = findings.find((f) => f.ruleId === "aws/listener-no-target-group");
    assert.equal(
      ltg?.message,
      "Listener my-gateway-load-balancer:* (all IP packets on every port) of my-gateway-load-balancer forwards by default to my-glb-targetgroup.",
    );
    const report = buildReport({
      model,
      loadBalancers: awsProvider.loadBalancers(model as never),
      findings,
      failOn: "high",
      version: "0.0.0-test",
      rulesRun: 1,
    });
    for (const name of FORMAT_NAMES) {
      const out = (await loadFormatter(name))(report, { color: false, verbose: true });
      assert.doesNotMatch(out, /:\?|\? port \?/, `${name} renders no unknown port`);
    }
    assert.match(renderText(doc), /Load balancer my-gateway-load-balancer \(gateway\)/);
  });

  it("the TUI's load-balancer list names the GWLB a gateway", async () => {
    const snapshot = parseSnapshot(JSON.stringify(gatewayLoadBalancer()));
    const data = await analyze(snapshot, { source: "contract", live: false });
    const text = overviewRows(data, { text: "", all: false }, 0, 140)
      .rows.map((r) => r.map((s) => s.t).join(""))
      .join("\n");
    assert.match(text, /my-gateway-load-balancer {2}gateway/);
    assert.doesNotMatch(text, /internet-facing|public/);
  });

  it("Azure Gateway SKU (the provider example): listed as a gateway, never public or internal", () => {
    const doc = azureSnapshot(addExample(emptyParts(), example("LoadBalancerCreateGatewayLoadBalancerProviderWithOneBackendPool")), "gw");
    const { model } = diagnoseContract(doc);
    assert.deepEqual(
      azureProvider.loadBalancers(model as never).map((x) => [x.sku, x.kind]),
      [["Gateway", "gateway"]],
    );
    assert.match(renderText(doc), /Load balancer lb \(Gateway 10\.0\.1\.4\)/);
  });
});

describe("Global tier (cross-region) load balancers: members are regional frontends", () => {
  const globalInContext = () => {
    const parts = emptyParts();
    for (const ex of azure.filter((e) => !e.name.startsWith("LoadBalancer") || e.name === "LoadBalancerHealth")) addExample(parts, ex);
    addExample(parts, example("LoadBalancerCreateGlobalTier"));
    return azureSnapshot(parts, "LoadBalancerCreateGlobalTier in context");
  };

  it("the member is read as a regional frontend, not an IP address", () => {
    const { model } = diagnoseContract(globalInContext());
    const lb = (model as AzureModel).loadBalancers.find((x) => x.tier === "Global");
    assert.ok(lb);
    assert.deepEqual(
      lb.pools[0]?.members.map((m) => [m.kind, m.frontendId?.split("/").slice(-3).join("/")]),
      [["frontend", "regional-lb/frontendIPConfigurations/fe-rlb"]],
    );
  });

  it("no availability-set or single-backend advice, no NSG or --guest unknowns about a regional frontend; the region is unknown, not guessed", () => {
    const { findings } = diagnoseContract(globalInContext());
    const aboutMember = findings.filter((f) => f.resourceName === "regional-lb1-address" || /regional-lb1-address/.test(f.message));
    assert.deepEqual(
      aboutMember.map((f) => [f.ruleId, f.status]),
      [["azure/cross-region-member", "unknown"]],
    );
    assert.match(aboutMember[0]?.message ?? "", /regional load balancer regional-lb, which is not in the snapshot/);
    const single = findings.filter((f) => f.ruleId === "azure/single-backend" && f.loadBalancerId?.endsWith("/lb"));
    assert.deepEqual(
      single.map((f) => [f.status, f.messageId]),
      [["not-applicable", "globalTier"]],
    );
    assert.ok(
      !findings.some(
        (f) =>
          f.status !== "not-applicable" &&
          /availability set|--guest|NSG/.test(f.message) &&
          f.loadBalancerId?.endsWith("/loadBalancers/lb"),
      ),
    );
  });

  it("with the regional load balancer in the snapshot (LoadBalancerGet re-homed as regional-lb/fe-rlb) the region is diagnosed: its empty pool and rule health decide", () => {
    const parts = emptyParts();
    addExample(parts, example("LoadBalancerCreateGlobalTier"));
    // composed: the published regional LB, renamed to the id the Global example's member names
    const regionalBody = structuredClone(responseBodies(example("LoadBalancerGet"))[0]) as Record<string, unknown>;
    const text = JSON.stringify(regionalBody)
      .replaceAll(
        "/resourceGroups/rg1/providers/Microsoft.Network/loadBalancers/lb/",
        "/resourceGroups/regional-lb-rg1/providers/Microsoft.Network/loadBalancers/regional-lb/",
      )
      .replaceAll(
        '"/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/loadBalancers/lb"',
        '"/subscriptions/subid/resourceGroups/regional-lb-rg1/providers/Microsoft.Network/loadBalancers/regional-lb"',
      )
      .replaceAll("frontendIPConfigurations/fe-lb", "frontendIPConfigurations/fe-rlb");
    parts.resources.push({ ...JSON.parse(text), name: "regional-lb" });
    const { findings } = diagnoseContract(azureSnapshot(parts, "global + regional"));
    const f = findings.filter((x) => x.ruleId === "azure/cross-region-member");
    // the regional pool is empty and no rule health was collected: availability 0, the only region: critical
    assert.deepEqual(
      f.map((x) => [x.status, x.messageId, x.severity]),
      [["fail", "regionDown", "critical"]],
    );
  });
});
