/**
 * Synthetic multi-region, multi-account AWS tenants for the emulator (tests, bench/aws.ts): snapshots
 * copied into another account and region, with every id and name made unique per copy, as AWS's would be.
 */
import { createHash } from "node:crypto";
import type { AwsSnapshot } from "../wire-types.ts";

const hex = (seed: string, n: number) => createHash("sha256").update(seed).digest("hex").slice(0, n);

/**
 * A copy of `snapshot` in `account` and `region`: ARNs, availability zones and `scope.region` moved; EC2 ids,
 * ARN ids and load balancer / target group names made unique by `tag` (same tag, same result).
 */
export function relocate(snapshot: AwsSnapshot, account: string, region: string, tag: string): AwsSnapshot {
  const fromRegion = String(
    snapshot.scope.region ??
      /^arn:[^:]*:[^:]*:([^:]+):/.exec(String(snapshot.elbv2.LoadBalancers[0]?.LoadBalancerArn ?? ""))?.[1] ??
      "us-east-1",
  );
  let text = JSON.stringify(snapshot);
  // names: load balancers and target groups (they are in their ARNs too)
  const names = new Set<string>();
  for (const lb of snapshot.elbv2.LoadBalancers) names.add(String(lb.LoadBalancerName));
  for (const tg of snapshot.elbv2.TargetGroups ?? []) names.add(String(tg.TargetGroupName));
  for (const n of names) {
    const short = `${n.slice(0, 32 - tag.length - 1)}-${tag}`;
    text = text.replaceAll(`"${n}"`, `"${short}"`).replaceAll(`/${n}/`, `/${short}/`);
  }
  // ARN resource ids (16 hex), account and region
  text = text.replace(
    /(loadbalancer|targetgroup|listener|listener-rule)\/((?:[^/"]+\/)*)([0-9a-f]{16})/g,
    (_m, kind, mid, id) => `${kind}/${mid}${hex(`${tag}${id}`, 16)}`,
  );
  text = text.replace(/(arn:aws[\w-]*:[\w-]+:)([\w-]*):(\d{12}):/g, (_m, head, r) => `${head}${r ? region : ""}:${account}:`);
  // EC2 ids
  text = text.replace(
    /\b(i|sg|subnet|acl|rtb|vpc|eni|igw|nat|aclassoc|rtbassoc|sgr)-([0-9a-f]{8,17})\b/g,
    (_m, kind, id) => `${kind}-${hex(`${tag}${kind}${id}`, id.length)}`,
  );
  // availability zones and the region itself
  text = text.replaceAll(`"${fromRegion}`, `"${region}`).replaceAll(`${fromRegion}.elb.amazonaws.com`, `${region}.elb.amazonaws.com`);
  const out = JSON.parse(text) as AwsSnapshot;
  out.scope = { ...out.scope, region };
  return out;
}

/** Several snapshots of one account and region → one (what the emulator serves as that partition). */
export function combine(parts: AwsSnapshot[], region: string): AwsSnapshot {
  const first = parts[0] as AwsSnapshot;
  const out: AwsSnapshot = structuredClone({
    ...first,
    scope: { region },
    elbv2: { LoadBalancers: [] },
    ec2: {},
    autoscaling: { AutoScalingGroups: [] },
    gaps: [],
  });
  for (const p of parts) {
    const elbv2 = out.elbv2 as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(p.elbv2)) {
      const cur = elbv2[k];
      elbv2[k] = Array.isArray(v) ? [...((cur as unknown[]) ?? []), ...v] : { ...((cur as object) ?? {}), ...(v as object) };
    }
    for (const [k, v] of Object.entries(p.ec2 ?? {})) {
      const ec2 = out.ec2 as Record<string, unknown[]>;
      ec2[k] = [...(ec2[k] ?? []), ...(v as unknown[])];
    }
    out.autoscaling?.AutoScalingGroups?.push(...(p.autoscaling?.AutoScalingGroups ?? []));
  }
  delete out.observations;
  return out;
}

/**
 * A tenant: `accounts` × `regions` partitions, each `copies` copies of every snapshot in `base`.
 * Returns the partition snapshots (one per account and region) to serve.
 */
export function awsTenant(base: AwsSnapshot[], accounts: string[], regions: string[], copies: number): AwsSnapshot[] {
  const out: AwsSnapshot[] = [];
  for (const account of accounts) {
    for (const region of regions) {
      const parts: AwsSnapshot[] = [];
      base.forEach((b, bi) => {
        for (let c = 0; c < copies; c++) parts.push(relocate(b, account, region, hex(`${account}${region}${bi}.${c}`, 6)));
      });
      out.push(combine(parts, region));
    }
  }
  return out;
}
