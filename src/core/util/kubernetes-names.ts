/**
 * Kubernetes object names as the API server accepts them. Load balancers made by Kubernetes name their Service or
 * Ingress in tags (`k8s-azure-service: ns/name`, `service.k8s.aws/stack: ns/name`), which are only strings a snapshot
 * holds: a printed `kubectl` command takes a name from them only when the API server could hold it, so that no tag
 * value reaches kubectl as something else (`--server=…` read as a flag, `--all` annotating every Service).
 */

/** A namespace, a Service (RFC 1123 label: lower-case letters, digits and `-`, at most 63). */
const LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
/** An Ingress and most other objects (RFC 1123 subdomain: labels joined by `.`, at most 253). */
const SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/;

export function isKubernetesLabel(v: string): boolean {
  return LABEL.test(v);
}

export function isKubernetesName(v: string): boolean {
  return SUBDOMAIN.test(v) && !v.includes("..");
}
