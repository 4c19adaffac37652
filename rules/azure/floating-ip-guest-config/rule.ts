import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { join } from "../../../src/core/util/json-pointer.ts";
import {
  guestFor,
  guestGap,
  isLoopback,
  isStopped,
  listenerAccepts,
  listenerCommands,
  osTypeOf,
  runCommand,
} from "../../../src/providers/azure/guest.ts";
import { type AzureModel, lbFrontendIp, type Vm } from "../../../src/providers/azure/model.ts";
import { isAddressLike } from "../../../src/providers/azure/nsg.ts";
import { memberLabel, memberResourceId, memberSubjects, placeholder, ps, rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

/**
 * Commands that put the frontend IP on a loopback interface (and, on Windows, turn on weak host send/receive). The IP is
 * quoted for the guest's shell (the script runs there as root), and left for the user to fill in when it is not known.
 */
function loopbackCommands(vm: Vm, frontendIp: string | undefined, port: number, protocol: string): string[] {
  const os = osTypeOf(vm);
  const linuxIp = frontendIp ? sh(`${frontendIp}/32`) : `${placeholder("frontend-ip")}/32`;
  const windowsIp = frontendIp ? ps(frontendIp) : placeholder("frontend-ip");
  const linux = runCommand(vm, `sudo ip addr add ${linuxIp} dev lo && ip addr show dev lo`, false);
  const proto = protocol.toLowerCase() === "udp" ? "UDP" : "TCP";
  const windows = runCommand(
    vm,
    [
      `$lb = Get-NetAdapter | Where-Object { $_.InterfaceDescription -like '*Loopback*' } | Select-Object -First 1`,
      `if (-not $lb) { throw 'add a Microsoft KM-TEST Loopback Adapter first' }`,
      `New-NetIPAddress -InterfaceIndex $lb.ifIndex -IPAddress ${windowsIp} -PrefixLength 32`,
      `netsh interface ipv4 set interface $lb.ifIndex weakhostreceive=enabled weakhostsend=enabled`,
      `netsh interface ipv4 set interface (Get-NetAdapter | Where-Object { $_.Status -eq 'Up' -and $_.ifIndex -ne $lb.ifIndex } | Select-Object -First 1).ifIndex weakhostreceive=enabled weakhostsend=enabled`,
      `New-NetFirewallRule -DisplayName 'lb-floating-ip-${port}' -Direction Inbound -Protocol ${proto} -LocalPort ${port} -Action Allow`,
    ].join("; "),
    true,
  );
  return os === "Windows" ? [windows] : os === "Linux" ? [linux] : [linux, windows];
}

export default defineRule<AzureModel>({
  id: "azure/floating-ip-guest-config",
  provider: "azure",
  severity: "high",
  title: "Floating IP rule, but the guest does not accept the frontend IP",
  reads: ["azure:loadBalancers", "azure:nics", "azure:vms", "azure:guest"],
  explains: ["azure/port-not-listening"],
  description:
    "With floating IP (`enableFloatingIP: true`, direct server return) the load balancer does not rewrite the destination: packets reach the " +
    "backend addressed to the frontend IP. The guest must hold that IP on a loopback interface, the application must listen on it (or on every " +
    "address), Windows must allow weak host send and receive on the interfaces, and the host firewall must open the port. Floating IP is " +
    "required when several rules reuse one backend port (multiple frontends). If the application only listens on the NIC's own address, the " +
    "load-balanced connections are dropped in the guest while the probe, which targets the NIC's address, keeps the member Up. " +
    "The check needs the opt-in guest data (`--guest`), which lists what each VM listens on; without it the result is unknown. " +
    "Rules that Kubernetes (cloud-provider-azure, AKS) creates use floating IP by design and kube-proxy handles the frontend IP, so they are not judged.",
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-floating-ip",
      title: "Azure Load Balancer Floating IP configuration",
    },
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-multivip-overview",
      title: "Multiple frontends for Azure Load Balancer",
    },
    {
      url: "https://kubernetes-sigs.github.io/cloud-provider-azure/topics/loadbalancer/",
      title: "Azure LoadBalancer (cloud-provider-azure)",
    },
  ],
  references: [
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-floating-ip",
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-multivip-overview",
  ],
  messages: {
    notOnFrontend:
      "Rule {{rule}} of {{lb}} uses floating IP, so packets reach {{member}} addressed to the frontend IP {{frontendIp}}:{{port}}, but it listens on {{port}}/{{protocol}} only on {{addresses}}: load-balanced connections are dropped in the guest.",
    notListening:
      "Rule {{rule}} of {{lb}} uses floating IP (frontend IP {{frontendIp}}), but nothing on {{member}} listens on {{port}}/{{protocol}}, neither on the frontend IP nor on every address.",
    accepts:
      "{{member}} listens on {{port}}/{{protocol}} at {{address}}, which accepts packets for the floating frontend IP {{frontendIp}} of rule {{rule}} (the IP must also sit on a loopback interface; guest data does not show interfaces).",
    noGuest:
      "Rule {{rule}} of {{lb}} uses floating IP; whether {{member}} accepts the frontend IP {{frontendIp}} needs guest data{{detail}}: run with --guest.",
    stopped: "{{member}} is {{power}}: no guest to check for rule {{rule}}.",
    kubernetes:
      "Rule {{rule}} of {{lb}} uses floating IP because Kubernetes (cloud-provider-azure) creates it so; kube-proxy accepts the frontend IP on every node.",
    noFloating: "No load-balancing rule of {{lb}} uses floating IP.",
    noFrontendIp:
      "Rule {{rule}} of {{lb}} uses floating IP, but the address of its frontend {{frontendIp}} is not in the snapshot, so whether {{member}}'s listeners on {{port}}/{{protocol}} ({{addresses}}) accept it is not known.",
  },
  remediation:
    "On each backend: add the frontend IP to a loopback interface (Linux: `ip addr add <frontend-ip>/32 dev lo`; Windows: a loopback adapter with " +
    "the frontend IP, and `netsh interface ipv4 set interface <if> weakhostreceive=enabled weakhostsend=enabled` on it and on the NIC), make the " +
    "application listen on the frontend IP or on every address, and open the port in the guest firewall. If floating IP is not needed (each rule " +
    "has its own backend port), turn it off on the rule instead.",
  check({ model, report }) {
    for (const lb of model.loadBalancers) {
      const floating = lb.rules.filter((r) => r.enableFloatingIP);
      if (floating.length === 0) {
        if (lb.rules.length > 0) {
          report({ status: "pass", resourceId: lb.id, loadBalancerId: lb.id, key: "none", messageId: "noFloating", data: { lb: lb.name } });
        }
        continue;
      }
      for (const rule of floating) {
        const ruleEv = { resourceId: lb.id, pointer: join(rule.ptr, "properties", "enableFloatingIP"), label: "floating IP" };
        // the address packets arrive with; when the snapshot lacks it, only the frontend's name is shown
        const address = lbFrontendIp(rule.frontend);
        const knownIp = address !== undefined && isAddressLike(address) ? address : undefined;
        const frontendIp = knownIp ?? rule.frontend?.name ?? "(frontend)";
        const protocol = rule.protocol.toLowerCase() === "udp" ? "udp" : "tcp";
        const port = rule.backendPort;
        const data = { rule: rule.name, lb: lb.name, frontendIp, port, protocol };
        if (rule.kubernetes) {
          report({
            status: "not-applicable",
            resourceId: rule.id,
            loadBalancerId: lb.id,
            key: rule.name,
            messageId: "kubernetes",
            data,
            evidence: [ruleEv],
          });
          continue;
        }
        for (const member of rule.pool?.members ?? []) {
          const vm = member.vm;
          const base = {
            resourceId: memberResourceId(member),
            loadBalancerId: lb.id,
            key: `${rule.name}|${member.key}`,
            subjects: memberSubjects(member),
          };
          const mdata = { ...data, member: memberLabel(member) };
          if (vm && isStopped(vm)) {
            report({
              ...base,
              status: "not-applicable",
              messageId: "stopped",
              data: { ...mdata, power: vm.powerState ?? "stopped" },
              evidence: [ruleEv],
            });
            continue;
          }
          const guest = guestFor(model, vm);
          if (!vm || !guest) {
            const gap = guestGap(model, vm);
            const detail = !vm ? " (no VM behind it in the snapshot)" : gap ? ` (the guest check failed: ${gap.message})` : "";
            report({ ...base, status: "unknown", messageId: "noGuest", data: { ...mdata, detail }, evidence: [ruleEv] });
            continue;
          }
          const listeners = (guest.body.listening ?? []).filter(
            (l) => l.port === port && (rule.protocol.toLowerCase() === "all" || l.protocol === protocol),
          );
          const ok = listeners.find((l) => listenerAccepts(l.address, knownIp));
          const guestEv = { resourceId: vm.id, pointer: join(guest.ptr, "listening"), label: "guest listeners" };
          if (ok) {
            report({
              ...base,
              status: "pass",
              messageId: "accepts",
              data: { ...mdata, address: ok.address && ok.address !== "" ? ok.address : "every address" },
              evidence: [ruleEv, guestEv],
            });
            continue;
          }
          const addresses = [...new Set(listeners.map((l) => l.address ?? "*"))].join(", ");
          // the VM's own NIC addresses and loopback are never the frontend IP: a socket bound there refuses its traffic
          const own = new Set(vm.nics.flatMap((n) => n.ipConfigs.map((c) => c.privateIp)).filter((x): x is string => !!x));
          if (member.ip) own.add(member.ip);
          const maybeFrontend = listeners.some(
            (l) => !isLoopback(l.address ?? "") && !own.has((l.address ?? "").trim().replace(/^\[(.*)\]$/, "$1")),
          );
          if (maybeFrontend && !knownIp) {
            // bound to some address that may be the frontend's: not decidable without it
            report({ ...base, status: "unknown", messageId: "noFrontendIp", data: { ...mdata, addresses }, evidence: [ruleEv, guestEv] });
            continue;
          }
          const commands = [...loopbackCommands(vm, knownIp, port, protocol), ...listenerCommands(vm, protocol)];
          // a frontend's name is no address: without the address, the summary says which one to look up
          const shownIp = knownIp ?? `the IP address of frontend ${rule.frontend?.name ?? "(frontend)"} (not in the snapshot)`;
          report({
            ...base,
            status: "fail",
            messageId: listeners.length > 0 ? "notOnFrontend" : "notListening",
            data: { ...mdata, addresses },
            evidence: [ruleEv, guestEv],
            remediation: {
              summary:
                `Put ${shownIp} on a loopback interface of ${vm.name} and make the application listen on ${knownIp ? `${knownIp}:${port}` : `it (port ${port})`} or on every address ` +
                `(0.0.0.0 / ::), then open ${port}/${protocol} in the guest firewall. If floating IP is not needed, turn it off: ` +
                `az network lb rule update --resource-group ${sh(rgOf(lb.id))} --lb-name ${sh(lb.name)} --name ${sh(rule.name)} --floating-ip false`,
              commands,
            },
          });
        }
      }
    }
  },
});
