/**
 * The opt-in guest check on AWS (`--guest`): the same read-only script as on
 * Azure, sent to each running instance through Systems Manager Run Command
 * (`AWS-RunShellScript`: `ss` listening sockets and connections; on Windows
 * `AWS-RunPowerShellScript`: `netstat -an`), one SendCommand per instance,
 * then GetCommandInvocation until the invocation ends. Needs
 * `ssm:SendCommand` (on the instances and the two AWS-owned documents) and
 * `ssm:GetCommandInvocation`, and instances that SSM manages (agent running,
 * instance profile). A failure is a gap on the instance, never a crash: the
 * rules that read the guest data then say so.
 */

import { GUEST_SCRIPT, parseSsOutput } from "../../../core/guest/ss-output.ts";
import type { Gap, GuestObservation } from "../../../core/snapshot/types.ts";
import { errorInfo } from "./wire.ts";

/** IAM-style names of the two calls (what a gap's `operation` says: the permission it needed). */
export const GUEST_OPS = { send: "ssm:SendCommand", get: "ssm:GetCommandInvocation" } as const;

/** The permission the guest check needs, for help texts and errors. */
export const GUEST_PERMISSION =
  "ssm:SendCommand on the instances and on the documents AWS-RunShellScript / AWS-RunPowerShellScript, and ssm:GetCommandInvocation";

export interface GuestScript {
  documentName: "AWS-RunShellScript" | "AWS-RunPowerShellScript";
  commands: string[];
}

/** What runs on an instance: `ss` on Linux, `netstat -an` on Windows (both parsed by parseSsOutput). */
export function guestScript(windows: boolean): GuestScript {
  return windows
    ? { documentName: "AWS-RunPowerShellScript", commands: ["netstat -an"] }
    : { documentName: "AWS-RunShellScript", commands: GUEST_SCRIPT };
}

const TERMINAL = new Set(["Success", "Cancelled", "TimedOut", "Failed"]);

/** The slice of the SSM client the check uses (the real SSMClient, or a test double). */
export interface SsmLike {
  send(command: unknown): Promise<unknown>;
}

export interface GuestDeps {
  client: SsmLike;
  /** the SDK module's command classes */
  SendCommandCommand: new (
    input: Record<string, unknown>,
  ) => unknown;
  GetCommandInvocationCommand: new (input: Record<string, unknown>) => unknown;
  /** the collector's concurrency bound */
  limit: <T>(run: () => Promise<T>) => Promise<T>;
  addGap: (gap: Gap) => void;
  onCall?: (operation: string) => void;
  /** between reads of an invocation (default 1000 ms) */
  pollMs?: number;
  /** how long one instance may take, delivery included (default 60 s) */
  timeoutMs?: number;
}

export interface GuestInstance {
  id: string;
  windows: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs the guest script on each instance; returns what each printed, parsed, by instance id. */
export async function runGuestChecks(instances: GuestInstance[], deps: GuestDeps): Promise<Record<string, GuestObservation>> {
  const out: Record<string, GuestObservation> = {};
  const pollMs = deps.pollMs ?? 1000;
  const timeoutMs = deps.timeoutMs ?? 60_000;
  const gap = (operation: string, instanceId: string, e: unknown, fallback?: string) => {
    const info = errorInfo(e);
    const g: Gap = { operation, resourceId: instanceId, message: fallback ?? info.message };
    if (info.status) g.status = info.status;
    if (info.code && fallback === undefined) g.code = info.code;
    deps.addGap(g);
  };
  await Promise.all(
    instances.map(async (inst) => {
      const script = guestScript(inst.windows);
      let commandId: string | undefined;
      try {
        const r = (await deps.limit(() =>
          deps.client.send(
            new deps.SendCommandCommand({
              DocumentName: script.documentName,
              InstanceIds: [inst.id],
              Parameters: { commands: script.commands },
              TimeoutSeconds: Math.max(30, Math.ceil(timeoutMs / 1000)),
              Comment: "lbdoctor --guest: read-only listening sockets and connections",
            }),
          ),
        )) as { Command?: { CommandId?: string } };
        deps.onCall?.(GUEST_OPS.send);
        commandId = r.Command?.CommandId;
      } catch (e) {
        gap(GUEST_OPS.send, inst.id, e);
        return;
      }
      if (!commandId) {
        gap(GUEST_OPS.send, inst.id, undefined, "SendCommand returned no command id");
        return;
      }
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await sleep(pollMs);
        let inv: { Status?: string; StatusDetails?: string; StandardOutputContent?: string; StandardErrorContent?: string };
        try {
          inv = (await deps.limit(() =>
            deps.client.send(new deps.GetCommandInvocationCommand({ CommandId: commandId, InstanceId: inst.id })),
          )) as typeof inv;
          deps.onCall?.(GUEST_OPS.get);
        } catch (e) {
          // right after SendCommand the invocation may not exist yet
          if (errorInfo(e).code === "InvocationDoesNotExist" && Date.now() < deadline) continue;
          gap(GUEST_OPS.get, inst.id, e);
          return;
        }
        const status = inv.Status ?? "";
        if (TERMINAL.has(status)) {
          if (status === "Success") out[inst.id] = parseSsOutput(inv.StandardOutputContent ?? "");
          else {
            const err = (inv.StandardErrorContent ?? "").split("\n")[0]?.trim();
            gap(
              GUEST_OPS.get,
              inst.id,
              undefined,
              `the guest script ended ${status}${inv.StatusDetails && inv.StatusDetails !== status ? ` (${inv.StatusDetails})` : ""}${err ? `: ${err}` : ""}`,
            );
          }
          return;
        }
        if (Date.now() >= deadline) {
          gap(
            GUEST_OPS.get,
            inst.id,
            undefined,
            `the guest script did not finish within ${Math.round(timeoutMs / 1000)} s (status ${status || "unknown"}); is the SSM agent running on the instance?`,
          );
          return;
        }
      }
    }),
  );
  return out;
}
