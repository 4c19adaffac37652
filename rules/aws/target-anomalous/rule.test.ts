import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ids } from "../../../test/support/aws-builder.ts";
import { evaluateCase, runRuleTests } from "../../../test/support/rule-tester.ts";
import { cases } from "./cases.ts";
import rule from "./rule.ts";

runRuleTests(rule, cases);

describe("aws/target-anomalous remediation", () => {
  const fail = (name: string) => {
    const c = cases.invalid.find((x) => x.name.startsWith(name));
    assert.ok(c);
    const f = evaluateCase(rule, c.snapshot).find((x) => x.status === "fail");
    assert.ok(f?.remediation);
    return f;
  };
  it("says automatic target weights are off and turns them on with the aws CLI", () => {
    const f = fail("web-2 answers");
    assert.match(f.message, /Automatic target weights are off/);
    assert.ok(f.remediation?.commands.some((c) => c.includes("Key=load_balancing.algorithm.anomaly_mitigation,Value=on")));
    assert.ok(f.remediation?.commands.some((c) => c.includes("--include AnomalyDetection") && c.includes(ids.tg.web)));
  });
  it("--targets of the describe-target-health command is one JSON word for sh, quoted once", () => {
    const f = fail("web-2 answers");
    const cmd = f.remediation?.commands.find((c) => c.startsWith("aws elbv2 describe-target-health")) ?? "";
    const word = /--targets ('[^']*')/.exec(cmd)?.[1];
    assert.ok(word, cmd);
    assert.ok(cmd.includes(`--targets ${word} --include AnomalyDetection`), cmd);
    assert.deepEqual(JSON.parse(word.slice(1, -1)), [{ Id: ids.instance.web2, Port: 80 }]);
  });
  it("says mitigation is in effect, and gives no attribute change", () => {
    const f = fail("anomalous while");
    assert.match(f.message, /mitigation is in effect/);
    assert.ok(!f.remediation?.commands.some((c) => c.includes("modify-target-group-attributes")));
  });
  it("on a controller-owned group: a quoted kubectl annotate on the backend Service, no aws modify command", () => {
    const f = fail("a target group the AWS Load Balancer Controller owns");
    assert.match(f.message, /Kubernetes Ingress shop\/web \(backend Service shop\/frontend\)/);
    assert.deepEqual(
      f.remediation?.commands.filter((c) => c.startsWith("kubectl")),
      [
        "kubectl annotate service --namespace shop frontend alb.ingress.kubernetes.io/target-group-attributes=load_balancing.algorithm.type=weighted_random,load_balancing.algorithm.anomaly_mitigation=on --overwrite",
      ],
    );
    assert.ok(!f.remediation?.commands.some((c) => c.includes("modify-target-group")));
  });
  it("a tag that names no Service Kubernetes could hold reaches no command: the Ingress is annotated instead", () => {
    const c = cases.invalid.find((x) => x.name.startsWith("a target group the AWS Load Balancer Controller owns"));
    assert.ok(c);
    const snap = structuredClone(c.snapshot) as typeof c.snapshot & {
      elbv2: { Tags: Record<string, Array<{ Key: string; Value: string }>> };
    };
    for (const t of snap.elbv2.Tags[ids.tg.web] ?? []) if (t.Key === "ingress.k8s.aws/resource") t.Value = "shop/web-$(reboot):80";
    const f = evaluateCase(rule, snap).find((x) => x.status === "fail");
    const commands = f?.remediation?.commands ?? [];
    assert.ok(
      commands.includes(
        "kubectl annotate ingress --namespace shop web alb.ingress.kubernetes.io/target-group-attributes=load_balancing.algorithm.type=weighted_random,load_balancing.algorithm.anomaly_mitigation=on --overwrite",
      ),
      commands.join("\n"),
    );
    assert.ok(!commands.some((c) => c.includes("reboot")), commands.join("\n"));
  });
});
