import { awsId, healthyAlb, healthyNlb, ids, listenerArn, VPC_CIDR } from "../../../test/support/aws-builder.ts";
import type { RuleCases } from "../../../test/support/rule-tester.ts";

const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/3f2b1c0d-9e8a-4b7c-a6d5-e4f3a2b1c0d9";
const CLOUDFRONT_PL = "pl-3b927c52";

/** healthyAlb plus an HTTPS listener on 443 (same target group) */
const withHttps = () =>
  healthyAlb()
    .listener({ lb: ids.lb.alb, port: 443, protocol: "HTTPS", forward: ids.tg.web })
    .editListener(ids.lb.alb, 443, (l) => {
      l.Certificates = [{ CertificateArn: CERT }];
      l.SslPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06";
    });

const internal = () =>
  healthyAlb().editLb(ids.lb.alb, (lb) => {
    lb.Scheme = "internal";
    lb.DNSName = `internal-${lb.DNSName}`;
  });

/** healthyAlb with IP address type `type` */
const ipType = (type: string) =>
  healthyAlb().editLb(ids.lb.alb, (lb) => {
    lb.IpAddressType = type;
  });

export const cases: RuleCases = {
  valid: [
    {
      name: "dualstack-without-public-ipv4 (public IPv6 addresses only): the SG allows 80 from ::/0",
      snapshot: ipType("dualstack-without-public-ipv4")
        .setIngress(ids.sg.alb, [{ port: 80, ipv6: ["::/0"] }])
        .build(),
    },
    {
      name: "dualstack: the SG allows 80 from 0.0.0.0/0 and ::/0",
      snapshot: ipType("dualstack")
        .setIngress(ids.sg.alb, [{ port: 80, cidrs: ["0.0.0.0/0"], ipv6: ["::/0"] }])
        .build(),
    },
    { name: "tutorial reference: the ALB's SG allows 80 from 0.0.0.0/0", snapshot: healthyAlb().build() },
    {
      name: "HTTP and HTTPS listeners, both allowed by one port range 80-443",
      snapshot: withHttps()
        .setIngress(ids.sg.alb, [{ from: 80, to: 443, cidrs: ["0.0.0.0/0"] }])
        .build(),
    },
    {
      name: "a -1 (all traffic) rule from anywhere",
      snapshot: healthyAlb()
        .setIngress(ids.sg.alb, [{ protocol: "-1", cidrs: ["0.0.0.0/0"] }])
        .build(),
    },
    {
      name: "an allow-list of two partner ranges is restricted, not blocked",
      snapshot: healthyAlb()
        .setIngress(ids.sg.alb, [{ port: 80, cidrs: ["203.0.113.0/24", "198.51.100.0/24"] }])
        .build(),
    },
    {
      name: "the internet split over two half-space rules (0.0.0.0/1 and 128.0.0.0/1)",
      snapshot: healthyAlb()
        .setIngress(ids.sg.alb, [{ port: 80, cidrs: ["0.0.0.0/1", "128.0.0.0/1"] }])
        .build(),
    },
    {
      name: "internal ALB open to the VPC CIDR (an allow-list of the VPC's clients)",
      snapshot: internal()
        .setIngress(ids.sg.alb, [{ port: 80, cidrs: [VPC_CIDR] }])
        .build(),
    },
    {
      name: "internal ALB whose clients are referenced by their security group",
      snapshot: internal()
        .setIngress(ids.sg.alb, [{ port: 80, groups: [awsId("sg", "api-clients")] }])
        .build(),
    },
  ],
  invalid: [
    {
      name: "HTTPS listener added on 443, but web-alb-sg still allows only 80: https:// connections time out",
      snapshot: withHttps()
        .describe(
          "Incident: an HTTPS listener (443, ACM certificate) was added to web-alb and the site's links were switched to https://, but " +
            "web-alb-sg was never updated: it allows only TCP 80. Every HTTPS connection times out; plain HTTP still works and both targets are healthy.",
        )
        .build(),
      errors: [{ messageId: "blocked", resourceId: listenerArn(ids.lb.alb, 443) }],
    },
    {
      name: "internet-facing ALB whose SG allows 80 only from the VPC CIDR: no internet client gets in",
      snapshot: healthyAlb()
        .setIngress(ids.sg.alb, [{ port: 80, cidrs: [VPC_CIDR] }])
        .build(),
      errors: [{ messageId: "blocked" }],
    },
    {
      name: "the rule is for UDP 80",
      snapshot: healthyAlb()
        .setIngress(ids.sg.alb, [{ protocol: "udp", port: 80, cidrs: ["0.0.0.0/0"] }])
        .build(),
      errors: [{ messageId: "blocked" }],
    },
    {
      name: "internal ALB whose SG has no inbound rules at all",
      snapshot: internal().setIngress(ids.sg.alb, []).build(),
      errors: [{ messageId: "blocked" }],
    },
    {
      name: "dualstack ALB whose SG allows 80 from 0.0.0.0/0 only: IPv6 clients (AAAA records) time out",
      snapshot: ipType("dualstack").build(),
      errors: [{ messageId: "blocked", resourceId: listenerArn(ids.lb.alb, 80), severity: "high" }],
    },
  ],
  unknown: [
    {
      name: "only CloudFront's origin-facing prefix list is allowed (contents not in the snapshot)",
      snapshot: healthyAlb()
        .setIngress(ids.sg.alb, [{ port: 80, prefixLists: [CLOUDFRONT_PL] }])
        .build(),
      reason: "prefix list",
    },
    {
      name: "the listeners were not collected",
      snapshot: healthyAlb()
        .edit((s) => {
          s.elbv2.Listeners = [];
          s.elbv2.Rules = {};
        })
        .gap({ operation: "elbv2:DescribeListeners", resourceId: ids.lb.alb, status: 403, code: "AccessDenied", message: "not authorized" })
        .build(),
      reason: "AccessDenied",
    },
    {
      name: "the ALB's security group is not in the snapshot",
      snapshot: healthyAlb().removeSecurityGroup(ids.sg.alb).build(),
      reason: "not in the snapshot",
    },
  ],
  notApplicable: [{ name: "an NLB without security groups: nothing filters its listeners", snapshot: healthyNlb().build() }],
};
