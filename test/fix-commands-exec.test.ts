/**
 * Every printed fix command is safe to paste: each rule's every case is made
 * hostile (names, ids and health-check paths holding `;`, `$(…)`, backticks,
 * quotes, `${IFS}` and newlines), and every command the rules print for it
 * is EXECUTED under `sh` with stub `az` and `aws` executables first on PATH
 * that record their argv. Nothing else may run (no `pwned` file appears, no
 * file at all: a bare `<placeholder>` would be a redirection), every
 * argument round-trips intact, and the scripts handed to `az vm run-command`
 * and `aws ssm send-command` are run the same way at the inner level.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { rules as catalog } from "../rules/index.ts";
import { diagnose } from "../src/core/diagnose.ts";
import type { Finding, Rule } from "../src/core/engine/types.ts";
import { validateSnapshot } from "../src/core/snapshot/load.ts";
import type { Snapshot } from "../src/core/snapshot/types.ts";
import { placeholderOf, ps, sh, withFlag } from "../src/core/util/shell.ts";
import { providerFor } from "../src/providers/index.ts";
import { ROOT } from "./support/cli.ts";
import { hostileFrom, hostileSnapshot, SHELL_SUFFIX } from "./support/hostile.ts";
import type { RuleCases } from "./support/rule-tester.ts";

const SHELL = "/bin/sh";
const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-fixexec-"));
const stubs = join(tmp, "bin");
const work = join(tmp, "work");
const log = join(tmp, "argv.log");
mkdirSync(stubs);
mkdirSync(work);
// each call: program name and arguments, NUL-terminated, then a record separator; the record is built in a file of
// its own and appended with one write, so the calls of a pipeline (which run at once) never interleave in the log
const STUB = `#!/bin/sh\nt=$(mktemp) || exit 1\n{ printf '%s\\000' "\${0##*/}"; for a in "$@"; do printf '%s\\000' "$a"; done; printf '\\036\\000'; } > "$t"\ncat "$t" >> "$STUB_LOG"\nrm -f "$t"\n`;
for (const name of ["az", "aws", "kubectl", "curl", "ss", "sudo", "iptables", "nft", "ufw", "head"]) {
  writeFileSync(join(stubs, name), STUB);
  chmodSync(join(stubs, name), 0o755);
}

function run(script: string): { code: number; calls: string[][]; stderr: string } {
  writeFileSync(log, "");
  const r = spawnSync(SHELL, ["-c", script], {
    cwd: work,
    encoding: "utf8",
    env: { PATH: `${stubs}:/usr/bin:/bin`, STUB_LOG: log, HOME: tmp },
    timeout: 10_000,
  });
  const calls = readFileSync(log, "utf8")
    .split("\u001e\u0000")
    .filter((rec) => rec.length > 0)
    .map((rec) => rec.split("\u0000").slice(0, -1));
  return { code: r.status ?? -1, calls, stderr: r.stderr };
}

/** Everything the shell ran is one of the stubs, and nothing left a file behind (a `touch`, a redirection). */
function assertContained(what: string, r: ReturnType<typeof run>): void {
  const left = readdirSync(work);
  for (const f of left) rmSync(join(work, f), { recursive: true, force: true });
  assert.deepEqual(left, [], `${what}\n  created files: ${left.join(", ")}`);
  assert.equal(r.code, 0, `${what}\n  exit ${r.code}: ${r.stderr}`);
  assert.ok(r.calls.length > 0, `${what}\n  called no stub`);
}

