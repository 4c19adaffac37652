/** ELBv2 listeners, their default actions and rules, and the target groups they reach. */
import { join, pointer } from "../../../core/util/json-pointer.ts";
import { idKey } from "../../../core/util/resource-id.ts";
import { arr, obj, str } from "../../../core/util/wire.ts";
import { keyIn, num, preserveClientIpDefault } from "./read.ts";
import type { AwsBuild } from "./state.ts";
import type { Action, ForwardTarget, Listener, ListenerRule } from "./types.ts";

function readActions(st: AwsBuild, list: unknown, base: string, fromId: string, fromName: string): Action[] {
  return arr(list).map((a, i) => {
    const o = obj(a);
    const ptr = join(base, i);
    const action: Action = { type: str(o.Type) ?? "", ptr, forwards: [] };
    const order = num(o.Order);
    if (order !== undefined) action.order = order;
    const fc = arr(obj(o.ForwardConfig).TargetGroups);
    const refs: Array<{ arn: string; weight?: number; ptr: string }> =
      fc.length > 0
        ? fc.flatMap((t, j) => {
            const arn = str(obj(t).TargetGroupArn);
            const weight = num(obj(t).Weight);
            return arn ? [{ arn, ptr: join(ptr, "ForwardConfig", "TargetGroups", j), ...(weight !== undefined ? { weight } : {}) }] : [];
          })
        : str(o.TargetGroupArn)
          ? [{ arn: o.TargetGroupArn as string, ptr: join(ptr, "TargetGroupArn") }]
          : [];
    for (const r of refs) {
      const fwd: ForwardTarget = { targetGroupArn: r.arn, ptr: r.ptr };
      if (r.weight !== undefined) fwd.weight = r.weight;
      const tg = st.targetGroup.get(idKey(r.arn));
      if (tg) fwd.targetGroup = tg;
      else st.noteDangling(r.arn, fromId, fromName, "target group");
      action.forwards.push(fwd);
    }
    return action;
  });
}

export function buildListeners(st: AwsBuild): void {
  arr(st.elbv2.Listeners).forEach((w, i) => {
    const raw = obj(w);
    const arn = str(raw.ListenerArn);
    if (!arn) return;
    const ptr = pointer("elbv2", "Listeners", i);
    const lbArn = str(raw.LoadBalancerArn) ?? "";
    const lb = st.loadBalancer.get(idKey(lbArn));
    const port = num(raw.Port);
    const protocol = str(raw.Protocol);
    const lbName = lb?.name ?? lbArn.split("/").slice(-2, -1)[0] ?? "listener";
    // a Gateway Load Balancer's listener has neither: it takes every IP packet on every port
    const name = port === undefined && protocol === undefined ? `${lbName}:*` : `${lbName}:${protocol ?? "?"}:${port ?? "?"}`;
    const l: Listener = {
      id: arn,
      key: idKey(arn),
      name,
      ptr,
      raw,
      arn,
      loadBalancerArn: lbArn,
      defaultActions: readActions(st, raw.DefaultActions, join(ptr, "DefaultActions"), arn, name),
      rules: [],
      rulesKnown: false,
    };
    if (port !== undefined) l.port = port;
    if (protocol) l.protocol = protocol;
    if (lb) {
      l.lb = lb;
      lb.listeners.push(l);
    } else if (lbArn) st.noteDangling(lbArn, arn, name, "load balancer");
    const rk = keyIn(st.elbv2.Rules, arn);
    if (rk !== undefined && st.elbv2.Rules) {
      l.rulesKnown = true;
      arr(st.elbv2.Rules[rk]).forEach((r, j) => {
        const o = obj(r);
        const rptr = pointer("elbv2", "Rules", rk, j);
        const rule: ListenerRule = {
          ptr: rptr,
          priority: String(o.Priority ?? ""),
          isDefault: o.IsDefault === true || o.Priority === "default",
          conditions: arr(o.Conditions),
          actions: readActions(st, o.Actions, join(rptr, "Actions"), arn, name),
        };
        const rarn = str(o.RuleArn);
        if (rarn) rule.arn = rarn;
        l.rules.push(rule);
      });
    }
    st.listener.set(l.key, l);
  });
  linkThroughListeners(st);
}

/** Target groups reached through listeners join their load balancers; the client IP preservation default follows. */
function linkThroughListeners(st: AwsBuild): void {
  // target groups reached through listeners
  for (const l of st.listener.values()) {
    const actions = [...l.defaultActions, ...l.rules.flatMap((r) => r.actions)];
    for (const a of actions) {
      for (const f of a.forwards) {
        const tg = f.targetGroup;
        if (!tg) continue;
        if (!tg.listeners.includes(l)) tg.listeners.push(l);
        if (l.lb && !l.lb.targetGroups.includes(tg)) l.lb.targetGroups.push(tg);
        if (l.lb && !tg.loadBalancers.includes(l.lb)) tg.loadBalancers.push(l.lb);
      }
    }
  }
  // the client IP preservation default depends on the LB type, known only now for TGs reached through listeners
  for (const tg of st.targetGroup.values()) {
    if (tg.preserveClientIp.source === "default") {
      tg.preserveClientIp = {
        value: preserveClientIpDefault(tg.loadBalancers[0]?.type, tg.targetType, tg.protocol),
        source: "default",
        ptr: tg.ptr,
      };
    }
  }
}
