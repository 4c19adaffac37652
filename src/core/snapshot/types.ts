/** The wire types of `lbdoctor.snapshot/v1`. See docs/snapshot.md. */
export const SNAPSHOT_SCHEMA = "lbdoctor.snapshot/v1";

export interface Gap {
  /** The API operation that failed, e.g. `networkInterfaces.listEffectiveNetworkSecurityGroups`. */
  operation: string;
  resourceId?: string;
  status?: number;
  code?: string;
  message: string;
}

export interface GuestObservation {
  listening?: Array<{ protocol: "tcp" | "udp"; port: number; address?: string }>;
  connections?: Array<{ remote: string; local?: string; state?: string }>;
}

export type ProviderId = "azure" | "aws";

/**
 * The envelope every snapshot shares. What lies beside it is the provider's
 * own (Azure: `resources`; AWS: `elbv2`, `ec2`, `autoscaling`), typed in
 * `src/providers/<provider>/wire-types.ts`.
 */
export interface Snapshot {
  schema: typeof SNAPSHOT_SCHEMA;
  provider: ProviderId;
  collectedAt: string;
  tool?: { name?: string; version?: string };
  redacted?: boolean;
  description?: string;
  scope: Record<string, unknown>;
  observations?: Record<string, Record<string, unknown> | undefined>;
  gaps?: Gap[];
}
