/**
 * The one pipeline from a snapshot to findings, used by check, tui, diff and
 * watch: the provider's model, the rules of that provider, narrowing to the
 * target the user named (a group or a load balancer), and the findings of
 * that scope. No I/O here; what calls it renders the result.
 */
import { type CountedResults, drain, type EngineEvent, ruleSteps } from "./engine/run.ts";
import type { Finding, Model, ModelContext, Rule, Severity } from "./engine/types.ts";
import { InputError } from "./errors.ts";
import type { LoadBalancerInfo, ProviderAdapter } from "./provider.ts";
import type { Snapshot } from "./snapshot/types.ts";
import { type CauseDrop, memberFindings, rankCauses } from "./timeline/analyze.ts";
import type { TimeData } from "./timeline/types.ts";
import { idKey } from "./util/resource-id.ts";
import { attachDashValues } from "./util/shell.ts";

export interface DiagnoseInput {
  snapshot: Snapshot;
  adapter: ProviderAdapter<Model>;
  /** the catalog; only the snapshot's provider's rules run */
  rules: Rule[];
  context?: ModelContext;
  /** a group (resource group, region) or load balancer name or id that narrows the scope */
  target?: string;
  /** several of them: the scope is their union */
  targets?: string[];
  /** for error messages: where the snapshot came from */
  source: string;
  /** severity overrides by rule id (the config) */
  severity?: Record<string, Severity>;
  onEvent?: (e: EngineEvent) => void;
  /**
   * "summary": passes and not-applicable results come back light; "count": counted apart (`Diagnosis.counted`), not
   * as findings (see RunOptions.passes); default "full"
   */
  passes?: "full" | "summary" | "count";
  /**
   * with no target, everything the snapshot holds, even when it is one group's snapshot holding other groups' load
   * balancers (which are otherwise left to what concerns the group: see diagnoseSteps)
   */
  whole?: boolean;
}

export interface Diagnosis {
  model: Model;
  /** every load balancer in the snapshot, and those in the target's scope */
  allLoadBalancers: LoadBalancerInfo[];
  loadBalancers: LoadBalancerInfo[];
  /** the rules that ran */
  rules: Rule[];
  findings: Finding[];
  /** with passes "count": the passes and not-applicable results of the scope, counted per rule (not in `findings`) */
  counted: CountedResults[];
  /** with a target: whether a result about this resource (and load balancer, region) belongs to the scope */
  inScope?: (f: {
    resourceId: string;
    loadBalancerId?: string | undefined;
    region?: string;
    status?: Finding["status"];
    subjects?: string[];
  }) => boolean;
  /**
   * with no target: the group a snapshot of one group was narrowed to (it holds load balancers of other groups), and
   * those load balancers, whose own results are left out (see diagnoseSteps)
   */
  narrowedTo?: { group: string; leftOut: LoadBalancerInfo[]; failing: number };
}

/** What `diagnoseSteps` stops at: once the model is built and narrowed (before any rule), then after each rule. */
export type DiagnoseStep =
  | { kind: "model"; model: Model; allLoadBalancers: LoadBalancerInfo[]; loadBalancers: LoadBalancerInfo[]; rules: Rule[] }
  | { kind: "rule"; ruleId: string };

export function diagnose(input: DiagnoseInput): Diagnosis {
  return drain(diagnoseSteps(input));
}

/**
 * `diagnose` in steps, for a screen that draws while it runs (the TUI): the model and the load balancers in scope
 * first, then each rule; it returns what diagnose returns. A target that names nothing throws before the first step.
 */
