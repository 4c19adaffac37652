/**
 * Fixed, hand-built reports for the format goldens: every status, a cause
 * and its symptom, a suppressed finding, an observation that contradicts the
 * configuration, gaps, hostile strings, a healthy and a failing load
 * balancer. Nothing here comes from the rule catalog or a fixture, so adding
 * or changing a rule never rewrites a format golden.
 */
import type { Finding, Model, ModelGap, RuleMeta } from "../../src/core/engine/types.ts";
import type { LoadBalancerInfo } from "../../src/core/provider.ts";
import { buildReport, type PassMode, type Report } from "../../src/core/report/report.ts";
import type { ProviderId } from "../../src/core/snapshot/types.ts";

type RuleInput = Pick<RuleMeta, "id" | "provider" | "title" | "severity"> & Partial<Pick<RuleMeta, "description" | "remediation">>;

interface Synthetic {
  provider: ProviderId;
  scope: Record<string, unknown>;
  rules: RuleInput[];
  loadBalancers: LoadBalancerInfo[];
  findings: Finding[];
  gaps: ModelGap[];
}

/** A finding with the fields every finding has; `over` sets the rest. */
function finding(rule: RuleInput, over: Partial<Finding> & Pick<Finding, "id" | "status" | "resourceId" | "message">): Finding {
  return {
    ruleId: rule.id,
    severity: rule.severity,
    resourceName: over.resourceId.split("/").at(-1) ?? "",
    title: rule.title,
    evidence: [],
    source: "A public document <https://example.com/doc>",
    references: [],
    relatedTo: [],
    subjects: [],
    ...over,
  };
}

/** passes: "summary" is what `check` writes by default; "full" is `--include-passed`. */
function build(s: Synthetic, passes: PassMode): Report {
  const model = {
    provider: s.provider,
    snapshot: { schema: "lbdoctor.snapshot/v1", provider: s.provider, collectedAt: "2026-11-20T10:00:00Z", scope: s.scope },
    context: { from: [] },
    gaps: s.gaps,
  } as unknown as Model;
  return buildReport({
    passes,
    model,
    loadBalancers: s.loadBalancers,
    findings: s.findings,
    failOn: "high",
    version: "0.0.0-test",
    rulesRun: s.rules.length,
    source: `synthetic-${s.provider}.json`,
    rules: s.rules,
    suppressions: [
      {
        source: ".lbdoctor.yaml:4",
        rule: s.rules[2]?.id ?? "",
        resource: "pip-legacy",
        reason: "replaced in the next release",
        expires: "2027-01-31",
        expired: false,
        matched: 1,
      },
    ],
  });
}

const SUB = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-web/providers";
const LB = `${SUB}/Microsoft.Network/loadBalancers/lb-web`;
const LB_INT = `${SUB}/Microsoft.Network/loadBalancers/lb-int`;
const NSG = `${SUB}/Microsoft.Network/networkSecurityGroups/nsg-web`;
const NIC = `${SUB}/Microsoft.Network/networkInterfaces/vm2-nic`;
const PIP = `${SUB}/Microsoft.Network/publicIPAddresses/pip-legacy`;

const AZ_RULES: RuleInput[] = [
  {
    id: "azure/probe-blocked-by-nsg",
    provider: "azure",
    severity: "critical",
    title: "NSG blocks the health probe",
    description: "The probe comes from `AzureLoadBalancer` (168.63.129.16); an NSG rule that denies it marks every member **down**.",
    remediation: "Allow `AzureLoadBalancer` on the probe port, above the deny.",
  },
  { id: "azure/backend-unhealthy", provider: "azure", severity: "high", title: "Backend members are unhealthy" },
  { id: "azure/basic-sku-retired", provider: "azure", severity: "medium", title: "Basic SKU public IP is retired" },
  { id: "azure/port-not-listening", provider: "azure", severity: "high", title: "Nothing listens on the backend port" },
  { id: "azure/single-backend", provider: "azure", severity: "low", title: "Only one backend member" },
];

