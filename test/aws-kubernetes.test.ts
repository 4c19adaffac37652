/**
 * EKS: load balancers and target groups that Kubernetes owns (the AWS Load
 * Balancer Controller or the in-tree provider), named by their Service or
 * Ingress, fixed through annotations, and the documented
 * `externalTrafficPolicy: Local` behaviour.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rules } from "../rules/index.ts";
import { runRules } from "../src/core/engine/run.ts";
import { severityRank } from "../src/core/engine/types.ts";
import { isEtpLocal, k8sFix, k8sOwner, k8sRemediation, k8sSourceRangesFix } from "../src/providers/aws/kubernetes.ts";
import { buildAwsModel } from "../src/providers/aws/model.ts";
import type { AwsSnapshot } from "../src/providers/aws/wire-types.ts";
import { eks, eksEtpLocal, healthyAlb, ids } from "./support/aws-builder.ts";
import { awsScenarios } from "./support/aws-scenarios.ts";

const awsRules = rules.filter((r) => r.provider === "aws");
const scenario = (name: string): AwsSnapshot => {
  const s = awsScenarios().find((x) => x.name === name);
  assert.ok(s, name);
  return s.snapshot;
};
const run = (snap: AwsSnapshot, ids?: string[]) =>
  runRules(buildAwsModel(snap), ids ? awsRules.filter((r) => ids.includes(r.id)) : awsRules);

describe("Kubernetes owners from ELBv2 tags", () => {
  it("the AWS Load Balancer Controller's Service: cluster, namespace/name, the target group's service port", () => {
    const m = buildAwsModel(eksEtpLocal().build());
    const lb = k8sOwner(m, eks.lb);
    const tg = k8sOwner(m, eks.tg);
    assert.deepEqual(
      { controller: lb?.controller, cluster: lb?.cluster, kind: lb?.kind, ns: lb?.namespace, name: lb?.name },
      { controller: "aws-load-balancer-controller", cluster: "prod", kind: "Service", ns: "shop", name: "web" },
    );
    assert.deepEqual(tg?.service, { namespace: "shop", name: "web", port: "80" });
    assert.match(tg?.ptr ?? "", /^\/elbv2\/Tags\//);
  });
  it("an Ingress (implicit group): the backend Service comes from ingress.k8s.aws/resource", () => {
    const m = buildAwsModel(
      healthyAlb()
        .elbTags(ids.tg.web, {
          "elbv2.k8s.aws/cluster": "prod",
          "ingress.k8s.aws/stack": "shop/storefront",
          "ingress.k8s.aws/resource": "shop/storefront-catalog:8080",
        })
        .build(),
    );
    const o = k8sOwner(m, ids.tg.web);
    assert.equal(o?.kind, "Ingress");
    assert.deepEqual([o?.namespace, o?.name], ["shop", "storefront"]);
    assert.deepEqual(o?.service, { namespace: "shop", name: "catalog", port: "8080" });
  });
  it("an explicit IngressGroup is named as a group", () => {
    const m = buildAwsModel(
      healthyAlb().elbTags(ids.lb.alb, { "elbv2.k8s.aws/cluster": "prod", "ingress.k8s.aws/stack": "public-web" }).build(),
    );
    assert.equal(k8sOwner(m, ids.lb.alb)?.ingressGroup, "public-web");
  });
  it("the in-tree provider: kubernetes.io/service-name and kubernetes.io/cluster/<name>", () => {
    const m = buildAwsModel(
      healthyAlb().elbTags(ids.lb.alb, { "kubernetes.io/service-name": "shop/web", "kubernetes.io/cluster/prod": "owned" }).build(),
    );
    const o = k8sOwner(m, ids.lb.alb);
    assert.deepEqual([o?.controller, o?.cluster, o?.namespace, o?.name], ["in-tree", "prod", "shop", "web"]);
  });
  it("untagged and unrelated tags: nobody owns it", () => {
    assert.equal(k8sOwner(buildAwsModel(healthyAlb().build()), ids.lb.alb), undefined);
    assert.equal(k8sOwner(buildAwsModel(healthyAlb().elbTags(ids.lb.alb, { team: "web" }).build()), ids.lb.alb), undefined);
  });
});

describe("fixes as annotations, with the names the controllers document", () => {
  const m = buildAwsModel(eksEtpLocal().build());
  const svc = k8sOwner(m, eks.tg);
  assert.ok(svc);
  it("a Service of the controller: service.beta.kubernetes.io/aws-load-balancer-*", () => {
    assert.deepEqual(k8sFix(svc, "healthcheck-path", "/ready").commands, [
      "kubectl annotate service --namespace shop web service.beta.kubernetes.io/aws-load-balancer-healthcheck-path=/ready --overwrite",
    ]);
  });
  it("the in-tree provider has no health-check path annotation: no command, and no aws command it would undo", () => {
    const inTree = { controller: "in-tree" as const, kind: "Service" as const, namespace: "shop", name: "web", ptr: "/x" };
    const f = k8sFix(inTree, "healthcheck-path", "/ready");
    assert.equal(f.annotation, undefined);
    assert.ok(f.commands.every((c) => c.startsWith("kubectl get service")));
    assert.match(f.summary, /no annotation for healthcheck-path/);
    assert.deepEqual(k8sFix(inTree, "healthcheck-interval", "10").commands, [
      "kubectl annotate service --namespace shop web service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval=10 --overwrite",
    ]);
  });
  it("rewrites the aws commands the controller would undo; keeps those about resources it does not own", () => {
    const r = k8sRemediation(m, eks.tg, {
      summary: "Drain longer.",
      commands: [
        `aws elbv2 modify-target-group-attributes --target-group-arn ${eks.tg} --attributes Key=deregistration_delay.timeout_seconds,Value=120`,
        `aws elbv2 register-targets --target-group-arn ${eks.tg} --targets Id=i-1,Port=31080`,
        `aws ec2 authorize-security-group-ingress --group-id ${eks.sg} --ip-permissions '[{"IpProtocol":"tcp","FromPort":32012,"ToPort":32012}]'`,
      ],
    });
    assert.deepEqual(r.commands, [
      "kubectl annotate service --namespace shop web service.beta.kubernetes.io/aws-load-balancer-target-group-attributes=deregistration_delay.timeout_seconds=120 --overwrite",
      `aws ec2 authorize-security-group-ingress --group-id ${eks.sg} --ip-permissions '[{"IpProtocol":"tcp","FromPort":32012,"ToPort":32012}]'`,
    ]);
    assert.match(r.summary, /registers the targets itself/);
    assert.ok(!r.commands.some((c) => c.startsWith("aws elbv2")));
    // --overwrite replaces the annotation's whole list: whoever pastes it is told to keep the attributes it already sets
    assert.match(
      r.summary,
      /aws-load-balancer-target-group-attributes already sets .*or the controller resets them to their defaults/,
      "the annotation is a list: the command alone would reset every other attribute",
    );
    const owner = k8sOwner(m, eks.tg);
    assert.ok(owner);
    assert.doesNotMatch(k8sFix(owner, "healthcheck-path", "/ready").summary, /whole list/, "a one-value annotation needs no warning");
  });
  it("an unowned target group keeps its aws commands", () => {
    const plain = { summary: "x", commands: ["aws elbv2 modify-target-group-attributes --target-group-arn a --attributes Key=k,Value=v"] };
    assert.deepEqual(k8sRemediation(buildAwsModel(healthyAlb().build()), ids.tg.web, plain), plain);
  });
  it("a wrong health-check path on a controller-owned group (externalTrafficPolicy Cluster) is fixed by annotation", () => {
    const snap = eksEtpLocal()
      .editTargetGroup(eks.tg, { HealthCheckPort: "traffic-port", HealthCheckPath: "/status", Matcher: { HttpCode: "200" } })
      .target(eks.tg, {
        id: ids.instance.web2,
        az: "us-east-1b",
        state: "unhealthy",
        reason: "Target.ResponseCodeMismatch",
        description: "Health checks failed with these codes: [404]",
      })
      .build();
    const f = run(snap, ["aws/health-check-path-mismatch"]).find((x) => x.status === "fail");
    assert.ok(f, "a 404 on the traffic port is a real mismatch");
    assert.match(f.message, /Kubernetes Service shop\/web/);
    assert.ok(f.remediation?.commands.some((c) => c.includes("service.beta.kubernetes.io/aws-load-balancer-healthcheck-path=/healthz")));
    assert.ok(!f.remediation?.commands.some((c) => c.startsWith("aws elbv2 modify-target-group")));
  });
});

describe("a security group the controller manages", () => {
  const ingressAlb = (managed: boolean) =>
    healthyAlb()
      .listener({ lb: ids.lb.alb, port: 443, protocol: "HTTPS", forward: ids.tg.web })
      .elbTags(ids.lb.alb, {
        "elbv2.k8s.aws/cluster": "prod",
        "ingress.k8s.aws/stack": "shop/storefront",
        "ingress.k8s.aws/resource": "LoadBalancer",
      })
      .edit((s) => {
        const sg = s.ec2?.SecurityGroups?.find((g) => g.GroupId === ids.sg.alb);
        if (sg && managed)
          sg.Tags = [
            { Key: "elbv2.k8s.aws/cluster", Value: "prod" },
            { Key: "ingress.k8s.aws/stack", Value: "shop/storefront" },
            { Key: "ingress.k8s.aws/resource", Value: "ManagedLBSecurityGroup" },
          ];
      })
      .build();
  it("a listener it blocks is opened through the Ingress (inbound-cidrs), not with authorize-security-group-ingress", () => {
    const f = run(ingressAlb(true), ["aws/lb-sg-blocks-listener"]).find((x) => x.status === "fail");
    assert.ok(f);
    assert.deepEqual(f.remediation?.commands, [
      "kubectl annotate ingress --namespace shop storefront alb.ingress.kubernetes.io/inbound-cidrs=0.0.0.0/0 --overwrite",
    ]);
  });
  it("a group the user attached (no controller tags) keeps the aws command", () => {
    const f = run(ingressAlb(false), ["aws/lb-sg-blocks-listener"]).find((x) => x.status === "fail");
    assert.ok(f?.remediation?.commands.every((c) => c.startsWith("aws ec2 authorize-security-group-ingress")));
  });
  it("a Service's source ranges go in spec.loadBalancerSourceRanges, quoted", () => {
    const m = buildAwsModel(eksEtpLocal().build());
    const o = k8sOwner(m, eks.lb);
    assert.ok(o);
    assert.deepEqual(k8sSourceRangesFix(o, ["0.0.0.0/0"]).commands, [
      `kubectl patch service --namespace shop web --type merge --patch '{"spec":{"loadBalancerSourceRanges":["0.0.0.0/0"]}}'`,
    ]);
  });
});

describe("externalTrafficPolicy: Local", () => {
  it("is recognised from the health check: HTTP on a node port that is not the traffic port", () => {
    const m = buildAwsModel(eksEtpLocal().build());
    const tg = m.targetGroups[0];
    assert.ok(tg);
    assert.equal(isEtpLocal(k8sOwner(m, eks.tg), tg), true);
    const cluster = buildAwsModel(
      eksEtpLocal().editTargetGroup(eks.tg, { HealthCheckProtocol: "TCP", HealthCheckPort: "traffic-port" }).build(),
    );
    assert.equal(isEtpLocal(k8sOwner(cluster, eks.tg), cluster.targetGroups[0] as NonNullable<typeof tg>), false);
  });
  it("eks-etp-local-healthy: a node without a ready pod failing its check is no failure above low", () => {
    const findings = run(scenario("eks-etp-local-healthy"));
    const bad = findings.filter((f) => f.status === "error" || (f.status === "fail" && severityRank(f.severity) > severityRank("low")));
    assert.deepEqual(
      bad.map((f) => `${f.ruleId} ${f.status} ${f.severity} ${f.message}`),
      [],
    );
    const nodeB = findings.find((f) => f.ruleId === "aws/targets-unhealthy" && f.resourceId === ids.instance.web2);
    assert.equal(nodeB?.status, "not-applicable");
    assert.equal(nodeB?.messageId, "etpLocalByDesign");
    const path = findings.find((f) => f.ruleId === "aws/health-check-path-mismatch");
    assert.equal(path?.status, "pass");
    assert.equal(path?.messageId, "etpLocal");
  });
  it("eks-etp-local-no-endpoints: no node healthy is one critical finding whose fix is in the cluster", () => {
    const fails = run(scenario("eks-etp-local-no-endpoints")).filter((f) => f.status === "fail");
    assert.deepEqual(
      fails.map((f) => [f.ruleId, f.messageId, f.severity]),
      [["aws/targets-unhealthy", "etpLocalNoEndpoints", "critical"]],
    );
    const f = fails[0];
    assert.match(f?.message ?? "", /Kubernetes Service shop\/web \(cluster prod, AWS Load Balancer Controller\)/);
    assert.deepEqual(f?.remediation?.commands, [
      "kubectl get endpointslices --namespace shop --selector kubernetes.io/service-name=web --output wide",
      "kubectl describe service --namespace shop web",
      "kubectl get pods --namespace shop --output wide",
    ]);
  });
  it("a timeout on the healthCheckNodePort is not by design: it stays a failure", () => {
    const snap = eksEtpLocal()
      .target(eks.tg, { id: ids.instance.web2, az: "us-east-1b", state: "unhealthy", reason: "Target.Timeout" })
      .build();
    const f = run(snap, ["aws/targets-unhealthy"]).find((x) => x.resourceId === ids.instance.web2);
    assert.equal(f?.status, "fail");
    assert.equal(f?.severity, "high");
  });
});

describe("the subnets annotation of a set-subnets fix holds the subnet ids the shell would pass, however they are quoted", () => {
  const ANNOTATE = /^kubectl annotate (?:ingress|service) --namespace \S+ \S+ (.+) --overwrite$/;
  /** What the shell hands kubectl as the annotation argument of a printed `kubectl annotate` command. */
  const annotationOf = async (command: string): Promise<string> => {
    const { execFileSync } = await import("node:child_process");
    const word = ANNOTATE.exec(command)?.[1];
    assert.ok(word, command);
    return execFileSync("sh", ["-c", `printf '%s' ${word}`], { encoding: "utf8" });
  };
  /** healthy-alb owned by the Ingress shop/web, every `from` id of the snapshot spelled `to` */
  const ingressOwned = (b: ReturnType<typeof healthyAlb>, from: string, to: string): AwsSnapshot => {
    const s = b
      .elbTags(ids.lb.alb, {
        "elbv2.k8s.aws/cluster": "prod",
        "ingress.k8s.aws/stack": "shop/web",
        "ingress.k8s.aws/resource": "LoadBalancer",
      })
      .build();
    return JSON.parse(JSON.stringify(s).replaceAll(from, to)) as AwsSnapshot;
  };
  const WEIRD = "subnet-0a#[1]";

  it("shWords reads sh words as the shell does: adjacent quoted strings are one word; what the shell would expand is not read", async () => {
    const { shWords } = await import("../src/providers/aws/kubernetes.ts");
    assert.deepEqual(shWords("'a#''[b' subnet-1"), ["a#[b", "subnet-1"]);
    assert.deepEqual(shWords("'it'\\''s'  '<subnet-in-us-east-1c>'"), ["it's", "<subnet-in-us-east-1c>"]);
    assert.deepEqual(shWords(`"x\\"y\\$" a\\ b ''`), ['x"y$', "a b", ""]);
    for (const bad of ["$(id)", "a;b", "'open", "sub*", "`id`", '"$HOME"', "~root", "a\nb"]) assert.equal(shWords(bad), undefined, bad);
  });

  it("k8sRemediation turns set-subnets of any subnet ids, each quoted by sh, into an annotation the shell passes as those ids", async () => {
    const { sh } = await import("../src/core/util/shell.ts");
    const m = buildAwsModel(ingressOwned(healthyAlb(), "__none__", "__none__"));
    const lists = [
      [WEIRD, "subnet-0b"],
      ["a##[b", "sub'net", "x y", "#[", "[a#]"],
      ["subnet-1", "subnet-2"],
    ];
    for (const list of lists) {
      const r = k8sRemediation(m, ids.lb.alb, {
        summary: "Move it.",
        commands: [`aws elbv2 set-subnets --load-balancer-arn ${sh(ids.lb.alb)} --subnets ${list.map(sh).join(" ")}`],
      });
      assert.equal(r.commands.length, 1, r.commands.join("\n"));
      assert.equal(await annotationOf(r.commands[0] as string), `alb.ingress.kubernetes.io/subnets=${list.join(",")}`);
    }
    // a placeholder the user fills in stays one, unquoted in the annotation
    const placeholder = k8sRemediation(m, ids.lb.alb, {
      summary: "Move it.",
      commands: [`aws elbv2 set-subnets --load-balancer-arn ${sh(ids.lb.alb)} --subnets subnet-1 '<subnet-in-another-az>'`],
    });
    assert.equal(
      await annotationOf(placeholder.commands[0] as string),
      "alb.ingress.kubernetes.io/subnets=subnet-1,<subnet-in-another-az>",
    );
  });

  it("aws/internet-facing-in-private-subnets: an Ingress's ALB moved to a public subnet whose id holds #[ gets exactly that id", async () => {
    const snap = ingressOwned(
      healthyAlb()
        .removeLoadBalancer(ids.lb.alb)
        .loadBalancer({
          name: "web-alb",
          subnets: [
            { id: ids.subnet.privateA, az: "us-east-1a" },
            { id: ids.subnet.privateB, az: "us-east-1b" },
          ],
          sgs: [ids.sg.alb],
        }),
      ids.subnet.publicA,
      WEIRD,
    );
    const f = run(snap, ["aws/internet-facing-in-private-subnets"]).find((x) => x.remediation);
    const cmd = f?.remediation?.commands.find((c) => c.startsWith("kubectl annotate"));
    assert.ok(cmd, JSON.stringify(f?.remediation));
    assert.equal(await annotationOf(cmd), `alb.ingress.kubernetes.io/subnets=${WEIRD},${ids.subnet.publicB}`);
  });

  it("aws/single-az and aws/target-az-not-enabled: the current subnet's id holding #[ reaches the annotation as it is", async () => {
    // web-alb in one zone (us-east-1a, its subnet's id odd); web-2 in us-east-1b is in a zone it has not enabled (unused)
    const snap = ingressOwned(
      healthyAlb()
        .editLb(ids.lb.alb, (x) => {
          x.AvailabilityZones = [{ ZoneName: "us-east-1a", SubnetId: ids.subnet.publicA, LoadBalancerAddresses: [] }];
        })
        .target(ids.tg.web, { id: ids.instance.web2, az: "us-east-1b", state: "unused", reason: "Target.NotInUse" }),
      ids.subnet.publicA,
      WEIRD,
    );
    const findings = run(snap, ["aws/single-az", "aws/target-az-not-enabled"]);
    for (const id of ["aws/single-az", "aws/target-az-not-enabled"]) {
      const cmd = findings
        .filter((f) => f.ruleId === id && f.status === "fail")
        .flatMap((f) => f.remediation?.commands ?? [])
        .find((c) => c.startsWith("kubectl annotate"));
      assert.ok(
        cmd,
        `${id}: ${findings
          .filter((f) => f.ruleId === id)
          .map((f) => `${f.status} ${f.message}`)
          .join(" | ")}`,
      );
      assert.equal(await annotationOf(cmd), `alb.ingress.kubernetes.io/subnets=${WEIRD},${ids.subnet.publicB}`, id);
    }
  });
});
