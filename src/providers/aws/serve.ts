/** The AWS emulator behind `lbdoctor emulator`: AWS snapshots served as the ELBv2, EC2 and Auto Scaling Query APIs over HTTP on 127.0.0.1. */
import { InputError } from "../../core/errors.ts";
import type { EmulatorOptions, RunningEmulator } from "../../core/provider.ts";
import type { Snapshot } from "../../core/snapshot/types.ts";
import { sh } from "../../core/util/shell.ts";
import type { AwsSnapshot } from "./wire-types.ts";

export async function serveAws(snapshots: Snapshot[], opts: EmulatorOptions): Promise<RunningEmulator> {
  if (opts.lroMs !== undefined || opts.lroRetryAfterSeconds !== undefined)
    throw new InputError(
      `${opts.lroMs !== undefined ? "--lro-ms" : "--lro-retry-after"} applies to Azure snapshots; the AWS APIs served have no long-running operations`,
    );
  const aws = snapshots as AwsSnapshot[];
  const { startAwsEmulator } = await import("./emulator/index.ts");
  const emu = await startAwsEmulator({
    snapshots: aws,
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.pageSize !== undefined ? { pageSize: opts.pageSize } : {}),
    ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
    ...(opts.accessKeyId ? { accessKeyId: opts.accessKeyId } : {}),
    ...(opts.throttle ? { throttle: true } : {}),
  });
  const first = aws[0];
  const region = first?.scope.region ?? "us-east-1";
  const name = first?.elbv2.LoadBalancers[0]?.LoadBalancerName;
  const lb = typeof name === "string" ? name : undefined;
  return {
    name: "AWS emulator",
    url: emu.url,
    howTo: [
      "Point lbdoctor (or the aws CLI) at it from another terminal:",
      `  export LBDOCTOR_AWS_ENDPOINT=${sh(emu.url)} AWS_ENDPOINT_URL=${sh(emu.url)} AWS_ACCESS_KEY_ID=${sh(opts.accessKeyId ?? "AKIDEMULATOR")} AWS_SECRET_ACCESS_KEY=emulator AWS_EC2_METADATA_DISABLED=true`,
      `  npx lbdoctor check --provider aws --region ${sh(region)}${lb ? ` ${sh(lb)}` : ""}`,
      `  aws elbv2 describe-load-balancers --region ${sh(region)} --endpoint-url ${sh(emu.url)}`,
    ],
    check: { target: lb, options: { provider: "aws", region, awsEndpoint: emu.url } },
    counts: () => emu.counts(),
    total: () => emu.total(),
    close: () => emu.close(),
  };
}