/** The Azure report: lb-web down (a blocked probe explains an unhealthy member), lb-int healthy. */
export function syntheticAzureReport(passes: PassMode = "summary"): Report {
  const [probe, unhealthy, sku, listening, single] = AZ_RULES as [RuleInput, RuleInput, RuleInput, RuleInput, RuleInput];
  const causeId = `azure/probe-blocked-by-nsg|${NSG.toLowerCase()}|deny-lb-probe`;
  const symptomId = `azure/backend-unhealthy|${NIC.toLowerCase()}|rule-http`;
  return build(
    {
      provider: "azure",
      scope: { subscriptionId: "00000000-0000-0000-0000-0000000000aa", resourceGroup: "rg-web" },
      rules: AZ_RULES,
      loadBalancers: [
        {
          id: LB,
          key: LB.toLowerCase(),
          name: "lb-web",
          sku: "Standard",
          kind: "public",
          frontends: ["20.50.60.70"],
          group: "rg-web",
        },
        {
          id: LB_INT,
          key: LB_INT.toLowerCase(),
          name: "lb-int",
          sku: "Standard",
          kind: "internal",
          frontends: ["10.0.2.4"],
          group: "rg-web",
        },
      ],
      findings: [
        finding(probe, {
          id: causeId,
          status: "fail",
          resourceId: NSG,
          loadBalancerId: LB,
          key: "deny-lb-probe",
          message: "Probe http-probe (TCP 80) of lb-web is denied by NSG nsg-web rule deny-lb-probe (priority 200, subnet layer).",
          evidence: [
            {
              resourceId: NSG,
              pointer: "/resources/3/properties/securityRules/0",
              label: "blocking rule",
              value: {
                name: "deny-lb-probe",
                properties: {
                  direction: "Inbound",
                  access: "Deny",
                  protocol: "Tcp",
                  sourceAddressPrefix: "AzureLoadBalancer",
                  destinationPortRange: "80",
                  priority: 200,
                },
              },
            },
            { resourceId: LB, pointer: "/resources/0/properties/probes/0", label: "probe", value: { port: 80, protocol: "Tcp" } },
          ],
          remediation: {
            summary: "Allow AzureLoadBalancer on TCP 80 above deny-lb-probe.",
            commands: [
              "az network nsg rule create --resource-group rg-web --nsg-name nsg-web --name allow-lb-probe --priority 199 --access Allow --protocol Tcp --source-address-prefixes AzureLoadBalancer --destination-port-ranges 80",
            ],
          },
          relatedTo: [{ findingId: symptomId, ruleId: unhealthy.id, relation: "explains" }],
          subjects: [NIC.toLowerCase()],
        }),
        finding(unhealthy, {
          id: symptomId,
          status: "fail",
          resourceId: NIC,
          resourceName: "vm2-nic",
          loadBalancerId: LB,
          key: "rule-http",
          message: "Member vm2 of pool pool-web is Down for rule rule-http (Down_Probe_TcpProbeTimeout).",
          evidence: [{ resourceId: LB, pointer: "/observations/ruleHealth/rule-http", label: "rule health", value: { up: 1, down: 1 } }],
          basis: { inferred: "the NSG allows port 80 from the Internet", observed: "rule health: 1 Down", contradiction: true },
          relatedTo: [{ findingId: causeId, ruleId: probe.id, relation: "caused-by" }],
          subjects: [NIC.toLowerCase()],
        }),
        finding(sku, {
          id: `azure/basic-sku-retired|${PIP.toLowerCase()}|`,
          status: "fail",
          resourceId: PIP,
          message: "Public IP pip-legacy is Basic SKU, retired on 30 September 2025.",
          remediation: {
            summary: "Upgrade pip-legacy to Standard.",
            commands: ["az network public-ip update --resource-group rg-web --name pip-legacy --sku Standard"],
          },
          suppression: { reason: "replaced in the next release", source: ".lbdoctor.yaml:4", expires: "2027-01-31" },
        }),
        finding(listening, {
          id: `azure/port-not-listening|${NIC.toLowerCase()}|80`,
          status: "unknown",
          resourceId: NIC,
          resourceName: "vm2-nic",
          loadBalancerId: LB,
          key: "80",
          message: "Cannot tell whether vm2 listens on TCP 80: the guest check did not run (--guest).",
        }),
        finding(single, {
          id: "azure/single-backend||error",
          status: "error",
          resourceId: "",
          resourceName: "(rule)",
          message: 'The rule failed: boom <script>alert("x")</script> & \u001b[31mred\u001b[0m',
        }),
        finding(single, {
          id: `azure/single-backend|${LB_INT.toLowerCase()}|`,
          status: "pass",
          resourceId: LB_INT,
          loadBalancerId: LB_INT,
          message: "Pool pool-int of lb-int has 2 members.",
        }),
        finding(sku, {
          id: "azure/basic-sku-retired|scope|",
          status: "not-applicable",
          resourceId: "",
          resourceName: "(scope)",
          message: "Nothing in scope for this rule.",
        }),
      ],
      gaps: [
        {
          kind: "collection",
          operation: "networkInterfaces.listEffectiveNetworkSecurityGroups",
          resourceId: NIC,
          status: 403,
          code: "AuthorizationFailed",
          message:
            "The client does not have authorization to perform action 'Microsoft.Network/networkInterfaces/effectiveNetworkSecurityGroups/action'.",
        },
        {
          kind: "dangling-reference",
          operation: "reference",
          resourceId: `${SUB}/Microsoft.Network/routeTables/rt-gone`,
          referencedFrom: `${SUB}/Microsoft.Network/virtualNetworks/vnet-web/subnets/snet-web`,
          message: "subnet snet-web references route table rt-gone, which is not in the snapshot",
        },
      ],
    },
    passes,
  );
}

