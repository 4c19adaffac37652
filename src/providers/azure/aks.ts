/**
 * Load balancers that Kubernetes (cloud-provider-azure, as AKS runs it) creates and reconciles.
 *
 * Recognised from what the ARM resources carry:
 * - the load balancer's name: the cluster name, `kubernetes` on AKS, and `kubernetes-internal` for the internal one;
 * - the node resource group, `MC_…` on AKS;
 * - rule names `<prefix>-<Protocol>-<port>` (optionally `<prefix>-<subnet>-<Protocol>-<port>`, `-IPv6`), where the
 *   prefix is `"a"` + the Service UID without dashes, cut to 32 characters;
 * - the tags on the frontend public IPs: `k8s-azure-service` (`<namespace>/<name>`, legacy `service`) and
 *   `k8s-azure-cluster-name` (legacy `kubernetes-cluster-name`). Rules and frontends carry no tags.
 *
 * The controller undoes hand edits of what it owns, so fixes for those settings are Service
 * annotations or spec patches (`kubectl annotate` / `kubectl patch`), with the annotation names
 * the cloud-provider-azure documentation lists
 * (https://kubernetes-sigs.github.io/cloud-provider-azure/topics/loadbalancer/).
 */

import { isKubernetesLabel } from "../../core/util/kubernetes-names.ts";
import type { Frontend, LbRule, LoadBalancer } from "./model.ts";
import { sh } from "./rule-helpers.ts";

export const AKS_DOCS = "https://kubernetes-sigs.github.io/cloud-provider-azure/topics/loadbalancer/";

/** Annotation names documented by cloud-provider-azure. */
export const ANNOTATION = {
  probeProtocol: "service.beta.kubernetes.io/azure-load-balancer-health-probe-protocol",
  probeRequestPath: "service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path",
  probeInterval: "service.beta.kubernetes.io/azure-load-balancer-health-probe-interval",
  probeNumOfProbe: "service.beta.kubernetes.io/azure-load-balancer-health-probe-num-of-probe",
  disableFloatingIp: "service.beta.kubernetes.io/azure-disable-load-balancer-floating-ip",
  internal: "service.beta.kubernetes.io/azure-load-balancer-internal",
  /** per service port: `service.beta.kubernetes.io/port_{port}_health-probe_{protocol|port|request-path|…}` */
  portProbe: (port: number, what: "protocol" | "port" | "request-path" | "interval" | "num-of-probe") =>
    `service.beta.kubernetes.io/port_${port}_health-probe_${what}`,
} as const;

const SERVICE_TAGS = ["k8s-azure-service", "service"];
const CLUSTER_TAGS = ["k8s-azure-cluster-name", "kubernetes-cluster-name"];
const RULE_NAME = /^a([0-9a-f]{31})(?:-(.+?))?-(tcp|udp|sctp|all)-(\d+)(-ipv6)?$/i;
/** cloud-provider-azure's NodePort range default; the ETP Local health-check node port is allocated from it */
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

export interface AksLoadBalancer {
  /** `k8s-azure-cluster-name` on a frontend public IP, when present */
  cluster?: string;
  internal: boolean;
  /** what gave it away, for messages: "name kubernetes", "resource group MC_…", … */
  signals: string[];
}

export interface AksRule {
  lb: AksLoadBalancer;
  /** `<namespace>/<name>` from the frontend public IP's `k8s-azure-service` tag (several when the IP is shared) */
  services: string[];
  /** the first 31 hex digits of the Service UID, dashed like a UID (`1b2c3d4e-…`), from the rule name */
  uidPrefix?: string;
  protocol?: string;
  port?: number;
  /**
   * The rule's probe is the ETP Local health check: HTTP `/healthz` on the Service's
   * `healthCheckNodePort`, which kube-proxy answers 200 only on nodes with a ready endpoint.
   */
  etpLocal: boolean;
  healthCheckNodePort?: number;
}

function tagValue(tags: unknown, keys: string[]): string | undefined {
  if (!tags || typeof tags !== "object") return undefined;
  const entries = Object.entries(tags as Record<string, unknown>);
  for (const k of keys) {
    const hit = entries.find(([key, v]) => key.toLowerCase() === k && typeof v === "string" && v.length > 0);
    if (hit) return hit[1] as string;
  }
  return undefined;
}

const frontendTags = (f: Frontend | undefined): unknown => f?.publicIp?.raw.tags;

/** The Kubernetes-managed view of a load balancer, or undefined for one Kubernetes does not own. */
export function aksLoadBalancer(lb: LoadBalancer): AksLoadBalancer | undefined {
  const signals: string[] = [];
  const name = lb.name.toLowerCase();
  const byName = name === "kubernetes" || name === "kubernetes-internal";
  if (byName) signals.push(`name ${lb.name}`);
  const rg = lb.resourceGroup ?? "";
  if (/^mc_/i.test(rg)) signals.push(`node resource group ${rg}`);
  let cluster: string | undefined;
  let tagged = false;
  for (const f of lb.frontends) {
    const c = tagValue(frontendTags(f), CLUSTER_TAGS);
    if (c && !cluster) cluster = c;
    if (tagValue(frontendTags(f), ["k8s-azure-service", "k8s-azure-cluster-name"])) tagged = true;
  }
  if (tagged) signals.push("k8s-azure-* tags on its public IP");
  const conventional = lb.rules.length > 0 && lb.rules.some((r) => RULE_NAME.test(r.name));
  if (conventional) signals.push("rule names <a + Service UID>-<protocol>-<port>");
  // a name alone could be a coincidence; a name or an MC_ group together with the rule convention, or the tags, is not
  const managed = tagged || ((byName || /^mc_/i.test(rg)) && (conventional || lb.rules.length === 0));
  if (!managed) return undefined;
  const out: AksLoadBalancer = { internal: lb.isInternal || name.endsWith("-internal"), signals };
  if (cluster) out.cluster = cluster;
  return out;
}

