/**
 * Load balancers and target groups that Kubernetes owns. EKS creates them in
 * two ways, and each tags what it creates (`elbv2.Tags`, DescribeTags):
 *
 *   - the AWS Load Balancer Controller: `elbv2.k8s.aws/cluster=<cluster>` on
 *     everything; a Service's `service.k8s.aws/stack=<namespace>/<name>`, an
 *     Ingress's `ingress.k8s.aws/stack=<namespace>/<ingress>` (or the
 *     IngressGroup's name); target groups add `service.k8s.aws/resource` /
 *     `ingress.k8s.aws/resource` = `<namespace>/<service>:<port>` /
 *     `<namespace>/<ingress>-<service>:<port>`;
 *   - the in-tree (legacy) cloud provider: `kubernetes.io/service-name=<namespace>/<name>`
 *     and `kubernetes.io/cluster/<cluster>=owned`.
 *
 * The controller reconciles what it owns, so an `aws elbv2 modify-…` fix is
 * undone within minutes: for the settings a controller owns (health check,
 * target group attributes, listeners) the fix is a Service or Ingress
 * annotation (`kubectl annotate`), with the names the controller documents.
 */
import type { Remediation } from "../../core/engine/types.ts";
import type { Change } from "../../core/timeline/types.ts";
import { join } from "../../core/util/json-pointer.ts";
import { isKubernetesLabel, isKubernetesName } from "../../core/util/kubernetes-names.ts";
import { idKey } from "../../core/util/resource-id.ts";
import { sh } from "../../core/util/shell.ts";
// queries.ts directly, not ./model.ts: the model's builder reads the owners of recorded changes (routeK8sChanges)
import { gapsFor, listGaps } from "./model/queries.ts";
import type { AwsModel, LoadBalancer, ModelGap, TargetGroup } from "./model.ts";

export interface K8sOwner {
  controller: "aws-load-balancer-controller" | "in-tree";
  cluster?: string;
  /** what the annotation goes on */
  kind: "Service" | "Ingress";
  namespace?: string;
  name?: string;
  /** an explicit IngressGroup: its name (several Ingresses share the load balancer) */
  ingressGroup?: string;
  /** the Service behind a target group (for an Ingress's target group: the backend Service), `namespace/name`, and its port */
  service?: { namespace: string; name: string; port?: string };
  /** the pointer of the tag that says so */
  ptr: string;
}

interface Tag {
  value: string;
  ptr: string;
}

/** The ELBv2 tags of a load balancer or target group, by key (empty when DescribeTags was not collected). */
export function elbTags(model: AwsModel, arn: string): Map<string, Tag> {
  const out = new Map<string, Tag>();
  const all = model.snapshot.elbv2.Tags;
  if (!all) return out;
  const key = Object.hasOwn(all, arn) ? arn : Object.keys(all).find((k) => k.toLowerCase() === arn.toLowerCase());
  if (key === undefined) return out;
  (all[key] ?? []).forEach((t, i) => {
    if (typeof t.Key === "string") out.set(t.Key, { value: String(t.Value ?? ""), ptr: join("/elbv2/Tags", key, i) });
  });
  return out;
}

/** Whether the snapshot holds ELBv2 tags at all (older snapshots and hand-made ones do not). */
export function tagsCollected(model: AwsModel): boolean {
  return model.snapshot.elbv2.Tags !== undefined;
}

/**
 * `ns/name` → both, when each is a name Kubernetes could hold: a tag is only a string, and anything else would reach a
 * printed `kubectl` as something else (`--server=…` read as a flag).
 */
function splitNsName(v: string): { namespace: string; name: string } | undefined {
  const i = v.indexOf("/");
  if (i <= 0 || i === v.length - 1) return undefined;
  const namespace = v.slice(0, i);
  const name = v.slice(i + 1);
  return isKubernetesLabel(namespace) && isKubernetesName(name) ? { namespace, name } : undefined;
}

/** `ns/svc:80` → the service and port. */
function serviceRef(v: string): { namespace: string; name: string; port?: string } | undefined {
  const c = v.lastIndexOf(":");
  const ref = splitNsName(c > v.indexOf("/") ? v.slice(0, c) : v);
  if (!ref) return undefined;
  return c > v.indexOf("/") ? { ...ref, port: v.slice(c + 1) } : ref;
}

