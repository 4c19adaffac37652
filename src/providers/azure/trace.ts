/** `lbdoctor trace` for Azure: Network Watcher's IP flow verify, offline, for any flow, layer by layer through the NSGs. */

import { InputError } from "../../core/errors.ts";
import type { IO } from "../../core/io.ts";
import type { TraceOptions } from "../../core/provider.ts";
import { noWorkflowCommands, safeJson, sanitize } from "../../core/report/sanitize.ts";
import { styles } from "../../core/util/ansi.ts";
import { parsePort, sameAddress, unbracket } from "../../core/util/ip.ts";
import { type AzureModel, buildAzureModel, type IpConfig } from "./model.ts";
import { AZURE_PROBE_SOURCE, evaluateFlow, type Flow, type FlowSource, isAddressLike, type LayerVerdict, sourceWithAsgs } from "./nsg.ts";
import type { AzureSnapshot } from "./wire-types.ts";

type Model = AzureModel;

function findIpConfig(model: Model, what: string): IpConfig | undefined {
  const w = what.toLowerCase();
  const vm = model.vms.find((v) => v.name.toLowerCase() === w || v.key === w);
  const nic = vm?.nics[0] ?? model.nics.find((n) => n.name.toLowerCase() === w || n.key === w);
  if (nic) return nic.ipConfigs.find((c) => c.primary) ?? nic.ipConfigs[0];
  for (const c of model.byKey.ipConfig.values()) if (sameAddress(c.privateIp, what)) return c;
  return undefined;
}

function candidates(model: Model): string {
  const names = [...model.vms.map((v) => v.name), ...model.nics.filter((n) => !n.vm).map((n) => n.name)];
  return names.length > 0 ? `VMs and NICs in the snapshot: ${names.slice(0, 20).join(", ")}` : "The snapshot holds no VMs or NICs.";
}

function parseSource(model: Model, written: string): { source: FlowSource; label: string } {
  const from = unbracket(written);
  const lower = from.toLowerCase();
  if (lower === "internet") return { source: { kind: "tag", tag: "Internet" }, label: "Internet (any client)" };
  if (lower === "virtualnetwork")
    return { source: { kind: "tag", tag: "VirtualNetwork" }, label: "VirtualNetwork (any address in the VNet space)" };
  if (lower === "azureloadbalancer")
    return { source: { kind: "ip", ip: AZURE_PROBE_SOURCE }, label: `AzureLoadBalancer (${AZURE_PROBE_SOURCE}, the probe source)` };
  if (isAddressLike(from) && !from.includes("/")) return { source: { kind: "ip", ip: from }, label: from };
  const c = findIpConfig(model, from);
  if (c?.privateIp) return { source: { kind: "ip", ip: c.privateIp, asgKeys: c.asgKeys }, label: `${from} (${c.privateIp})` };
  throw new InputError(`--from '${from}' is not an IP address, a service tag or a VM/NIC in the snapshot`, candidates(model));
}

export function parseTarget(model: Model, to: string): { ipConfig: IpConfig; port: number; destinationIp: string } {
  const i = to.lastIndexOf(":");
  if (i <= 0) throw new InputError(`--to '${to}' must be <vm|nic|ip>:<port>, e.g. vm1:80`);
  const port = parsePort(to.slice(i + 1));
  if (port === undefined) throw new InputError(`--to '${to}': '${to.slice(i + 1)}' is not a port (1-65535)`);
  const who = unbracket(to.slice(0, i));
  const ipConfig = findIpConfig(model, who);
  if (!ipConfig) throw new InputError(`--to '${who}' is not a VM, NIC or private IP in the snapshot`, candidates(model));
  if (!ipConfig.privateIp) throw new InputError(`${who} has no private IP address in the snapshot`);
  return { ipConfig, port, destinationIp: isAddressLike(who) ? who : ipConfig.privateIp };
}

export function traceAzure(snapshot: AzureSnapshot, opts: TraceOptions, io: IO): number {
  if (opts.lb) throw new InputError("--lb is for AWS snapshots; an Azure trace evaluates the NSGs of the target's subnet and NIC");
  const model = buildAzureModel(snapshot);
  const parsed = parseSource(model, opts.from);
  const target = parseTarget(model, opts.to);
  const { source, holder } = sourceWithAsgs(model, parsed.source, target.ipConfig);
  const label =
    holder && parsed.label === unbracket(opts.from)
      ? `${parsed.label} (nic ${holder.nic.name}, ip configuration ${holder.name})`
      : parsed.label;
  const protocol = (opts.protocol[0]?.toUpperCase() + opts.protocol.slice(1)) as Flow["protocol"];
  const flow: Flow = { direction: "Inbound", protocol, source, destinationIp: target.destinationIp, destinationPort: target.port };
  const verdict = evaluateFlow(model, target.ipConfig, flow, { ignoreEffective: opts.effective === false });
  const code = verdict.verdict === "allow" ? 0 : 1;

  if (opts.format === "json") {
    io.out(`${safeJson({ flow, target: { nic: target.ipConfig.nic.id, ipConfiguration: target.ipConfig.id }, ...verdict })}\n`);
    return code;
  }
  const c = styles(opts.color === true);
  const nic = target.ipConfig.nic;
  const who = `${nic.vm?.name ?? nic.name} (nic ${nic.name}, ${target.destinationIp})`;
  const out: string[] = [];
  out.push(`${c.bold("Flow")}: ${sanitize(label)} → ${sanitize(who)} port ${target.port}/${opts.protocol}, inbound`);
  out.push(
    c.gray(
      `Evaluated from ${verdict.basis === "effective-nsg" ? "effective security rules (observed)" : "the NSG resources in the snapshot"}`,
    ),
  );
  const word = (v: string) => (v === "allow" ? c.green("ALLOW") : v === "deny" ? c.red("DENY") : c.magenta("UNKNOWN"));
  verdict.layers.forEach((l: LayerVerdict, n) => {
    const where = l.layer === "subnet" ? `subnet ${sanitize(target.ipConfig.subnet?.name ?? "?")}` : `NIC ${sanitize(nic.name)}`;
    const nsg = l.nsgName ? `NSG ${sanitize(l.nsgName)}` : "no NSG";
    const by = l.deciding
      ? ` by ${sanitize(l.deciding.name)} (priority ${l.deciding.priority}${l.deciding.isDefault ? ", default rule" : ""})`
      : "";
    out.push(`  ${n + 1}. ${where} · ${nsg}: ${word(l.verdict)}${by}`);
    if (l.deciding) out.push(c.gray(`       ${sanitize(l.deciding.ptr)}`));
    for (const p of l.partial)
      out.push(c.gray(`       partly matched: ${sanitize(p.name)} (priority ${p.priority}, ${p.access}): ${sanitize(p.note ?? "")}`));
    for (const a of l.ambiguous)
      out.push(c.magenta(`       may match: ${sanitize(a.name)} (priority ${a.priority}, ${a.access}): ${sanitize(a.note ?? "")}`));
    if (l.reason && !l.deciding) out.push(c.gray(`       ${sanitize(l.reason)}`));
  });
  out.push(`${c.bold("Verdict")}: ${word(verdict.verdict)}${verdict.reason ? c.gray(` (${sanitize(verdict.reason)})`) : ""}`);
  // rule and NSG names form no CI workflow command
  io.out(noWorkflowCommands(`${out.join("\n")}\n`));
  return code;
}
