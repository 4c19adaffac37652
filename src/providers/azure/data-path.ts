/**
 * The client → backend data path of a load-balancing rule or NAT rule, as the
 * NSG sees it: which client space, which protocols, and how to read an
 * evaluator verdict (an IP allow-list is a restriction, not a block).
 */
import { resolvePointer } from "../../core/util/json-pointer.ts";
import { withArticle } from "../../core/util/words.ts";
import type { AzureModel, IpConfig, LbRule, LoadBalancer } from "./model.ts";
import type { FlowVerdict, RuleRef } from "./nsg.ts";

/** Public LB clients come from the Internet; internal LB clients from the VNet. */
export function clientSpace(lb: LoadBalancer): "Internet" | "VirtualNetwork" {
  return lb.isInternal ? "VirtualNetwork" : "Internet";
}

/** A Global-tier (cross-region) load balancer: its members are regional load balancers' frontends, not machines. */
export function isGlobalTier(lb: LoadBalancer): boolean {
  return lb.tier.toLowerCase() === "global";
}

/** HA ports: protocol All with frontend and backend port 0 (every port of every protocol). */
export function isHaPorts(rule: LbRule): boolean {
  return rule.protocol.toLowerCase() === "all" && isAnyPort(rule);
}

/**
 * A rule on port 0, which the REST spec defines as any port ("Note that value 0 enables 'Any Port'"): with
 * protocol All that is HA ports; with Tcp or Udp, every port of that protocol (a Gateway load balancer's rule,
 * for one). There is no single data port to check.
 */
export function isAnyPort(rule: LbRule): boolean {
  return rule.frontendPort === 0 || rule.backendPort === 0;
}

/** How a finding names an any-port rule: "an HA-ports rule (protocol All, port 0)" or "a Tcp rule on port 0 (any port)". */
export function anyPortPhrase(rule: LbRule): string {
  return isHaPorts(rule) ? "an HA-ports rule (protocol All, port 0)" : `${withArticle(rule.protocol)} rule on port 0 (any port)`;
}

/** The NSG protocols a rule's traffic uses: `All` is both TCP and UDP. */
export function flowProtocols(protocol: string): Array<"Tcp" | "Udp"> {
  const p = protocol.toLowerCase();
  return p === "all" ? ["Tcp", "Udp"] : p === "udp" ? ["Udp"] : ["Tcp"];
}

export function isStandardSku(lb: LoadBalancer): boolean {
  return lb.sku.toLowerCase() === "standard";
}

/**
 * true: neither the NIC nor its subnet has an NSG; false: one of them has;
 * undefined: the NIC has none and its subnet is not in the snapshot.
 */
export function hasNoNsg(c: IpConfig): boolean | undefined {
  if (c.nic.nsgId) return false;
  if (!c.subnet) return undefined;
  return !c.subnet.nsgId;
}

/**
 * For a deny: the partial Allow rules ahead of the deny in every denying layer
 * (an IP allow-list), or undefined when some layer denies the whole space.
 */
export function restriction(verdict: FlowVerdict): RuleRef[] | undefined {
  const denying = verdict.layers.filter((l) => l.verdict === "deny");
  if (denying.length === 0) return undefined;
  const out: RuleRef[] = [];
  for (const l of denying) {
    const allows = l.partial.filter((r) => r.access === "Allow");
    if (allows.length === 0) return undefined;
    out.push(...allows);
  }
  return out;
}

/** The source prefixes (or ASG names) a rule names, read at its pointer: NSG resource or effective rule. */
export function sourcesOf(model: AzureModel, ref: RuleRef): string[] {
  const wire = resolvePointer(model.snapshot, ref.ptr) as Record<string, unknown> | undefined;
  const p = (wire?.properties ?? wire ?? {}) as Record<string, unknown>;
  const list = Array.isArray(p.sourceAddressPrefixes) ? p.sourceAddressPrefixes.filter((x): x is string => typeof x === "string") : [];
  if (typeof p.sourceAddressPrefix === "string" && p.sourceAddressPrefix && !list.includes(p.sourceAddressPrefix)) {
    list.unshift(p.sourceAddressPrefix);
  }
  const asgs = Array.isArray(p.sourceApplicationSecurityGroups)
    ? p.sourceApplicationSecurityGroups.map(
        (a) =>
          `ASG ${String((a as { id?: string }).id ?? "")
            .split("/")
            .pop()}`,
      )
    : [];
  return [...list, ...asgs];
}

/** "allow-partner (198.51.100.0/24), allow-office (203.0.113.0/24)" */
export function describeRules(model: AzureModel, refs: RuleRef[]): string {
  return refs
    .map((r) => {
      const src = sourcesOf(model, r);
      return `${r.name} (priority ${r.priority}${src.length ? `, from ${src.join(", ")}` : ""})`;
    })
    .join("; ");
}
