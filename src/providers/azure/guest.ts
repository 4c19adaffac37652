/**
 * Guest observations (the opt-in `--guest` run-command check): what a VM
 * listens on and which connections it holds, plus the `az` commands that let a
 * user look for themselves.
 */
import type { GuestObservation } from "../../core/snapshot/types.ts";
import { idKey, nameOf } from "./arm-id.ts";
import { type AzureModel, gapsFor, type ModelGap, type Vm } from "./model.ts";
import { cidrContains } from "./nsg.ts";
import { rgOf, sh } from "./rule-helpers.ts";

export function guestFor(model: AzureModel, vm: Vm | undefined): { ptr: string; body: GuestObservation } | undefined {
  return vm ? model.observations.guest.get(vm.key) : undefined;
}

/** A collection gap saying the guest check failed on this VM (run-command error, VM agent down…). */
export function guestGap(model: AzureModel, vm: Vm | undefined): ModelGap | undefined {
  if (!vm) return undefined;
  return gapsFor(model, [vm.id]).find((g) => /runcommand|run-command|guest/i.test(g.operation));
}

export function osTypeOf(vm: Vm): "Linux" | "Windows" | undefined {
  const p = vm.raw.properties as { storageProfile?: { osDisk?: { osType?: unknown } } } | undefined;
  const os = String(p?.storageProfile?.osDisk?.osType ?? "").toLowerCase();
  return os === "windows" ? "Windows" : os === "linux" ? "Linux" : undefined;
}

export function isStopped(vm: Vm | undefined): boolean {
  return vm?.powerState === "deallocated" || vm?.powerState === "stopped" || vm?.powerState === "deallocating";
}

/** `az vm run-command invoke` (or the VMSS form) running one script on the VM. */
export function runCommand(vm: Vm, script: string, windows = osTypeOf(vm) === "Windows"): string {
  const target =
    vm.kind === "vmss-instance" && vm.vmssId
      ? `az vmss run-command invoke --resource-group ${sh(rgOf(vm.id))} --name ${sh(nameOf(vm.vmssId))} --instance-id ${sh(nameOf(vm.id))}`
      : `az vm run-command invoke --resource-group ${sh(rgOf(vm.id))} --name ${sh(vm.name)}`;
  return `${target} --command-id ${windows ? "RunPowerShellScript" : "RunShellScript"} --scripts ${sh(script)}`;
}

/** Commands that list what the VM listens on: `ss -ltn` on Linux, `netstat -an` on Windows (both when the OS is unknown). */
export function listenerCommands(vm: Vm, protocol: "tcp" | "udp" = "tcp"): string[] {
  const os = osTypeOf(vm);
  const linux = runCommand(vm, protocol === "udp" ? "ss -lun" : "ss -ltn", false);
  const windows = runCommand(vm, "netstat -an", true);
  return os === "Windows" ? [windows] : os === "Linux" ? [linux] : [linux, windows];
}

/** Commands that show the guest firewall. */
export function firewallCommands(vm: Vm): string[] {
  const os = osTypeOf(vm);
  const linux = runCommand(vm, "sudo iptables -S INPUT; sudo nft list ruleset 2>/dev/null | head -50; sudo ufw status 2>/dev/null", false);
  const windows = runCommand(vm, "Get-NetFirewallProfile | Format-Table Name,Enabled,DefaultInboundAction", true);
  return os === "Windows" ? [windows] : os === "Linux" ? [linux] : [linux, windows];
}

const ANY_ADDRESS = new Set(["", "*", "0.0.0.0", "::", "[::]", "0.0.0.0/0"]);

function bare(address: string): string {
  const a = address.trim();
  return a.startsWith("[") && a.endsWith("]") ? a.slice(1, -1) : a;
}

export function isLoopback(address: string): boolean {
  const a = bare(address);
  return a === "::1" || a.toLowerCase() === "localhost" || cidrContains("127.0.0.0/8", a);
}

/** Does a listener bound to `address` accept traffic sent to `destinationIp`? */
export function listenerAccepts(address: string | undefined, destinationIp: string | undefined): boolean {
  if (address === undefined || ANY_ADDRESS.has(bare(address))) return true;
  return destinationIp !== undefined && bare(address) === destinationIp;
}

/** Parses `10.1.0.100:8080` or `[fd00::1]:443` into address and port. */
export function parseEndpoint(text: string): { ip: string; port: number } | undefined {
  const t = text.trim();
  const i = t.lastIndexOf(":");
  if (i <= 0) return undefined;
  const port = Number(t.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  return { ip: bare(t.slice(0, i)), port };
}

/** Does a `--from` entry (a VM name or id) name this VM? */
export function fromNames(entry: string, vm: Vm): boolean {
  const e = entry.trim();
  if (e.includes("/")) return idKey(e) === vm.key;
  return e.toLowerCase() === vm.name.toLowerCase();
}
