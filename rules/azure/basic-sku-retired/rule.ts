import { defineRule } from "../../../src/core/engine/define-rule.ts";
import { join } from "../../../src/core/util/json-pointer.ts";
import { nameOf, parseArmId } from "../../../src/providers/azure/arm-id.ts";
import { reportListGaps } from "../../../src/providers/azure/compute-helpers.ts";
import type { AzureModel, Frontend, IpConfig, LoadBalancer, PublicIp } from "../../../src/providers/azure/model.ts";
import { ps, rgOf, sh } from "../../../src/providers/azure/rule-helpers.ts";

const RETIRED = "30 September 2025";

function lbCommands(lb: LoadBalancer): string[] {
  const rg = sh(rgOf(lb.id));
  const name = sh(lb.name);
  return [
    `az network lb show --resource-group ${rg} --name ${name} --query "{sku:sku.name, frontends:frontendIPConfigurations[].name, pools:backendAddressPools[].name, rules:loadBalancingRules[].name, natRules:inboundNatRules[].name}" --output json`,
    `az network public-ip list --resource-group ${rg} --query "[?sku.name=='Basic'].{name:name, ip:ipAddress, allocation:publicIPAllocationMethod, attachedTo:ipConfiguration.id}" --output table`,
    "Install-Module -Name AzureBasicLoadBalancerUpgrade -Scope CurrentUser -Repository PSGallery -Force",
    // PowerShell (Azure Cloud Shell): quoted for PowerShell
    `Start-AzBasicLoadBalancerUpgrade -ResourceGroupName ${ps(rgOf(lb.id))} -BasicLoadBalancerName ${ps(lb.name)} -validateScenarioOnly`,
    `Start-AzBasicLoadBalancerUpgrade -ResourceGroupName ${ps(rgOf(lb.id))} -BasicLoadBalancerName ${ps(lb.name)}`,
  ];
}

interface Attachment {
  text: string;
  frontend?: Frontend;
  ipConfig?: IpConfig;
  /** the ipConfiguration id the public IP reports, when it names something that is neither */
  otherId?: string;
}

/** What a public IP is attached to: the PIP's own `ipConfiguration`, or a frontend or NIC in the snapshot that references it. */
function attachment(model: AzureModel, pip: PublicIp): Attachment {
  const frontend = model.loadBalancers.flatMap((lb) => lb.frontends).find((f) => f.publicIp === pip);
  if (frontend) return { text: `the frontend ${frontend.name} of ${frontend.lb.name}`, frontend };
  const ipConfig = [...model.byKey.ipConfig.values()].find((c) => c.publicIp === pip);
  if (ipConfig)
    return { text: `on ${ipConfig.nic.name}/${ipConfig.name}${ipConfig.nic.vm ? ` of VM ${ipConfig.nic.vm.name}` : ""}`, ipConfig };
  const ref = (pip.raw.properties?.ipConfiguration as { id?: unknown } | undefined)?.id;
  if (typeof ref === "string") {
    const p = parseArmId(ref);
    return { text: `attached to ${p.segments[0] ?? "resource"}/${p.segments[1] ?? nameOf(ref)}`, otherId: ref };
  }
  return { text: "not attached to anything in the snapshot" };
}

