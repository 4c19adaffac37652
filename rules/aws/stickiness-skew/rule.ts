import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { k8sRemediation } from "../../../src/providers/aws/kubernetes.ts";
import type { AwsModel } from "../../../src/providers/aws/model.ts";
import { gapNote, sh } from "../../../src/providers/aws/rule-helpers.ts";
import { groupBase, servedGroups } from "../../../src/providers/aws/target-facts.ts";

function duration(seconds: string | undefined, dflt: number): string {
  const s = Number(seconds ?? dflt);
  if (!Number.isFinite(s)) return `${seconds} s`;
  if (s >= 3600 && s % 3600 === 0) return `${s / 3600} h`;
  if (s >= 60 && s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}

export default defineRule<AwsModel>({
  id: "aws/stickiness-skew",
  provider: "aws",
  severity: "low",
  reads: ["aws:loadBalancers", "aws:targetGroups", "aws:targetGroupAttributes"],
  title: "Sticky sessions skew the distribution",
  description:
    "With stickiness enabled on a target group, the load balancer sends a client back to the same target: by source IP on a Network " +
    "Load Balancer (`source_ip`), by a cookie on an Application Load Balancer (`lb_cookie`, or `app_cookie` tied to the application's " +
    "own cookie). Clients behind one NAT gateway, corporate proxy or carrier-grade NAT share a source IP and all land on one target; " +
    "a proxy or service that calls with one cookie jar pins all its users to one target; long sessions keep old targets busy while " +
    "targets added on scale-out get only new clients. The backend-traffic troubleshooting guide names persistence behind NAT and proxies as the first cause of uneven " +
    "load. This is a configuration risk, reported even when every target is healthy; keep stickiness only where the application keeps " +
    "session state in memory. Severity is low.",
  citations: [
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html",
      title: "Edit target group attributes for your Application Load Balancer",
    },
    {
      url: "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html",
      title: "Edit target group attributes for your Network Load Balancer - Elastic Load Balancing",
    },
    {
      url: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-elasticloadbalancingv2-targetgroup-targetgroupattribute.html",
      title: "AWS::ElasticLoadBalancingV2::TargetGroup TargetGroupAttribute - AWS CloudFormation",
    },
  ],
  references: [
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/gateway/edit-target-group-attributes.html#flow-stickiness",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/sticky-sessions.html",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#sticky-sessions",
  ],
  messages: {
    sticky:
      "Target group {{targetGroup}} ({{lb}}) has stickiness enabled ({{type}}{{detail}}): {{effect}}. Traffic spreads unevenly over its {{count}} targets.",
    gatewayFlow:
      "Target group {{targetGroup}} (Gateway Load Balancer {{lb}}) has flow stickiness enabled ({{type}}): flows are hashed on the {{tuple}} instead of the default 5-tuple, so all traffic between one source and one destination address goes to one appliance, and a few busy address pairs (a NAT gateway, a proxy) load one appliance of its {{count}}. Keep it only where the appliances need it (IDS/IPS that track flows by 2- or 3-tuple; FTP, RDP, RPC or SSL VPN sessions on several ports).",
    off: "Target group {{targetGroup}} ({{lb}}) has stickiness disabled{{basis}}: each request or connection is balanced on its own.",
    undecidable: "Cannot tell whether target group {{targetGroup}} ({{lb}}) uses sticky sessions: {{reason}}.",
  },
  remediation:
    "Turn stickiness off (`aws elbv2 modify-target-group-attributes --attributes Key=stickiness.enabled,Value=false`) and keep session " +
    "state out of the instances (a shared cache or database); where stickiness must stay, shorten its duration and watch per-target load.",
  check({ model, report }) {
    for (const { lb, tg } of servedGroups(model)) {
      const base = groupBase(lb, tg);
      const data = { targetGroup: tg.name, lb: lb.name, count: tg.targets.length };
      if (!tg.attributesKnown) {
        const reason = `its attributes were not collected${gapNote(model, [tg.arn], ["DescribeTargetGroupAttributes"])}`;
        report({
          ...base,
          status: "unknown",
          messageId: "undecidable",
          data: { ...data, reason },
          evidence: [{ resourceId: tg.arn, pointer: tg.ptr, label: "target group" }],
        });
        continue;
      }
      const st = tg.stickiness;
      const ev = { resourceId: tg.arn, pointer: st.ptr, label: `stickiness.enabled (${st.source})` };
      if (!st.value) {
        report({
          ...base,
          status: "pass",
          messageId: "off",
          data: { ...data, basis: st.source === "default" ? " (the default)" : "" },
          evidence: [ev],
        });
        continue;
      }
      if (lb.type === "gateway") {
        // Gateway Load Balancer flow stickiness: 2-tuple (source_ip_dest_ip) or 3-tuple (source_ip_dest_ip_proto) hashing, no cookie
        const gtype = (st.type ?? "source_ip_dest_ip_proto").toLowerCase();
        const typeAttr = tg.attributes.get("stickiness.type");
        report({
          ...base,
          status: "fail",
          messageId: "gatewayFlow",
          data: {
            ...data,
            type: gtype,
            tuple:
              gtype === "source_ip_dest_ip"
                ? "2-tuple (source and destination address)"
                : "3-tuple (source and destination address, protocol)",
          },
          evidence: [ev, ...(typeAttr ? [{ resourceId: tg.arn, pointer: typeAttr.ptr, label: "stickiness.type" }] : [])],
          remediation: k8sRemediation(model, tg.arn, {
            summary: `If ${tg.name}'s appliances do not need 2- or 3-tuple flows, go back to the default 5-tuple hashing (drain existing flows first: the change applies to all of them).`,
            commands: [
              `aws elbv2 modify-target-group-attributes --target-group-arn ${sh(tg.arn)} --attributes Key=stickiness.enabled,Value=false`,
            ],
          }),
        });
        continue;
      }
      const type = (st.type ?? (lb.type === "network" ? "source_ip" : "lb_cookie")).toLowerCase();
      const attr = (k: string) => tg.attributes.get(k);
      let detail = "";
      let effect: string;
      const extra = [];
      if (type === "source_ip") {
        effect =
          "every connection from one client IP address goes to the same target, so clients behind one NAT gateway, corporate proxy or carrier-grade NAT all land on one target";
      } else {
        const cookie = type === "app_cookie" ? attr("stickiness.app_cookie.cookie_name")?.value : undefined;
        const d = attr(type === "app_cookie" ? "stickiness.app_cookie.duration_seconds" : "stickiness.lb_cookie.duration_seconds");
        detail = `${cookie ? `, cookie ${cookie}` : ""}, for ${duration(d?.value, 86400)}`;
        if (d) extra.push({ resourceId: tg.arn, pointer: d.ptr, label: "stickiness duration" });
        effect =
          "each client stays on one target for the cookie's lifetime: a proxy or service calling with one cookie pins all its users to one target, long sessions keep old targets busy, and targets added on scale-out get only new clients";
      }
      const typeAttr = attr("stickiness.type");
      report({
        ...base,
        status: "fail",
        messageId: "sticky",
        data: { ...data, type, detail, effect },
        evidence: [ev, ...(typeAttr ? [{ resourceId: tg.arn, pointer: typeAttr.ptr, label: "stickiness.type" }] : []), ...extra],
        remediation: k8sRemediation(model, tg.arn, {
          summary: `Turn stickiness off on ${tg.name} unless the application keeps session state in memory; then keep the sessions short and watch per-target load.`,
          commands: [
            `aws elbv2 modify-target-group-attributes --target-group-arn ${sh(tg.arn)} --attributes Key=stickiness.enabled,Value=false`,
          ],
        }),
      });
    }
  },
});
