/**
 * No cloud string forms a GitHub Actions workflow command in anything lbdoctor prints. The runner reads every line of
 * a step's output with two parsers (actions/runner, `src/Runner.Common/ActionCommand.cs`;
 * `src/Runner.Worker/ActionCommandManager.cs`, `TryProcessCommand`: `TryParseV2`, then `TryParse`):
 *
 * - V2: after `TrimStart()` (.NET white space, U+0085 among it) the line starts with `::`;
 * - legacy: `##[` anywhere in the line.
 *
 * Both are implemented here as written (ordinal), and once more as the runner compares on ICU, where the comparisons
 * skip the code points ICU gives no weight (`#\u200b#[` holds `##[` there): a line is a command when either says so.
 * Names, rule names, tags and change records below hold commands; every format and the timeline, diff and trace
 * texts are run through `main` (stdout, stderr and --output files), and the values must still parse back from JSON,
 * SARIF and JUnit. An ordinary report comes out as it was.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { main } from "../src/cli.ts";
import { COMMAND_BREAK, noWorkflowCommands, safeJsonEscape } from "../src/core/report/sanitize.ts";
import { healthyWeb, WEB_LB, WEB_SUBNET } from "./support/azure-builder.ts";
import { ROOT } from "./support/cli.ts";
import { assertValidJunit, assertValidReport, assertValidSarif } from "./support/validators.ts";

// ---- the runner ----

/** What .NET's `TrimStart()` removes (`Char.IsWhiteSpace`). */
const DOTNET_WHITE_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/;
/** ICU at the strength .NET's `CompareOptions.None` uses (tertiary): what the runner's StartsWith and IndexOf compare with. */
const ICU = new Intl.Collator("en");
const skips = new Map<string, boolean>();
/** Whether ICU compares `ch` as if absent. */
function icuSkips(ch: string): boolean {
  let s = skips.get(ch);
  if (s === undefined) {
    s = ICU.compare(`a${ch}b`, "ab") === 0;
    skips.set(ch, s);
  }
  return s;
}
/** A line as ICU compares it: without what it skips (printable ASCII is never skipped). */
const asCompared = (s: string): string => (/^[\x20-\x7e]*$/.test(s) ? s : [...s].filter((ch) => !icuSkips(ch)).join(""));

/** `TryParseV2`'s test: the line, trimmed, starts with `::` (ordinally, or as ICU compares). */
function v2(line: string): boolean {
  const trimmed = line.replace(DOTNET_WHITE_SPACE, "");
  return trimmed.startsWith("::") || asCompared(trimmed).startsWith("::");
}
/** `TryParse`'s test: `##[` anywhere in the line (ordinally, or as ICU compares). */
const legacy = (line: string): boolean => line.includes("##[") || asCompared(line).includes("##[");
/** The runner's lines: split at CR, LF and CRLF. */
const runnerLines = (text: string): string[] => text.split(/\r\n|\r|\n/);

function assertNoCommand(text: string, what: string): void {
  for (const [n, line] of runnerLines(text).entries()) {
    assert.ok(!v2(line), `${what}, line ${n + 1} is a V2 workflow command: ${JSON.stringify(line)}`);
    assert.ok(!legacy(line), `${what}, line ${n + 1} is a legacy workflow command: ${JSON.stringify(line)}`);
  }
}

/**
 * The github format: its own `::error`/`::warning`/`::notice` lines are the only commands, each parsed by V2 as the
 * level it means (V2 is tried first, so a `##[` in its data is data); every other line is no command at all.
 */
function assertOnlyOwnCommands(text: string, what: string): { own: number; plain: string[] } {
  let own = 0;
  const plain: string[] = [];
  for (const line of runnerLines(text)) {
    if (line === "") continue;
    if (line.startsWith("lbdoctor ")) {
      plain.push(line);
      assertNoCommand(line, `${what} (a plain line)`);
      continue;
    }
    own++;
    const m = /^::(error|warning|notice)( [^:]*)?::/.exec(line);
    assert.ok(m, `${what}: a line neither lbdoctor's command nor a plain line: ${JSON.stringify(line)}`);
    // TryParseV2: the command info runs to the next `::`; its properties split at `,` into key=value
    const info = line.slice(2, line.indexOf("::", 2));
    const [name, ...props] = info.split(" ");
    assert.ok(["error", "warning", "notice"].includes(name as string), line);
    for (const p of props.join(" ").split(",").filter(Boolean))
      assert.match(p, /^(file|title)=[^:]*$/, `${what}: a property a value broke: ${line}`);
  }
  return { own, plain };
}

