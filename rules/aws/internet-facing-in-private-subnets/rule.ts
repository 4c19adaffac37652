import { defineRule } from "../../../src/core/engine/define-rule.ts";
import {
  defaultRoute,
  denyDetail,
  internetClients,
  internetGatewayRouteFix,
  isCarrierRoute,
  isIgwRoute,
  neededRoutes,
  replyRoute,
  undecidedRoute,
  V4,
  V6,
} from "../../../src/providers/aws/igw-routes.ts";
import { k8sRemediation } from "../../../src/providers/aws/kubernetes.ts";
import type { AwsModel } from "../../../src/providers/aws/model.ts";

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
    "Each reply takes the most specific route that matches the client's address (longest prefix match), decided as `lbdoctor trace` " +
    "decides it: more specific routes that send every public address to the internet gateway (`0.0.0.0/1` and `128.0.0.0/1`, say) " +
    "pass, and more specific routes that send all of them elsewhere fail; a route that sends only part of the internet elsewhere is " +
    "unknown, unless it goes to a network connected to the VPC (a peering connection `pcx-…`, a transit gateway `tgw-…`, a virtual " +
    "private gateway `vgw-…`, a local gateway `lgw-…`, a Cloud WAN core network) for no more than one network's range (an IPv4 /8, " +
    "an IPv6 /32 at most): the addresses it takes are that network's (another VPC's IPv6 CIDR, a partner's range over a VPN), not " +
    "clients on the internet, and it fails only when such routes take all of them. A wider route to a connected network " +
    "(`0.0.0.0/1` over a VPN, `0.0.0.0/0` to a transit gateway) takes clients on the internet, as any other route does: unknown " +
    "for part of the internet, a failure for all of it. A route to a prefix list (`pl-…`, other than a gateway endpoint's) whose next hop is of another kind than the " +
    "verdict's is unknown too: the list's entries are not in the snapshot, and any client's address may be among them. An internet gateway's own " +
    "route table (a gateway route table, for ingress routing) that sends the requests for the subnet through an appliance the replies " +
    "skip is asymmetric routing, which AWS does not support: unknown, and so is an internet gateway whose own route tables were not " +
    "collected. " +
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
    "https://docs.aws.amazon.com/vpc/latest/userguide/route-tables-priority.html",
    "https://docs.aws.amazon.com/vpc/latest/userguide/gateway-route-tables.html",
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
    "goes to the VPC's internet gateway (`aws ec2 create-route … --gateway-id igw-…`), and delete the more specific routes that " +
    "take the replies elsewhere (`aws ec2 delete-route`). A `0.0.0.0/0` route to a network connected to the VPC (a transit gateway " +
    "for centralized egress through an inspection VPC) is replaced as well, and the subnet's outbound traffic to the internet then " +
    "bypasses that network; more specific routes to connected networks are never deleted.",
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
      const dests = neededRoutes(lb);
      // the clients on the internet of each family the load balancer has public addresses of, as the trace has them
      const clients = dests.map((d) => {
        const v6 = d === V6;
        const c = internetClients(model, lb, v6, dests.length > 1);
        return { dest: d, v6, label: c.label, space: c.space };
      });
      const zones = lb.zones.map((z) => {
        const s = z.subnet;
        const subnetId = z.subnetId ?? s?.id ?? "(unknown subnet)";
        // each family judged on its own, by the decision the trace's route-table hop makes (replyRoute): a reply routed to a
        // VPC endpoint (undecided) must not hide a missing IPv6 route (a certain failure), nor the reverse. A carrier gateway
        // (a Wavelength Zone's) denies clients on the internet, but admits the carrier network's: which ones the load
        // balancer serves is not in the snapshot, so it is undecided here
        const judged = clients.map((c) => {
          const d = replyRoute(model, s, subnetId, c.label, c.v6, c.space);
          const carrier = d.verdict === "deny" && isCarrierRoute(d.route);
          const verdict: "pass" | "fail" | "undecided" =
            d.verdict === "allow" ? "pass" : d.verdict === "deny" && !carrier ? "fail" : "undecided";
          return { dest: c.dest, d, verdict, carrier };
        });
        // the family that decides: the first certain failure, else the first undecided one, else the first (all pass)
        const decisive = judged.find((j) => j.verdict === "fail") ?? judged.find((j) => j.verdict === "undecided") ?? judged[0];
        // the families left undecided beside a failing one
        const undecided = decisive?.verdict === "fail" ? judged.filter((j) => j.verdict === "undecided") : [];
        // every family that certainly fails (a dualstack subnet may fail on both): each is reported and fixed
        const fails = judged.filter((j) => j.verdict === "fail");
        return { z, s, subnetId, decisive, undecided, fails, zoneJudged: judged };
      });
      const failing = zones.filter((x) => x.decisive?.verdict === "fail").length;
      for (const { z, s, subnetId, decisive, undecided, fails, zoneJudged } of zones) {
        const rt = s?.routeTable;
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
        const rtEv =
          s && rt ? [{ resourceId: rt.id, pointer: s.routeTablePtr ?? rt.ptr, label: `route table association (${s.routeTableVia})` }] : [];
        if (!decisive || !s || !rt || decisive.verdict === "undecided") {
          const d = decisive?.d;
          const route = d?.route;
          // a carrier gateway: the rule's own reading (see above); else what the trace says
          const reason =
            decisive?.carrier && rt && route
              ? `route table ${rt.id} sends ${route.destination} to ${route.target}, ${undecidedRoute(route)?.long}`
              : (d?.text ?? `subnet ${subnetId} is not in the snapshot`);
          const at = d?.undecided;
          const routesEv =
            decisive?.carrier && rt && route
              ? [{ resourceId: rt.id, pointer: route.ptr, label: "default route" }]
              : (at?.routes ?? []).slice(0, 3).map((r) => ({
                  resourceId: at?.table.id ?? "",
                  pointer: r.ptr,
                  label: at?.table === rt ? `route to ${r.destination}` : `gateway route table's route to ${r.destination}`,
                }));
          report({
            ...base,
            status: "unknown",
            messageId: "undecidable",
            data: { ...data, reason },
            evidence: [zoneEv, ...rtEv, ...routesEv],
          });
          continue;
        }
        if (decisive.verdict === "pass") {
          // the routes that take the replies: the default routes, or more specific ones (0.0.0.0/1 and 128.0.0.0/1, say)
          const igws = [...new Set(zoneJudged.flatMap((j) => j.d.igws ?? []))];
          const igw = igws[0];
          report({
            ...base,
            status: "pass",
            messageId: "public",
            data: {
              ...data,
              igw: igw?.target ?? "the VPC (local route)",
              dest: igws.length > 0 ? igws.map((r) => r.destination).join(" and ") : dests.join(" and "),
            },
            evidence: [
              zoneEv,
              ...rtEv,
              ...igws.map((r) => ({
                resourceId: rt.id,
                pointer: r.ptr,
                label: r.destination === V4 || r.destination === V6 ? "default route" : "route",
              })),
            ],
          });
          continue;
        }
        // the decisive family first, then any other failing one (IPv6 beside IPv4)
        const failed = [decisive, ...fails.filter((f) => f !== decisive)];
        const detail = failed
          .map((f) => {
            // the route that takes most replies, the more specific ones that take others elsewhere, the addresses no route takes
            const text = denyDetail(f.dest, f.d);
            // more specific routes that take every reply, beside a default route to the internet gateway
            const def = defaultRoute(rt, f.dest);
            return f.d.route && f.d.route.destination !== f.dest && isIgwRoute(def)
              ? `${text}, more specific than its ${f.dest} route to ${def?.target}`
              : text;
          })
          .join(", and ");
        // the other family, undecided: named, so that the certain failure is not read as the whole verdict
        const otherFamilies = undecided
          .map((u) => {
            const only = u.d.undecided?.table === rt && u.d.undecided.routes.length === 1 ? u.d.undecided.routes[0] : undefined;
            const short = only ? undecidedRoute(only)?.short : undefined;
            const route = u.carrier ? u.d.route : undefined;
            const why = route
              ? `it sends ${route.destination} to ${route.target}, ${undecidedRoute(route)?.short}`
              : only && short
                ? `it sends ${only.destination} to ${only.target}, ${short}`
                : u.d.text;
            return `; ${u.dest === V6 ? "IPv6" : "IPv4"} is undecided: ${why}`;
          })
          .join("");
        // the fix, as the trace gives it: the default routes, and the more specific routes that take replies elsewhere
        const inspected = dests.some((d) => !failed.some((f) => f.dest === d) && undecidedRoute(defaultRoute(rt, d)) !== undefined);
        const fix = internetGatewayRouteFix(
          model,
          lb,
          s,
          failed.map((f) => ({ dest: f.dest, d: f.d })),
          inspected,
        );
        report({
          ...base,
          status: "fail",
          messageId: decisive.dest === V6 ? "privateIpv6" : "private",
          // a dualstack load balancer that lacks only its IPv6 route still serves IPv4 clients
          severity: failing === zones.length && !(decisive.dest === V6 && dests.includes(V4)) ? "critical" : "high",
          data: { ...data, detail: `${detail}${otherFamilies}`, type: lb.ipAddressType ?? "dualstack" },
          evidence: [
            zoneEv,
            ...rtEv,
            ...failed.map((f, i) => ({
              resourceId: rt.id,
              pointer: f.d.route ? f.d.route.ptr : `${rt.ptr}/Routes`,
              label: !f.d.route
                ? i === 0
                  ? "routes"
                  : `${f.dest} routes`
                : f.d.route.destination === f.dest
                  ? i === 0
                    ? "default route"
                    : `${f.dest} route`
                  : `route to ${f.d.route.destination}`,
            })),
            // the more specific routes that take other replies elsewhere (the first three each family names)
            ...failed.flatMap((f) =>
              (f.d.also ?? [])
                .filter((r) => r !== f.d.route)
                .slice(0, 3)
                .map((r) => ({ resourceId: rt.id, pointer: r.ptr, label: `route to ${r.destination}` })),
            ),
            ...undecided.flatMap((u) => {
              const r = u.carrier ? u.d.route : u.d.undecided?.routes[0];
              const table = u.carrier ? rt : u.d.undecided?.table;
              return r && table
                ? [{ resourceId: table.id, pointer: r.ptr, label: `${u.dest} route to ${undecidedRoute(r)?.what ?? r.target} (undecided)` }]
                : [];
            }),
          ],
          ...(fix ? { remediation: k8sRemediation(model, lb.arn, fix) } : {}),
        });
      }
    }
  },
});
