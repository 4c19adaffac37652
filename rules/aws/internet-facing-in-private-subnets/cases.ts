import { ACCOUNT, type AwsScenario, awsId, CIDR, healthyAlb, healthyNlb, ids } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const privateZones = [
  { id: ids.subnet.privateA, az: "us-east-1a" },
  { id: ids.subnet.privateB, az: "us-east-1b" },
];

/** A subnet of the Wavelength Zone us-east-1-wl1-bos-wlz-1, its route table and the VPC's carrier gateway */
const WAVELENGTH = {
  zone: "us-east-1-wl1-bos-wlz-1",
  subnet: awsId("subnet", "wavelength-bos"),
  rtb: awsId("rtb", "wavelength"),
  cagw: awsId("cagw", "main"),
};

/** web-alb with IP address type `type`, and ::/0 routed from the public route table to `v6Target` (none when undefined) */
const dualstack = (type: string, v6Target?: string) =>
  healthyAlb()
    .editLb(ids.lb.alb, (lb) => {
      lb.IpAddressType = type;
    })
    .edit((s) => {
      const rt = s.ec2?.RouteTables?.find((t) => t.RouteTableId === ids.rtb.public);
      if (rt && v6Target)
        rt.Routes = [
          ...(rt.Routes as Array<Record<string, unknown>>),
          { DestinationIpv6CidrBlock: "::/0", GatewayId: v6Target, State: "active" },
        ];
    });

/**
 * web-alb's subnets on the VPC's main table (it sends 0.0.0.0/0 to the NAT gateway; no other table is associated), in a
 * snapshot of us-east-1 and eu-west-1 whose DescribeRouteTables failed in eu-west-1 only (the gap names that place, as a
 * wide collection's do); `euAlb`: eu-west-1 holds a load balancer of its own, eu-alb, in a subnet of another VPC there.
 */
const mainNatWithEuGap = (euAlb: boolean) =>
  healthyAlb()
    .edit((s) => {
      s.scope = { regions: ["us-east-1", "eu-west-1"], accounts: [ACCOUNT] };
      for (const rt of s.ec2?.RouteTables ?? []) {
        if (rt.RouteTableId === ids.rtb.private) rt.Associations = [];
        if (rt.RouteTableId === ids.rtb.public)
          rt.Associations = [{ Main: true, RouteTableId: rt.RouteTableId, RouteTableAssociationId: "rtbassoc-0main" }];
        if (rt.RouteTableId === ids.rtb.public)
          rt.Routes = (rt.Routes as Array<Record<string, unknown>>).map((r) =>
            r.DestinationCidrBlock === "0.0.0.0/0" ? { DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: ids.nat, State: "active" } : r,
          );
      }
      if (!euAlb) return;
      const web = s.elbv2.LoadBalancers?.find((lb) => lb.LoadBalancerArn === ids.lb.alb);
      const subnet = awsId("subnet", "eu-public-a");
      s.elbv2.LoadBalancers?.push({
        ...web,
        LoadBalancerArn: `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:loadbalancer/app/eu-alb/0123456789abcdef`,
        LoadBalancerName: "eu-alb",
        DNSName: "eu-alb-1234567890.eu-west-1.elb.amazonaws.com",
        VpcId: awsId("vpc", "eu"),
        AvailabilityZones: [{ ZoneName: "eu-west-1a", SubnetId: subnet, LoadBalancerAddresses: [] }],
      });
      s.ec2?.Subnets?.push({
        SubnetId: subnet,
        VpcId: awsId("vpc", "eu"),
        CidrBlock: "10.1.1.0/24",
        AvailabilityZone: "eu-west-1a",
        SubnetArn: `arn:aws:ec2:eu-west-1:${ACCOUNT}:subnet/${subnet}`,
        OwnerId: ACCOUNT,
      });
    })
    .gap({
      operation: "ec2:DescribeRouteTables",
      status: 503,
      code: "ServiceUnavailable",
      message: `account ${ACCOUNT}, region eu-west-1: Service Unavailable`,
    });

