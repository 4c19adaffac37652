/**
 * Kubernetes names read from load balancer tags reach printed kubectl commands only when the API server could hold
 * them: a tag `shop/--server=http://…` would make `kubectl describe service --namespace shop --server=…` talk to
 * another server, and `shop/--all` would annotate every Service of the namespace.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { isKubernetesLabel, isKubernetesName } from "../src/core/util/kubernetes-names.ts";
import { lbdoctor, ROOT } from "./support/cli.ts";

describe("Kubernetes names from tags", () => {
  it("labels and names as the API server takes them", () => {
    for (const ok of ["web", "a", "shop-1", "0abc", "a".repeat(63)]) assert.ok(isKubernetesLabel(ok), ok);
    for (const bad of ["", "-a", "a-", "A", "--all", "--server=http://x", "a.b", "a b", "a/b", "a".repeat(64), "web$(x)", "é"])
      assert.ok(!isKubernetesLabel(bad), bad);
    for (const ok of ["web", "web.shop", "a-b.c-d", "a".repeat(253)]) assert.ok(isKubernetesName(ok), ok);
    for (const bad of ["", ".a", "a.", "a..b", "-a", "--all", "A.b", "a_b", "a".repeat(254)]) assert.ok(!isKubernetesName(bad), bad);
  });

  const dir = mkdtempSync(join(tmpdir(), "lbdoctor-k8s-names-"));
  const commandsOf = (fixture: string, from: string, to: string): string[] => {
    const file = join(dir, fixture.replaceAll("/", "-"));
    const text = readFileSync(join(ROOT, "fixtures", fixture), "utf8");
    assert.ok(text.includes(from), `${fixture} holds ${from}`);
    writeFileSync(file, text.replaceAll(from, to));
    const r = lbdoctor(["check", "--snapshot", file, "--format", "json"]);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    return (JSON.parse(r.stdout).findings as Array<{ remediation?: { commands?: string[] } }>).flatMap(
      (f) => f.remediation?.commands ?? [],
    );
  };

  it("EKS: a Service tag `shop/--server=…` gives no kubectl command that names it (it would read as a flag)", () => {
    const valid = commandsOf("aws/eks-etp-local-no-endpoints.json", '"shop/web', '"shop/web');
    assert.ok(
      valid.some((c) => c.startsWith("kubectl ") && c.includes(" web")),
      "the valid tag gives kubectl commands",
    );
    const commands = commandsOf("aws/eks-etp-local-no-endpoints.json", '"shop/web', '"shop/--server=http://127.0.0.1:8999');
    assert.ok(!commands.some((c) => c.includes("--server")), commands.join("\n"));
  });

  it("AKS: a Service tag `shop/--all` gives no command that names it; the Service is looked up instead", () => {
    const commands = commandsOf("azure/aks-tcp-probe-on-web-port.json", '"shop/web"', '"shop/--all"');
    assert.ok(commands.length > 0);
    assert.ok(!commands.some((c) => c.includes("--all ") || c.endsWith("--all")), commands.join("\n"));
    assert.ok(!commands.some((c) => / service --namespace shop /.test(c)), commands.join("\n"));
    // and a tag that splits in three parts is no Service either (it was cut to its first two)
    const three = commandsOf("azure/aks-tcp-probe-on-web-port.json", '"shop/web"', '"shop/web/extra"');
    assert.ok(!three.some((c) => / service --namespace shop web /.test(c)), three.join("\n"));
  });
});