/** Who in Kubernetes owns this load balancer or target group (undefined: nothing says Kubernetes does). */
export function k8sOwner(model: AwsModel, arn: string): K8sOwner | undefined {
  const tags = elbTags(model, arn);
  if (tags.size === 0) return undefined;
  const cluster = tags.get("elbv2.k8s.aws/cluster") ?? tags.get("ingress.k8s.aws/cluster");
  const svcStack = tags.get("service.k8s.aws/stack");
  const ingStack = tags.get("ingress.k8s.aws/stack");
  if (svcStack) {
    const ref = splitNsName(svcStack.value);
    const res = tags.get("service.k8s.aws/resource");
    const svc = res ? serviceRef(res.value) : undefined;
    return {
      controller: "aws-load-balancer-controller",
      ...(cluster ? { cluster: cluster.value } : {}),
      kind: "Service",
      ...(ref ? { namespace: ref.namespace, name: ref.name } : {}),
      ...(svc ? { service: svc } : ref ? { service: ref } : {}),
      ptr: svcStack.ptr,
    };
  }
  if (ingStack) {
    const ref = splitNsName(ingStack.value);
    const res = tags.get("ingress.k8s.aws/resource");
    let service: K8sOwner["service"];
    const legacyName = tags.get("kubernetes.io/service-name")?.value;
    const legacyNs = tags.get("kubernetes.io/namespace")?.value;
    if (legacyName) {
      service = legacyName.includes("/")
        ? serviceRef(legacyName)
        : legacyNs && isKubernetesLabel(legacyNs) && isKubernetesLabel(legacyName)
          ? {
              namespace: legacyNs,
              name: legacyName,
              ...(tags.get("kubernetes.io/service-port") ? { port: tags.get("kubernetes.io/service-port")?.value as string } : {}),
            }
          : undefined;
    } else if (res && ref && res.value.startsWith(`${ref.namespace}/${ref.name}-`)) {
      // `<ns>/<ingress>-<service>:<port>`
      const rest = res.value.slice(`${ref.namespace}/${ref.name}-`.length);
      const c = rest.lastIndexOf(":");
      const name = c > 0 ? rest.slice(0, c) : rest;
      if (isKubernetesLabel(name)) service = { namespace: ref.namespace, name, ...(c > 0 ? { port: rest.slice(c + 1) } : {}) };
    }
    return {
      controller: "aws-load-balancer-controller",
      ...(cluster ? { cluster: cluster.value } : {}),
      kind: "Ingress",
      ...(ref ? { namespace: ref.namespace, name: ref.name } : { ingressGroup: ingStack.value }),
      ...(service ? { service } : {}),
      ptr: ingStack.ptr,
    };
  }
  const legacy = tags.get("kubernetes.io/service-name");
  if (legacy) {
    const ref = splitNsName(legacy.value);
    const clusterTag = [...tags.keys()].find((k) => k.startsWith("kubernetes.io/cluster/"));
    return {
      controller: "in-tree",
      ...(clusterTag ? { cluster: clusterTag.slice("kubernetes.io/cluster/".length) } : {}),
      kind: "Service",
      ...(ref ? { namespace: ref.namespace, name: ref.name, service: ref } : {}),
      ptr: legacy.ptr,
    };
  }
  if (cluster) {
    return { controller: "aws-load-balancer-controller", cluster: cluster.value, kind: "Service", ptr: cluster.ptr };
  }
  return undefined;
}

/** The owner of a target group: its own tags, else its load balancer's. */
export function k8sOwnerOfGroup(model: AwsModel, tg: TargetGroup): K8sOwner | undefined {
  return k8sOwner(model, tg.arn) ?? (tg.loadBalancers[0] ? k8sOwner(model, tg.loadBalancers[0].arn) : undefined);
}

/** "Kubernetes Service shop/web (cluster prod, AWS Load Balancer Controller)". */
export function k8sLabel(o: K8sOwner): string {
  const who = o.controller === "in-tree" ? "in-tree cloud provider" : "AWS Load Balancer Controller";
  const what =
    o.kind === "Ingress"
      ? o.ingressGroup
        ? `Kubernetes IngressGroup ${o.ingressGroup}${o.service ? ` (backend Service ${o.service.namespace}/${o.service.name})` : ""}`
        : `Kubernetes Ingress ${o.namespace}/${o.name}${o.service ? ` (backend Service ${o.service.namespace}/${o.service.name})` : ""}`
      : o.namespace
        ? `Kubernetes Service ${o.namespace}/${o.name}`
        : "a Kubernetes Service";
  return `${what} (${o.cluster ? `cluster ${o.cluster}, ` : ""}${who})`;
}

