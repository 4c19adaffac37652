/**
 * Systems Manager Run Command in the AWS emulator, over SSM's own protocol:
 * AWS JSON 1.1 on the same endpoint (`POST /`, `content-type:
 * application/x-amz-json-1.1`, the operation in `x-amz-target:
 * AmazonSSM.<Operation>`), errors as `{"__type": "<Code>", "message": …}`.
 *
 * SendCommand accepts `AWS-RunShellScript` / `AWS-RunPowerShellScript` for
 * running instances of the snapshot; what an instance "prints" is the
 * snapshot's `observations.guest[instanceId]` rendered as the guest script's
 * `ss` output (no observation: both sections empty, as on Azure). An
 * invocation answers `InProgress` to its first `pendingPolls` reads, then
 * `Success`, so a collector's polling is exercised.
 */
import { randomUUID } from "node:crypto";
import { EmulatorError as JsonError } from "../../../core/emulator/http.ts";
import { renderSsOutput } from "../../../core/guest/ss-output.ts";
import type { AwsStore, Rec } from "./store.ts";

/** An SSM error answer (the emulators' one error type). */
export { JsonError };

interface Invocation {
  commandId: string;
  instanceId: string;
  documentName: string;
  comment: string;
  requestedAt: number;
  reads: number;
  stdout: string;
  stderr: string;
  responseCode: number;
}

const DOCUMENTS = new Set(["AWS-RunShellScript", "AWS-RunPowerShellScript"]);
const PLUGINS: Record<string, string> = {
  "AWS-RunShellScript": "aws:runShellScript",
  "AWS-RunPowerShellScript": "aws:runPowerShellScript",
};

export interface SsmEmulator {
  handle(operation: string, body: Rec): Rec;
  has(operation: string): boolean;
}

export function createSsm(store: AwsStore, opts: { pendingPolls?: number } = {}): SsmEmulator {
  const pendingPolls = Math.max(0, opts.pendingPolls ?? 1);
  const invocations = new Map<string, Invocation>();
  const key = (commandId: string, instanceId: string) => `${commandId}|${instanceId}`;
  const instance = (id: string) => store.instances.find((i) => i.InstanceId === id);

  const status = (inv: Invocation) => (inv.reads <= pendingPolls ? "InProgress" : inv.responseCode === 0 ? "Success" : "Failed");

  const ops: Record<string, (b: Rec) => Rec> = {
    SendCommand(b) {
      const documentName = typeof b.DocumentName === "string" ? b.DocumentName : "";
      if (!DOCUMENTS.has(documentName)) throw new JsonError(400, "InvalidDocument", `Document ${documentName || "(none)"} does not exist`);
      const ids = Array.isArray(b.InstanceIds) ? b.InstanceIds.filter((x): x is string => typeof x === "string") : [];
      if (ids.length === 0) throw new JsonError(400, "ValidationException", "InstanceIds or Targets must be specified");
      if (ids.length > 50) throw new JsonError(400, "ValidationException", "Member must have length less than or equal to 50");
      const params = (b.Parameters ?? {}) as Rec;
      if (!Array.isArray(params.commands) || params.commands.length === 0)
        throw new JsonError(400, "InvalidParameters", "Parameter commands is required");
      const bad = ids.filter((id) => (instance(id)?.State as Rec | undefined)?.Name !== "running");
      if (bad.length > 0)
        throw new JsonError(400, "InvalidInstanceId", `Instances [[${bad.join(", ")}]] not in a valid state for account ${store.account}`);
      const commandId = randomUUID();
      const now = Date.now() / 1000;
      const comment = typeof b.Comment === "string" ? b.Comment : "";
      for (const id of ids) {
        const inst = instance(id);
        const stdout = renderSsOutput(
          store.guest.get(id),
          typeof inst?.PrivateIpAddress === "string" ? { localIp: inst.PrivateIpAddress } : {},
        );
        invocations.set(key(commandId, id), {
          commandId,
          instanceId: id,
          documentName,
          comment,
          requestedAt: now,
          reads: 0,
          stdout,
          stderr: "",
          responseCode: 0,
        });
      }
      const timeout = typeof b.TimeoutSeconds === "number" ? b.TimeoutSeconds : 3600;
      return {
        Command: {
          CommandId: commandId,
          DocumentName: documentName,
          DocumentVersion: "$DEFAULT",
          Comment: comment,
          ExpiresAfter: now + timeout,
          Parameters: params,
          InstanceIds: ids,
          Targets: [],
          RequestedDateTime: now,
          Status: "Pending",
          StatusDetails: "Pending",
          TargetCount: ids.length,
          CompletedCount: 0,
          ErrorCount: 0,
          DeliveryTimedOutCount: 0,
          TimeoutSeconds: timeout,
          MaxConcurrency: "50",
          MaxErrors: "0",
        },
      };
    },
    GetCommandInvocation(b) {
      const commandId = String(b.CommandId ?? "");
      const instanceId = String(b.InstanceId ?? "");
      if (!/^[0-9a-f-]{36}$/.test(commandId)) throw new JsonError(400, "InvalidCommandId", "Invalid command id");
      const inv = invocations.get(key(commandId, instanceId));
      if (!inv)
        throw new JsonError(400, "InvocationDoesNotExist", "An invocation with the given command id and instance id does not exist");
      inv.reads++;
      const st = status(inv);
      const done = st !== "InProgress";
      const started = new Date(inv.requestedAt * 1000).toISOString();
      return {
        CommandId: inv.commandId,
        InstanceId: inv.instanceId,
        Comment: inv.comment,
        DocumentName: inv.documentName,
        DocumentVersion: "$DEFAULT",
        PluginName: PLUGINS[inv.documentName],
        ResponseCode: done ? inv.responseCode : -1,
        ExecutionStartDateTime: started,
        ExecutionElapsedTime: done ? "PT0.05S" : "",
        ExecutionEndDateTime: done ? started : "",
        Status: st,
        StatusDetails: st,
        StandardOutputContent: done ? inv.stdout : "",
        StandardOutputUrl: "",
        StandardErrorContent: done ? inv.stderr : "",
        StandardErrorUrl: "",
        CloudWatchOutputConfig: { CloudWatchLogGroupName: "", CloudWatchOutputEnabled: false },
      };
    },
    ListCommandInvocations(b) {
      const commandId = typeof b.CommandId === "string" ? b.CommandId : undefined;
      const instanceId = typeof b.InstanceId === "string" ? b.InstanceId : undefined;
      const list = [...invocations.values()].filter(
        (i) => (!commandId || i.commandId === commandId) && (!instanceId || i.instanceId === instanceId),
      );
      return {
        CommandInvocations: list.map((inv) => ({
          CommandId: inv.commandId,
          InstanceId: inv.instanceId,
          InstanceName: "",
          Comment: inv.comment,
          DocumentName: inv.documentName,
          DocumentVersion: "$DEFAULT",
          RequestedDateTime: inv.requestedAt,
          Status: status(inv),
          StatusDetails: status(inv),
          ...(b.Details === true
            ? {
                CommandPlugins: [
                  {
                    Name: PLUGINS[inv.documentName],
                    Status: status(inv),
                    StatusDetails: status(inv),
                    ResponseCode: inv.responseCode,
                    Output: inv.stdout,
                  },
                ],
              }
            : {}),
        })),
      };
    },
  };

  return {
    has: (operation) => Object.hasOwn(ops, operation),
    handle: (operation, body) => (ops[operation] as (b: Rec) => Rec)(body),
  };
}
