import type { ProviderAdapter } from "../../core/provider.ts";
import type { Snapshot } from "../../core/snapshot/types.ts";
import { awsArg, withFlag } from "../../core/util/shell.ts";
import { awsDiff } from "./diff.ts";
import { awsGapData } from "./gap-data.ts";
import { fromNames } from "./guest.ts";
import { createAwsInspector } from "./inspect.ts";
import { awsLiveSource } from "./live-source.ts";
import { awsLocate } from "./location.ts";
import { type AwsModel, arnRegion, buildAwsModel } from "./model.ts";
import { narrowAwsModel } from "./narrow.ts";
import { awsRelatedKeys, awsTags } from "./tags.ts";
import type { AwsSnapshot } from "./wire-types.ts";

export const awsProvider: ProviderAdapter<AwsModel> = {
  id: "aws",
  groupNoun: "region",
  gapData: awsGapData,
  fromNames: (model, entry) => model.instances.some((i) => fromNames(entry, i)),
  machineNoun: "EC2 instance",
  buildModel: (snapshot, context) => buildAwsModel(snapshot as AwsSnapshot, context),
  loadBalancers: (model) =>
    model.loadBalancers.map((lb) => {
      const group = lb.region ?? model.region;
      // DescribeTargetHealth: a target counts once per load balancer, up when healthy
      const states = new Map<string, boolean>();
      for (const tg of lb.targetGroups) {
        if (!tg.healthKnown) continue;
        for (const t of tg.targets) if (t.state) states.set(t.key, states.get(t.key) === true || t.state.toLowerCase() === "healthy");
      }
      return {
        id: lb.arn,
        key: lb.key,
        name: lb.name,
        sku: lb.type,
        kind: lb.type === "gateway" ? "gateway" : lb.internetFacing ? "public" : "internal",
        frontends: lb.dnsName ? [lb.dnsName] : [],
        ...(group ? { group } : {}),
        ...(states.size > 0 ? { members: { up: [...states.values()].filter(Boolean).length, total: states.size } } : {}),
      };
    }),
  // a finding belongs to its resource's region (diagnose placed it: location.ts); one placed nowhere, to every region
  inGroup: (finding, group) => {
    const region = finding.region ?? arnRegion(finding.resourceId);
    return region === undefined || region.toLowerCase() === group.toLowerCase();
  },
  locate: awsLocate,
  narrowModel: narrowAwsModel,
  // the region the resource is in (its ARN's, its EC2 object's, its load balancer's), else the snapshot's one region
  completeCommand: (command, about, model) => {
    const region = awsLocate(about, model).region;
    return region ? withFlag(command, "aws", "--region", awsArg(region)) : command;
  },
  scopeGroup: (snapshot) => (typeof snapshot.scope.region === "string" ? snapshot.scope.region : undefined),
  tagsOf: awsTags,
  relatedKeys: awsRelatedKeys,
  diff: awsDiff,
  resourceCount: (s: Snapshot) => {
    let n = 0;
    const a = s as AwsSnapshot;
    for (const service of [a.elbv2, a.ec2, a.autoscaling] as Array<Record<string, unknown> | undefined>) {
      for (const v of Object.values(service ?? {})) if (Array.isArray(v)) n += v.length;
    }
    return n;
  },
  inspector: createAwsInspector,
  describeScope: (target, opts) =>
    `AWS${opts.allRegions ? " every enabled region" : opts.region ? ` region ${opts.region}` : ""}${
      opts.accounts ? ` of accounts ${opts.accounts}` : opts.roleArn ? ` as ${opts.roleArn}` : ""
    }${target ? `, ${target}` : ", every load balancer"}`,
  liveSource: awsLiveSource,
  watchUnavailable: () =>
    "watch polls DescribeTargetHealth in one region; over several regions or accounts, run one `lbdoctor tui --provider aws --region <region> --watch 5s` per region",
  collect: async (target, opts, io, showProgress, onEvent) =>
    (await import("./collect/acquire.ts")).collectAwsLive(target, opts, io, showProgress, onEvent),
  serve: async (snapshots, opts) => (await import("./serve.ts")).serveAws(snapshots, opts),
  trace: async (snapshot, opts, io) => (await import("./trace.ts")).traceAws(snapshot as AwsSnapshot, opts, io),
  redact: async (doc) => (await import("./redact.ts")).redactAwsForSharing(doc),
};
