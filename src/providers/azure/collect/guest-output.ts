/**
 * The guest check's text on Azure: the shared `ss` format (src/core/guest)
 * and the Run Command message that wraps it.
 */
export * from "../../../core/guest/ss-output.ts";

/** The run-command `message` of a Linux `RunShellScript` that printed `stdout`. */
export function runCommandMessage(stdout: string, stderr = ""): string {
  return `Enable succeeded: \n[stdout]\n${stdout}\n[stderr]\n${stderr}`;
}