// ---- hostile snapshots ----

const V2_ERROR = "::error title=x::F";
const LEGACY_ERROR = "##[error]F";
const STOP = "##[stop-commands]t";
const NEL_WARNING = "\u0085::warning::F";
/** `##[` to ICU only: a zero-width space between the `#`s. */
const ICU_ERROR = "#\u200b#[error]F";
/** One of them, as any output shows it (Markdown escapes `]`). */
const NAMED = /error\\?\]F/;

type Json = unknown;
/** `doc` with every string (keys too) rewritten by `swaps`. */
function renamed(doc: Json, swaps: Array<[RegExp, string]>): Json {
  const swap = (s: string) => swaps.reduce((t, [re, to]) => t.replace(re, () => to), s);
  const walk = (v: Json): Json =>
    typeof v === "string"
      ? swap(v)
      : Array.isArray(v)
        ? v.map(walk)
        : v !== null && typeof v === "object"
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [swap(k), walk(x)]))
          : v;
  return walk(doc);
}
const read = (path: string): Json => JSON.parse(readFileSync(join(ROOT, path), "utf8"));
/** A whole name: not part of a longer one (vm1, not vm1-nic or nsg-vm1-lockdown). */
const token = (name: string) => new RegExp(`(?<![\\w-])${name}(?![\\w-])`, "g");
const exact = (value: string) => new RegExp(`^${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);

const tmp = mkdtempSync(join(tmpdir(), "lbdoctor-workflow-commands-"));
function file(name: string, doc: Json): string {
  const path = join(tmp, name);
  writeFileSync(path, JSON.stringify(doc, null, 1));
  return path;
}

/** demo.json: the VMs, the NIC NSG's deny rule, and tags on the VMs and NSGs. */
function hostileAzure(): Json {
  const doc = renamed(read("fixtures/azure/demo.json"), [
    [token("vm1"), V2_ERROR],
    [token("vm2"), LEGACY_ERROR],
    [token("deny-all-inbound"), STOP],
  ]) as { resources: Array<{ type: string; tags?: Record<string, string> }> };
  for (const r of doc.resources)
    if (/virtualMachines|networkSecurityGroups/.test(r.type)) r.tags = { owner: NEL_WARNING, team: ICU_ERROR, ticket: STOP };
  return doc;
}

/** targets-unhealthy.json: the instances' Name tags, a security group's name and its rule's description, more tags. */
function hostileAws(): Json {
  const doc = renamed(read("fixtures/aws/targets-unhealthy.json"), [
    [exact("web-1"), V2_ERROR],
    [exact("web-2"), LEGACY_ERROR],
    [exact("web-debug"), STOP],
    [exact("SSH from the office"), NEL_WARNING],
  ]) as { ec2: { Instances: Array<{ Tags: Array<{ Key: string; Value: string }> }> } };
  for (const i of doc.ec2.Instances) i.Tags.push({ Key: "owner", Value: ICU_ERROR }, { Key: "note", Value: NEL_WARNING });
  return doc;
}

/** More deallocated VMs than GitHub shows annotations: the github format prints the rest as plain lines. */
function hostileOverflow(): Json {
  let s = healthyWeb();
  const names = [V2_ERROR, LEGACY_ERROR, STOP, NEL_WARNING, ICU_ERROR];
  for (let i = 0; i < 14; i++)
    s = s.vm(`${names[i % names.length]}-${i}`, {
      subnet: WEB_SUBNET,
      ip: `10.0.0.${i + 10}`,
      pools: [`${WEB_LB}/pool-web`],
      availabilitySet: "avset-web",
      power: "deallocated",
    });
  return s.build();
}

/** The change records of change-before-failure: the callers, the rule the change added, the VMs. */
function hostileTimeline(provider: "azure" | "aws"): Json {
  return provider === "azure"
    ? renamed(read("fixtures/azure/change-before-failure.json"), [
        [token("alice@contoso.com"), LEGACY_ERROR],
        [token("oncall@contoso.com"), V2_ERROR],
        [token("bob@contoso.com"), ICU_ERROR],
        [token("deny-lb-probe"), STOP],
        [token("vm1"), V2_ERROR],
      ])
    : renamed(read("fixtures/aws/change-before-failure.json"), [
        [exact("bob"), LEGACY_ERROR],
        [exact("carol"), V2_ERROR],
        [exact("web-1"), STOP],
      ]);
}

// ---- running lbdoctor ----

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}
async function run(argv: string[]): Promise<Out> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    out: (s) => void (stdout += s),
    err: (s) => void (stderr += s),
  });
  return { code, stdout, stderr };
}

const FORMATS = ["text", "json", "sarif", "junit", "markdown", "github"] as const;

/** Every format of `check`, to stdout one at a time and to --output files all at once (the github one to stdout). */
async function everyFormat(snapshot: string, name: string): Promise<Record<string, string[]>> {
  const texts: Record<string, string[]> = {};
  for (const format of FORMATS) {
    const r = await run(["check", "--snapshot", snapshot, "--format", format, "--no-config", "--no-color"]);
    assert.ok(r.code === 0 || r.code === 1, `${name} ${format}: exit ${r.code}: ${r.stderr}`);
    assertNoCommand(r.stderr, `${name} ${format} stderr`);
    texts[format] = [r.stdout];
  }
  const dir = join(tmp, `${name}-files`);
  mkdirSync(dir, { recursive: true });
  const args = ["check", "--snapshot", snapshot, "--no-config", "--no-color"];
  for (const format of FORMATS.filter((f) => f !== "github")) args.push("--format", format, "--output", join(dir, format));
  const r = await run([...args, "--format", "github"]);
  assert.ok(r.code === 0 || r.code === 1, `${name} files: exit ${r.code}: ${r.stderr}`);
  for (const format of FORMATS.filter((f) => f !== "github")) texts[format]?.push(readFileSync(join(dir, format), "utf8"));
  texts.github?.push(r.stdout);
  return texts;
}

/** Every string in a parsed JSON document. */
function strings(v: Json, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v !== null && typeof v === "object")
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      strings(x, out);
    }
  return out;
}
const holds = (doc: Json, value: string) => strings(doc).some((s) => s.includes(value));

/** The formats of one hostile snapshot: no command anywhere; JSON, SARIF and JUnit still carry the values. */
async function assertFormats(snapshot: string, name: string, names: string[]): Promise<Record<string, string[]>> {
  const texts = await everyFormat(snapshot, name);
  for (const format of FORMATS.filter((f) => f !== "github"))
    for (const [i, text] of (texts[format] ?? []).entries()) assertNoCommand(text, `${name} ${format} (${i ? "file" : "stdout"})`);
  for (const [i, text] of (texts.github ?? []).entries()) assertOnlyOwnCommands(text, `${name} github (${i ? "with files" : "alone"})`);
  for (const text of texts.json ?? []) {
    const doc = JSON.parse(text);
    assertValidReport(doc, `${name} json`);
    for (const n of names) assert.ok(holds(doc, n), `${name} json: ${JSON.stringify(n)} parses back`);
  }
  for (const text of texts.sarif ?? []) {
    const doc = JSON.parse(text);
    assertValidSarif(doc, `${name} sarif`);
    assert.ok(holds(doc, LEGACY_ERROR), `${name} sarif: ${LEGACY_ERROR} parses back`);
  }
  for (const text of texts.junit ?? []) {
    assertValidJunit(text, `${name} junit`);
    assert.ok(text.includes("##&#91;error]F"), `${name} junit: ##[ is a character reference`);
  }
  return texts;
}

