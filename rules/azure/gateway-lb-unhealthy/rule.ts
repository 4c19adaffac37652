import { defineRule } from "../../../src/core/engine/define-rule.ts";
import type { Evidence } from "../../../src/core/engine/types.ts";
import { join } from "../../../src/core/util/json-pointer.ts";
import { nameOf, parentResourceId } from "../../../src/providers/azure/arm-id.ts";
import { azVmStart, gapReason, memberName, memberPower } from "../../../src/providers/azure/compute-helpers.ts";
import type { AzureModel, PoolMember } from "../../../src/providers/azure/model.ts";
import { rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

export default defineRule<AzureModel>({
  id: "azure/gateway-lb-unhealthy",
  provider: "azure",
  severity: "critical",
  title: "Frontend chained to a Gateway load balancer with no working appliance",
  reads: ["azure:loadBalancers", "azure:nics", "azure:vms"],
  description:
    "A Standard public load balancer frontend can be chained to a Gateway load balancer (`frontendIPConfigurations[].properties.gatewayLoadBalancer.id`): " +
    "every packet to that frontend is first sent, over VXLAN tunnels, to the network virtual appliances in the Gateway load balancer's backend pool. " +
    "When no appliance is available the Gateway load balancer's probes fail and the traffic is dropped (Microsoft Q&A), and bypassing the chain is " +
    "not supported: everything through the frontend is lost, however healthy its own backends are. Rule health is not available for a Gateway " +
    "load balancer, so the check uses what the snapshot shows: rules on the gateway frontend, members in their pools, and the appliances' power state " +
    "(an appliance set to admin state Down takes no new flows either). " +
    "When the Gateway load balancer is not in the snapshot the result is unknown.",
  citations: [
    { url: "https://learn.microsoft.com/en-us/azure/load-balancer/gateway-overview", title: "Gateway Load Balancer" },
    {
      url: "https://learn.microsoft.com/en-us/answers/questions/1614065/virtual-servers-are-unreachable-if-associated-gate",
      title: "Virtual servers are unreachable if the associated Gateway Load Balancer's appliances are down (Microsoft Q&A)",
    },
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-manage-health-status",
      title: "Manage Azure Load Balancer Health Status",
    },
  ],
  references: ["https://learn.microsoft.com/azure/load-balancer/gateway-overview"],
  messages: {
    allDown:
      "Frontend {{frontend}} of {{lb}} is chained to Gateway load balancer {{gateway}}, and none of its appliances can take traffic ({{members}}): everything sent to {{frontend}} is dropped.",
    empty:
      "Frontend {{frontend}} of {{lb}} is chained to Gateway load balancer {{gateway}}, whose {{what}}: there is no appliance, so everything sent to {{frontend}} is dropped.",
    someUp:
      "Frontend {{frontend}} of {{lb}} is chained to Gateway load balancer {{gateway}}; {{up}} of {{total}} appliance(s) can take traffic ({{members}}).",
    undetermined:
      "Frontend {{frontend}} of {{lb}} is chained to Gateway load balancer {{gateway}}; no appliance is known to be up ({{members}}), and rule health is not available for a Gateway load balancer.",
    missing:
      "Frontend {{frontend}} of {{lb}} is chained to {{gatewayFrontend}}, which is not in the snapshot{{detail}}: the appliances behind it cannot be checked.",
  },
  remediation:
    "Bring the appliances back: start the stopped VMs, or add appliances to the Gateway load balancer's pool. Bypassing the chain is not supported; " +
    "removing the frontend's gatewayLoadBalancer reference sends traffic uninspected, which is a security decision, not a fix.",
  check({ model, report }) {
    for (const lb of model.loadBalancers) {
      for (const f of lb.frontends) {
        if (!f.gatewayLoadBalancerId) continue;
        const base = {
          resourceId: f.id,
          resourceName: `${lb.name}/${f.name}`,
          loadBalancerId: lb.id,
          key: f.name,
          subjects: [f.id, lb.id],
        };
        const chainEv: Omit<Evidence, "value"> = {
          resourceId: lb.id,
          pointer: join(f.ptr, "properties", "gatewayLoadBalancer"),
          label: "gateway chain",
        };
        const data = { frontend: f.name, lb: lb.name };
        const g = f.gatewayFrontend;
        if (!g) {
          const gwId = parentResourceId(f.gatewayLoadBalancerId);
          const why = gapReason(model, [gwId], ["loadBalancers.list"]);
          report({
            ...base,
            status: "unknown",
            messageId: "missing",
            data: { ...data, gatewayFrontend: `${nameOf(gwId)}/${nameOf(f.gatewayLoadBalancerId)}`, detail: why ? ` (${why})` : "" },
            evidence: [chainEv],
          });
          continue;
        }
        const gw = g.lb;
        const gdata = { ...data, gateway: gw.name };
        const rules = gw.rules.filter((r) => r.frontend === g);
        const members: PoolMember[] = [];
        for (const r of rules) for (const m of r.pool?.members ?? []) if (!members.includes(m)) members.push(m);
        const gwEv: Omit<Evidence, "value"> = { resourceId: gw.id, pointer: g.ptr, label: "gateway frontend" };
        const commands = [`az network lb address-pool list --resource-group ${sh(rgOf(gw.id))} --lb-name ${sh(gw.name)} --output table`];
        if (rules.length === 0 || members.length === 0) {
          const what =
            rules.length === 0
              ? `frontend ${g.name} has no load-balancing rule`
              : `pool(s) ${rules.map((r) => r.pool?.name ?? "?").join(", ")} hold no appliance`;
          report({
            ...base,
            status: "fail",
            messageId: "empty",
            data: { ...gdata, what },
            evidence: [chainEv, gwEv, ...rules.map((r) => ({ resourceId: gw.id, pointer: r.ptr, label: "gateway rule" }))],
            remediation: {
              summary: `Add the network virtual appliances to ${gw.name}'s backend pool (with an HA-ports rule on ${g.name}).`,
              commands,
            },
          });
          continue;
        }
        // an appliance set to admin state Down takes no new flows whatever its VM's state (on probed rules: admin-state-overview)
        const probed = rules.some((r) => r.probeId);
        const powers = members.map((m) => {
          const p = memberPower(model, gw, m);
          if (p.state === "down" || !probed || m.adminState?.toLowerCase() !== "down") return { m, p };
          const ev = m.adminStatePtr ? [{ resourceId: gw.id, pointer: m.adminStatePtr, label: `admin state of ${memberName(m)}` }] : [];
          return { m, p: { ...p, state: "down" as const, detail: "admin state Down", evidence: [...p.evidence, ...ev] }, adminDown: true };
        });
        const up = powers.filter((x) => x.p.state === "up");
        const list = powers.map((x) => `${memberName(x.m)}: ${x.p.detail}`).join("; ");
        const evidence = [chainEv, ...powers.flatMap((x) => x.p.evidence)];
        if (up.length > 0) {
          report({
            ...base,
            status: "pass",
            messageId: "someUp",
            data: { ...gdata, up: up.length, total: members.length, members: list },
            evidence,
          });
        } else if (powers.every((x) => x.p.state === "down")) {
          const starts = powers.flatMap((x) => (x.p.vm && !("adminDown" in x) ? [azVmStart(x.p.vm)] : []));
          const adminDown = powers.filter((x) => "adminDown" in x).map((x) => memberName(x.m));
          report({
            ...base,
            status: "fail",
            messageId: "allDown",
            data: { ...gdata, members: list },
            evidence,
            remediation: {
              summary:
                `Start the appliances behind ${gw.name} (or add running ones to its pool).` +
                (adminDown.length > 0
                  ? ` ${adminDown.join(", ")} ${adminDown.length > 1 ? "are" : "is"} set to admin state Down: set it back to None (the address list below names it).`
                  : ""),
              commands: [...starts, ...commands],
            },
          });
        } else {
          report({ ...base, status: "unknown", messageId: "undetermined", data: { ...gdata, members: list }, evidence });
        }
      }
    }
  },
});