export function* diagnoseSteps(input: DiagnoseInput): Generator<DiagnoseStep, Diagnosis, void> {
  const { snapshot, adapter } = input;
  let model = adapter.buildModel(snapshot, input.context ?? { from: [] });
  const allLoadBalancers = adapter.loadBalancers(model);
  const rules = input.rules.filter((r) => r.provider === snapshot.provider);
  const wanted = [...(input.target ? [input.target] : []), ...(input.targets ?? [])];
  // no target: a snapshot of one group (Azure: `snapshot <resource-group>`) that holds resources of other groups, fetched
  // by reference (a load balancer whose pool holds the group's NICs, a hub's appliance), is diagnosed as its group, as
  // the live check of that group was: what concerns the group, not those resources' own results (adapter.replayGroup)
  const ownGroup = wanted.length === 0 && !input.whole ? adapter.replayGroup?.(snapshot) : undefined;
  const implicit = ownGroup !== undefined;
  const scopes = implicit
    ? [groupScope(ownGroup, allLoadBalancers)]
    : wanted.map((t) => narrow(t, allLoadBalancers, adapter, snapshot, input.source));
  const scope =
    scopes.length === 0
      ? undefined
      : {
          lbs: [...new Map(scopes.flatMap((x) => x.lbs).map((lb) => [lb.key, lb])).values()],
          groups: scopes.flatMap((x) => (x.group !== undefined ? [x.group] : [])),
        };
  // a scope in one of several places (AWS regions, accounts): the others' data leaves the analysis
  const narrowed = scope && adapter.narrowModel?.(model, { loadBalancerIds: scope.lbs.map((lb) => lb.id), groups: scope.groups });
  if (narrowed) model = narrowed;
  yield { kind: "model", model, allLoadBalancers, loadBalancers: scope?.lbs ?? allLoadBalancers, rules };
  const run = ruleSteps(model, rules, {
    ...(input.severity ? { severity: input.severity } : {}),
    ...(input.onEvent ? { onEvent: input.onEvent } : {}),
    ...(input.passes ? { passes: input.passes } : {}),
  });
  let step = run.next();
  for (; !step.done; step = run.next()) yield { kind: "rule", ruleId: step.value };
  let { findings, counted } = step.value;
  const locate = adapter.locate;
  if (locate) findings = placed(findings, adapter, model);
  const completeCommand = adapter.completeCommand;
  // the provider's scope flags (--subscription, --region), then values starting with `-` joined to their flags
  const complete = (c: string, about: Pick<Finding, "resourceId" | "loadBalancerId">, m: Model) =>
    attachDashValues(completeCommand ? completeCommand(c, about, m) : c);
  if (model.time) {
    // the timeline's revert commands are copied and pasted too
    for (const c of model.time.changes) c.revert = c.revert.map((r) => complete(r, { resourceId: c.resourceId }, model));
  }
  // a finding is copied only when a command changes (most print none, or one that already names its scope)
  findings = findings.map((f) => {
    const commands = f.remediation?.commands;
    if (!f.remediation || !commands || commands.length === 0) return f;
    let completed: string[] | undefined;
    for (let i = 0; i < commands.length; i++) {
      const c = commands[i] as string;
      const done = complete(c, f, model);
      if (done !== c && !completed) completed = commands.slice(0, i);
      if (completed) completed.push(done);
    }
    return completed ? { ...f, remediation: { ...f.remediation, commands: completed } } : f;
  });
  let inScope: Diagnosis["inScope"];
  let leftFailing = 0;
  if (scope) {
    const keys = new Set(scope.lbs.map((lb) => lb.key));
    inScope = (f) => {
      if (f.loadBalancerId && keys.has(idKey(f.loadBalancerId))) return true;
      // a result about a load balancer outside the scope belongs to it when its resource does (a group's VM behind
      // another group's load balancer); a result about that load balancer as a whole does not
      if (!f.resourceId) return !f.loadBalancerId;
      // a counted pass is not placed yet: place it as its finding would be
      const region = f.region ?? locate?.({ resourceId: f.resourceId }, model).region;
      const at = (resourceId: string) => ({ resourceId, ...(region ? { region } : {}) });
      if (scope.groups.some((g) => adapter.inGroup(at(f.resourceId), g))) return true;
      // a failure, an unknown or an error about a resource of another group that concerns one of the group's (its
      // subjects: an inbound NAT rule of another group's load balancer to the group's VM, the group's route table's
      // appliance in a hub) is the group's too; a pass or a not-applicable result goes by its own resource, whether it
      // is a finding or only counted (which names no subjects), so that both give the same summary
      if (f.status === undefined || f.status === "pass" || f.status === "not-applicable" || !f.subjects) return false;
      return f.subjects.some((id) => scope.groups.some((g) => adapter.inGroup(at(id), g)));
    };
    const within = inScope;
    const before = findings;
    findings = findings.filter(within);
    // the failing, unknown and error results the narrowing left out (what a replay's note counts)
    for (const f of before) if (f.status === "fail" || f.status === "unknown" || f.status === "error") leftFailing++;
    for (const f of findings) if (f.status === "fail" || f.status === "unknown" || f.status === "error") leftFailing--;
    counted = counted.map((c) => {
      const ordinal: number[] = [];
      const kept: CountedResults = { ruleId: c.ruleId, status: [], resourceId: [], loadBalancerId: [], key: [], ordinal };
      for (let i = 0; i < c.status.length; i++) {
        const r = { resourceId: c.resourceId[i] as string, loadBalancerId: c.loadBalancerId[i] };
        if (!within(r)) continue;
        const own = c.severity?.[i];
        if (own !== undefined) (kept.severity ??= {})[kept.status.length] = own;
        kept.status.push(c.status[i] as CountedResults["status"][number]);
        kept.resourceId.push(r.resourceId);
        kept.loadBalancerId.push(r.loadBalancerId);
        kept.key.push(c.key[i]);
        ordinal.push(c.ordinal?.[i] ?? i);
      }
      return kept;
    });
  }
  if (model.time) findings = setAsideCauses(findings, model.time);
  const shown = scope ? withOthersNamed(scope.lbs, allLoadBalancers, findings, counted) : allLoadBalancers;
  const narrowedTo =
    implicit && ownGroup !== undefined
      ? { group: ownGroup, leftOut: allLoadBalancers.filter((lb) => !shown.some((x) => x.key === lb.key)), failing: leftFailing }
      : undefined;
  return {
    ...(narrowedTo ? { narrowedTo } : {}),
    model,
    allLoadBalancers,
    loadBalancers: shown,
    rules,
    findings,
    counted,
    ...(inScope ? { inScope } : {}),
  };
}