describe("no cloud string forms a GitHub Actions workflow command", () => {
  it("line by line: what the runner reads as a command is none once through the helper, and the values stay", () => {
    const hostile = [V2_ERROR, `  ${V2_ERROR}`, NEL_WARNING, `\u200b${V2_ERROR}`, ":\u200b:error::x", `vm${LEGACY_ERROR}`, ICU_ERROR, STOP];
    // the test's parsers read each as a command, and ordinary lines as none
    for (const line of hostile) assert.ok(v2(line) || legacy(line), JSON.stringify(line));
    for (const line of ["lbdoctor error: x", "## heading", "a::b", "[x] #1"]) assert.ok(!v2(line) && !legacy(line), line);
    for (const line of hostile) {
      const text = noWorkflowCommands(`ok\n${line}\r${line}`);
      assertNoCommand(text, `text ${JSON.stringify(line)}`);
      assert.equal(text.replaceAll(COMMAND_BREAK, ""), `ok\n${line}\r${line}`, "only the break is added");
      const xml = noWorkflowCommands(`<a>${line}\n${line}</a>`, "xml");
      assertNoCommand(xml, `XML ${JSON.stringify(line)}`);
      assert.equal(xml.replaceAll("&#91;", "[").replaceAll("&#58;", ":"), `<a>${line}\n${line}</a>`);
      const json = safeJsonEscape(JSON.stringify({ [line]: [line] }, null, 2));
      assertNoCommand(json, `JSON ${JSON.stringify(line)}`);
      assert.deepEqual(JSON.parse(json), { [line]: [line] });
    }
  });

  it("Azure: VM names, an NSG rule's name and tags, in every format", async () => {
    const snapshot = file("azure.json", hostileAzure());
    const texts = await assertFormats(snapshot, "azure", [V2_ERROR, LEGACY_ERROR, STOP]);
    // a message that starts with a VM's name is an indented line: it starts with `::` once trimmed, but for the break
    assert.match(texts.text?.[0] ?? "", new RegExp(`^ +${COMMAND_BREAK}${V2_ERROR} \\(nic`, "m"));
    assert.ok(texts.text?.[0]?.includes(`##${COMMAND_BREAK}[error]F`));
    assert.ok(texts.json?.[0]?.includes("##\\u005berror]F"), "JSON writes the [ of ##[ as \\u005b");
  });

  it("AWS: instance names, a security group's name and rule, tags, in every format", async () => {
    await assertFormats(file("aws.json", hostileAws()), "aws", [V2_ERROR, LEGACY_ERROR, STOP]);
  });

  it("the github format: its own commands only, and the findings over GitHub's limit as plain lines with no command", async () => {
    const snapshot = file("overflow.json", hostileOverflow());
    const r = await run(["check", "--snapshot", snapshot, "--format", "github", "--no-config"]);
    assert.equal(r.code, 1, r.stderr);
    const { own, plain } = assertOnlyOwnCommands(r.stdout, "overflow github");
    assert.ok(own >= 11, `the summary and the annotations: ${own}`);
    for (const name of [`##${COMMAND_BREAK}[stop-commands]t`, `#\u200b#${COMMAND_BREAK}[error]F`])
      assert.ok(
        plain.some((l) => l.includes(name)),
        `a plain line names a VM whose name holds ##[, with the break: ${name}`,
      );
    await assertFormats(snapshot, "overflow", [LEGACY_ERROR, STOP]);
  });

  for (const provider of ["azure", "aws"] as const) {
    it(`timeline (${provider}): callers, rule and member names of the change records`, async () => {
      const snapshot = file(`timeline-${provider}.json`, hostileTimeline(provider));
      for (const format of ["text", "json", "markdown"]) {
        const r = await run(["timeline", "--snapshot", snapshot, "--format", format]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, NAMED, `timeline ${format} prints the names`);
        assertNoCommand(r.stdout, `timeline ${provider} ${format}`);
        assertNoCommand(r.stderr, `timeline ${provider} ${format} stderr`);
      }
    });
  }

  it("diff: the renamed resources and their tags, in text, JSON and Markdown", async () => {
    for (const [before, after] of [
      ["fixtures/azure/demo.json", file("diff-azure.json", hostileAzure())],
      ["fixtures/aws/targets-unhealthy.json", file("diff-aws.json", hostileAws())],
    ] as const) {
      for (const format of ["text", "json", "markdown"]) {
        const r = await run(["diff", join(ROOT, before), after, "--format", format]);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stdout, NAMED, `diff ${format} prints the names`);
        assertNoCommand(r.stdout, `diff ${before} ${format}`);
        if (format === "json") assert.ok(holds(JSON.parse(r.stdout), LEGACY_ERROR));
      }
    }
  });

  it("trace: the target's name and the deciding rule's, in text and JSON", async () => {
    for (const [snapshot, to] of [
      [file("trace-azure.json", hostileAzure()), "10.0.0.4:80"],
      [file("trace-aws.json", hostileAws()), "i-0d1a405ce80057a11:80"],
    ] as const) {
      const from = snapshot.endsWith("trace-azure.json") ? "AzureLoadBalancer" : "lb";
      for (const format of ["text", "json"]) {
        const r = await run(["trace", "--snapshot", snapshot, "--from", from, "--to", to, "--format", format, "--no-color"]);
        assert.equal(r.code, 1, r.stderr);
        assert.ok(r.stdout.includes("]F") || r.stdout.includes("]t"), `trace ${format} prints the names: ${r.stdout}`);
        assertNoCommand(r.stdout, `trace ${snapshot} ${format}`);
      }
    }
  });

  it("stderr: an error quoting a value", async () => {
    const r = await run(["trace", "--snapshot", file("stderr.json", hostileAzure()), "--from", "x##[error]F", "--to", "10.0.0.4:80"]);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes("error]F"), r.stderr);
    assertNoCommand(r.stderr, "stderr");
  });
});

