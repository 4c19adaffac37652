import { InputError } from "./errors.ts";

/** The command line's live-collection flags (check, snapshot, tui); each provider adapter reads its own. */
export interface LiveOptions {
  /** one, or several comma-separated (a repeated --subscription joins them): read through Resource Graph when no resource group is named */
  subscription?: string;
  /** Resource Graph over every readable subscription */
  allSubscriptions?: boolean;
  /** Resource Graph path: rule health and effective NSGs through ARM too */
  deep?: boolean;
  armBudget?: string;
  argBudget?: string;
  tenant?: string;
  endpoint?: string;
  caFile?: string;
  concurrency?: string | number;
  effectiveNsg?: boolean;
  guest?: boolean;
  quiet?: boolean;
  /** LRO poll interval (the demo polls its local emulator fast) */
  pollIntervalMs?: number;
  /** which cloud to collect from (default azure) */
  provider?: "azure" | "aws";
  /** AWS: region, named profile, and one endpoint for all services (LBDOCTOR_AWS_ENDPOINT) */
  region?: string;
  profile?: string;
  awsEndpoint?: string;
  /** AWS: every region enabled for the account(s) (EC2 DescribeRegions) */
  allRegions?: boolean;
  /** AWS: assume this role (STS AssumeRole) and collect in its account */
  roleArn?: string;
  /** AWS: these accounts (comma-separated ids), each through --role-name */
  accounts?: string;
  roleName?: string;
  /** time data (metrics, changes, audit events) over this window: a duration back from now (`6h`) */
  since?: string;
  /** or an explicit window (RFC 3339) */
  windowFrom?: string;
  windowUntil?: string;
  /** collect time data even without a window flag (the timeline command: default --since 6h) */
  timeData?: boolean;
  /** the resolved window (set by acquireSnapshot from the flags above); collectors read time data over it */
  window?: { from: string; until: string };
}

/**
 * A comma-separated flag value (`--region a,b`, `--accounts`, several targets) as its non-empty, trimmed items, each
 * once (`--region us-east-1,us-east-1` collected the region twice and merged it with itself).
 */
export function commaList(v: string | undefined): string[] {
  return [
    ...new Set(
      (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

/** A flag given an empty value (`--role-arn "$ROLE"` with ROLE unset) is refused: read as absent, it would widen or change the run. */
export function refuseEmpty(flags: Record<string, string | undefined>): void {
  for (const [flag, value] of Object.entries(flags)) {
    if (value !== undefined && value.trim() === "") throw new InputError(`${flag} is empty`, "Give it a value, or leave the flag out.");
  }
}

export function parseConcurrency(v: string | number | undefined): number {
  if (v === undefined) return 12;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InputError(`--concurrency must be a whole number from 1 to 64, not '${v}'`);
  return n;
}