/** An argument, or the strings inside it when it is JSON (`--default-actions '[…]'`). */
function argStrings(arg: string): string[] {
  if (!/^[[{]/.test(arg)) return [arg];
  let doc: unknown;
  try {
    doc = JSON.parse(arg);
  } catch {
    return [arg]; // a JMESPath --query, not JSON
  }
  const strings: string[] = [];
  JSON.stringify(doc, (_k, v) => {
    if (typeof v === "string") strings.push(v);
    return v;
  });
  return strings;
}

/** Every `touch` an argument holds is inside an intact copy of the hostile suffix: the value arrived whole (JSON arguments: each string in them). */
function assertRoundTrip(what: string, arg: string): void {
  const inner = argStrings(arg);
  if (inner.length !== 1 || inner[0] !== arg) {
    for (const s of inner) assertRoundTrip(what, s);
    return;
  }
  assert.ok(!arg.split(SHELL_SUFFIX).join("").includes("touch"), `${what}\n  argument split or altered: ${JSON.stringify(arg)}`);
  assert.ok(!arg.includes("\n"), `${what}\n  a newline reached an argument: ${JSON.stringify(arg)}`);
}

async function loadCases(provider: "azure" | "aws"): Promise<Array<{ rule: Rule; name: string; snapshot: Snapshot; context?: unknown }>> {
  const out: Array<{ rule: Rule; name: string; snapshot: Snapshot; context?: unknown }> = [];
  for (const rule of catalog.filter((r) => r.provider === provider)) {
    const { cases } = (await import(join(ROOT, "rules", rule.id, "cases.ts"))) as { cases: RuleCases };
    for (const c of [...cases.invalid, ...(cases.unknown ?? [])])
      out.push({ rule, name: c.name, snapshot: c.snapshot, ...(c.context ? { context: c.context } : {}) });
  }
  return out;
}

interface Printed {
  ruleId: string;
  caseName: string;
  command: string;
}

async function printedCommands(provider: "azure" | "aws"): Promise<{ printed: Printed[]; problems: string[] }> {
  const adapter = await providerFor(provider);
  const rules = catalog.filter((r) => r.provider === provider);
  const printed: Printed[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of await loadCases(provider)) {
    const { snapshot, map } = hostileSnapshot(c.snapshot);
    const invalid = validateSnapshot(snapshot);
    if (invalid.length > 0) problems.push(`${c.rule.id} / ${c.name}: the hostile snapshot is invalid: ${invalid.join("; ")}`);
    const context = (c.context ?? { from: [] }) as { from: string[] };
    const failing = (fs: Finding[]) => fs.filter((f) => f.ruleId === c.rule.id && f.status === "fail").length;
    const plain = diagnose({ snapshot: c.snapshot, adapter, rules: [c.rule], context, source: "case" }).findings;
    const hostileContext = { ...context, from: hostileFrom(context.from ?? [], map) };
    const { findings } = diagnose({ snapshot, adapter, rules, context: hostileContext, source: "hostile" });
    if (failing(findings) !== failing(plain))
      problems.push(`${c.rule.id} / ${c.name}: ${failing(plain)} failing findings, ${failing(findings)} once hostile`);
    for (const f of findings) {
      for (const command of f.remediation?.commands ?? []) {
        if (seen.has(command)) continue;
        seen.add(command);
        printed.push({ ruleId: f.ruleId, caseName: c.name, command });
      }
    }
  }
  return { printed, problems };
}

/** A PowerShell line (a Verb-Noun cmdlet), for the local PowerShell: not run under sh. */
function isPowerShell(command: string): boolean {
  return /^[A-Z][a-z]+-[A-Z][A-Za-z]+(\s|$)/.test(command);
}

function argAfter(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

for (const provider of ["azure", "aws"] as const) {
  describe(`${provider}: every printed fix command, run under sh with stub CLIs, through a hostile snapshot`, async () => {
    const { printed, problems } = await printedCommands(provider);

    it("the hostile snapshots are valid and fire the same rules (the test exercises every rule's fix)", () => {
      assert.deepEqual(problems, []);
      const withFix = new Set(printed.map((p) => p.ruleId));
      const rulesWithFix = catalog.filter((r) => r.provider === provider).length;
      assert.ok(withFix.size >= rulesWithFix / 2, `only ${withFix.size} rules printed commands`);
      assert.ok(
        printed.some((p) => p.command.includes("touch")),
        "the hostile values reach the commands",
      );
    });

    it("PowerShell lines (Install-Module, Start-…) quote every value for PowerShell", () => {
      const lines = printed.filter((p) => isPowerShell(p.command));
      if (provider === "azure") assert.ok(lines.length > 0, "no PowerShell line was printed");
      for (const p of lines) {
        // outside PowerShell single-quoted strings (where only a doubled quote is special), nothing PowerShell interprets
        // but the one `;` after the subscription context a resource cmdlet runs in
        const bare = p.command.replace(/'(?:[^'\u2018-\u201b]|['\u2018-\u201b]{2})*'/g, "").replace(/^Set-AzContext -Subscription ; /, "");
        assert.doesNotMatch(bare, /[;$`(){}|&<>"'\u2018-\u201b@,]/, `${p.ruleId} (${p.caseName}):\n  PS> ${p.command}`);
        // complete, as an az line is with --subscription: every line but module management sets the subscription first
        if (provider === "azure" && !/^Install-Module /.test(p.command))
          assert.match(p.command, /^Set-AzContext -Subscription '[^']+'; [A-Z]/, `${p.ruleId} (${p.caseName}):\n  PS> ${p.command}`);
      }
    });

    it("runs nothing but the CLI, every argument arrives intact, and every az/aws call names its subscription/region", () => {
      const failures: string[] = [];
      const subscriptions = new Set<string>();
      const regions = new Set<string>();
      for (const p of printed.filter((x) => !isPowerShell(x.command))) {
        const what = `${p.ruleId} (${p.caseName}):\n  $ ${p.command}`;
        try {
          const r = run(p.command);
          assertContained(what, r);
          for (const call of r.calls) {
            assert.ok(call[0] === "az" || call[0] === "aws" || call[0] === "kubectl", `${what}\n  ran ${call[0]}`);
            // complete: never the shell's default subscription or region (`--ids` names the subscription itself)
            if (call[0] === "az" && !call.includes("--ids")) {
              assert.ok(argAfter(call, "--subscription"), `${what}\n  az without --subscription: ${JSON.stringify(call)}`);
              subscriptions.add(argAfter(call, "--subscription") as string);
            }
            if (call[0] === "aws") {
              assert.ok(argAfter(call, "--region"), `${what}\n  aws without --region: ${JSON.stringify(call)}`);
              regions.add(argAfter(call, "--region") as string);
            }
            for (const arg of call.slice(1)) {
              if (call[0] === "az" && arg === argAfter(call, "--scripts")) continue;
              if (call[0] === "aws" && arg === argAfter(call, "--parameters")) continue;
              assertRoundTrip(what, arg);
            }
          }
          if (p.command.includes("touch") && !/--scripts|--parameters/.test(p.command)) {
            assert.ok(
              r.calls.some((c) => c.some((a) => argStrings(a).some((x) => x.includes(SHELL_SUFFIX)))),
              `${what}\n  the hostile value did not arrive: ${JSON.stringify(r.calls)}`,
            );
          }
        } catch (e) {
          failures.push((e as Error).message);
        }
      }
      assert.equal(failures.length, 0, `${failures.length} of ${printed.length} commands are unsafe:\n\n${failures.join("\n\n")}`);
      if (provider === "azure") assert.ok(subscriptions.size > 0, "no az command named its subscription");
      else assert.ok(regions.size > 0, "no aws command named its region");
      for (const v of [...subscriptions, ...regions]) assert.doesNotMatch(v, /touch|\s/, `a subscription or region altered: ${v}`);
    });

    it("the scripts run inside the VM or instance are safe at the inner level too", () => {
      const failures: string[] = [];
      let inner = 0;
      for (const p of printed) {
        const outer = run(p.command).calls;
        for (const call of outer) {
          const script =
            call[0] === "az" && argAfter(call, "--command-id") === "RunShellScript"
              ? argAfter(call, "--scripts")
              : call[0] === "aws" && argAfter(call, "--document-name") === "AWS-RunShellScript"
                ? (JSON.parse(argAfter(call, "--parameters") ?? "{}") as { commands?: string[] }).commands?.join("\n")
                : undefined;
          const windows =
            call[0] === "az" && argAfter(call, "--command-id") === "RunPowerShellScript"
              ? argAfter(call, "--scripts")
              : call[0] === "aws" && argAfter(call, "--document-name") === "AWS-RunPowerShellScript"
                ? (JSON.parse(argAfter(call, "--parameters") ?? "{}") as { commands?: string[] }).commands?.join("\n")
                : undefined;
          if (windows !== undefined) {
            // no PowerShell here to run it: every hostile value must sit inside a PowerShell single-quoted string
            const bare = windows.replace(/'(?:[^'\u2018-\u201b]|['\u2018-\u201b]{2})*'/g, "");
            if (bare.includes("touch")) failures.push(`${p.ruleId} (${p.caseName}): a value outside PowerShell quotes\n  ${windows}`);
          }
          if (script === undefined) continue;
          inner++;
          const what = `${p.ruleId} (${p.caseName}): the guest script\n  ${script}`;
          try {
            const r = run(script);
            assertContained(what, r);
            for (const c of r.calls) for (const arg of c.slice(1)) assertRoundTrip(what, arg);
            if (script.includes("touch"))
              assert.ok(
                r.calls.some((c) => c.some((a) => a.includes(SHELL_SUFFIX))),
                `${what}\n  the path did not arrive intact`,
              );
          } catch (e) {
            failures.push((e as Error).message);
          }
        }
        for (const f of readdirSync(work)) rmSync(join(work, f), { recursive: true, force: true });
      }
      assert.ok(inner > 0, "no guest script was printed");
      assert.equal(failures.length, 0, `${failures.length} guest scripts are unsafe:\n\n${failures.join("\n\n")}`);
    });
  });
}

describe("quoting", () => {
  it("sh: a value round-trips through a POSIX shell", () => {
    for (const v of ["plain", "=x", "~root", "a b", "it's", "$(id)", "`id`", "a;b", `$${"{IFS}"}`, "\\", "*", "-", "é"]) {
      const r = spawnSync(SHELL, ["-c", `printf %s ${sh(v)}`], { encoding: "utf8" });
      assert.equal(r.stdout, v);
    }
  });

  it("sh and ps: values with control characters or bidi controls become a quoted placeholder", () => {
    for (const v of ["a\nb", "a\u0000b", "a\u001b]52;c;eA==\u0007", "a\rb", "a\u202eb"]) {
      assert.match(sh(v), /^'<value not shown/);
      assert.match(ps(v), /^'<value not shown/);
    }
  });

  it("ps: single quotes, with ' and the typographic quotes PowerShell reads as ' doubled", () => {
    assert.equal(ps("simple"), "simple");
    assert.equal(ps("/health;rm -rf /"), "'/health;rm -rf /'");
    assert.equal(ps("it's"), "'it''s'");
    for (const q of ["\u2018", "\u2019", "\u201a", "\u201b"]) assert.equal(ps(`a${q}b`), `'a${q}${q}b'`);
    assert.equal(ps("$(whoami)"), "'$(whoami)'");
  });
});

describe("completing a PowerShell line with its subscription (Set-AzContext -Subscription)", () => {
  it("a hostile subscription id stays one single-quoted PowerShell string; module management is left alone", async () => {
    const { cases } = (await import(join(ROOT, "rules", "azure", "basic-sku-retired", "cases.ts"))) as { cases: RuleCases };
    const base = cases.invalid[0]?.snapshot as Snapshot;
    const sub = /\/subscriptions\/([^/"]+)/.exec(JSON.stringify(base))?.[1] as string;
    const adapter = await providerFor("azure");
    const rule = catalog.filter((r) => r.id === "azure/basic-sku-retired");
    // no `/` (it would end the id's segment) and no control character (those print as a placeholder)
    for (const hostile of ["x'; touch pwned; '", "x\u2019; touch pwned; \u2018", "$(touch pwned)", "`touch pwned`", 'a"b;@{c}', "x''y"]) {
      const snapshot = JSON.parse(
        JSON.stringify(base).replaceAll(`/subscriptions/${sub}/`, `/subscriptions/${hostile.replace(/["\\]/g, (c) => `\\${c}`)}/`),
      );
      const { findings } = diagnose({ snapshot, adapter, rules: rule, source: "hostile" });
      const lines = findings.flatMap((f) => f.remediation?.commands ?? []).filter(isPowerShell);
      const set = lines.filter((l) => l.startsWith("Set-AzContext"));
      assert.ok(set.length > 0, `no PowerShell line with a context for ${JSON.stringify(hostile)}: ${JSON.stringify(lines)}`);
      assert.ok(lines.filter((l) => l.startsWith("Install-Module")).length > 0, "Install-Module is printed, without a context");
      for (const line of set) {
        const m = /^Set-AzContext -Subscription '((?:[^'\u2018-\u201b]|['\u2018-\u201b]{2})*)'; (Start-[A-Za-z]+ .*)$/.exec(line);
        assert.ok(m, `not one quoted value then the cmdlet: ${line}`);
        // PowerShell reads '' (and a doubled typographic quote) as one quote: the value comes back whole
        assert.equal(m[1]?.replace(/(['\u2018-\u201b])\1/g, "$1"), hostile, line);
        assert.doesNotMatch(
          (m[2] as string).replace(/'(?:[^'\u2018-\u201b]|['\u2018-\u201b]{2})*'/g, ""),
          /[;$`(){}|&<>"'\u2018-\u201b@,]/,
        );
      }
    }
  });
});

describe("completing a printed command (withFlag)", () => {
  it("appends the flag to each invocation, before pipes, && and the end of $(…); not inside quotes; not twice", () => {
    const shift =
      "ID=$(aws arc-zonal-shift list-zonal-shifts --query 'items[?a=='\\''x'\\''].id | [0]' --output text) && aws arc-zonal-shift cancel-zonal-shift --zonal-shift-id \"$ID\"";
    assert.equal(
      withFlag(shift, "aws", "--region", "us-west-2"),
      "ID=$(aws arc-zonal-shift list-zonal-shifts --query 'items[?a=='\\''x'\\''].id | [0]' --output text --region us-west-2) && aws arc-zonal-shift cancel-zonal-shift --zonal-shift-id \"$ID\" --region us-west-2",
    );
    assert.equal(withFlag("aws ec2 describe-x | jq .", "aws", "--region", "eu-west-1"), "aws ec2 describe-x --region eu-west-1 | jq .");
    assert.equal(
      withFlag("aws ec2 describe-x --region=us-east-1", "aws", "--region", "eu-west-1"),
      "aws ec2 describe-x --region=us-east-1",
    );
    assert.equal(
      withFlag("az vm run-command invoke -g rg --scripts 'az x; ls'", "az", "--subscription", "s1"),
      "az vm run-command invoke -g rg --scripts 'az x; ls' --subscription s1",
    );
    assert.equal(
      withFlag("az resource update --ids /subscriptions/s/x --set a=b", "az", "--subscription", "s1", ["--ids"]),
      "az resource update --ids /subscriptions/s/x --set a=b",
    );
    assert.equal(withFlag("kubectl get pods", "az", "--subscription", "s1"), "kubectl get pods");
    // the shell runs it: the flag reaches both calls
    const r = run(
      withFlag("az network lb show -g rg -n lb && az network lb probe list -g rg --lb-name lb | head -1", "az", "--subscription", "s1"),
    );
    assert.equal(r.calls.filter((c) => c[0] === "az" && argAfter(c, "--subscription") === "s1").length, 2, JSON.stringify(r.calls));
  });
});

describe("which shell a command is for", () => {
  it("PowerShell lines are marked PS> in the text report and fenced as powershell in Markdown; sh lines keep $ and sh", async () => {
    const { cases } = (await import(join(ROOT, "rules", "azure", "basic-sku-retired", "cases.ts"))) as { cases: RuleCases };
    const file = join(tmp, "basic-sku.json");
    writeFileSync(file, JSON.stringify(cases.invalid[0]?.snapshot));
    const { main } = await import("../src/cli.ts");
    const render = async (format: string) => {
      let out = "";
      await main(["check", "--snapshot", file, "--format", format, "--no-config", "--no-color"], {
        out: (t) => void (out += t),
        err: () => {},
      });
      return out;
    };
    const text = await render("text");
    assert.match(text, /^\s+PS> Set-AzContext -Subscription '[0-9a-f-]+'; Start-AzBasicLoadBalancerUpgrade /m);
    assert.match(text, /^\s+\$ az network lb show /m);
    assert.doesNotMatch(text, /\$ (Start-|Install-Module)/);
    const md = await render("markdown");
    assert.match(md, /```powershell\nInstall-Module[^`]*Start-AzBasicLoadBalancerUpgrade/);
    assert.match(md, /```sh\naz network lb show/);
  });
});

describe("placeholders that name a resource", () => {
  it("name it by an id that is plainly one; an id that is not is never cut down to look like another", () => {
    assert.equal(
      placeholderOf("IPv4 CIDR", "subnet-0b39cbc02ee696e09", "the subnet looked up above"),
      "'<IPv4 CIDR of subnet-0b39cbc02ee696e09>'",
    );
    const hostile = `subnet-0b39;touch$${"{IFS}"}pwned;#$(touch pwned)`;
    assert.equal(placeholderOf("IPv4 CIDR", hostile, "the subnet looked up above"), "'<IPv4 CIDR of the subnet looked up above>'");
    assert.equal(placeholderOf("IPv6 CIDR", "", "the subnet looked up above"), "'<IPv6 CIDR of the subnet looked up above>'");
  });
});

/**
 * An expandable (double-quoted) PowerShell string as the PowerShell Language Specification reads it (2.3.5.2, 2.3.7),
 * for what `ps` writes in one: escaped characters (a backtick before a character with no escape meaning is that
 * character) and `$([char]0x…)` sub-expressions. Anything else PowerShell would expand, or read as the string's end,
 * fails the test.
 */
function psExpandable(word: string): string {
  const body = /^"(.*)"$/su.exec(word)?.[1];
  assert.ok(body !== undefined, `not one double-quoted string: ${word}`);
  let out = "";
  for (let i = 0; i < body.length; ) {
    const c = body[i] as string;
    if (c === "`") {
      const x = body[i + 1];
      // escapes with a meaning of their own (2.3.7; `e and `u{…} since PowerShell 6)
      assert.ok(x !== undefined && !"0abefnrtuv".includes(x), `an escape with a meaning: ${word}`);
      out += x;
      i += 2;
    } else if (c === "$") {
      const sub = /^\$\(\[char\]0x([0-9a-f]{1,4})\)/.exec(body.slice(i));
      assert.ok(sub, `a $ PowerShell would expand: ${word}`);
      out += String.fromCharCode(Number.parseInt(sub[1] as string, 16));
      i += sub[0].length;
    } else {
      assert.doesNotMatch(c, /["\u201c-\u201e]/, `an unescaped double quote ends the string: ${word}`);
      out += c;
      i++;
    }
  }
  return out;
}

describe("a quoted word holds no workflow command ##[, and the shell still receives the value", () => {
  // `##[` to GitHub's runner (also with characters ICU skips between: U+00AD, U+200B), next to quotes, `$` and substitutions
  const values = [
    "a##[error]F",
    "#\u00ad#[error]F",
    "#\u200b#[stop-commands]t",
    "#[",
    "##[[",
    "[##[x]",
    "x#'#[y",
    `it's ##[ "$(touch pwned)" \`touch pwned\` $HOME $${"{IFS}"};touch pwned`,
    "a\u2019##[\u201c$b`",
    "-##[x",
  ];
  const sanitizer = import("../src/core/report/sanitize.ts");

  it("sh: a real sh reads each word back as the value, and noWorkflowCommands finds nothing to break in the command", async () => {
    const { noWorkflowCommands } = await sanitizer;
    for (const v of values) {
      const word = sh(v);
      const r = spawnSync(SHELL, ["-c", `printf %s ${word}`], { cwd: work, encoding: "utf8" });
      assert.equal(r.stdout, v, word);
      const line = `az vm start --name ${word} --subscription s1`;
      assert.equal(noWorkflowCommands(line), line, `a break inside ${line}`);
      const run1 = run(line);
      assertContained(line, run1);
      assert.deepEqual(run1.calls, [["az", "vm", "start", "--name", v, "--subscription", "s1"]], line);
    }
    // no `#` before a `[`: quoted as ever
    assert.equal(sh("[x]#1"), "'[x]#1'");
    assert.equal(sh("a#b"), "'a#b'");
  });

  it("ps: a value with a # before a [ is a double-quoted string that reads back as the value, with no single quote in it", async () => {
    const { noWorkflowCommands } = await sanitizer;
    for (const v of values) {
      const word = ps(v);
      assert.equal(psExpandable(word), v, word);
      // put inside single quotes (as a literal), it cannot end them
      assert.doesNotMatch(word, /['\u2018-\u201b]/, word);
      const line = `Start-VMPublicIPUpgrade -VMName ${word} -ResourceGroupName rg`;
      assert.equal(noWorkflowCommands(line), line, `a break inside ${line}`);
    }
    // no `#` before a `[`: single quotes as ever
    assert.equal(ps("[x]#1"), "'[x]#1'");
    assert.equal(ps("it's #1"), "'it''s #1'");
  });

  it("nested: the guest script in --scripts or ssm's --parameters arrives as written, and its own words give the value", async () => {
    const { noWorkflowCommands } = await sanitizer;
    const { runCommand } = await import("../src/providers/azure/guest.ts");
    const { httpCodeLine, ssmCommand } = await import("../src/providers/aws/guest.ts");
    type Vm = Parameters<typeof runCommand>[0];
    type Instance = Parameters<typeof ssmCommand>[0];
    for (const v of values) {
      const url = `http://10.0.0.4:80/${v}`;
      // Azure, Linux: the script quoted for the guest's sh, then as one argument of the local az
      const vm = { kind: "vm", id: "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm", name: `vm${v}` };
      const script = `curl -ks -o /dev/null ${sh(url)}`;
      const printed = runCommand(vm as unknown as Vm, script, false);
      assert.equal(noWorkflowCommands(printed), printed, `a break inside ${printed}`);
      const outer = run(printed);
      assertContained(printed, outer);
      assert.equal(argAfter(outer.calls[0] ?? [], "--name"), `vm${v}`, printed);
      assert.equal(argAfter(outer.calls[0] ?? [], "--scripts"), script, printed);
      const inner = run(script);
      assertContained(script, inner);
      assert.deepEqual(inner.calls, [["curl", "-ks", "-o", "/dev/null", url]], script);
      // AWS, Windows: the PowerShell line inside the JSON of --parameters
      const inst = { id: "i-0abc", key: "i-0abc", name: "web", raw: { Platform: "windows" } } as unknown as Instance;
      const line = httpCodeLine(inst, url);
      const ssm = ssmCommand(inst, [line]);
      assert.equal(noWorkflowCommands(ssm), ssm, `a break inside ${ssm}`);
      const sent = run(ssm);
      assertContained(ssm, sent);
      const commands = (JSON.parse(argAfter(sent.calls[0] ?? [], "--parameters") ?? "{}") as { commands?: string[] }).commands;
      assert.deepEqual(commands, [line], ssm);
      assert.equal(psExpandable(/-Uri (".*")\)\.StatusCode/.exec(line)?.[1] ?? ""), url, line);
    }
  });

  it("Set-AzContext: a subscription holding ##[ (and quotes, ;) runs nothing but the one cmdlet line", async () => {
    const { cases } = (await import(join(ROOT, "rules", "azure", "basic-sku-retired", "cases.ts"))) as { cases: RuleCases };
    const base = cases.invalid[0]?.snapshot as Snapshot;
    const sub = /\/subscriptions\/([^/"]+)/.exec(JSON.stringify(base))?.[1] as string;
    const adapter = await providerFor("azure");
    const rule = catalog.filter((r) => r.id === "azure/basic-sku-retired");
    const { noWorkflowCommands } = await sanitizer;
    for (const hostile of ["x##[';touch pwned;'", "x#\u00ad#[\u2019;touch pwned;\u2018", 'x##[";$(touch pwned);"']) {
      const snapshot = JSON.parse(
        JSON.stringify(base).replaceAll(`/subscriptions/${sub}/`, `/subscriptions/${hostile.replace(/["\\]/g, (c) => `\\${c}`)}/`),
      );
      const { findings } = diagnose({ snapshot, adapter, rules: rule, source: "hostile" });
      const set = findings.flatMap((f) => f.remediation?.commands ?? []).filter((l) => l.startsWith("Set-AzContext"));
      assert.ok(set.length > 0, `no Set-AzContext line for ${JSON.stringify(hostile)}`);
      for (const line of set) {
        assert.equal(noWorkflowCommands(line), line, `a break inside ${line}`);
        // outside PowerShell's string literals (single-quoted, or double-quoted as ps writes them): the one `;` only
        const bare = line
          .replace(/'(?:[^'\u2018-\u201b]|['\u2018-\u201b]{2})*'/g, "")
          .replace(/"(?:[^"\u201c-\u201e`$]|`.|\$\(\[char\]0x[0-9a-f]+\))*"/g, "");
        assert.match(bare, /^Set-AzContext -Subscription ; Start-[A-Za-z]+ /, line);
        // the word names the subscription itself (a double-quoted word put inside single quotes would name another)
        const word = /^Set-AzContext -Subscription ("(?:[^"`]|`.)*"); /.exec(line)?.[1];
        assert.equal(psExpandable(word ?? ""), hostile, line);
        assert.doesNotMatch(bare.replace(/^Set-AzContext -Subscription ; /, ""), /[;$`(){}|&<>"'\u2018-\u201b@,]/, line);
      }
    }
  });
});