describe("an ordinary report comes out as it was", () => {
  it("every golden (every format, the CLI texts, diff) is left as it is", () => {
    // the github format's goldens are lbdoctor's own commands: the helper is never applied to them
    const goldens = [
      ...readdirSync(join(ROOT, "test/golden/formats")).map((f) => `formats/${f}`),
      ...readdirSync(join(ROOT, "test/golden")).filter((f) => f.includes(".")),
    ].filter((g) => !g.endsWith(".github.txt"));
    assert.ok(goldens.length > 20);
    for (const g of goldens) {
      const text = readFileSync(join(ROOT, "test/golden", g), "utf8");
      const kind = /\.(json|sarif)$/.test(g) ? "json" : g.endsWith(".xml") ? "xml" : "text";
      assert.equal(noWorkflowCommands(text, kind), text, g);
      if (kind === "json") assert.equal(safeJsonEscape(text), text, g);
    }
  });

  it("demo.json and targets-unhealthy.json: nothing added to any format", async () => {
    for (const snapshot of ["fixtures/azure/demo.json", "fixtures/aws/targets-unhealthy.json"]) {
      const texts = await everyFormat(join(ROOT, snapshot), snapshot.replace(/\W/g, "-"));
      for (const [format, list] of Object.entries(texts))
        for (const text of list) {
          for (const mark of [COMMAND_BREAK, "\\u005b", "&#91;", "&#58;"])
            assert.ok(!text.includes(mark), `${snapshot} ${format}: ${mark}`);
          if (format !== "github") assertNoCommand(text, `${snapshot} ${format}`);
        }
    }
  });
});

