/**
 * The trace of a Gateway Load Balancer's data path: the appliance returns each GENEVE packet to the load balancer's
 * node on UDP 6081 with its ports kept, so the reply legs of the network ACLs are checked on 6081, not on the
 * ephemeral ports 1024-65535 (which a GENEVE reply never uses).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildAwsModel } from "../src/providers/aws/model.ts";
import { routesOf, traceData } from "../src/providers/aws/trace-flows.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { awsId, IP, ids, lbArn, type NaclEntrySpec, network, tgArn, VPC_CIDR } from "./support/aws-builder.ts";

const APP_ACL = awsId("acl", "appliances");
const APP_SG = awsId("sg", "appliances");

function gwlb(egress: NaclEntrySpec[]): AwsSnapshot {
  return network()
    .securityGroup({ id: APP_SG, name: "appliances", ingress: [{ protocol: "udp", port: 6081, cidrs: [VPC_CIDR] }] })
    .instance({ id: ids.instance.web1, name: "fw-1", subnet: ids.subnet.privateA, ip: IP.web1, az: "us-east-1a", sgs: [APP_SG] })
    .loadBalancer({ name: "inspect-gwlb", type: "gateway", subnets: [{ id: ids.subnet.publicA, az: "us-east-1a" }] })
    .targetGroup({ name: "appliances-tg", protocol: "GENEVE", port: 6081, lbType: "gateway", healthCheck: { HealthCheckPort: "80" } })
    .editTargetGroup(tgArn("appliances-tg"), { LoadBalancerArns: [lbArn("inspect-gwlb", "gateway")] })
    .target(tgArn("appliances-tg"), { id: ids.instance.web1, az: "us-east-1a" })
    .nacl({
      id: APP_ACL,
      subnets: [ids.subnet.privateA],
      entries: [{ rule: 100, protocol: "udp", cidr: VPC_CIDR, ports: [6081, 6081] }, ...egress],
    })
    .build();
}

function trace(s: AwsSnapshot) {
  const model = buildAwsModel(s);
  const lb = model.loadBalancers.find((x) => x.type === "gateway");
  assert.ok(lb);
  const r = routesOf(lb)[0];
  assert.ok(r);
  return traceData(model, r);
}

describe("GWLB data path: GENEVE comes back on UDP 6081", () => {
  it("the appliances' ACL allows UDP 6081 out and no ephemeral range: the flow is allowed", () => {
    const t = trace(gwlb([{ rule: 100, egress: true, protocol: "udp", cidr: VPC_CIDR, ports: [6081, 6081] }]));
    assert.equal(t.verdict, "allow", t.why ?? t.reason);
  });

  it("the appliances' ACL allows the UDP ephemeral range out but denies 6081: the return is blocked", () => {
    const t = trace(
      gwlb([
        { rule: 90, egress: true, protocol: "udp", action: "deny", cidr: "0.0.0.0/0", ports: [6081, 6081] },
        { rule: 100, egress: true, protocol: "udp", cidr: VPC_CIDR, ports: [1024, 65535] },
      ]),
    );
    assert.equal(t.verdict, "deny");
    assert.match(t.why ?? "", /reply|6081/);
  });
});