const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012";
const ALB = `${ARN}:loadbalancer/app/web-alb/50dc6c495c0c9188`;
const NLB = `${ARN}:loadbalancer/net/tcp-nlb/73e2d6bc24d8a067`;
const TG = `${ARN}:targetgroup/web-tg/6d0ecf831eec9f09`;

const AWS_RULES: RuleInput[] = [
  {
    id: "aws/target-sg-blocks-health-check",
    provider: "aws",
    severity: "critical",
    title: "Target security groups block the health checks",
    description: "The targets' security groups must allow the load balancer's health checks on the health-check port.",
    remediation: "Reference the load balancer's security group in an inbound rule of the targets' security group.",
  },
  { id: "aws/targets-unhealthy", provider: "aws", severity: "high", title: "Targets are unhealthy or unused" },
  { id: "aws/single-az", provider: "aws", severity: "medium", title: "Load balancer serves a single Availability Zone" },
  {
    id: "aws/nacl-blocks-health-check",
    provider: "aws",
    severity: "critical",
    title: "Network ACLs block the health checks or the traffic",
  },
  { id: "aws/deregistration-delay", provider: "aws", severity: "low", title: "Deregistration delay is long" },
];

/** The AWS report: web-alb down (a security group that drops the health checks explains an unhealthy target), tcp-nlb healthy. */
export function syntheticAwsReport(passes: PassMode = "summary"): Report {
  const [sg, unhealthy, singleAz, nacl, delay] = AWS_RULES as [RuleInput, RuleInput, RuleInput, RuleInput, RuleInput];
  const causeId = "aws/target-sg-blocks-health-check|i-0abc2|web-tg|i-0abc2:80";
  const symptomId = "aws/targets-unhealthy|i-0abc2|web-tg|i-0abc2:80";
  return build(
    {
      provider: "aws",
      scope: { region: "us-east-1" },
      rules: AWS_RULES,
      loadBalancers: [
        {
          id: ALB,
          key: ALB.toLowerCase(),
          name: "web-alb",
          sku: "application",
          kind: "public",
          frontends: ["web-alb-1.us-east-1.elb.amazonaws.com"],
          group: "us-east-1",
        },
        {
          id: NLB,
          key: NLB.toLowerCase(),
          name: "tcp-nlb",
          sku: "network",
          kind: "internal",
          frontends: ["tcp-nlb-2.elb.us-east-1.amazonaws.com"],
          group: "us-east-1",
        },
      ],
      findings: [
        finding(sg, {
          id: causeId,
          status: "fail",
          resourceId: "i-0abc2",
          resourceName: "web-2",
          loadBalancerId: ALB,
          key: "web-tg|i-0abc2:80",
          message:
            "Health checks of target group web-tg (HTTP port 80) from load balancer web-alb cannot reach i-0abc2 (web-2): its security groups sg-0debug (web-debug) allow nothing from sg-0alb (web-alb-sg). Target health: unhealthy (Target.Timeout).",
          evidence: [
            {
              resourceId: "sg-0debug",
              pointer: "/ec2/SecurityGroups/2/IpPermissions",
              label: "inbound rules",
              value: [{ FromPort: 22, ToPort: 22 }],
            },
            { resourceId: TG, pointer: "/elbv2/TargetGroups/0/HealthCheckPort", label: "health-check port", value: "traffic-port" },
          ],
          remediation: {
            summary: "Allow web-alb's security group on TCP 80 in sg-0debug.",
            commands: [
              "aws ec2 authorize-security-group-ingress --group-id sg-0debug --ip-permissions 'IpProtocol=tcp,FromPort=80,ToPort=80,UserIdGroupPairs=[{GroupId=sg-0alb}]'",
            ],
          },
          relatedTo: [{ findingId: symptomId, ruleId: unhealthy.id, relation: "explains" }],
          subjects: ["i-0abc2"],
        }),
        finding(unhealthy, {
          id: symptomId,
          status: "fail",
          resourceId: "i-0abc2",
          resourceName: "web-2",
          loadBalancerId: ALB,
          key: "web-tg|i-0abc2:80",
          message:
            "Target i-0abc2 (web-2) of target group web-tg (web-alb) is unhealthy (Target.Timeout): its health checks on TCP port 80 time out because they are blocked: health checks cannot reach i-0abc2 [aws/target-sg-blocks-health-check].",
          evidence: [
            {
              resourceId: TG,
              pointer: "/elbv2/TargetHealth/web-tg/1/TargetHealth",
              label: "health of i-0abc2",
              value: { State: "unhealthy", Reason: "Target.Timeout" },
            },
          ],
          relatedTo: [{ findingId: causeId, ruleId: sg.id, relation: "caused-by" }],
          subjects: ["i-0abc2"],
        }),
        finding(singleAz, {
          id: `aws/single-az|${NLB.toLowerCase()}|`,
          status: "fail",
          resourceId: NLB,
          resourceName: "tcp-nlb",
          loadBalancerId: NLB,
          message: "Load balancer tcp-nlb has one Availability Zone (us-east-1a): a zone outage takes it down.",
          remediation: {
            summary: "Add a subnet in a second zone.",
            commands: [
              "aws elbv2 set-subnets --load-balancer-arn 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/tcp-nlb/73e2d6bc24d8a067' --subnets subnet-0a subnet-0b",
            ],
          },
          suppression: { reason: "replaced in the next release", source: ".lbdoctor.yaml:4", expires: "2027-01-31" },
        }),
        finding(nacl, {
          id: "aws/nacl-blocks-health-check|i-0abc1|web-tg|i-0abc1:80",
          status: "unknown",
          resourceId: "i-0abc1",
          resourceName: "web-1",
          loadBalancerId: ALB,
          key: "web-tg|i-0abc1:80",
          message:
            "Cannot decide whether network ACLs let health checks reach i-0abc1 (web-1): its subnet's network ACL is not in the snapshot.",
        }),
        finding(delay, {
          id: "aws/deregistration-delay||error",
          status: "error",
          resourceId: "",
          resourceName: "(rule)",
          message: 'The rule failed: boom <script>alert("x")</script> & \u001b[31mred\u001b[0m',
        }),
        finding(delay, {
          id: `aws/deregistration-delay|${TG.toLowerCase()}|`,
          status: "pass",
          resourceId: TG,
          resourceName: "web-tg",
          loadBalancerId: ALB,
          message: "Target group web-tg drains in 30 s.",
        }),
      ],
      gaps: [
        {
          kind: "collection",
          operation: "DescribeNetworkAcls",
          status: 403,
          code: "UnauthorizedOperation",
          message: "You are not authorized to perform this operation.",
        },
      ],
    },
    passes,
  );
}