describe("every character ICU skips is one a workflow command could hide behind", () => {
  it("breaks #<c>#[ and :<c>: for every code point ICU compares as absent", () => {
    // ICU root collation at tertiary strength: what .NET's culture-sensitive StartsWith and IndexOf use on Linux
    const icu = new Intl.Collator("en", { sensitivity: "variant" });
    const missed: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      if (ch === "\n" || ch === "\r" || icu.compare(`#${ch}#`, "##") !== 0) continue;
      const legacy = noWorkflowCommands(`vm#${ch}#[error]x`);
      const v2 = noWorkflowCommands(`:${ch}:error::x`);
      const json = noWorkflowCommands(`"vm#${ch}#[error]x"`, "json");
      if (!legacy.includes(COMMAND_BREAK) || !v2.includes(COMMAND_BREAK) || json.includes("#["))
        missed.push(`U+${cp.toString(16).toUpperCase().padStart(4, "0")}`);
    }
    assert.deepEqual(missed, []);
  });
});

describe("a printed fix command carries no workflow command, and pastes to the exact value", () => {
  /** VM names holding `##[` (also behind characters ICU skips), quotes, `$`, substitutions; and a `#[` that is none. */
  const NAMES = [`it's #\u00ad#[error]F "$(touch pwned)" $HOME`, "##[[stop-commands]t", "a#\u200b#[error]F`touch pwned`", "x#[y"];
  /** More deallocated VMs than GitHub shows annotations: the github format prints the rest as plain lines. */
  const vms = Array.from({ length: 16 }, (_, i) => `${NAMES[i % NAMES.length]}-${i}`);
  function snapshot(): string {
    let s = healthyWeb();
    for (const [i, name] of vms.entries())
      s = s.vm(name, {
        subnet: WEB_SUBNET,
        ip: `10.0.0.${i + 10}`,
        pools: [`${WEB_LB}/pool-web`],
        availabilitySet: "avset-web",
        power: "deallocated",
      });
    return file("paste.json", s.build());
  }

  /** The arguments a pasted command gives `az`, run by a real sh (an `az` function records them; nothing else may run). */
  async function pasted(command: string): Promise<string[]> {
    const { spawnSync } = await import("node:child_process");
    const dir = mkdtempSync(join(tmp, "paste-"));
    const script = `az() { for a in "$@"; do printf '%s\\000' "$a"; done; }\n${command}`;
    const r = spawnSync("/bin/sh", ["-c", script], { cwd: dir, encoding: "utf8", env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent" } });
    assert.equal(r.status, 0, `${command}\n${r.stderr}`);
    assert.deepEqual(readdirSync(dir), [], `${command}\n  ran something`);
    return r.stdout.split("\u0000").slice(0, -1);
  }

  /** The value of `--name` in each `az vm start` command, each checked: no break, no command, and it pastes whole. */
  async function names(commands: string[], what: string): Promise<Set<string>> {
    const out = new Set<string>();
    for (const c of commands) {
      assert.ok(!c.includes(COMMAND_BREAK), `${what}: a break inside the command ${JSON.stringify(c)}`);
      assert.ok(!legacy(c) && !v2(c), `${what}: a workflow command inside ${JSON.stringify(c)}`);
      const argv = await pasted(c);
      assert.deepEqual(argv.slice(0, 2), ["vm", "start"], c);
      out.add(argv[argv.indexOf("--name") + 1] as string);
    }
    return out;
  }

  it("text and github: the az vm start of each VM names it exactly, while the prose around it is broken as before", async () => {
    const path = snapshot();
    const text = await run(["check", "--snapshot", path, "--format", "text", "--no-config", "--no-color"]);
    assert.equal(text.code, 1, text.stderr);
    assertNoCommand(text.stdout, "text");
    const textCommands = text.stdout
      .split("\n")
      .filter((l) => /^\s+\$ az vm start /.test(l))
      .map((l) => l.replace(/^\s+\$ /, ""));
    assert.deepEqual([...(await names(textCommands, "text"))].sort(), [...vms].sort());
    // the command inside a fix's summary too (`az network nic ip-config address-pool remove … --nic-name '…-nic' …`)
    const inline = text.stdout.split("\n").filter((l) => l.includes("`az network nic ip-config address-pool remove "));
    assert.equal(inline.length, vms.length);
    for (const l of inline)
      assert.ok(!l.slice(l.indexOf("`az network nic")).includes(COMMAND_BREAK), `a break inside ${JSON.stringify(l)}`);
    // the same names in the prose: broken
    assert.ok(text.stdout.includes(`VM it's #\u00ad#${COMMAND_BREAK}[error]F`), "the prose is broken as before");
    assert.ok(text.stdout.includes(`VM ##${COMMAND_BREAK}[[stop-commands]t`), "the prose is broken as before");

    const github = await run(["check", "--snapshot", path, "--format", "github", "--no-config", "--no-color"]);
    assert.equal(github.code, 1, github.stderr);
    const { plain } = assertOnlyOwnCommands(github.stdout, "github");
    // the plain lines (findings over GitHub's limit): parts joined by " | ", through noWorkflowCommands
    const plainCommands = plain.flatMap((l) =>
      l
        .split(" | ")
        .filter((p) => p.startsWith("$ az vm start "))
        .map((p) => p.slice(2)),
    );
    assert.ok(plainCommands.length >= 4, `fix commands in plain lines: ${plainCommands.length}`);
    const fromPlain = await names(plainCommands, "github plain line");
    assert.ok([...fromPlain].some(legacy), `a plain line's command names a VM whose name holds ##[: ${[...fromPlain].join(", ")}`);
    assert.ok(
      plain.some((l) => l.split(" | ").some((p) => !p.startsWith("$ ") && p.includes(`#${COMMAND_BREAK}[`))),
      "the prose of a plain line is broken as before",
    );
    // the annotations: the data of lbdoctor's own commands, one part a line (%0A), as the runner unescapes it
    const annotated = github.stdout
      .split("\n")
      .filter((l) => l.startsWith("::error "))
      .flatMap((l) => l.slice(l.indexOf("::", 2) + 2).split("%0A"))
      .filter((p) => p.startsWith("$ az vm start "))
      .map((p) => p.slice(2).replaceAll("%0D", "\r").replaceAll("%25", "%"));
    const all = new Set([...fromPlain, ...(await names(annotated, "github annotation"))]);
    assert.deepEqual([...all].sort(), [...vms].sort());
  });
});
