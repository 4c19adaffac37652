/**
 * What the AWS rules read from inside an instance: the guest observation of
 * `observations.guest` (keyed by instance id: what listens, which connections
 * are open), the `--from` names, and the SSM commands that look at the same
 * things on a live instance.
 */
import type { GuestObservation } from "../../core/snapshot/types.ts";
import { awsArg, ps, sh as shQuote } from "../../core/util/shell.ts";
import type { AwsModel, Instance, ModelGap } from "./model.ts";
import { gapsFor } from "./model.ts";

export interface GuestData {
  ptr: string;
  body: GuestObservation;
}

export function guestOf(model: AwsModel, inst: Instance | undefined): GuestData | undefined {
  return inst ? model.observations.guest.get(inst.key) : undefined;
}

/** A failed in-instance check for this instance (a gap whose operation names SSM or the guest check). */
export function guestGap(model: AwsModel, inst: Instance | undefined): ModelGap | undefined {
  if (!inst) return undefined;
  return gapsFor(model, [inst.id]).find((g) => /ssm|send-?command|guest/i.test(g.operation));
}

/** "10.0.1.5:80", "[fd00::1]:443" → ip and port. */
export function parseEndpoint(text: string): { ip: string; port: number } | undefined {
  const t = text.trim();
  const i = t.lastIndexOf(":");
  if (i <= 0) return undefined;
  const port = Number(t.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  return { ip: t.slice(0, i).replace(/^\[|\]$/g, ""), port };
}

export interface Listening {
  /** something listens on the port on an address the load balancer can reach */
  reachable: boolean;
  /** only on a loopback address */
  loopbackOnly: boolean;
  /** the index of the matching entries in `listening` */
  indexes: number[];
}

const LOOPBACK = /^(127\.|::1$|localhost$)/;

/** What the guest check saw listening on a TCP port (undefined: it reported no listening list). */
export function listeningOn(g: GuestObservation, port: number): Listening | undefined {
  if (!g.listening) return undefined;
  const indexes: number[] = [];
  g.listening.forEach((l, i) => {
    if (l.protocol === "tcp" && l.port === port) indexes.push(i);
  });
  const addrs = indexes.map((i) => g.listening?.[i]?.address ?? "0.0.0.0");
  const reachable = addrs.some((a) => !LOOPBACK.test(a));
  return { reachable, loopbackOnly: indexes.length > 0 && !reachable, indexes };
}

/** Does a `--from` entry (an instance id or its Name tag) name this instance? */
export function fromNames(entry: string, inst: Instance): boolean {
  const e = entry.trim().toLowerCase();
  return e === inst.key || e === inst.name.toLowerCase();
}

export function isWindows(inst: Instance): boolean {
  return String(inst.raw.Platform ?? inst.raw.PlatformDetails ?? "")
    .toLowerCase()
    .startsWith("windows");
}

/** `aws ssm send-command` running shell lines on the instance (AWS-RunShellScript, or AWS-RunPowerShellScript on Windows). */
export function ssmCommand(inst: Instance, lines: string[]): string {
  const doc = isWindows(inst) ? "AWS-RunPowerShellScript" : "AWS-RunShellScript";
  const params = JSON.stringify({ commands: lines });
  return `aws ssm send-command --instance-ids ${awsArg(inst.id)} --document-name ${doc} --parameters ${awsArg(params)}`;
}

/** One line that prints the HTTP code a URL answers, from the instance itself (as the health checker asks it: by IP address). */
export function httpCodeLine(inst: Instance, url: string): string {
  const insecure = url.startsWith("https:");
  return isWindows(inst)
    ? `try { (Invoke-WebRequest -UseBasicParsing -Uri ${ps(url)}).StatusCode } catch { $_.Exception.Response.StatusCode.value__ }`
    : `curl -s${insecure ? "k" : ""} -o /dev/null -m 5 -w "%{http_code}\\n" ${shQuote(url)}`;
}

/** What listens on a port, what the host firewall does, and (with a URL) what the port answers, on the instance itself. */
export function listenerCheckLines(inst: Instance, port: number, url?: string): string[] {
  if (isWindows(inst)) {
    return [
      `Get-NetTCPConnection -State Listen -LocalPort ${port}`,
      `Get-NetFirewallRule -Direction Inbound -Enabled True | Get-NetFirewallPortFilter | Where-Object LocalPort -eq ${port}`,
      ...(url ? [httpCodeLine(inst, url)] : []),
    ];
  }
  return [
    `ss -ltnp "sport = :${port}"`,
    "sudo iptables -S INPUT; sudo nft list ruleset 2>/dev/null | head -50",
    ...(url ? [httpCodeLine(inst, url)] : []),
  ];
}