export const cases: RuleCases = {
  valid: [
    {
      name: "tutorial reference: public subnets whose route table sends 0.0.0.0/0 to the internet gateway",
      snapshot: healthyAlb().build(),
    },
    {
      name: "the public subnets use the VPC's main route table (no explicit association), which routes to the IGW",
      snapshot: healthyAlb()
        .routeTable({
          id: ids.rtb.public,
          name: "public",
          main: true,
          subnets: [],
          routes: [{ destination: "0.0.0.0/0", target: ids.igw }],
        })
        .routeTable({
          id: ids.rtb.private,
          name: "private",
          subnets: [ids.subnet.privateA, ids.subnet.privateB],
          routes: [{ destination: "0.0.0.0/0", target: ids.nat }],
        })
        .build(),
    },
    {
      name: "more specific routes (a peering, a transit gateway) beside the IGW default route",
      snapshot: healthyAlb()
        .route(ids.rtb.public, { destination: "10.1.0.0/16", target: awsId("pcx", "shared") })
        .route(ids.rtb.public, { destination: "172.16.0.0/12", target: awsId("tgw", "corp") })
        .build(),
    },
    { name: "an internet-facing NLB in the public subnets", snapshot: healthyNlb().build() },
    {
      name: "dualstack-without-public-ipv4: ::/0 to the internet gateway, and 0.0.0.0/0 not routed there (no public IPv4 to reach)",
      snapshot: dualstack("dualstack-without-public-ipv4", ids.igw).removeRoute(ids.rtb.public, "0.0.0.0/0").build(),
    },
    { name: "dualstack: both 0.0.0.0/0 and ::/0 to the internet gateway", snapshot: dualstack("dualstack", ids.igw).build() },
    {
      // DescribeRouteTables names a prefix-list destination in DestinationPrefixListId: its entries are not in the snapshot
      name: "a prefix-list route to the internet gateway beside the IGW default route: whichever clients the list holds, their replies reach the gateway",
      snapshot: withPublicRoutes(healthyAlb(), prefixListRoute({ GatewayId: ids.igw })).build(),
    },
    {
      name: "a prefix-list route to a gateway endpoint (S3's or DynamoDB's own addresses, no client there) beside the IGW default route",
      snapshot: withPublicRoutes(healthyAlb(), prefixListRoute({ GatewayId: awsId("vpce", "s3") })).build(),
    },
    {
      name: "0.0.0.0/0 goes to a NAT gateway, but 0.0.0.0/1 and 128.0.0.0/1 (more specific) to the internet gateway: every reply to the internet takes them",
      snapshot: healthyAlb()
        .route(ids.rtb.public, { destination: "0.0.0.0/0", target: ids.nat })
        .route(ids.rtb.public, { destination: "0.0.0.0/1", target: ids.igw })
        .route(ids.rtb.public, { destination: "128.0.0.0/1", target: ids.igw })
        .build(),
    },
    {
      name: "the internet gateway has a gateway route table (edge association) that keeps the VPC's local route for the ALB's subnets",
      snapshot: withEdgeTable(healthyAlb(), []).build(),
    },
    {
      name: "a DescribeRouteTables gap on another internet gateway leaves this one's subnets decided",
      snapshot: healthyAlb()
        .gap({ operation: "ec2:DescribeRouteTables", resourceId: awsId("igw", "other"), status: 503, message: "try later" })
        .build(),
    },
    {
      // DescribeRouteTables names a transit gateway next hop in TransitGatewayId: another VPC's IPv6 CIDR is that VPC's, not the internet's clients
      name: "dualstack: ::/0 to the internet gateway, and another VPC's IPv6 CIDR (2600:1f18:beef:4400::/56) to a transit gateway",
      snapshot: withPublicRoutes(dualstack("dualstack", ids.igw), {
        DestinationIpv6CidrBlock: "2600:1f18:beef:4400::/56",
        TransitGatewayId: awsId("tgw", "core"),
        Origin: "CreateRoute",
        State: "active",
      }).build(),
    },
    {
      // a route propagated from a virtual private gateway (a Site-to-Site VPN): a partner's public range is the partner's network
      name: "a partner's public range (203.0.113.0/24) to a virtual private gateway beside the IGW default route",
      snapshot: withPublicRoutes(healthyAlb(), {
        DestinationCidrBlock: "203.0.113.0/24",
        GatewayId: awsId("vgw", "partner"),
        Origin: "EnableVgwRoutePropagation",
        State: "active",
      }).build(),
    },
    {
      // a connected network's route is read as its network's own range up to an IPv4 /8 (the widest block one organization holds)
      name: "a /8 (11.0.0.0/8) to a transit gateway beside the IGW default route: as wide as one network's range gets",
      snapshot: healthyAlb()
        .route(ids.rtb.public, { destination: "11.0.0.0/8", target: awsId("tgw", "corp") })
        .build(),
    },
    {
      // and up to an IPv6 /32 (a registry's allocation to one organization)
      name: "dualstack: ::/0 to the internet gateway, and an IPv6 /32 (2a05:d000::/32) to a peering connection",
      snapshot: withPublicRoutes(dualstack("dualstack", ids.igw), {
        DestinationIpv6CidrBlock: "2a05:d000::/32",
        VpcPeeringConnectionId: awsId("pcx", "peer"),
        Origin: "CreateRoute",
        State: "active",
      }).build(),
    },
  ],
  invalid: [
    {
      name: "an infrastructure refactor recreated web-alb in the private subnets: the site times out while both targets stay healthy",
      snapshot: healthyAlb()
        .removeLoadBalancer(ids.lb.alb)
        .loadBalancer({ name: "web-alb", subnets: privateZones, sgs: [ids.sg.alb] })
        .describe(
          "Incident: a Terraform refactor swapped the subnet variables and web-alb was recreated, internet-facing, in the private " +
            "subnets, whose route table sends 0.0.0.0/0 to a NAT gateway. DNS still answers with the ALB's public addresses, but nothing " +
            "routes back to the internet: every client times out while both targets report healthy.",
        )
        .build(),
      errors: [
        { messageId: "private", resourceId: ids.subnet.privateA, severity: "critical" },
        { messageId: "private", resourceId: ids.subnet.privateB, severity: "critical" },
      ],
    },
    {
      name: "the IGW route was deleted from the public route table",
      snapshot: healthyAlb().removeRoute(ids.rtb.public, "0.0.0.0/0").build(),
      errors: [{ messageId: "private" }, { messageId: "private" }],
    },
    {
      name: "the IGW was detached: its route is a blackhole",
      snapshot: healthyAlb().route(ids.rtb.public, { destination: "0.0.0.0/0", target: ids.igw, state: "blackhole" }).build(),
      errors: [{ messageId: "private" }, { messageId: "private" }],
    },
    {
      name: "one of the two zones uses a private subnet (high, not critical)",
      snapshot: healthyAlb()
        .removeLoadBalancer(ids.lb.alb)
        .loadBalancer({
          name: "web-alb",
          subnets: [
            { id: ids.subnet.publicA, az: "us-east-1a" },
            { id: ids.subnet.privateB, az: "us-east-1b" },
          ],
          sgs: [ids.sg.alb],
        })
        .build(),
      errors: [{ messageId: "private", resourceId: ids.subnet.privateB, severity: "high" }],
    },
    {
      name: "dualstack ALB whose public route table sends ::/0 to an egress-only internet gateway: IPv6 clients time out",
      snapshot: dualstack("dualstack", awsId("eigw", "main")).build(),
      errors: [
        { messageId: "privateIpv6", resourceId: ids.subnet.publicA, severity: "high" },
        { messageId: "privateIpv6", resourceId: ids.subnet.publicB, severity: "high" },
      ],
    },
    {
      name: "dualstack-without-public-ipv4 in subnets that route only 0.0.0.0/0 to the internet gateway: its public IPv6 addresses are unreachable",
      snapshot: dualstack("dualstack-without-public-ipv4").build(),
      errors: [
        { messageId: "privateIpv6", resourceId: ids.subnet.publicA, severity: "critical" },
        { messageId: "privateIpv6", resourceId: ids.subnet.publicB, severity: "critical" },
      ],
    },
    {
      name: "dualstack ALB whose 0.0.0.0/0 goes to a Gateway Load Balancer endpoint (undecided) and that has no ::/0 route: IPv6 certainly fails",
      snapshot: dualstack("dualstack")
        .removeRoute(ids.rtb.public, "0.0.0.0/0")
        .route(ids.rtb.public, { destination: "0.0.0.0/0", target: awsId("vpce", "inspection-a") })
        .build(),
      errors: [
        { messageId: "privateIpv6", resourceId: ids.subnet.publicA, severity: "high" },
        { messageId: "privateIpv6", resourceId: ids.subnet.publicB, severity: "high" },
      ],
    },
    {
      name: "dualstack ALB whose route table sends 0.0.0.0/0 to a NAT gateway and ::/0 to an egress-only internet gateway: both families fail",
      snapshot: dualstack("dualstack", awsId("eigw", "main"))
        .removeRoute(ids.rtb.public, "0.0.0.0/0")
        .route(ids.rtb.public, { destination: "0.0.0.0/0", target: ids.nat })
        .build(),
      errors: [
        { messageId: "private", resourceId: ids.subnet.publicA, severity: "critical" },
        { messageId: "private", resourceId: ids.subnet.publicB, severity: "critical" },
      ],
    },
    {
      name: "the ALB's subnets on the VPC's main table (NAT gateway) in a snapshot of two regions, while DescribeRouteTables failed in the other region, which has no load balancer",
      snapshot: mainNatWithEuGap(false).build(),
      errors: [
        { messageId: "private", resourceId: ids.subnet.publicA },
        { messageId: "private", resourceId: ids.subnet.publicB },
      ],
    },
    {
      name: "the ALB's subnets on the VPC's main table (NAT gateway) in a snapshot of two regions, while DescribeRouteTables failed in the other region, where eu-alb is",
      snapshot: mainNatWithEuGap(true).build(),
      errors: [
        { messageId: "private", resourceId: ids.subnet.publicA },
        { messageId: "private", resourceId: ids.subnet.publicB },
      ],
    },
    {
      name: "0.0.0.0/0 to a NAT gateway and a prefix-list route to a NAT gateway too: whichever clients the list holds, no reply reaches the internet",
      snapshot: withPublicRoutes(
        healthyAlb().route(ids.rtb.public, { destination: "0.0.0.0/0", target: ids.nat }),
        prefixListRoute({ NatGatewayId: ids.nat }),
      ).build(),
      errors: [
        { messageId: "private", resourceId: ids.subnet.publicA, severity: "critical" },
        { messageId: "private", resourceId: ids.subnet.publicB, severity: "critical" },
      ],
    },
    {
      name: "0.0.0.0/0 to the internet gateway, but 0.0.0.0/1 and 128.0.0.0/1 (more specific) to a NAT gateway: every reply to the internet takes them",
      snapshot: healthyAlb()
        .route(ids.rtb.public, { destination: "0.0.0.0/1", target: ids.nat })
        .route(ids.rtb.public, { destination: "128.0.0.0/1", target: ids.nat })
        .build(),
      errors: [
        { messageId: "private", resourceId: ids.subnet.publicA, severity: "critical" },
        { messageId: "private", resourceId: ids.subnet.publicB, severity: "critical" },
      ],
    },
    {
      name: "0.0.0.0/0 and a more specific 0.0.0.0/2 to a NAT gateway: both take replies to the internet, and the fix replaces one and deletes the other",
      snapshot: healthyAlb()
        .route(ids.rtb.public, { destination: "0.0.0.0/0", target: ids.nat })
        .route(ids.rtb.public, { destination: "0.0.0.0/2", target: ids.nat })
        .build(),
      errors: [
        { messageId: "private", resourceId: ids.subnet.publicA, severity: "critical" },
        { messageId: "private", resourceId: ids.subnet.publicB, severity: "critical" },
      ],
    },
    {
      name: "0.0.0.0/0 to a transit gateway: every reply to the internet goes to the connected network",
      snapshot: healthyAlb()
        .route(ids.rtb.public, { destination: "0.0.0.0/0", target: awsId("tgw", "egress") })
        .build(),
      errors: [
        { messageId: "private", resourceId: ids.subnet.publicA, severity: "critical" },
        { messageId: "private", resourceId: ids.subnet.publicB, severity: "critical" },
      ],
    },
    {
      // wider than one network's range: the replies to every client on the internet go over the VPN, and no route fix is given
      name: "0.0.0.0/1 and 128.0.0.0/1 to a virtual private gateway beside the IGW default route: every reply to the internet goes over the VPN",
      snapshot: healthyAlb()
        .route(ids.rtb.public, { destination: "0.0.0.0/1", target: awsId("vgw", "corp") })
        .route(ids.rtb.public, { destination: "128.0.0.0/1", target: awsId("vgw", "corp") })
        .build(),
      errors: [
        { messageId: "private", resourceId: ids.subnet.publicA, severity: "critical" },
        { messageId: "private", resourceId: ids.subnet.publicB, severity: "critical" },
      ],
    },
  ],
  unknown: [
    {
      name: "route tables were not collected",
      snapshot: healthyAlb()
        .edit((s) => {
          if (s.ec2) delete s.ec2.RouteTables;
        })
        .gap({
          operation: "ec2:DescribeRouteTables",
          status: 403,
          code: "UnauthorizedOperation",
          message: "You are not authorized to perform this operation.",
        })
        .build(),
      reason: "UnauthorizedOperation",
    },
    {
      name: "the load balancer's subnets are not in the snapshot",
      snapshot: healthyAlb().removeSubnet(ids.subnet.publicA).removeSubnet(ids.subnet.publicB).build(),
      reason: "not in the snapshot",
    },
    {
      // DescribeRouteTables names a Gateway Load Balancer (or Network Firewall) endpoint next hop in GatewayId
      name: "Network Firewall ingress routing: the ALB's subnets send 0.0.0.0/0 to the firewall endpoint (vpce-), not to the IGW",
      snapshot: healthyAlb()
        .removeRoute(ids.rtb.public, "0.0.0.0/0")
        .route(ids.rtb.public, { destination: "0.0.0.0/0", target: awsId("vpce", "firewall-a") })
        .build(),
      reason: "VPC endpoint",
    },
    {
      // DescribeRouteTables names a carrier gateway next hop in CarrierGatewayId
      name: "an ALB in a Wavelength Zone subnet whose 0.0.0.0/0 goes to the carrier gateway: it admits clients on the carrier network, never the internet's",
      snapshot: healthyAlb()
        .subnet({ id: WAVELENGTH.subnet, cidr: "10.0.21.0/24", az: WAVELENGTH.zone, name: "wavelength-bos", public: true })
        .routeTable({ id: WAVELENGTH.rtb, name: "wavelength", subnets: [WAVELENGTH.subnet], routes: [] })
        .edit((s) => {
          const rt = s.ec2?.RouteTables?.find((t) => t.RouteTableId === WAVELENGTH.rtb);
          if (rt)
            rt.Routes = [
              ...(rt.Routes as Array<Record<string, unknown>>),
              { DestinationCidrBlock: "0.0.0.0/0", CarrierGatewayId: WAVELENGTH.cagw, Origin: "CreateRoute", State: "active" },
            ];
        })
        .editLb(ids.lb.alb, (lb) => {
          lb.AvailabilityZones = [{ ZoneName: WAVELENGTH.zone, SubnetId: WAVELENGTH.subnet, LoadBalancerAddresses: [] }];
        })
        .build(),
      reason: "carrier gateway",
    },
    {
      // DescribeRouteTables names a network interface next hop in NetworkInterfaceId: an internet-gateway route would bypass the appliance
      name: "a firewall appliance: the ALB's subnets send 0.0.0.0/0 to its network interface (eni-), not to the IGW",
      snapshot: healthyAlb()
        .removeRoute(ids.rtb.public, "0.0.0.0/0")
        .route(ids.rtb.public, { destination: "0.0.0.0/0", target: awsId("eni", "firewall") })
        .build(),
      reason: "a network interface (a middlebox appliance",
    },
    {
      // DescribeRouteTables names an instance next hop in InstanceId
      name: "a firewall instance: the ALB's subnets send 0.0.0.0/0 to an instance (i-), not to the IGW",
      snapshot: healthyAlb()
        .removeRoute(ids.rtb.public, "0.0.0.0/0")
        .edit((s) => {
          const rt = s.ec2?.RouteTables?.find((t) => t.RouteTableId === ids.rtb.public);
          if (rt)
            rt.Routes = [
              ...(rt.Routes as Array<Record<string, unknown>>),
              { DestinationCidrBlock: "0.0.0.0/0", InstanceId: awsId("i", "firewall"), Origin: "CreateRoute", State: "active" },
            ];
        })
        .build(),
      reason: "an instance (a middlebox appliance",
    },
    {
      // the subnets' own (public) table was on a page DescribeRouteTables failed to return: the main (NAT) table is no verdict
      name: "the ALB's subnets have no route table of their own in a partial DescribeRouteTables, and the VPC's main table routes to a NAT gateway",
      snapshot: healthyAlb()
        .edit((s) => {
          if (s.ec2?.RouteTables) s.ec2.RouteTables = s.ec2.RouteTables.filter((t) => t.RouteTableId !== ids.rtb.public);
        })
        .gap({
          operation: "ec2:DescribeRouteTables",
          status: 503,
          code: "ServiceUnavailable",
          message: "Service Unavailable",
        })
        .build(),
      reason: "the table associated with it may be one of those missing",
    },
    {
      name: "a prefix-list route to a NAT gateway beside the IGW default route: a client whose address the list holds gets no reply",
      snapshot: withPublicRoutes(healthyAlb(), prefixListRoute({ NatGatewayId: ids.nat })).build(),
      reason: "a prefix list's entries are not in the snapshot",
    },
    {
      name: "a prefix-list route to a firewall appliance's network interface beside the IGW default route",
      snapshot: withPublicRoutes(healthyAlb(), prefixListRoute({ NetworkInterfaceId: awsId("eni", "firewall") })).build(),
      reason: "it also sends prefix list pl-0123456789abcdef0 to eni-",
    },
    {
      name: "0.0.0.0/0 to a NAT gateway, but a prefix-list route to the internet gateway: a client the list holds does get a reply",
      snapshot: withPublicRoutes(
        healthyAlb().route(ids.rtb.public, { destination: "0.0.0.0/0", target: ids.nat }),
        prefixListRoute({ GatewayId: ids.igw }),
      ).build(),
      reason: "a prefix list's entries are not in the snapshot",
    },
    {
      name: "0.0.0.0/0 to the internet gateway, and a more specific route sends part of the internet (198.51.100.0/24) to a NAT gateway",
      snapshot: healthyAlb().route(ids.rtb.public, { destination: "198.51.100.0/24", target: ids.nat }).build(),
      reason: "the reply to part of clients on the internet (198.51.100.0/24) never reaches an internet gateway",
    },
    {
      // ingress routing: Associations[].GatewayId names the internet gateway of a gateway route table
      name: "the internet gateway's gateway route table sends the ALB's subnets to firewall endpoints while the subnets route straight to the gateway (asymmetric)",
      snapshot: withEdgeTable(healthyAlb(), [
        { DestinationCidrBlock: CIDR.publicA, GatewayId: awsId("vpce", "fw-a"), State: "active" },
        { DestinationCidrBlock: CIDR.publicB, GatewayId: awsId("vpce", "fw-b"), State: "active" },
      ]).build(),
      reason: "AWS does not support such asymmetric routing",
    },
    {
      name: "the internet gateway's own route tables (edge associations) were not collected: one may send the requests through an appliance",
      snapshot: healthyAlb()
        .gap({ operation: "ec2:DescribeRouteTables", resourceId: ids.igw, status: 503, code: "ServiceUnavailable", message: "try later" })
        .build(),
      reason: "the internet gateway's own route tables were not collected",
    },
    {
      // wider than any one network's range (an IPv4 /8): half the internet's clients, whose replies go over the VPN
      name: "0.0.0.0/0 to the internet gateway, and 0.0.0.0/1 (half the internet) to a virtual private gateway",
      snapshot: healthyAlb()
        .route(ids.rtb.public, { destination: "0.0.0.0/1", target: awsId("vgw", "corp") })
        .build(),
      reason:
        "sends 0.0.0.0/1 to vgw-0a568440860474749: the reply to part of clients on the internet (1.0.0.0/8, 2.0.0.0/7, 4.0.0.0/6, 8.0.0.0/7, …) never reaches an internet gateway",
    },
    {
      name: "0.0.0.0/0 to the internet gateway, and a /7 (12.0.0.0/7) to a transit gateway: wider than one network's range",
      snapshot: healthyAlb()
        .route(ids.rtb.public, { destination: "12.0.0.0/7", target: awsId("tgw", "corp") })
        .build(),
      reason: "sends 12.0.0.0/7 to tgw-",
    },
    {
      name: "dualstack: ::/0 to the internet gateway, and an IPv6 /31 (2a04::/31) to a transit gateway: wider than one network's range",
      snapshot: withPublicRoutes(dualstack("dualstack", ids.igw), {
        DestinationIpv6CidrBlock: "2a04::/31",
        TransitGatewayId: awsId("tgw", "core"),
        Origin: "CreateRoute",
        State: "active",
      }).build(),
      reason: "sends 2a04::/31 to tgw-",
    },
  ],
  notApplicable: [
    {
      name: "an internal ALB in private subnets",
      snapshot: healthyAlb()
        .removeLoadBalancer(ids.lb.alb)
        .loadBalancer({ name: "web-alb", scheme: "internal", subnets: privateZones, sgs: [ids.sg.alb] })
        .build(),
    },
  ],
};