function pipFix(pip: PublicIp, at: Attachment): { summary: string; commands: string[] } {
  const rg = sh(rgOf(pip.id));
  const name = sh(pip.name);
  const show = `az network public-ip show --resource-group ${rg} --name ${name} --query "{sku:sku.name, ip:ipAddress, allocation:publicIPAllocationMethod, attachedTo:ipConfiguration.id}" --output json`;
  if (at.frontend) {
    return {
      summary: `${pip.name} is the frontend of ${at.frontend.lb.name}; Start-AzBasicLoadBalancerUpgrade upgrades it to Standard (static) together with the load balancer.`,
      commands: [show],
    };
  }
  const vm = at.ipConfig?.nic.vm;
  if (vm && vm.kind === "vm") {
    return {
      summary:
        `Upgrade the Basic public IPs of ${vm.name} with Microsoft's AzureVMPublicIPUpgrade module (PowerShell): it keeps the addresses, ` +
        "and since Standard public IPs are closed to inbound traffic unless an NSG allows it, check the VM's NSG first. Run with -WhatIf first.",
      commands: [
        show,
        "Install-Module -Name AzureVMPublicIPUpgrade -Scope CurrentUser -Repository PSGallery -Force",
        `Start-VMPublicIPUpgrade -VMName ${ps(vm.name)} -ResourceGroupName ${ps(rgOf(vm.id))} -WhatIf`,
        `Start-VMPublicIPUpgrade -VMName ${ps(vm.name)} -ResourceGroupName ${ps(rgOf(vm.id))}`,
      ],
    };
  }
  if (at.ipConfig || at.otherId) {
    return {
      summary: `${pip.name} is ${at.text}: dissociate it (or follow that service's Basic-to-Standard guidance), make it static, then upgrade it in place; the address is kept.`,
      commands: [show],
    };
  }
  return {
    summary: `${pip.name} is not attached: make it static (if it is not) and upgrade it in place; a static address is kept. If nothing needs it, delete it instead.`,
    commands: [
      show,
      ...(pip.allocation?.toLowerCase() === "static"
        ? []
        : [`az network public-ip update --resource-group ${rg} --name ${name} --allocation-method Static`]),
      `az network public-ip update --resource-group ${rg} --name ${name} --sku Standard`,
    ],
  };
}