/** The settings a controller owns that lbdoctor gives fixes for. */
export type K8sSetting =
  | "healthcheck-path"
  | "healthcheck-port"
  | "healthcheck-protocol"
  | "success-codes"
  | "healthcheck-interval"
  | "healthy-threshold"
  | "unhealthy-threshold"
  | "target-group-attributes"
  | "load-balancer-attributes"
  | "subnets";

const SERVICE_ANNOTATION: Record<K8sSetting, string> = {
  "healthcheck-path": "service.beta.kubernetes.io/aws-load-balancer-healthcheck-path",
  "healthcheck-port": "service.beta.kubernetes.io/aws-load-balancer-healthcheck-port",
  "healthcheck-protocol": "service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol",
  "success-codes": "service.beta.kubernetes.io/aws-load-balancer-healthcheck-success-codes",
  "healthcheck-interval": "service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval",
  "healthy-threshold": "service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold",
  "unhealthy-threshold": "service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold",
  "target-group-attributes": "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes",
  "load-balancer-attributes": "service.beta.kubernetes.io/aws-load-balancer-attributes",
  subnets: "service.beta.kubernetes.io/aws-load-balancer-subnets",
};

const INGRESS_ANNOTATION: Record<K8sSetting, string> = {
  "healthcheck-path": "alb.ingress.kubernetes.io/healthcheck-path",
  "healthcheck-port": "alb.ingress.kubernetes.io/healthcheck-port",
  "healthcheck-protocol": "alb.ingress.kubernetes.io/healthcheck-protocol",
  "success-codes": "alb.ingress.kubernetes.io/success-codes",
  "healthcheck-interval": "alb.ingress.kubernetes.io/healthcheck-interval-seconds",
  "healthy-threshold": "alb.ingress.kubernetes.io/healthy-threshold-count",
  "unhealthy-threshold": "alb.ingress.kubernetes.io/unhealthy-threshold-count",
  "target-group-attributes": "alb.ingress.kubernetes.io/target-group-attributes",
  "load-balancer-attributes": "alb.ingress.kubernetes.io/load-balancer-attributes",
  subnets: "alb.ingress.kubernetes.io/subnets",
};

/**
 * Settings whose annotation holds a whole list (`key=value,key=value`): `kubectl annotate --overwrite` replaces it,
 * and the controller resets every attribute the new value leaves out to its default.
 */
const LIST_VALUED = new Set<K8sSetting>(["target-group-attributes", "load-balancer-attributes"]);

/** What to say about an annotation that holds a whole list: the printed command replaces it. */
function keepTheRest(setting: K8sSetting, annotation: string): string {
  return LIST_VALUED.has(setting)
    ? ` The annotation holds the whole list: before running the command, add to its value every attribute ${annotation} already sets (kubectl get … --output yaml shows it), or the controller resets them to their defaults.`
    : "";
}

/** Settings of the load balancer itself: on an Ingress they go on the Ingress, never on a backend Service. */
const LB_LEVEL = new Set<K8sSetting>(["load-balancer-attributes", "subnets"]);

/** The in-tree provider documents annotations for these only (The Service Controller, cloud-provider-aws). */
const IN_TREE: Partial<Record<K8sSetting, string>> = {
  "healthcheck-interval": "service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval",
  "healthy-threshold": "service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold",
  "unhealthy-threshold": "service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold",
};

export interface K8sFix {
  /** the annotation name, when the owner documents one for the setting */
  annotation?: string;
  /** `kubectl annotate …`, every value quoted for a POSIX shell */
  commands: string[];
  /** one sentence for the remediation summary */
  summary: string;
}

/**
 * The Kubernetes way to change a setting the controller owns. Health-check
 * annotations of an Ingress go on the backend Service when it is known (the
 * controller reads them from either; on the Service they apply to that
 * target group only, which is what a fix for one target group wants).
 */
