/**
 * Structured arguments of printed aws commands (`--ip-permissions`, `--traffic-sources`, `--filters`) carry
 * snapshot values as JSON strings, never in the CLI's shorthand, whose commas, brackets and braces the CLI parses:
 * a group id `sg-1}],IpRanges=[{CidrIp=0.0.0.0/0` would have opened the group to the internet.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ipPermissionsArg } from "../src/providers/aws/rule-helpers.ts";
import { targetsArg } from "../src/providers/aws/target-facts.ts";
import { lbdoctor, ROOT } from "./support/cli.ts";
import { skipOrFail } from "./support/tools.ts";

const HOSTILE_GROUP = "sg-0f51ce9a2f3be86ff}],IpRanges=[{CidrIp=0.0.0.0/0";

/** The one word of a printed argument, as sh reads it (single quotes, `'\''` inside). */
function unquote(word: string): string {
  const r = spawnSync("sh", ["-c", `printf %s ${word}`], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

describe("aws structured arguments", () => {
  it("--ip-permissions is JSON: any group id or CIDR comes back as one value, and nothing else is added", () => {
    for (const [groups, cidrs] of [
      [[HOSTILE_GROUP], undefined],
      [undefined, ["10.0.0.0/16},{CidrIp=0.0.0.0/0", "a'b\"c$(x)`y`"]],
      [["sg-1", "sg-2"], ["192.0.2.0/24"]],
    ] as const) {
      const arg = ipPermissionsArg({
        protocol: "tcp",
        from: 80,
        to: 80,
        ...(groups ? { groups: [...groups] } : {}),
        ...(cidrs ? { cidrs: [...cidrs] } : {}),
      });
      const expected: Record<string, unknown> = { IpProtocol: "tcp", FromPort: 80, ToPort: 80 };
      if (groups) expected.UserIdGroupPairs = groups.map((g) => ({ GroupId: g }));
      if (cidrs) expected.IpRanges = cidrs.map((c) => ({ CidrIp: c }));
      assert.deepEqual(JSON.parse(unquote(arg)), [expected]);
    }
  });

  it("--targets is JSON: an instance id with commas and `=` stays one id and sets no port or zone", () => {
    const list = [{ id: "i-1,Port=22,AvailabilityZone=all", port: 80 }, { id: "i-2" }];
    assert.deepEqual(JSON.parse(unquote(targetsArg(list))), [{ Id: "i-1,Port=22,AvailabilityZone=all", Port: 80 }, { Id: "i-2" }]);
  });

  it("the real aws CLI sends a hostile group id from a snapshot as one GroupId, and no CIDR", (t) => {
    const dir = mkdtempSync(join(tmpdir(), "lbdoctor-aws-args-"));
    const snapshot = join(dir, "hostile.json");
    writeFileSync(
      snapshot,
      readFileSync(join(ROOT, "fixtures/aws/targets-unhealthy.json"), "utf8").replaceAll("sg-0f51ce9a2f3be86ff", HOSTILE_GROUP),
    );
    const r = lbdoctor(["check", "--snapshot", snapshot, "--format", "json"]);
    assert.equal(r.code, 1, r.stderr);
    const commands = (JSON.parse(r.stdout).findings as Array<{ remediation?: { commands?: string[] } }>)
      .flatMap((f) => f.remediation?.commands ?? [])
      .filter((c) => c.includes("--ip-permissions") && c.includes("0.0.0.0/0"));
    assert.ok(commands.length > 0, "a fix names the hostile group");
    if (spawnSync("sh", ["-c", "command -v aws"]).status !== 0) return skipOrFail(t, "the aws CLI is not installed");
    for (const command of commands) {
      // the command as printed, against a closed port on loopback: the CLI logs the parameters it would send
      const run = spawnSync("sh", ["-c", `${command} --endpoint-url http://127.0.0.1:9 --debug`], {
        encoding: "utf8",
        timeout: 60_000,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: dir,
          AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
          AWS_SECRET_ACCESS_KEY: "example",
          AWS_EC2_METADATA_DISABLED: "true",
          AWS_MAX_ATTEMPTS: "1",
          AWS_CONFIG_FILE: "/dev/null",
          AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        },
      });
      const request = run.stderr.split("\n").find((l) => l.includes("Making request for OperationModel(name=AuthorizeSecurityGroup"));
      assert.ok(request, `the CLI parsed ${command}:\n${run.stderr.slice(-2000)}`);
      // EC2's query protocol names the pairs Groups: the whole hostile id is one GroupId, and no range was added
      assert.ok(request.includes(`'IpPermissions.1.Groups.1.GroupId': '${HOSTILE_GROUP}'`), request);
      assert.doesNotMatch(request, /'IpPermissions\.\d+\.IpRanges/, "no address range was added");
    }
  });
});