/** A route to the prefix list pl-0123456789abcdef0 (DestinationPrefixListId), its next hop `target` (e.g. `{ NatGatewayId }`). */
function prefixListRoute(target: Record<string, string>): Record<string, unknown> {
  return { DestinationPrefixListId: "pl-0123456789abcdef0", Origin: "CreateRoute", State: "active", ...target };
}

/** `b` with these wire routes added to the public route table. */
function withPublicRoutes(b: AwsScenario, ...routes: Array<Record<string, unknown>>): AwsScenario {
  return b.edit((s) => {
    const rt = s.ec2?.RouteTables?.find((x) => x.RouteTableId === ids.rtb.public);
    if (rt) rt.Routes = [...(rt.Routes as Array<Record<string, unknown>>), ...routes];
  });
}

/** `b` with a gateway route table of the VPC's internet gateway (an edge association): the local route, then `routes`. */
function withEdgeTable(b: AwsScenario, routes: Array<Record<string, unknown>>): AwsScenario {
  const edge = awsId("rtb", "edge");
  return b.edit((s) => {
    s.ec2?.RouteTables?.push({
      RouteTableId: edge,
      VpcId: ids.vpc,
      Associations: [{ Main: false, GatewayId: ids.igw, RouteTableAssociationId: awsId("rtbassoc", "edge"), RouteTableId: edge }],
      Routes: [{ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", Origin: "CreateRouteTable", State: "active" }, ...routes],
    });
  });
}