export function k8sFix(o: K8sOwner, setting: K8sSetting, value: string): K8sFix {
  const label = k8sLabel(o);
  if (o.controller === "in-tree") {
    const annotation = IN_TREE[setting];
    if (!annotation || !o.namespace || !o.name) {
      return {
        commands: o.namespace && o.name ? [`kubectl get service --namespace ${sh(o.namespace)} ${sh(o.name)} --output yaml`] : [],
        summary: `${label} owns this load balancer and reconciles it: a change made with the aws CLI is undone. The in-tree provider has no annotation for ${setting}; move the Service to the AWS Load Balancer Controller (annotation service.beta.kubernetes.io/aws-load-balancer-type: external), whose ${SERVICE_ANNOTATION[setting]} sets it.`,
      };
    }
    return {
      annotation,
      commands: [`kubectl annotate service --namespace ${sh(o.namespace)} ${sh(o.name)} ${sh(`${annotation}=${value}`)} --overwrite`],
      summary: `${label} owns this load balancer: set the Service annotation ${annotation}, not the target group (the provider would undo it).${keepTheRest(setting, annotation)}`,
    };
  }
  if (o.kind === "Ingress") {
    const annotation = INGRESS_ANNOTATION[setting];
    const onService = LB_LEVEL.has(setting) ? undefined : o.service;
    const target = onService
      ? `service --namespace ${sh(onService.namespace)} ${sh(onService.name)}`
      : o.namespace && o.name
        ? `ingress --namespace ${sh(o.namespace)} ${sh(o.name)}`
        : undefined;
    return {
      annotation,
      commands: target ? [`kubectl annotate ${target} ${sh(`${annotation}=${value}`)} --overwrite`] : [],
      summary: `${label} owns this load balancer: set the annotation ${annotation} on ${onService ? `the backend Service ${onService.namespace}/${onService.name}` : "the Ingress"}, not on the target group (the controller would undo it).${keepTheRest(setting, annotation)}`,
    };
  }
  const annotation = SERVICE_ANNOTATION[setting];
  const svc = o.namespace && o.name ? o : o.service ? { namespace: o.service.namespace, name: o.service.name } : undefined;
  return {
    annotation,
    commands:
      svc?.namespace && svc.name
        ? [`kubectl annotate service --namespace ${sh(svc.namespace)} ${sh(svc.name)} ${sh(`${annotation}=${value}`)} --overwrite`]
        : [],
    summary: `${label} owns this load balancer: set the Service annotation ${annotation}, not the target group (the controller would undo it).${keepTheRest(setting, annotation)}`,
  };
}

/** The NodePort range a cluster allocates from by default (kube-apiserver `--service-node-port-range`). */
const NODE_PORTS = { from: 30000, to: 32767 };

/**
 * A Kubernetes Service with `externalTrafficPolicy: Local` behind instance
 * targets: the controller points the health check at the Service's
 * `healthCheckNodePort` over HTTP (a node port, not the traffic port), where
 * kube-proxy answers 200 only on nodes that run a ready endpoint of the
 * Service and 503 on the others. Those nodes fail the health check by design.
 */
export function isEtpLocal(o: K8sOwner | undefined, tg: TargetGroup): boolean {
  return o !== undefined && hasEtpLocalShape(tg);
}

/**
 * The collection gap that kept a target group's or its load balancer's tags (DescribeTags: the Kubernetes owner) out
 * of the snapshot, if one did: without them a Kubernetes-owned group cannot be told from any other.
 */
export function ownerTagsGap(model: AwsModel, tg: TargetGroup, lb: LoadBalancer | undefined): ModelGap | undefined {
  const isTags = (g: ModelGap) => /describetags$/i.test(g.operation);
  return gapsFor(model, lb ? [tg.arn, lb.arn] : [tg.arn]).find(isTags) ?? listGaps(model, "DescribeTags").find(isTags);
}

/**
 * A target group shaped as a Kubernetes Service with externalTrafficPolicy: Local makes it (instance targets, an HTTP
 * health check on a NodePort other than the traffic port: kube-proxy's healthCheckNodePort), whoever owns it: what
 * decides when its tags, which name the owner, could not be read.
 */
export function hasEtpLocalShape(tg: TargetGroup): boolean {
  if (tg.targetType !== "instance") return false;
  const hc = tg.healthCheck;
  const proto = (hc.protocol ?? "").toUpperCase();
  if (proto !== "HTTP" && proto !== "HTTPS") return false;
  if (hc.port === undefined || hc.port === tg.port) return false;
  return hc.port >= NODE_PORTS.from && hc.port <= NODE_PORTS.to;
}

/** Characters POSIX sh takes literally outside quotes (what `sh` leaves bare, and a little more). */
const SH_LITERAL = /[A-Za-z0-9_./:@%+=,-]/;

