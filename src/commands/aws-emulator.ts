/** `lbdoctor aws-emulator`: the AWS Query-protocol emulator serving snapshots on 127.0.0.1, for trying lbdoctor without an AWS account. */
import { InputError } from "../core/errors.ts";
import type { IO } from "../core/io.ts";
import { loadSnapshotFile } from "../core/snapshot/load.ts";
import { type AwsSnapshot, isAwsSnapshot } from "../providers/aws/wire-types.ts";

function num(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new InputError(`--${name} must be a number from ${min} to ${max}`);
  return n;
}

export async function runAwsEmulator(
  opts: { snapshot: string[]; port?: string; pageSize?: string; latency?: string; accessKeyId?: string },
  io: IO,
): Promise<number> {
  const snapshots: AwsSnapshot[] = opts.snapshot.map((p) => {
    const s = loadSnapshotFile(p);
    if (!isAwsSnapshot(s)) throw new InputError(`${p} is not an AWS snapshot`, "`lbdoctor emulator` serves Azure snapshots.");
    return s;
  });
  const port = num(opts.port, "port", 0, 65535);
  const pageSize = num(opts.pageSize, "page-size", 1, 1000);
  const latencyMs = num(opts.latency, "latency", 0, 60_000);
  const { startAwsEmulator } = await import("../providers/aws/emulator/index.ts");
  const emu = await startAwsEmulator({
    snapshots,
    ...(port !== undefined ? { port } : {}),
    ...(pageSize !== undefined ? { pageSize } : {}),
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    ...(opts.accessKeyId ? { accessKeyId: opts.accessKeyId } : {}),
  });
  const first = snapshots[0];
  const region = first?.scope.region ?? "us-east-1";
  const lb = first?.elbv2.LoadBalancers[0]?.LoadBalancerName;
  io.out(
    [
      `AWS emulator listening on ${emu.url} (127.0.0.1 only), serving ${opts.snapshot.join(", ")}`,
      "Point lbdoctor (or the aws CLI) at it from another terminal:",
      `  export LBDOCTOR_AWS_ENDPOINT=${emu.url} AWS_ENDPOINT_URL=${emu.url} AWS_ACCESS_KEY_ID=${opts.accessKeyId ?? "AKIDEMULATOR"} AWS_SECRET_ACCESS_KEY=emulator AWS_EC2_METADATA_DISABLED=true`,
      `  npx lbdoctor check --provider aws --region ${region}${lb ? ` ${lb}` : ""}`,
      `  aws elbv2 describe-load-balancers --region ${region} --endpoint-url ${emu.url}`,
      "Ctrl-C stops it.",
      "",
    ].join("\n"),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  const counts = emu.counts();
  await emu.close();
  io.err(
    `served ${emu.total()} requests: ${Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}\n`,
  );
  return 0;
}
