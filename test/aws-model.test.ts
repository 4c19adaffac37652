import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolvePointer } from "../src/core/util/json-pointer.ts";
import { buildAwsModel } from "../src/providers/aws/model.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { albBehindNlb, awsId, CIDR, healthyAlb, healthyNlb, IP, ids, lbArn, listenerArn, tgArn } from "./support/aws-builder.ts";

const at = (snap: AwsSnapshot, ptr: string) => resolvePointer(snap, ptr) as Record<string, unknown>;

describe("AWS model", () => {
  it("cross-references LB → listener → action → target group → target → instance → subnet → ACL / route table, and the ASG", () => {
    const snap = healthyAlb().build();
    const m = buildAwsModel(snap);
    assert.equal(m.provider, "aws");
    assert.equal(m.region, "us-east-1");
    const lb = m.loadBalancers[0];
    assert.ok(lb);
    assert.equal(lb.name, "web-alb");
    assert.equal(lb.type, "application");
    assert.equal(lb.internetFacing, true);
    assert.deepEqual(
      lb.zones.map((z) => [z.zoneName, z.subnet?.name]),
      [
        ["us-east-1a", "public-a"],
        ["us-east-1b", "public-b"],
      ],
    );
    assert.deepEqual(
      lb.securityGroups.map((g) => g.groupName),
      ["web-alb-sg"],
    );
    const l = lb.listeners[0];
    assert.equal(l?.port, 80);
    assert.equal(l?.protocol, "HTTP");
    assert.equal(l?.lb, lb);
    assert.equal(l?.rulesKnown, true);
    assert.equal(l?.rules[0]?.isDefault, true);
    assert.equal(l?.defaultActions[0]?.type, "forward");
    const tg = l?.defaultActions[0]?.forwards[0]?.targetGroup;
    assert.ok(tg);
    assert.equal(tg.name, "web-tg");
    assert.deepEqual(tg.listeners, [l]);
    assert.deepEqual(lb.targetGroups, [tg]);
    assert.deepEqual(tg.loadBalancers, [lb]);
    assert.deepEqual(
      tg.targets.map((t) => [t.instance?.name, t.ip, t.port, t.state, t.subnet?.name, t.kind]),
      [
        ["web-1", IP.web1, 80, "healthy", "private-a", "instance"],
        ["web-2", IP.web2, 80, "healthy", "private-b", "instance"],
      ],
    );
    const inst = tg.targets[0]?.instance;
    assert.deepEqual(
      inst?.securityGroups.map((g) => g.groupName),
      ["web-instance-sg"],
    );
    assert.equal(inst?.state, "running");
    assert.equal(inst?.availabilityZone, "us-east-1a");
    assert.equal(inst?.asg?.name, "web-asg");
    assert.equal(inst?.subnet?.nacl?.id, ids.acl.default);
    assert.equal(inst?.subnet?.routeTable?.id, ids.rtb.private);
    assert.deepEqual(
      tg.asgs.map((a) => [a.name, a.healthCheckType]),
      [["web-asg", "ELB"]],
    );
    assert.deepEqual(
      m.autoScalingGroups[0]?.instances.map((i) => i.instance?.name),
      ["web-1", "web-2"],
    );
    assert.deepEqual(m.gaps, []);
  });

  it("every ptr leads to the wire object it was read from", () => {
    const snap = healthyAlb().build();
    const m = buildAwsModel(snap);
    const lb = m.loadBalancers[0];
    const tg = m.targetGroups[0];
    const t = tg?.targets[1];
    assert.ok(lb && tg && t);
    assert.equal(at(snap, lb.ptr).LoadBalancerName, "web-alb");
    assert.equal(at(snap, tg.ptr).TargetGroupName, "web-tg");
    assert.equal(at(snap, lb.listeners[0]?.ptr ?? "").Port, 80);
    assert.equal((at(snap, t.ptr).Target as { Id: string }).Id, ids.instance.web2);
    assert.equal(resolvePointer(snap, t.statePtr), "healthy");
    assert.equal(resolvePointer(snap, tg.healthCheck.portPtr), "traffic-port");
    assert.equal(at(snap, tg.deregistrationDelay.ptr).Key, "deregistration_delay.timeout_seconds");
    assert.equal(at(snap, tg.stickiness.ptr).Key, "stickiness.enabled");
    const sg = m.byKey.securityGroup.get(ids.sg.web);
    assert.equal(at(snap, sg?.ingress[0]?.groupPairs[0]?.ptr ?? "").GroupId, ids.sg.alb);
    const acl = m.byKey.networkAcl.get(ids.acl.default);
    for (const e of acl?.entries ?? []) assert.equal(at(snap, e.ptr).RuleNumber, e.ruleNumber);
    const rt = m.byKey.routeTable.get(ids.rtb.public);
    assert.equal(at(snap, rt?.routes[1]?.ptr ?? "").GatewayId, ids.igw);
    assert.equal(resolvePointer(snap, m.instances[0]?.statePtr ?? ""), "running");
  });

  it("resolves traffic-port per target, and a fixed health-check port as given", () => {
    const viaTraffic = buildAwsModel(healthyAlb().target(ids.tg.web, { id: ids.instance.web1, port: 8080, az: "us-east-1a" }).build());
    const tg = viaTraffic.targetGroups[0];
    assert.equal(tg?.healthCheck.portSpec, "traffic-port");
    assert.equal(tg?.healthCheck.port, undefined);
    assert.deepEqual(
      tg?.targets.map((t) => [t.instance?.name, t.port, t.healthCheckPort]),
      [
        ["web-2", 80, 80],
        ["web-1", 8080, 8080],
      ],
    );
    const fixed = buildAwsModel(healthyAlb().editTargetGroup(ids.tg.web, { HealthCheckPort: "8081" }).build());
    assert.equal(fixed.targetGroups[0]?.healthCheck.port, 8081);
    assert.deepEqual(
      fixed.targetGroups[0]?.targets.map((t) => [t.port, t.healthCheckPort]),
      [
        [80, 8081],
        [80, 8081],
      ],
    );
  });

  it("falls back to the VPC's default ACL and main route table when a subnet has no explicit association", () => {
    const m = buildAwsModel(healthyAlb().dissociateNacl(ids.subnet.privateA).build());
    const a = m.byKey.subnet.get(ids.subnet.privateA);
    assert.equal(a?.nacl?.id, ids.acl.default);
    assert.equal(a?.naclVia, "vpc-default");
    assert.equal(a?.routeTable?.id, ids.rtb.private);
    assert.equal(a?.routeTableVia, "main");
    const b = m.byKey.subnet.get(ids.subnet.privateB);
    assert.equal(b?.naclVia, "association");
    const pub = m.byKey.subnet.get(ids.subnet.publicA);
    assert.equal(pub?.routeTableVia, "association");
    assert.equal(pub?.routeTable?.id, ids.rtb.public);
    assert.ok(pub?.routeTableAssociationId?.startsWith("rtbassoc-"));
  });

  it("an explicit ACL association wins over the default ACL", () => {
    const custom = awsId("acl", "custom");
    const m = buildAwsModel(
      healthyAlb()
        .nacl({ id: custom, subnets: [ids.subnet.privateA], entries: [] })
        .build(),
    );
    assert.equal(m.byKey.subnet.get(ids.subnet.privateA)?.nacl?.id, custom);
    assert.equal(m.byKey.subnet.get(ids.subnet.privateB)?.nacl?.id, ids.acl.default);
    // the implicit deny is always there, per direction, last
    const acl = m.byKey.networkAcl.get(custom);
    assert.deepEqual(
      acl?.entries.map((e) => [e.egress, e.ruleNumber, e.action, e.implicit]),
      [
        [false, 32767, "deny", true],
        [true, 32767, "deny", true],
      ],
    );
  });

  it("dangling references become gaps, never crashes", () => {
    const snap = healthyAlb()
      .removeSecurityGroup(ids.sg.alb)
      .removeSubnet(ids.subnet.publicB)
      .removeInstance(ids.instance.web2)
      .listener({ lb: ids.lb.alb, port: 8080, protocol: "HTTP", forward: tgArn("gone-tg") })
      .build();
    const m = buildAwsModel(snap);
    const dangling = m.gaps.filter((g) => g.kind === "dangling-reference").map((g) => [g.resourceId, g.referencedFrom]);
    const asgArn = m.autoScalingGroups[0]?.arn;
    assert.deepEqual(
      dangling.sort(),
      [
        [ids.sg.alb, ids.lb.alb],
        [ids.subnet.publicB, ids.lb.alb],
        [ids.instance.web2, ids.tg.web],
        [ids.instance.web2, asgArn],
        [tgArn("gone-tg"), listenerArn(ids.lb.alb, 8080)],
      ].sort(),
    );
    const lb = m.loadBalancers[0];
    assert.deepEqual(lb?.securityGroups, []);
    assert.deepEqual(lb?.securityGroupIds, [ids.sg.alb]);
    assert.equal(lb?.zones[1]?.subnet, undefined);
    assert.equal(lb?.zones[1]?.subnetId, ids.subnet.publicB);
    const t2 = m.targetGroups.find((t) => t.name === "web-tg")?.targets[1];
    assert.equal(t2?.instance, undefined);
    assert.equal(t2?.ip, undefined);
    assert.equal(lb?.listeners.find((l) => l.port === 8080)?.defaultActions[0]?.forwards[0]?.targetGroup, undefined);
  });

  it("a subnet whose ACL and route table cannot be found is a gap", () => {
    const m = buildAwsModel(
      healthyAlb()
        .edit((s) => {
          const ec2 = s.ec2 as NonNullable<AwsSnapshot["ec2"]>;
          ec2.NetworkAcls = [];
          ec2.RouteTables = [];
        })
        .build(),
    );
    assert.equal(m.subnets.length, 4);
    assert.ok(m.subnets.every((s) => !s.nacl && !s.routeTable));
    assert.equal(m.gaps.filter((g) => g.kind === "dangling-reference").length, 8);
    assert.ok(m.gaps.some((g) => g.message.includes("network ACL of subnet")));
  });

  it("lists the snapshot lacks are not gaps of the model, the snapshot's own gaps are kept as collection gaps", () => {
    const gap = { operation: "ec2:DescribeNetworkAcls", status: 403, code: "UnauthorizedOperation", message: "denied" };
    const m = buildAwsModel(
      healthyAlb()
        .edit((s) => {
          if (s.ec2) delete s.ec2.NetworkAcls;
        })
        .gap(gap)
        .build(),
    );
    assert.deepEqual(m.gaps, [{ ...gap, kind: "collection", covers: ["aws:networkAcls"], pointer: "/gaps/0" }]);
    assert.equal(m.collected.networkAcls, false);
    assert.equal(m.collected.securityGroups, true);
  });

  it("weighted forwards reach both target groups", () => {
    const blue = tgArn("blue-tg");
    const green = tgArn("green-tg");
    const m = buildAwsModel(
      healthyAlb()
        .targetGroup({ name: "blue-tg", protocol: "HTTP", port: 80 })
        .targetGroup({ name: "green-tg", protocol: "HTTP", port: 80 })
        .listener({
          lb: ids.lb.alb,
          port: 80,
          protocol: "HTTP",
          forward: [
            { tg: blue, weight: 90 },
            { tg: green, weight: 10 },
          ],
        })
        .editTargetGroup(ids.tg.web, { LoadBalancerArns: [] })
        .build(),
    );
    const a = m.loadBalancers[0]?.listeners[0]?.defaultActions[0];
    assert.deepEqual(
      a?.forwards.map((f) => [f.targetGroup?.name, f.weight]),
      [
        ["blue-tg", 90],
        ["green-tg", 10],
      ],
    );
    assert.deepEqual(m.loadBalancers[0]?.targetGroups.map((t) => t.name).sort(), ["blue-tg", "green-tg"]);
  });

  it("reads attributes and their documented defaults", () => {
    const alb = buildAwsModel(healthyAlb().build());
    const tg = alb.targetGroups[0];
    assert.equal(tg?.deregistrationDelay.value, 300);
    assert.equal(tg?.stickiness.value, false);
    assert.equal(tg?.stickiness.type, "lb_cookie");
    assert.equal(tg?.crossZone.value, "use_load_balancer_configuration");
    assert.equal(tg?.preserveClientIp.value, false);
    assert.equal(alb.loadBalancers[0]?.crossZone.value, true);

    const nlb = buildAwsModel(healthyNlb().tgAttribute(ids.tg.app, "preserve_client_ip.enabled", null).build());
    assert.deepEqual(
      [nlb.targetGroups[0]?.preserveClientIp.value, nlb.targetGroups[0]?.preserveClientIp.source],
      [true, "default"],
      "instance targets of an NLB preserve client IPs by default",
    );
    assert.equal(nlb.loadBalancers[0]?.crossZone.value, false);
    assert.equal(nlb.loadBalancers[0]?.securityGroupIds.length, 0);

    const ipTcp = buildAwsModel(
      healthyNlb().editTargetGroup(ids.tg.app, { TargetType: "ip" }).tgAttribute(ids.tg.app, "preserve_client_ip.enabled", null).build(),
    );
    assert.equal(ipTcp.targetGroups[0]?.preserveClientIp.value, false, "IP targets over TCP do not");
    const ipUdp = buildAwsModel(
      healthyNlb()
        .editTargetGroup(ids.tg.app, { TargetType: "ip", Protocol: "UDP" })
        .tgAttribute(ids.tg.app, "preserve_client_ip.enabled", null)
        .build(),
    );
    assert.equal(ipUdp.targetGroups[0]?.preserveClientIp.value, true, "UDP always does");
    const noAttrs = buildAwsModel(
      healthyAlb()
        .edit((s) => {
          s.elbv2.TargetGroupAttributes = {};
        })
        .build(),
    );
    assert.deepEqual(
      [
        noAttrs.targetGroups[0]?.deregistrationDelay.value,
        noAttrs.targetGroups[0]?.deregistrationDelay.source,
        noAttrs.targetGroups[0]?.attributesKnown,
      ],
      [300, "default", false],
    );
  });

  it("an IP target resolves to the instance holding that address, or at least to the subnet containing it", () => {
    const m = buildAwsModel(
      healthyAlb()
        .editTargetGroup(ids.tg.web, { TargetType: "ip" })
        .edit((s) => {
          s.elbv2.TargetHealth = { [ids.tg.web]: [] };
        })
        .target(ids.tg.web, { id: IP.web1 })
        .target(ids.tg.web, { id: "10.0.12.77" })
        .build(),
    );
    const [a, b] = m.targetGroups[0]?.targets ?? [];
    assert.equal(a?.kind, "ip");
    assert.equal(a?.instance?.name, "web-1");
    assert.equal(a?.subnet?.name, "private-a");
    assert.equal(b?.instance, undefined);
    assert.equal(b?.ip, "10.0.12.77");
    assert.equal(b?.subnet?.cidr, CIDR.privateB);
  });

  it("survives hostile content: wrong types, missing fields, unknown keys", () => {
    const snap = healthyAlb()
      .edit((s) => {
        const lb = s.elbv2.LoadBalancers[0] as Record<string, unknown>;
        lb.AvailabilityZones = "not a list";
        lb.SecurityGroups = [42, null, ids.sg.alb];
        (s.elbv2.TargetGroups?.[0] as Record<string, unknown>).HealthCheckPort = { weird: true };
        s.elbv2.Listeners?.push({ ListenerArn: "arn:x", LoadBalancerArn: lbArn("nope") });
        (s.ec2?.SecurityGroups?.[0] as Record<string, unknown>).IpPermissions = [null, { IpProtocol: 6, IpRanges: "x" }];
        (s.ec2?.NetworkAcls?.[0] as Record<string, unknown>).Entries = [{ RuleNumber: "100", Egress: "yes" }];
        s.ec2?.Instances?.push({ InstanceId: "i-0000", State: "running", SecurityGroups: {} });
        s.elbv2.TargetHealth = { [ids.tg.web]: [{ Target: {} }, { Target: { Id: ids.instance.web1 } }] };
      })
      .build();
    const m = buildAwsModel(snap);
    assert.equal(m.loadBalancers[0]?.zones.length, 0);
    assert.deepEqual(m.loadBalancers[0]?.securityGroupIds, [ids.sg.alb]);
    assert.equal(m.targetGroups[0]?.targets.length, 1);
    assert.ok(m.gaps.some((g) => g.resourceId === lbArn("nope")));
  });

  it("reads a target's AnomalyDetection and AdministrativeOverride, with pointers to them; absent fields stay absent", () => {
    const snap = healthyAlb()
      .target(ids.tg.web, {
        id: ids.instance.web1,
        az: "us-east-1a",
        anomaly: { result: "anomalous", mitigation: "yes" },
        override: { state: "zonal_shift_active" },
      })
      .target(ids.tg.web, { id: ids.instance.web2, az: "us-east-1b", anomaly: null, override: null })
      .build();
    const tg = buildAwsModel(snap).targetGroups[0];
    const [a, b] = [ids.instance.web1, ids.instance.web2].map((id) => tg?.targets.find((t) => t.id === id));
    assert.deepEqual(
      { result: a?.anomaly?.result, mitigation: a?.anomaly?.mitigation, state: a?.override?.state, reason: a?.override?.reason },
      { result: "anomalous", mitigation: "yes", state: "zonal_shift_active", reason: "AdministrativeOverride.ZonalShiftActive" },
    );
    assert.equal(at(snap, a?.anomaly?.ptr ?? "").Result, "anomalous");
    assert.equal(at(snap, a?.override?.ptr ?? "").State, "zonal_shift_active");
    assert.equal(b?.anomaly, undefined);
    assert.equal(b?.override, undefined);
  });

  it("an NLB's alb target group preserves client IPs by default (enabled for every group but an IP one over TCP or TLS), also when only a listener links it", () => {
    const alb = tgArn("alb-tg");
    const preserve = (snap: AwsSnapshot) => {
      const tg = buildAwsModel(snap).targetGroups.find((t) => t.arn === alb);
      return [tg?.preserveClientIp.value, tg?.preserveClientIp.source];
    };
    assert.deepEqual(preserve(albBehindNlb().tgAttribute(alb, "preserve_client_ip.enabled", null).build()), [true, "default"]);
    assert.deepEqual(preserve(albBehindNlb().tgAttributesNotCollected(alb).build()), [true, "default"]);
    // DescribeTargetGroups without LoadBalancerArns: the load balancer type is known only through the listener
    assert.deepEqual(preserve(albBehindNlb().tgAttributesNotCollected(alb).editTargetGroup(alb, { LoadBalancerArns: [] }).build()), [
      true,
      "default",
    ]);
  });

  it("reads a gateway route table's edge association (Associations[].GatewayId): the internet gateway's, never a subnet's or the main table", () => {
    const edge = awsId("rtb", "edge");
    const snap = healthyAlb()
      .edit((s) => {
        s.ec2?.RouteTables?.push({
          RouteTableId: edge,
          VpcId: ids.vpc,
          Associations: [
            {
              Main: false,
              GatewayId: ids.igw,
              RouteTableAssociationId: awsId("rtbassoc", "edge"),
              RouteTableId: edge,
              AssociationState: { State: "associated" },
            },
          ],
          Routes: [
            { DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active", Origin: "CreateRouteTable" },
            { DestinationCidrBlock: CIDR.publicA, GatewayId: awsId("vpce", "fw-a"), State: "active", Origin: "CreateRoute" },
          ],
        });
      })
      .build();
    const m = buildAwsModel(snap);
    const rt = m.byKey.routeTable.get(edge);
    assert.equal(rt?.associations[0]?.gatewayId, ids.igw);
    assert.equal(rt?.associations[0]?.subnetId, undefined);
    assert.equal(rt?.isMain, false);
    assert.equal(at(snap, rt?.associations[0]?.ptr ?? "").GatewayId, ids.igw);
    // the subnets keep their own tables
    assert.ok(m.subnets.every((s) => s.routeTable?.id !== edge));
  });
});
