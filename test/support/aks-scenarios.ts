/**
 * AKS-managed load balancers as cloud-provider-azure creates them, for the
 * Kubernetes-aware rules and the bundled fixtures:
 *
 * - node resource group `MC_rg-aks_aks-prod_westeurope`;
 * - load balancer `kubernetes` (Standard) with the outbound frontend and
 *   outbound rule `aksOutboundRule`, backend pool `kubernetes` holding the node
 *   pool's scale-set instances;
 * - Service `shop/web` (type LoadBalancer, port 80): frontend and rule named
 *   `a` + its UID without dashes (32 characters), rule `<prefix>-TCP-80` with
 *   floating IP and disableOutboundSnat, and a public IP tagged
 *   `k8s-azure-service: shop/web`, `k8s-azure-cluster-name: kubernetes`;
 * - with externalTrafficPolicy Local, the probe is HTTP `/healthz` on the
 *   Service's healthCheckNodePort (31234), which kube-proxy answers 503 on
 *   nodes without a ready endpoint.
 */
import type { AzureSnapshot } from "../../src/providers/azure/wire-types.ts";
import { type AzureScenario, azure, computeId, netId, RG, SUB } from "./azure-builder.ts";

export const MC_RG = "MC_rg-aks_aks-prod_westeurope";
export const SERVICE_UID = "5f1e3c2a-9b7d-4e6f-8a1b-2c3d4e5f6a7b";
/** `"a"` + the UID without dashes, cut to 32 characters */
export const PREFIX = `a${SERVICE_UID.replace(/-/g, "")}`.slice(0, 32);
export const RULE = `${PREFIX}-TCP-80`;
export const HEALTH_CHECK_NODE_PORT = 31234;
export const NODE_PORT = 30080;
const VMSS = "aks-nodepool1-12345678-vmss";
const SUBNET = "aks-vnet-12345678/aks-subnet";

/** Ids inside the node resource group (the builder writes the default group; `buildAks` moves everything). */
const inMc = (id: string) => id.replace(`/resourceGroups/${RG}/`, `/resourceGroups/${MC_RG}/`);
export const aksIds = {
  lb: () => inMc(netId("loadBalancers", "kubernetes")),
  rule: (name = RULE) => `${inMc(netId("loadBalancers", "kubernetes"))}/loadBalancingRules/${name}`,
  probe: (name = RULE) => `${inMc(netId("loadBalancers", "kubernetes"))}/probes/${name}`,
  vmss: () => inMc(computeId("virtualMachineScaleSets", VMSS)),
  nodeNic: (i: number) => inMc(`${computeId("virtualMachineScaleSets", VMSS)}/virtualMachines/${i}/networkInterfaces/${VMSS}`),
};

export interface AksSpec {
  /** externalTrafficPolicy of Service shop/web (default Local) */
  policy?: "Local" | "Cluster";
  /** per node (3 nodes): Up, or Down with the reason */
  health?: Array<"Up" | string>;
  /** the probe as Kubernetes made it; default per policy (Local: Http /healthz on the health-check node port; Cluster: Tcp on the node port) */
  probe?: { protocol: "Tcp" | "Http"; port: number; path?: string };
}