/**
 * The scope's load balancers, and after them those outside it that a kept result names: a group's VMs behind another
 * group's load balancer are diagnosed under that load balancer, which the report then lists (its heading, its state).
 */
function withOthersNamed(
  lbs: LoadBalancerInfo[],
  all: LoadBalancerInfo[],
  findings: Finding[],
  counted: CountedResults[],
): LoadBalancerInfo[] {
  const named = new Set<string>();
  for (const f of findings) if (f.loadBalancerId) named.add(idKey(f.loadBalancerId));
  for (const c of counted) for (const id of c.loadBalancerId) if (id) named.add(idKey(id));
  const have = new Set(lbs.map((lb) => lb.key));
  const others = all.filter((lb) => !have.has(lb.key) && named.has(lb.key));
  return others.length === 0 ? lbs : [...lbs, ...others];
}

/**
 * The findings as the timeline ranks the changes (rankCauses): a change finding the timeline sets aside for a rival
 * made as close to the same drop (one the failing findings about that member point at more, or one time puts first
 * when they cannot tell them apart) is not the likely cause of that drop, so it explains no symptom about that member.
 * The engine linked it to every symptom it shares a subject with (a change-before-failure finding's subjects are the
 * changed resource and the dropped members, the same for each rival): its `explains` relations to the symptoms about
 * the members of the drops it was set aside for go (memberFindings), and those symptoms' `caused-by` relations to it,
 * so check does not present it as their root cause while the timeline names the other. Its relations to a symptom
 * about a member of a drop it is the likely cause of stay (one it won, or the only candidate of). It stays a failing
 * finding: it was made before the drop, and its message names the rival. Findings are copied, never changed in place.
 */
export function setAsideCauses(findings: Finding[], time: TimeData): Finding[] {
  if (!findings.some((f) => f.status === "fail" && f.key?.startsWith("change:"))) return findings;
  // by the id of a change finding set aside for at least one drop: the symptoms it no longer explains
  const aside = new Map<string, Set<string>>();
  const losers = [...rankCauses(time, findings).values()].filter((v) => v.lost && v.lost.length > 0);
  if (losers.length === 0) return findings;
  const about = memberFindings(time, findings);
  const of = (drops: CauseDrop[] | undefined) => new Set((drops ?? []).flatMap((d) => about(d.series).map((f) => f.id)));
  for (const v of losers) {
    const won = of(v.won);
    const gone = new Set([...of(v.lost)].filter((id) => !won.has(id)));
    if (gone.size > 0) for (const id of v.findings) aside.set(id, gone);
  }
  if (aside.size === 0) return findings;
  return findings.map((f) => {
    const mine = aside.get(f.id);
    const kept = f.relatedTo.filter((r) =>
      mine ? !(r.relation === "explains" && mine.has(r.findingId)) : !(r.relation === "caused-by" && aside.get(r.findingId)?.has(f.id)),
    );
    return kept.length === f.relatedTo.length ? f : { ...f, relatedTo: kept };
  });
}

/** A resource id that does not say where it is (AWS EC2 ids) gets its region and account beside it (the adapter's `locate`). */
export function placed(findings: Finding[], adapter: ProviderAdapter<Model>, model: Model): Finding[] {
  const locate = adapter.locate;
  if (!locate) return findings;
  return findings.map((f) => {
    const { region, account } = locate(f, model);
    return region || account ? { ...f, ...(region ? { region } : {}), ...(account ? { account } : {}) } : f;
  });
}

/** The load balancers a target names: by name or id first, else every one in the named group. Unknown → InputError. */
/** A group's scope: its load balancers (none, when it holds only members of other groups' load balancers). */
function groupScope(group: string, all: LoadBalancerInfo[]): { lbs: LoadBalancerInfo[]; group: string } {
  const g = group.toLowerCase();
  return { lbs: all.filter((lb) => lb.group?.toLowerCase() === g), group };
}

function narrow(
  target: string,
  all: LoadBalancerInfo[],
  adapter: ProviderAdapter<Model>,
  snapshot: Snapshot,
  source: string,
): { lbs: LoadBalancerInfo[]; group?: string } {
  const t = target.toLowerCase();
  // the snapshot's own group first: a load balancer of another group named like it must not stand in for the group
  if (adapter.scopeGroup(snapshot)?.toLowerCase() === t) return groupScope(target, all);
  const byName = all.filter((lb) => lb.name.toLowerCase() === t || lb.key === idKey(target) || lb.id === target);
  if (byName.length > 0) return { lbs: byName };
  const byGroup = all.filter((lb) => lb.group?.toLowerCase() === t);
  if (byGroup.length > 0 || adapter.scopeGroup(snapshot)?.toLowerCase() === t) return { lbs: byGroup, group: target };
  const groups = [...new Set(all.map((lb) => lb.group).filter(Boolean))].join(", ");
  throw new InputError(
    `'${target}' is neither a ${adapter.groupNoun} nor a load balancer in ${source}`,
    `Groups with load balancers: ${groups || "(none)"}; load balancers: ${all.map((lb) => lb.name).join(", ") || "(none)"}.`,
  );
}
