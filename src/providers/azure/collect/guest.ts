/**
 * The opt-in guest check (`--guest`): a read-only script run through Run
 * Command on pool-member VMs. It lists listening sockets and established
 * connections, nothing else. Needs Microsoft.Compute/virtualMachines/runCommand/action.
 * What it prints is parsed by guest-output.ts.
 */
import type { GuestObservation } from "../../../core/snapshot/types.ts";
import { GUEST_SCRIPT, parseSsOutput } from "./guest-output.ts";

export interface RunCommandInput {
  commandId: "RunShellScript" | "RunPowerShellScript";
  script: string[];
}

export function guestScript(os: "Linux" | "Windows"): RunCommandInput {
  if (os === "Windows") return { commandId: "RunPowerShellScript", script: ["netstat -an"] };
  return { commandId: "RunShellScript", script: GUEST_SCRIPT };
}

/** Parses the Run Command message: `ss` sections on Linux, `netstat -an` on Windows. */
export function parseGuestOutput(message: string): GuestObservation {
  return parseSsOutput(message);
}