/**
 * The words of a POSIX sh argument list as the shell hands them to the command (quote removal, POSIX 2.6.7): bare
 * characters, `'…'` strings, `"…"` strings (where a backslash escapes only `$`, a backquote, `"`, `\` and a newline) and a
 * backslash outside quotes; adjacent pieces make one word, so `'a#''[b'` is `a#[b` and `'it'\''s'` is `it's` (how `sh`
 * writes its values). Undefined for anything the shell would expand or read otherwise: an unquoted `$`, backquote, glob
 * character, `~`, operator or newline, a `$` or backquote in double quotes, a quote left open.
 */
export function shWords(text: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === " " || ch === "\t") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return undefined;
      word = (word ?? "") + text.slice(i + 1, end);
      i = end;
    } else if (ch === '"') {
      let piece = "";
      for (i++; i < text.length && text[i] !== '"'; i++) {
        const c = text[i] as string;
        if (c === "$" || c === "`") return undefined;
        if (c === "\\" && i + 1 < text.length && '$`"\\\n'.includes(text[i + 1] as string)) {
          i++;
          if (text[i] !== "\n") piece += text[i];
        } else piece += c;
      }
      if (i >= text.length) return undefined;
      word = (word ?? "") + piece;
    } else if (ch === "\\") {
      const next = text[i + 1];
      if (next === undefined) return undefined;
      i++;
      // a backslash-newline joins lines
      if (next !== "\n") word = (word ?? "") + next;
    } else if (SH_LITERAL.test(ch)) word = (word ?? "") + ch;
    else return undefined;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** `Key=a,Value=b Key=c,Value=d` (as the rules print it) → `a=b,c=d`. */
function attributePairs(args: string): string | undefined {
  const pairs = [...args.matchAll(/Key=([^,\s']+),Value=([^\s']+)/g)].map((m) => `${m[1]}=${m[2]}`);
  return pairs.length > 0 ? pairs.join(",") : undefined;
}

/**
 * The Kubernetes form of a remediation about a load balancer or target group
 * a controller owns: each `aws elbv2` change the controller would undo
 * becomes the annotation that sets it (target group and load balancer
 * attributes, subnets), or is dropped with a note when Kubernetes sets it
 * another way (registering targets, listeners). Commands about other
 * resources (security groups, instances) stay as they are: Kubernetes does
 * not own them. A resource nobody owns: the remediation unchanged.
 */
export function k8sRemediation(model: AwsModel, arn: string, r: Remediation): Remediation {
  const owner =
    k8sOwner(model, arn) ??
    (() => {
      const tg = model.byKey.targetGroup.get(idKey(arn));
      return tg ? k8sOwnerOfGroup(model, tg) : undefined;
    })();
  if (!owner) return r;
  const commands: string[] = [];
  const notes: string[] = [];
  for (const c of r.commands) {
    const tgAttrs = /^aws elbv2 modify-target-group-attributes .*--attributes (.+)$/.exec(c);
    const lbAttrs = /^aws elbv2 modify-load-balancer-attributes .*--attributes (.+)$/.exec(c);
    const subnets = /^aws elbv2 set-subnets .*--subnets (.+)$/.exec(c);
    const value = tgAttrs?.[1] ? attributePairs(tgAttrs[1]) : lbAttrs?.[1] ? attributePairs(lbAttrs[1]) : undefined;
    if ((tgAttrs || lbAttrs) && value) {
      const fix = k8sFix(owner, tgAttrs ? "target-group-attributes" : "load-balancer-attributes", value);
      commands.push(...fix.commands);
      notes.push(fix.summary);
    } else if (subnets?.[1]) {
      // the subnet ids as the shell would pass them to set-subnets (a value with `#` before `[` is written `'a#''[b'`); a
      // list that is not plain words is not ours to read: a placeholder the user fills in
      const ids = shWords(subnets[1]);
      const fix = k8sFix(owner, "subnets", ids && ids.length > 0 ? ids.join(",") : "<subnet-ids>");
      commands.push(...fix.commands);
      notes.push(fix.summary);
    } else if (/^aws elbv2 (register-targets|deregister-targets) /.test(c)) {
      notes.push(
        `${k8sLabel(owner)} registers the targets itself (the nodes, or the pods with target type ip): scale or reschedule the workload instead of registering targets by hand.`,
      );
    } else if (/^aws elbv2 (modify-listener|create-listener|delete-listener) /.test(c)) {
      notes.push(`${k8sLabel(owner)} owns the listeners: change the Service's ports or the Ingress's rules instead.`);
    } else commands.push(c);
  }
  return { summary: [r.summary, ...new Set(notes)].filter(Boolean).join(" "), commands };
}