/** The Kubernetes view of one load-balancing rule: which Service it serves, and whether its probe is the ETP Local check. */
export function aksRule(rule: LbRule, lbInfo: AksLoadBalancer | undefined = aksLoadBalancer(rule.lb)): AksRule | undefined {
  if (!lbInfo) return undefined;
  const m = RULE_NAME.exec(rule.name);
  const services = (tagValue(frontendTags(rule.frontend), SERVICE_TAGS) ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.includes("/"));
  if (!m && services.length === 0) return undefined; // a rule someone added by hand
  const out: AksRule = { lb: lbInfo, services, etpLocal: false };
  if (m) {
    const hex = (m[1] as string).toLowerCase();
    out.uidPrefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    out.protocol = (m[3] as string).toUpperCase();
    out.port = Number(m[4]);
  }
  const probe = rule.probe;
  if (
    probe &&
    probe.protocol.toLowerCase() !== "tcp" &&
    (probe.requestPath ?? "") === "/healthz" &&
    probe.port !== rule.backendPort &&
    probe.port >= NODE_PORT_MIN &&
    probe.port <= NODE_PORT_MAX
  ) {
    out.etpLocal = true;
    out.healthCheckNodePort = probe.port;
  }
  return out;
}

/**
 * The Service's `namespace` and `name`, when exactly one is known and the tag names one Kubernetes could hold (a
 * tag is only a string: anything else would reach `kubectl` as something else, `--all` or a flag).
 */
export function serviceRef(k: AksRule): { namespace: string; name: string } | undefined {
  if (k.services.length !== 1) return undefined;
  const parts = (k.services[0] as string).split("/");
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts as [string, string];
  return isKubernetesLabel(namespace) && isKubernetesLabel(name) ? { namespace, name } : undefined;
}

/** "Service default/web", or "the Service whose UID starts with 1b2c…" when the tag is absent (internal load balancers). */
export function serviceLabel(k: AksRule): string {
  if (k.services.length === 1) return `Service ${k.services[0]}`;
  if (k.services.length > 1) return `one of the Services ${k.services.join(", ")}`;
  return k.uidPrefix ? `the Service whose UID starts with ${k.uidPrefix}` : "its Kubernetes Service";
}

/** Finds the Service by UID when its name is not known. */
export function findServiceCommand(k: AksRule): string {
  const list =
    "kubectl get services --all-namespaces -o custom-columns=NAMESPACE:.metadata.namespace,NAME:.metadata.name,UID:.metadata.uid,POLICY:.spec.externalTrafficPolicy";
  // no UID known (the tag named no Service Kubernetes could hold): the whole list, not a grep for nothing
  return k.uidPrefix ? `${list} | grep -i ${sh(k.uidPrefix)}` : list;
}

/** `-n NS NAME`, or placeholders (with the lookup first) when the Service is not known by name. */
function target(k: AksRule): { args: string; lookup: string[] } {
  const ref = serviceRef(k);
  if (ref) return { args: `--namespace ${sh(ref.namespace)} ${sh(ref.name)}`, lookup: [] };
  return { args: `--namespace ${sh("<namespace>")} ${sh("<service>")}`, lookup: [findServiceCommand(k)] };
}

/** `kubectl annotate service … key=value --overwrite` for the Service that owns the rule. */
export function kubectlAnnotate(k: AksRule, annotations: Record<string, string>): string[] {
  const t = target(k);
  const pairs = Object.entries(annotations).map(([key, v]) => sh(`${key}=${v}`));
  return [...t.lookup, `kubectl annotate service ${t.args} ${pairs.join(" ")} --overwrite`];
}

/** `kubectl patch service … --type merge -p '<json>'` for the Service that owns the rule. */
export function kubectlPatch(k: AksRule, patch: unknown): string[] {
  const t = target(k);
  return [...t.lookup, `kubectl patch service ${t.args} --type merge -p ${sh(JSON.stringify(patch))}`];
}

/** Inspection commands for an ETP Local Service: where its ready endpoints run. */
export function endpointCommands(k: AksRule): string[] {
  const ref = serviceRef(k);
  if (!ref) return [findServiceCommand(k)];
  const ns = sh(ref.namespace);
  return [
    `kubectl get endpointslices --namespace ${ns} -l ${sh(`kubernetes.io/service-name=${ref.name}`)} -o wide`,
    `kubectl get pods --namespace ${ns} -o wide`,
    `kubectl describe service --namespace ${ns} ${sh(ref.name)}`,
  ];
}

/** The sentence every Kubernetes-owned finding carries. */
export function ownedNote(k: AksRule): string {
  return (
    `This load balancer is managed by Kubernetes (${k.lb.signals.join(", ")}); the rule serves ${serviceLabel(k)}. ` +
    "Change the Service, not the load balancer: the cloud controller reverts direct edits."
  );
}
