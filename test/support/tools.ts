/**
 * Tests that need an external tool (xmllint, tmux, the aws CLI). On a
 * developer's machine a missing tool skips them with the reason; in CI
 * (CI=true), where the workflow installs every tool, a missing one FAILS:
 * a check that quietly stops running is worse than a red build.
 */
import assert from "node:assert/strict";
import { it, type TestContext } from "node:test";

export const IN_CI = process.env.CI === "true" || process.env.CI === "1";

/**
 * For `describe(…, { skip: needTool(…) })`: false when the tool is there; else the reason to skip, and in CI
 * also one failing test that names the missing tool.
 */
export function needTool(tool: string, available: boolean, reason: string): string | false {
  if (available) return false;
  if (IN_CI) it(`${tool} is installed (CI=true: a missing tool fails instead of skipping)`, () => assert.fail(reason));
  return reason;
}

/** Inside a test: skip it with the reason, or in CI fail it. */
export function skipOrFail(t: TestContext, reason: string): void {
  if (IN_CI) assert.fail(`${reason} (CI=true: a missing tool fails instead of skipping)`);
  t.skip(reason);
}