export default defineRule<AzureModel>({
  id: "azure/basic-sku-retired",
  provider: "azure",
  severity: "high",
  reads: ["azure:loadBalancers", "azure:publicIps"],
  title: "Basic SKU load balancer or public IP (retired)",
  description:
    `Basic SKU load balancers and Basic SKU public IP addresses were retired on ${RETIRED}. ` +
    "They no longer have support or an SLA, and Basic lacks what Standard gives: availability zones, HTTPS probes, IP-based pools, outbound rules. " +
    "A load balancer's SKU is `sku.name`; a load balancer without `sku` is Basic. A public IP without `sku` in the snapshot is unknown rather than guessed. " +
    "The SKU cannot be changed in place: `az network lb` has no SKU update, so migration means Microsoft's upgrade module (which builds a Standard load balancer " +
    "with the same configuration and upgrades its public IPs) or recreating it as Standard. " +
    "Standard is secure by default (NSGs must allow inbound traffic) and gives backends no default outbound access, so plan outbound rules or a NAT gateway. " +
    "Severity is high: the resource is past end of life; the rule reads no clock, the date has passed.",
  citations: [
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/load-balancer-basic-upgrade-guidance",
      title: "Upgrading from Basic Load Balancer - Guidance",
    },
    {
      url: "https://learn.microsoft.com/en-us/azure/load-balancer/upgrade-basic-standard-with-powershell",
      title: "Upgrade a basic load balancer with PowerShell",
    },
  ],
  references: [
    "https://learn.microsoft.com/azure/load-balancer/load-balancer-basic-upgrade-guidance",
    "https://learn.microsoft.com/azure/load-balancer/upgrade-basic-standard-with-powershell",
    "https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-basic-upgrade-guidance",
    "https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-upgrade-cli",
  ],
  messages: {
    basicLb: `Load balancer {{lb}} is Basic SKU{{how}}; Basic Load Balancer was retired on ${RETIRED} and runs without support or SLA.`,
    basicPip: `Public IP {{pip}}{{addr}}, {{attached}}, is Basic SKU; Basic public IPs were retired on ${RETIRED}.`,
    standardLb: "Load balancer {{lb}} is {{sku}} SKU.",
    standardPip: "Public IP {{pip}} is {{sku}} SKU.",
    pipNoSku: "Public IP {{pip}} has no sku in the snapshot, so whether it is a retired Basic address is unknown.",
    listGap: "{{operation}} failed ({{reason}}), so Basic SKU resources may go unseen.",
  },
  remediation:
    "Upgrade to Standard: for a load balancer, validate and run Start-AzBasicLoadBalancerUpgrade (PowerShell module AzureBasicLoadBalancerUpgrade), " +
    "or recreate it as Standard; for a VM's public IPs, Start-VMPublicIPUpgrade (module AzureVMPublicIPUpgrade); for an unattached public IP, " +
    "`az network public-ip update --sku Standard` once it is static. Plan downtime, NSG rules and outbound connectivity before you start.",
  check({ model, report }) {
    reportListGaps(model, report, "listGap", ["loadBalancers.list", "publicIPAddresses.list"]);
    for (const lb of model.loadBalancers) {
      const skuPtr = lb.raw.sku?.name !== undefined ? join(lb.ptr, "sku", "name") : join(lb.ptr, "sku");
      const evidence = [{ resourceId: lb.id, pointer: skuPtr, label: lb.raw.sku?.name !== undefined ? "sku" : "sku (absent: Basic)" }];
      if (lb.sku.toLowerCase() !== "basic") {
        report({
          status: "pass",
          resourceId: lb.id,
          loadBalancerId: lb.id,
          messageId: "standardLb",
          data: { lb: lb.name, sku: lb.sku },
          evidence,
        });
        continue;
      }
      report({
        status: "fail",
        resourceId: lb.id,
        loadBalancerId: lb.id,
        messageId: "basicLb",
        data: { lb: lb.name, how: lb.raw.sku?.name === undefined ? " (the resource has no sku, which means Basic)" : "" },
        evidence,
        remediation: {
          summary:
            `Migrate ${lb.name} to a Standard load balancer; its SKU cannot be changed in place. Inspect it, then validate and run Microsoft's upgrade module ` +
            "(the Install-Module and Start-AzBasicLoadBalancerUpgrade lines run in PowerShell, e.g. Azure Cloud Shell). It recreates the load balancer as Standard, " +
            "upgrades its frontend public IPs and moves the backends; expect a short outage. Afterwards make sure NSGs allow the load-balanced ports " +
            "(Standard is closed by default) and that backends have outbound access (outbound rules or a NAT gateway).",
          commands: lbCommands(lb),
        },
      });
    }
    for (const pip of model.publicIps) {
      const at = attachment(model, pip);
      const lbId = at.frontend?.lb.id;
      const base = {
        resourceId: pip.id,
        ...(lbId ? { loadBalancerId: lbId } : {}),
        subjects: [pip.id, ...(at.ipConfig ? [at.ipConfig.id] : [])],
      };
      if (pip.sku === undefined) {
        report({
          ...base,
          status: "unknown",
          messageId: "pipNoSku",
          data: { pip: pip.name },
          evidence: [{ resourceId: pip.id, pointer: join(pip.ptr, "sku"), label: "sku (absent)" }],
        });
        continue;
      }
      const evidence = [{ resourceId: pip.id, pointer: join(pip.ptr, "sku", "name"), label: "sku" }];
      if (pip.sku.toLowerCase() !== "basic") {
        report({ ...base, status: "pass", messageId: "standardPip", data: { pip: pip.name, sku: pip.sku }, evidence });
        continue;
      }
      const attachedPtr = at.ipConfig
        ? { resourceId: at.ipConfig.nic.id, pointer: join(at.ipConfig.ptr, "properties", "publicIPAddress"), label: "attached to" }
        : at.frontend
          ? { resourceId: at.frontend.lb.id, pointer: join(at.frontend.ptr, "properties", "publicIPAddress"), label: "attached to" }
          : undefined;
      report({
        ...base,
        status: "fail",
        messageId: "basicPip",
        data: { pip: pip.name, addr: pip.ipAddress ? ` (${pip.ipAddress})` : "", attached: at.text },
        evidence: [...evidence, ...(attachedPtr ? [attachedPtr] : [])],
        remediation: pipFix(pip, at),
      });
    }
  },
});
