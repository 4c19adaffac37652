import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { naclBlocksHealthCheckCause } from "../../../src/providers/aws/causes/nacl-blocks-health-check.ts";
import { reportCause } from "../../../src/providers/aws/causes.ts";
import type { AwsModel } from "../../../src/providers/aws/model.ts";

export default defineRule<AwsModel>({
  id: "aws/nacl-blocks-health-check",
  provider: "aws",
  severity: "critical",
  // the load balancer attributes: an NLB's cross-zone setting decides which of its nodes reach an ALB target's nodes; the
  // listeners and their rules: which clients of a dualstack NLB reach a target group at all
  reads: [
    "aws:loadBalancers",
    "aws:loadBalancerAttributes",
    "aws:listeners",
    "aws:listenerRules",
    "aws:targetGroups",
    "aws:targetGroupAttributes",
    "aws:targetHealth",
    "aws:instances",
    "aws:subnets",
    "aws:networkAcls",
  ],
  title: "Network ACLs block the health checks or the traffic",
  description:
    "Network ACLs are stateless and filter traffic where it crosses a subnet's boundary. A connection from a load balancer node to a " +
    "target needs four entries to allow it: outbound on the load balancer's subnet and inbound on the target's subnet for the " +
    "health-check (or traffic) port, and, for the reply, outbound on the target's subnet and inbound on the load balancer's subnet on the " +
    "ephemeral ports 1024–65535. Entries are evaluated in ascending rule number, the first match decides, and what nothing matches is " +
    "denied by the `*` entry. A custom ACL that allows the port but forgets the reply path makes every health check time out " +
    "(`Target.Timeout`). Traffic inside one subnet does not cross its ACL. For a Network Load Balancer that preserves client IPs the " +
    "target's subnet must also admit the clients; an ACL that admits only some of them is an allow-list, not a block. " +
    "A Gateway Load Balancer's appliances send each GENEVE packet back on UDP 6081, not on an ephemeral port. " +
    "For an IP target outside the VPC (Availability Zone `all`) only the load balancer's own subnets are in the snapshot: they are " +
    "checked, and the target's side is unknown. An IPv6 target group's connections are IPv6 end to end (from the load balancer's " +
    "IPv6 addresses, or preserved IPv6 clients, to the target's IPv6 address): only `Ipv6CidrBlock` entries match them, so an ACL " +
    "written for IPv4 alone denies them all with its `*` entry. An Application Load Balancer that is the target of a Network Load " +
    "Balancer is reached over IPv4 only, at its nodes in its own subnets in the zones the NLB enables (addresses not known offline, " +
    "so the whole subnet CIDR is checked): health checks from every NLB node, IPv4 clients with their own addresses, and a dualstack NLB's IPv6 clients from the " +
    "NLB node's IPv4 address, to the ALB's node in the same zone unless cross-zone load balancing is on.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-troubleshooting.html",
      title: "Troubleshoot your Network Load Balancer",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html",
      title: "Troubleshoot your Application Load Balancers",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#target-not-inservice",
    "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html",
    "https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/gateway/introduction.html",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-ip-address-type.html",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/application-load-balancer-target.html",
  ],
  remediation:
    "Add allow entries ahead of the blocking entry: inbound on the target subnets' ACL for the health-check and traffic ports from the " +
    "load balancer subnets (or the clients), outbound for 1024–65535 back to them, and the mirror image on the load balancer subnets' ACL.",
  explains: ["aws/targets-unhealthy"],
  messages: naclBlocksHealthCheckCause.messages,
  check(ctx) {
    reportCause(ctx, naclBlocksHealthCheckCause);
  },
});
