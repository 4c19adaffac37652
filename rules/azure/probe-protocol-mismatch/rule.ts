import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { ANNOTATION, kubectlAnnotate, ownedNote } from "../../../src/providers/azure/aks.ts";
import { isGlobalTier } from "../../../src/providers/azure/data-path.ts";
import type { AzureModel } from "../../../src/providers/azure/model.ts";
import { rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

/** Ports that by convention carry HTTP or HTTPS. */
const HTTP_PORTS = new Set([80, 8080]);
const HTTPS_PORTS = new Set([443, 8443]);
const isWebPort = (p: number) => HTTP_PORTS.has(p) || HTTPS_PORTS.has(p);

export default defineRule<AzureModel>({
  id: "azure/probe-protocol-mismatch",
  provider: "azure",
  severity: "medium",
  reads: ["azure:loadBalancers"],
  title: "TCP probe in front of an HTTP(S) backend",
  description:
    "A `Tcp` probe only checks that the backend accepts a TCP connection. A web server whose application is broken " +
    "(HTTP 500, a dead upstream, a hung worker pool) still completes the TCP handshake, so the load balancer keeps it " +
    "in rotation and clients get errors. The reference architecture for load-balanced VMs says: if the VMs run an HTTP server, " +
    "create an HTTP probe on a health path, which passes only on HTTP 200. The check looks at every probe that serves " +
    "a TCP rule whose backend port, or whose probe port, is a web port (80, 443, 8080, 8443). A `Tcp` probe on any " +
    "other port is right for a TCP service and is not judged. On a load balancer Kubernetes manages (AKS), the probe belongs to the Service: " +
    "the fix is the Service's health-probe annotations, since the cloud controller reverts a direct change.",
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-custom-probe-overview",
      title: "Azure Load Balancer health probes",
    },
    {
      url: "https://learn.microsoft.com/en-us/javascript/api/@azure/arm-network/probepropertiesformat?view=azure-node-latest",
      title: "ProbePropertiesFormat interface",
    },
    {
      url: "https://kubernetes-sigs.github.io/cloud-provider-azure/topics/loadbalancer/",
      title: "Azure LoadBalancer (cloud-provider-azure)",
    },
  ],
  references: [
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-custom-probe-overview#probe-types",
    "https://learn.microsoft.com/cli/azure/network/lb/probe#az-network-lb-probe-update",
  ],
  messages: {
    tcpOnWeb:
      "Probe {{probe}} is a Tcp probe on port {{port}} but guards web port(s) {{webPorts}} (rule(s) {{rules}}): it passes as long as the port accepts connections, even while the application returns errors.",
    httpProbe: "Probe {{probe}} is an {{protocol}} probe on port {{port}} path {{path}}: it checks the application, not only the port.",
    tcpService: "Probe {{probe}} is a Tcp probe for non-web port(s) {{ports}}; a TCP probe fits a TCP service.",
    unused: "Probe {{probe}} is not used by any load-balancing rule.",
    udpOnly: "Probe {{probe}} serves only UDP rule(s) {{rules}}; HTTP does not apply.",
  },
  remediation:
    "Switch the probe to `Http` (or `Https` for 443/8443) with a health path that returns 200 only when the application " +
    "works, e.g. `/health`; the path must accept anonymous requests. Make sure the endpoint exists before switching, or " +
    "every member goes Down.",
  check({ model, report }) {
    for (const lb of model.loadBalancers) {
      if (isGlobalTier(lb)) continue; // a cross-region probe measures regional load balancers: azure/cross-region-member
      for (const probe of lb.probes) {
        const base = { resourceId: probe.id, loadBalancerId: lb.id, key: probe.name, subjects: [probe.id, lb.id] };
        const probeEvidence = { resourceId: lb.id, pointer: probe.ptr, label: "probe" };
        const data = { probe: `${lb.name}/${probe.name}`, port: probe.port, protocol: probe.protocol };
        if (probe.rules.length === 0) {
          report({ ...base, status: "not-applicable", messageId: "unused", data, evidence: [probeEvidence] });
          continue;
        }
        const tcpRules = probe.rules.filter((r) => r.protocol.toLowerCase() !== "udp");
        if (tcpRules.length === 0) {
          report({
            ...base,
            status: "not-applicable",
            messageId: "udpOnly",
            data: { ...data, rules: probe.rules.map((r) => r.name).join(", ") },
            evidence: [probeEvidence],
          });
          continue;
        }
        const proto = probe.protocol.toLowerCase();
        if (proto === "http" || proto === "https") {
          report({
            ...base,
            status: "pass",
            messageId: "httpProbe",
            data: { ...data, path: probe.requestPath ?? "/" },
            evidence: [probeEvidence],
          });
          continue;
        }
        const webRules = tcpRules.filter((r) => isWebPort(r.backendPort) || isWebPort(probe.port));
        const webPorts = [...new Set([...tcpRules.map((r) => r.backendPort), probe.port].filter(isWebPort))].sort((a, b) => a - b);
        if (webRules.length === 0) {
          report({
            ...base,
            status: "not-applicable",
            messageId: "tcpService",
            data: { ...data, ports: [...new Set(tcpRules.map((r) => r.backendPort))].join(", ") },
            evidence: [probeEvidence],
          });
          continue;
        }
        // keep the probe's port when it is a web port; otherwise point it at the rule's web port
        const port = isWebPort(probe.port) ? probe.port : (webPorts[0] as number);
        const protocol = HTTPS_PORTS.has(port) ? "Https" : "Http";
        const tcpOnWeb = {
          data: { ...data, webPorts: webPorts.join(", "), rules: webRules.map((r) => r.name).join(", ") },
          evidence: [
            { resourceId: lb.id, pointer: `${probe.ptr}/properties/protocol`, label: "probe protocol" },
            ...webRules.map((r) => ({
              resourceId: lb.id,
              pointer: `${r.ptr}/properties/backendPort`,
              label: `backend port of rule ${r.name}`,
            })),
          ],
        };
        const k8sRules = webRules.map((r) => r.kubernetes).filter((k) => k !== undefined);
        if (k8sRules.length === webRules.length && k8sRules[0]) {
          // Kubernetes owns the probe: an az command would be reverted; the Service's annotations set it
          const k = k8sRules[0];
          const port = k.port ?? webRules[0]?.frontendPort ?? 80;
          const protocol = HTTPS_PORTS.has(port) ? "https" : "http";
          report({
            ...base,
            status: "fail",
            messageId: "tcpOnWeb",
            ...tcpOnWeb,
            remediation: {
              summary:
                `${ownedNote(k)} Ask cloud-provider-azure for an ${protocol.toUpperCase()} probe on Service port ${port} with a health path that returns 200 only ` +
                "when the application works (replace /healthz with your endpoint; it must exist and accept anonymous requests). Setting the port's " +
                "`appProtocol: http` in the Service spec has the same effect on Kubernetes 1.24 and later.",
              commands: kubectlAnnotate(k, {
                [ANNOTATION.portProbe(port, "protocol")]: protocol,
                [ANNOTATION.portProbe(port, "request-path")]: "/healthz",
              }),
            },
          });
          continue;
        }
        const command = [
          "az network lb probe update",
          `--resource-group ${sh(rgOf(lb.id))}`,
          `--lb-name ${sh(lb.name)}`,
          `--name ${sh(probe.name)}`,
          `--protocol ${protocol}`,
          ...(port !== probe.port ? [`--port ${port}`] : []),
          "--path /health",
        ].join(" ");
        report({
          ...base,
          status: "fail",
          messageId: "tcpOnWeb",
          ...tcpOnWeb,
          remediation: {
            summary:
              `Make ${probe.name} an ${protocol} probe on port ${port} with a health path that returns 200 only when the application works ` +
              "(replace /health with your endpoint; it must exist and accept anonymous requests before you switch).",
            commands: [command],
          },
        });
      }
    }
  },
});
