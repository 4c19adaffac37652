import { defineRule } from "../../../src/core/engine/define-rule.ts";
import {
  defaultRoute,
  internetGatewayRouteFix,
  isIgwRoute,
  mainTableInDoubt,
  neededRoutes,
  routeDetail,
  undecidedRoute,
  V4,
  V6,
} from "../../../src/providers/aws/igw-routes.ts";
import { k8sRemediation } from "../../../src/providers/aws/kubernetes.ts";
import type { AwsModel } from "../../../src/providers/aws/model.ts";
import { gapNote } from "../../../src/providers/aws/rule-helpers.ts";

export default defineRule<AwsModel>({
  id: "aws/internet-facing-in-private-subnets",
  provider: "aws",
  severity: "high",
  reads: ["aws:loadBalancers", "aws:subnets", "aws:routeTables"],
  title: "Internet-facing load balancer in subnets without an internet gateway route",
  description:
    "An internet-facing load balancer gets public addresses in each of its subnets, but it is reachable only when the subnet's route " +
    "table (its explicit association, else the VPC's main table) sends `0.0.0.0/0` to an internet gateway (`igw-…`). In a private " +
    "subnet (default route to a NAT gateway, or none) the node's public address answers nothing: clients that DNS sends to that " +
    "zone time out while the targets stay healthy. AWS's Auto Scaling tutorial puts the load balancer in public subnets of two zones. " +
    "A dualstack load balancer also needs `::/0` to the internet gateway (an egress-only internet gateway admits no client), and one " +
    "without public IPv4 (`dualstack-without-public-ipv4`, public IPv6 addresses only) needs `::/0` alone. " +
    "A default route to a VPC endpoint (`vpce-…`: a Network Firewall or Gateway Load Balancer endpoint inspecting traffic through " +
    "internet gateway ingress routing) is reported as unknown: the rest of that path is not in the snapshot. When the other address " +
    "family of a dualstack load balancer certainly fails (say `0.0.0.0/0` goes to an endpoint and no `::/0` route goes to the internet " +
    "gateway), the subnet fails on that family, and the finding names the endpoint-routed family as undecided. " +
    "A default route to a carrier gateway (`cagw-…`, in a Wavelength Zone's subnet) is unknown too: a carrier gateway admits clients " +
    "on the telecommunication carrier's network and none from the internet, and which clients the load balancer serves is not in " +
    "the snapshot. So is a default route to a network interface (`eni-…`) or an instance (`i-…`), a middlebox appliance such as a " +
    "firewall: where it sends the traffic on is not in the snapshot, and an internet-gateway route would bypass it. " +
    "A subnet without a route table of its own in the snapshot uses the VPC's main route table, unless DescribeRouteTables was not " +
    "collected in full: then its own table may be among those missing, and the subnet is unknown. " +
    "Severity is high when some zones are affected and critical when all are.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html",
      title: "Application Load Balancers",
    },
    {
      url: "https://docs.amazonaws.cn/elasticloadbalancing/latest/APIReference/API_SetSubnets.html",
      title: "SetSubnets - Elastic Load Balancing",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html",
      title: "Troubleshoot your Application Load Balancers",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#availability-zones",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-ip-address-type.html",
    "https://docs.aws.amazon.com/vpc/latest/userguide/gwlb-route.html",
    "https://docs.aws.amazon.com/network-firewall/latest/developerguide/vpc-config-route-tables.html",
    "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html",
    "https://repost.aws/knowledge-center/public-load-balancer-private-ec2",
    "https://docs.aws.amazon.com/wavelength/latest/developerguide/how-wavelengths-work.html",
    "https://docs.aws.amazon.com/vpc/latest/userguide/route-table-options.html#route-tables-appliance-routing",
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRouteTables.html",
  ],
  messages: {
    private:
      "Subnet {{subnet}} in {{az}} of internet-facing load balancer {{lb}} has no route to an internet gateway: route table {{routeTable}} ({{via}}) {{detail}}. Clients sent to that zone's node time out.",
    privateIpv6:
      "Subnet {{subnet}} in {{az}} of internet-facing load balancer {{lb}} (IP address type {{type}}) has no IPv6 route to an internet gateway: route table {{routeTable}} ({{via}}) {{detail}}. IPv6 clients sent to that zone's node time out.",
    public:
      "Subnet {{subnet}} in {{az}} of internet-facing load balancer {{lb}} routes {{dest}} to {{igw}} (route table {{routeTable}}, {{via}}).",
    undecidable:
      "Cannot decide whether subnet {{subnet}} of internet-facing load balancer {{lb}} routes to an internet gateway: {{reason}}.",
    internal: "Load balancer {{lb}} is internal: it needs no route to an internet gateway.",
    gateway:
      "Load balancer {{lb}} is a Gateway Load Balancer: it has no scheme and is reached through Gateway Load Balancer endpoints, so it needs no route to an internet gateway.",
  },
  remediation:
    "Put the load balancer in public subnets (`aws elbv2 set-subnets`), or give its subnets a route table whose `0.0.0.0/0` route " +
    "goes to the VPC's internet gateway (`aws ec2 create-route … --gateway-id igw-…`).",
  check({ model, report }) {
    for (const lb of model.loadBalancers) {
      const lbEv = { resourceId: lb.arn, pointer: lb.ptr, label: "load balancer" };
      if (!lb.internetFacing) {
        report({
          status: "not-applicable",
          resourceId: lb.arn,
          resourceName: lb.name,
          loadBalancerId: lb.arn,
          messageId: lb.type === "gateway" ? "gateway" : "internal",
          data: { lb: lb.name },
          evidence: [lbEv],
        });
        continue;
      }
      const zones = lb.zones.map((z) => {
        const s = z.subnet;
        const rt = s?.routeTable;
        // each default route the load balancer's address type needs, judged on its own: an IPv4 route to a VPC endpoint
        // (undecided) must not hide a missing IPv6 route (a certain failure), nor the reverse
        const judged = rt
          ? neededRoutes(lb).map((d) => {
              const r = defaultRoute(rt, d);
              // a VPC endpoint (a Network Firewall or Gateway Load Balancer endpoint) as the next hop: with ingress routing on the
              // internet gateway the path goes through it, and the endpoint's own route to the gateway is not in the snapshot; a
              // carrier gateway (a Wavelength Zone's) admits the carrier network's clients, not the internet's (undecidedRoute)
              const verdict = isIgwRoute(r) ? "pass" : undecidedRoute(r) ? "endpoint" : "fail";
              return { dest: d, route: r, verdict };
            })
          : [];
        // the family that decides: the first certain failure, else the first undecided one, else the first (all pass)
        const decisive = judged.find((j) => j.verdict === "fail") ?? judged.find((j) => j.verdict === "endpoint") ?? judged[0];
        const dest = decisive?.dest ?? neededRoutes(lb)[0] ?? V4;
        const route = decisive?.route;
        // the main table stands in because no table associated with the subnet was seen, while route tables are missing: its
        // own table may be one of them, so neither a pass nor a failure read from the main table holds
        const doubt = s ? mainTableInDoubt(model, s) : undefined;
        const status =
          !s || !rt
            ? "unknown"
            : doubt
              ? "doubt"
              : decisive?.verdict === "fail"
                ? "fail"
                : decisive?.verdict === "endpoint"
                  ? "endpoint"
                  : "pass";
        // the families left undecided beside a failing one (their default route goes to a VPC endpoint)
        const undecided = status === "fail" ? judged.filter((j) => j.verdict === "endpoint") : [];
        // every family that certainly fails (a dualstack subnet may fail on both): each is reported and fixed
        const fails = judged.filter((j) => j.verdict === "fail");
        return { z, s, rt, dest, route, status, undecided, fails, doubt };
      });
      const failing = zones.filter((x) => x.status === "fail").length;
      for (const { z, s, rt, dest, route, status, undecided, fails, doubt } of zones) {
        const subnetId = z.subnetId ?? s?.id ?? "(unknown subnet)";
        const base = {
          resourceId: subnetId,
          resourceName: s?.name ?? subnetId,
          loadBalancerId: lb.arn,
          key: `${lb.name}|${subnetId}`,
          subjects: [lb.key, subnetId.toLowerCase()],
        };
        const data = {
          lb: lb.name,
          subnet: s && s.name !== s.id ? `${s.id} (${s.name})` : subnetId,
          az: z.zoneName ?? s?.availabilityZone ?? "?",
          routeTable: rt?.id ?? "?",
          via: s?.routeTableVia === "main" ? "the VPC's main route table" : "explicitly associated",
        };
        const zoneEv = { resourceId: lb.arn, pointer: z.ptr, label: "load balancer zone" };
        if (status === "unknown" || !s || !rt) {
          const reason = !s
            ? `subnet ${subnetId} is not in the snapshot${gapNote(model, [subnetId], ["DescribeSubnets"])}`
            : `its route table is not in the snapshot${gapNote(model, [s.id], ["DescribeRouteTables"])}`;
          report({ ...base, status: "unknown", messageId: "undecidable", data: { ...data, reason }, evidence: [zoneEv] });
          continue;
        }
        const rtEv = { resourceId: rt.id, pointer: s.routeTablePtr ?? rt.ptr, label: `route table association (${s.routeTableVia})` };
        if (status === "doubt") {
          const reason = `no route table associated with it is in the snapshot, so the VPC's main route table ${rt.id} stands in, but DescribeRouteTables was not collected in full${doubt}: the table associated with it may be one of those missing`;
          report({ ...base, status: "unknown", messageId: "undecidable", data: { ...data, reason }, evidence: [zoneEv, rtEv] });
          continue;
        }
        if (status === "endpoint" && route) {
          const reason = `route table ${rt.id} sends ${dest} to ${route.target}, ${undecidedRoute(route)?.long}`;
          report({
            ...base,
            status: "unknown",
            messageId: "undecidable",
            data: { ...data, reason },
            evidence: [zoneEv, rtEv, { resourceId: rt.id, pointer: route.ptr, label: "default route" }],
          });
          continue;
        }
        if (status === "pass") {
          report({
            ...base,
            status: "pass",
            messageId: "public",
            data: { ...data, igw: route?.target, dest: neededRoutes(lb).join(" and ") },
            evidence: [zoneEv, rtEv, ...(route ? [{ resourceId: rt.id, pointer: route.ptr, label: "default route" }] : [])],
          });
          continue;
        }
        // the decisive family first, then any other failing one (IPv6 beside IPv4)
        const failed = [{ dest, route }, ...fails.filter((f) => f.dest !== dest)];
        const detail = failed.map((f) => routeDetail(f.dest, f.route)).join(", and ");
        // the other family, undecided: named, so that the certain failure is not read as the whole verdict
        const otherFamilies = undecided
          .map(
            (u) =>
              `; ${u.dest === V6 ? "IPv6" : "IPv4"} is undecided: it sends ${u.dest} to ${u.route?.target}, ${undecidedRoute(u.route)?.short}`,
          )
          .join("");
        report({
          ...base,
          status: "fail",
          messageId: dest === V6 ? "privateIpv6" : "private",
          // a dualstack load balancer that lacks only its IPv6 route still serves IPv4 clients
          severity: failing === zones.length && !(dest === V6 && neededRoutes(lb).includes(V4)) ? "critical" : "high",
          data: { ...data, detail: `${detail}${otherFamilies}`, type: lb.ipAddressType ?? "dualstack" },
          evidence: [
            zoneEv,
            rtEv,
            { resourceId: rt.id, pointer: route ? route.ptr : `${rt.ptr}/Routes`, label: route ? "default route" : "routes" },
            ...failed
              .slice(1)
              .map((f) => ({ resourceId: rt.id, pointer: f.route ? f.route.ptr : `${rt.ptr}/Routes`, label: `${f.dest} route` })),
            ...undecided.flatMap((u) =>
              u.route
                ? [
                    {
                      resourceId: rt.id,
                      pointer: u.route.ptr,
                      label: `${u.dest} route to ${undecidedRoute(u.route)?.what ?? "a VPC endpoint"} (undecided)`,
                    },
                  ]
                : [],
            ),
          ],
          remediation: k8sRemediation(
            model,
            lb.arn,
            internetGatewayRouteFix(
              model,
              lb,
              s,
              failed.map((f) => f.dest),
              undecided.length > 0,
            ),
          ),
        });
      }
    }
  },
});