/** An AKS cluster's `kubernetes` load balancer and node pool, serving Service shop/web on port 80. */
export function aksCluster(spec: AksSpec = {}): AzureScenario {
  const policy = spec.policy ?? "Local";
  const probe =
    spec.probe ??
    (policy === "Local"
      ? { protocol: "Http" as const, port: HEALTH_CHECK_NODE_PORT, path: "/healthz" }
      : { protocol: "Tcp" as const, port: NODE_PORT });
  const health = spec.health ?? ["Up", "Up", "Up"];
  const s = azure()
    .nsg("aks-agentpool-12345678-nsg", [
      {
        name: `${PREFIX}-TCP-80-Internet`,
        priority: 500,
        source: "Internet",
        destination: "20.61.10.20",
        ports: "80",
        description: "created by cloud-provider-azure for Service shop/web",
      },
    ])
    .vnet("aks-vnet-12345678", ["10.224.0.0/12"], [{ name: "aks-subnet", prefix: "10.224.0.0/16", nsg: "aks-agentpool-12345678-nsg" }])
    .publicIp("0c3a1f2e-outbound", { ip: "20.61.10.10" })
    .publicIp(`kubernetes-${PREFIX}`, { ip: "20.61.10.20" })
    .tags(netId("publicIPAddresses", `kubernetes-${PREFIX}`), {
      "k8s-azure-service": "shop/web",
      "k8s-azure-cluster-name": "kubernetes",
    })
    .lb("kubernetes", {
      frontends: [
        { name: "0c3a1f2e-outbound", publicIp: "0c3a1f2e-outbound" },
        { name: PREFIX, publicIp: `kubernetes-${PREFIX}` },
      ],
      pools: ["kubernetes"],
      probes: [{ name: RULE, protocol: probe.protocol, port: probe.port, ...(probe.path ? { path: probe.path } : {}) }],
      rules: [{ name: RULE, frontend: PREFIX, pool: "kubernetes", probe: RULE, frontendPort: 80, backendPort: 80, enableFloatingIP: true }],
    })
    .lbRuleProps("kubernetes", RULE, { disableOutboundSnat: true, idleTimeoutInMinutes: 4 })
    .outboundRule("kubernetes", { name: "aksOutboundRule", frontends: ["0c3a1f2e-outbound"], pool: "kubernetes" })
    .vmss(VMSS)
    .vmssModel(VMSS, { subnet: SUBNET, pools: ["kubernetes/kubernetes"] });
  for (const i of [0, 1, 2]) {
    s.vm(`${VMSS}_${i}`, {
      name: VMSS,
      subnet: SUBNET,
      ip: `10.224.0.${4 + i}`,
      pools: ["kubernetes/kubernetes"],
      vmss: { name: VMSS, instanceId: String(i) },
    });
  }
  s.ruleHealthByNic(
    "kubernetes",
    RULE,
    health.map((h, i) => ({
      nicId: `${computeId("virtualMachineScaleSets", VMSS)}/virtualMachines/${i}/networkInterfaces/${VMSS}`,
      state: h === "Up" ? ("Up" as const) : ("Down" as const),
      ...(h === "Up" ? {} : { reason: h }),
    })),
  );
  return s;
}

/** Builds the scenario and moves every resource into the node resource group, as AKS places them. */
export function buildAks(s: AzureScenario): AzureSnapshot {
  const snap = s.build();
  const moved = JSON.parse(JSON.stringify(snap).split(`/resourceGroups/${RG}/`).join(`/resourceGroups/${MC_RG}/`)) as AzureSnapshot;
  moved.scope = { subscriptionId: SUB, resourceGroup: MC_RG };
  return moved;
}

const NO_POD = "Down_Probe_HttpStatusCodeError";

export function aksScenarios(): Array<{ name: string; description: string; snapshot: AzureSnapshot }> {
  return [
    {
      name: "aks-etp-local-healthy",
      description:
        "AKS, Service shop/web with externalTrafficPolicy: Local and one ready pod: the node that runs it answers the health-check node port, " +
        "the two others answer 503 by design, so the load balancer sends the traffic to the one node. No incident.",
      snapshot: buildAks(aksCluster({ health: ["Up", NO_POD, NO_POD] })),
    },
    {
      name: "aks-etp-local-no-endpoints",
      description:
        "AKS, Service shop/web with externalTrafficPolicy: Local and no ready pod anywhere: every node answers the health-check node port " +
        "with 503, so the frontend drops all traffic. The fix is in Kubernetes (the pods), not on the load balancer.",
      snapshot: buildAks(aksCluster({ health: [NO_POD, NO_POD, NO_POD] })),
    },
    {
      name: "aks-tcp-probe-on-web-port",
      description:
        "AKS, Service shop/web with externalTrafficPolicy: Cluster on port 80: cloud-provider-azure made a TCP probe on the node port. " +
        "The fix is a Service annotation (health-probe protocol and request path), not an az command the controller would revert.",
      snapshot: buildAks(aksCluster({ policy: "Cluster" })),
    },
  ];
}
