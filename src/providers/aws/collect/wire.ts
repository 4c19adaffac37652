/** What the AWS collector needs besides the SDK calls: operation names, SDK output → the snapshot's JSON, and error classification. */
import { InputError } from "../../../core/errors.ts";

export type Rec = Record<string, unknown>;

/** IAM-style operation names, so a gap names the permission it needed. */
export const OP = {
  lbs: "elasticloadbalancing:DescribeLoadBalancers",
  lbAttrs: "elasticloadbalancing:DescribeLoadBalancerAttributes",
  listeners: "elasticloadbalancing:DescribeListeners",
  rules: "elasticloadbalancing:DescribeRules",
  tgs: "elasticloadbalancing:DescribeTargetGroups",
  tgAttrs: "elasticloadbalancing:DescribeTargetGroupAttributes",
  health: "elasticloadbalancing:DescribeTargetHealth",
  tags: "elasticloadbalancing:DescribeTags",
  sgs: "ec2:DescribeSecurityGroups",
  instances: "ec2:DescribeInstances",
  subnets: "ec2:DescribeSubnets",
  nacls: "ec2:DescribeNetworkAcls",
  rts: "ec2:DescribeRouteTables",
  asgs: "autoscaling:DescribeAutoScalingGroups",
} as const;

export const arr = (v: unknown): Rec[] => (Array.isArray(v) ? (v as Rec[]) : []);
export const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
export const uniq = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];

/** SDK v3 output → the JSON `aws … --output json` prints: no `$metadata`, dates as ISO strings, no undefined members. */
export function toWire<T = unknown>(v: unknown): T {
  if (v instanceof Date) return v.toISOString() as T;
  if (Array.isArray(v)) return v.map((x) => toWire(x)) as T;
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === "$metadata" || x === undefined) continue;
      out[k] = toWire(x);
    }
    return out as T;
  }
  return v as T;
}

export interface AwsErrorInfo {
  /** the service's error code (`Throttling`, `AccessDenied` …) or the JS error's name */
  code: string | undefined;
  status: number | undefined;
  message: string;
}

export function errorInfo(e: unknown): AwsErrorInfo {
  const err = e as { name?: string; Code?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const code = err?.Code ?? err?.name ?? err?.code;
  const status = err?.$metadata?.httpStatusCode;
  const message = (err?.message ?? String(e)).split("\n")[0] || code || "failed";
  return { code, status, message };
}

/** Codes AWS answers when the credentials themselves are bad, and the SDK's own credential-chain failures. */
const AUTH_CODES = new Set([
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "UnrecognizedClientException",
  "AuthFailure",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidAccessKeyId",
  "IncompleteSignature",
  "MissingAuthenticationToken",
  "InvalidToken",
  "CredentialsProviderError",
  "TokenProviderError",
]);

export function isAuthError(info: AwsErrorInfo): boolean {
  return info.code !== undefined && (AUTH_CODES.has(info.code) || /CredentialsProviderError|TokenProvider/i.test(info.code));
}

/** Errors from the network rather than from AWS (nothing answered). */
export function isNetworkError(e: unknown): boolean {
  const err = e as { code?: string; name?: string; $metadata?: { httpStatusCode?: number } };
  if (err?.$metadata?.httpStatusCode) return false;
  return (
    /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)$/.test(String(err?.code ?? "")) ||
    err?.name === "TimeoutError"
  );
}

/** The SDK found no credentials at all (its credential chain came up empty, or a named profile does not exist). */
export function isMissingCredentials(e: unknown): boolean {
  const err = e as { name?: string; message?: string };
  return (
    err?.name === "CredentialsProviderError" ||
    /Could not load credentials from any providers|profile .* (could not be found|not found)/i.test(String(err?.message ?? ""))
  );
}

/** A network failure anywhere in an error's cause chain (a credential provider wraps the one it met). */
function networkCode(e: unknown): string | undefined {
  for (let x = e as { code?: unknown; cause?: unknown; message?: unknown } | undefined, i = 0; x && i < 6; i++) {
    const code = String(x.code ?? "");
    if (/^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)$/.test(code)) return code;
    const m = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)\b/.exec(String(x.message ?? ""));
    if (m) return m[1];
    x = x.cause as typeof x;
  }
  return undefined;
}

/**
 * Why a call failed on the credentials, told apart: none found (the SDK's chain is empty), the network
 * unreachable while loading them, or AWS refusing them. Undefined: not a credential problem.
 */
export function credentialError(operation: string, e: unknown, hint: string): InputError | undefined {
  const info = errorInfo(e);
  if (isMissingCredentials(e)) {
    const net = networkCode(e);
    if (net) return new InputError(`could not load AWS credentials: the network is unreachable (${net}) while ${info.message}`, hint);
    return new InputError(`no AWS credentials found: ${info.message}`, hint);
  }
  if (isAuthError(info)) return new InputError(`AWS rejected the credentials (${operation}): ${info.message}`, hint);
  return undefined;
}
