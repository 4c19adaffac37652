/**
 * The AWS live-collection flags that are refused when given an empty value (`--role-arn "$ROLE"` with ROLE unset):
 * read as absent, each would widen or change the run (the caller's own account, the default region or profile).
 * One list, read by both live entry points: check's collector (collect/acquire.ts) and the TUI's live source
 * (live-source.ts).
 */
import { InputError } from "../../core/errors.ts";
import { commaList, type LiveOptions, refuseEmpty } from "../../core/live.ts";

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

/** An AWS region's name: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `us-isob-east-1`, `cn-north-1`. */
const REGION_NAME = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/**
 * `--region`'s regions (comma-separated), lower-cased: AWS names regions in lower case, and a region written
 * `US-EAST-1` would otherwise reach the snapshot's scope and every printed `--region` of a fix command as typed.
 * A value that is no region's name is refused (exit 2) rather than sent as an endpoint host.
 */
export function awsRegions(value: string | undefined): string[] {
  const regions = [...new Set(commaList(value).map((r) => r.toLowerCase()))];
  const bad = regions.find((r) => !REGION_NAME.test(r));
  if (bad !== undefined) {
    throw new InputError(
      `--region ${JSON.stringify(bad)} is not an AWS region name`,
      "A region is named like us-east-1 or eu-central-2 (aws ec2 describe-regions --query 'Regions[].RegionName').",
    );
  }
  return regions;
}