/** A security group a Kubernetes controller created and reconciles (the controller's tags on it). */
export function k8sManagedSecurityGroup(model: AwsModel, groupId: string): boolean {
  const sg = model.byKey.securityGroup.get(idKey(groupId));
  const tags = Array.isArray(sg?.raw.Tags) ? (sg.raw.Tags as Array<{ Key?: unknown }>) : [];
  return tags.some(
    (t) =>
      t.Key === "elbv2.k8s.aws/cluster" ||
      t.Key === "service.k8s.aws/stack" ||
      t.Key === "ingress.k8s.aws/stack" ||
      (typeof t.Key === "string" && t.Key.startsWith("kubernetes.io/cluster/")),
  );
}

/**
 * Who may connect to a load balancer whose security group the controller
 * manages: a Service's `spec.loadBalancerSourceRanges` (the field the AWS Load
 * Balancer Controller recommends over its `service.beta.kubernetes.io/load-balancer-source-ranges`
 * annotation; the in-tree provider reads it too), an Ingress's
 * `alb.ingress.kubernetes.io/inbound-cidrs`. A rule added to the group by hand
 * is reconciled away.
 */
export function k8sSourceRangesFix(o: K8sOwner, cidrs: string[]): K8sFix {
  const label = k8sLabel(o);
  if (o.kind === "Ingress") {
    const annotation = "alb.ingress.kubernetes.io/inbound-cidrs";
    return {
      annotation,
      commands:
        o.namespace && o.name
          ? [`kubectl annotate ingress --namespace ${sh(o.namespace)} ${sh(o.name)} ${sh(`${annotation}=${cidrs.join(",")}`)} --overwrite`]
          : [],
      summary: `${label} manages this security group: allow the clients with the Ingress annotation ${annotation} (keep the CIDRs it already lists), not with a rule the controller would remove.`,
    };
  }
  const patch = JSON.stringify({ spec: { loadBalancerSourceRanges: cidrs } });
  return {
    commands:
      o.namespace && o.name ? [`kubectl patch service --namespace ${sh(o.namespace)} ${sh(o.name)} --type merge --patch ${sh(patch)}`] : [],
    summary: `${label} manages this security group: allow the clients in the Service's spec.loadBalancerSourceRanges (keep the ranges it already lists), not with a rule the controller would remove.`,
  };
}

/** CloudTrail operations on a target group's registrations, which a Kubernetes controller makes itself. */
const TARGET_REGISTRATION = new Set(["RegisterTargets", "DeregisterTargets"]);

/**
 * Who in Kubernetes owns the target group a recorded (de)registration changed: undefined for any other change, or for
 * a group nobody in Kubernetes owns.
 */
export function k8sChangeOwner(model: AwsModel, change: Pick<Change, "operation" | "resourceId">): K8sOwner | undefined {
  if (!TARGET_REGISTRATION.has(change.operation)) return undefined;
  const tg = model.byKey.targetGroup.get(idKey(change.resourceId));
  return tg ? k8sOwnerOfGroup(model, tg) : k8sOwner(model, change.resourceId);
}

/**
 * The timeline's revert of a (de)registration on a target group a Kubernetes controller owns, routed as
 * k8sRemediation routes a fix: no raw `aws elbv2 register-targets` / `deregister-targets` (the controller
 * reconciles the group's targets from the workload and would fight it), a note in the change's summary instead.
 */
export function routeK8sChanges(model: AwsModel): void {
  for (const c of model.time?.changes ?? []) {
    const owner = k8sChangeOwner(model, c);
    if (!owner || c.revert.length === 0) continue;
    c.revert = [];
    c.summary = `${c.summary}; ${k8sLabel(owner)} registers this group's targets itself, no revert by hand`;
  }
}

/** The fix of a (de)registration by hand on a group a Kubernetes controller owns (aws/change-before-failure). */
export function k8sRegistrationFix(owner: K8sOwner): Remediation {
  const ns = owner.service?.namespace ?? owner.namespace;
  return {
    summary:
      `${k8sLabel(owner)} registers the targets itself (the nodes, or the pods with target type ip): do not undo the change with ` +
      "register-targets or deregister-targets, which the controller would fight. Scale or reschedule the workload (or fix its pods' " +
      "readiness) and let the controller register the targets, then confirm the members come back up.",
    commands:
      owner.controller === "aws-load-balancer-controller" && ns
        ? [`kubectl get targetgroupbindings.elbv2.k8s.aws --namespace ${sh(ns)} --output wide`]
        : [],
  };
}
