/**
 * The AWS live-collection flags that are refused when given an empty value (`--role-arn "$ROLE"` with ROLE unset):
 * read as absent, each would widen or change the run (the caller's own account, the default region or profile).
 * One list, read by both live entry points: check's collector (collect/acquire.ts) and the TUI's live source
 * (live-source.ts).
 */
import { type LiveOptions, refuseEmpty } from "../../core/live.ts";

/** Each flag, with the option it sets. */
export const AWS_NON_EMPTY_FLAGS = [
  ["--region", "region"],
  ["--role-arn", "roleArn"],
  ["--role-name", "roleName"],
  ["--profile", "profile"],
] as const satisfies ReadonlyArray<readonly [string, keyof LiveOptions]>;

/** Throws an InputError (exit 2) naming the first AWS flag given an empty value. */
export function refuseEmptyAwsFlags(opts: LiveOptions): void {
  refuseEmpty(Object.fromEntries(AWS_NON_EMPTY_FLAGS.map(([flag, key]) => [flag, opts[key]])));
}
