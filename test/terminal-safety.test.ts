/**
 * A snapshot is untrusted input: one hostile fixture (every name, id, tag,
 * probe path and gap ending in clear-screen, OSC 0 / 52 / 8, CR, a C1 CSI,
 * NUL and bidi controls) rendered in every format, in `diff`, in `trace`, in
 * an error message that lists load balancer names, and in the TUI. Nothing
 * a terminal would act on may come out raw (colour sequences lbdoctor emits
 * itself aside); JSON and SARIF keep the values, escaped.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Box } from "ink";
import { cleanup, render } from "ink-testing-library";
import React from "react";
import { loadFormatter } from "../src/core/report/formats.ts";
import type { Report } from "../src/core/report/report.ts";
import { jsonTextPiece, safeJson, safeJsonEscape, sanitize, terminalSafe } from "../src/core/report/sanitize.ts";
import { analyze } from "../src/tui/analyze.ts";
import { FindingView, LbView, Overview } from "../src/tui/components/screens.ts";
import { fixture, lbdoctor, ROOT } from "./support/cli.ts";
import { TERMINAL_SUFFIX } from "./support/hostile.ts";

const HOSTILE = join(ROOT, "test", "fixtures", "hostile-terminal.json");
/** Anything a terminal acts on, except the SGR colour sequences lbdoctor writes itself. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

function assertInert(what: string, text: string, shown = true): void {
  const bare = text.replace(/\u001b\[[0-9;]*m/g, "");
  const m = RAW.exec(bare);
  assert.equal(
    m,
    null,
    `${what}: raw U+${m?.[0].charCodeAt(0).toString(16).padStart(4, "0")} near ${JSON.stringify(bare.slice(Math.max(0, (m?.index ?? 0) - 40), (m?.index ?? 0) + 40))}`,
  );
  if (shown) assert.ok(text.includes("pwned"), `${what}: the hostile text is still shown (escaped), not dropped`);
}

/** Every string of a parsed document. */
function strings(doc: unknown): string[] {
  const out: string[] = [];
  JSON.stringify(doc, (_k, v) => {
    if (typeof v === "string") out.push(v);
    return v;
  });
  return out;
}

after(() => cleanup());

describe("terminal safety: one hostile snapshot in every output", () => {
  it("the fixture really is hostile (names carry escape sequences, C1 and bidi controls)", () => {
    const text = readFileSync(HOSTILE, "utf8");
    assert.ok(strings(JSON.parse(text)).some((s) => s.endsWith(TERMINAL_SUFFIX) && s.includes("lb-web")));
  });

  for (const format of ["text", "markdown", "github", "junit"]) {
    it(`check --format ${format}: nothing raw on stdout or stderr`, () => {
      const r = lbdoctor(["check", "--snapshot", HOSTILE, "--format", format, "--no-config", "--verbose"]);
      assert.equal(r.code, 1, r.stderr);
      assertInert(`${format} stdout`, r.stdout);
      assert.doesNotMatch(r.stderr, RAW);
    });
  }

  it("check with colours: only lbdoctor's own SGR sequences", () => {
    const r = lbdoctor(["check", "--snapshot", HOSTILE, "--verbose", "--no-config"], { FORCE_COLOR: "1", NO_COLOR: "" });
    assert.match(r.stdout, /\u001b\[\d+m/, "colours are on");
    assertInert("coloured text", r.stdout);
  });

  for (const format of ["json", "sarif"]) {
    it(`check --format ${format}: every control character escaped, the values intact`, () => {
      const r = lbdoctor(["check", "--snapshot", HOSTILE, "--format", format, "--no-config"]);
      assert.equal(r.code, 1, r.stderr);
      assert.doesNotMatch(r.stdout, RAW, "raw in the serialized text");
      assert.match(r.stdout, /\\u001b\]52;c;/, "ESC is written as \\u001b");
      assert.match(r.stdout, /\\u009b31m/, "C1 is written as \\u009b");
      assert.match(r.stdout, /\\u202e/, "the RTL override is written as \\u202e");
      const values = strings(JSON.parse(r.stdout));
      assert.ok(
        values.some((s) => s.includes(TERMINAL_SUFFIX)),
        "parsing gives the exact values back",
      );
    });
  }

  it("the formatters themselves escape every value (not only the last guard on stdout)", async () => {
    const r = lbdoctor(["check", "--snapshot", HOSTILE, "--format", "json", "--no-config"]);
    const report = JSON.parse(r.stdout) as Report;
    for (const format of ["text", "markdown", "github", "junit"]) {
      const render = await loadFormatter(format);
      assertInert(`formatter ${format}`, render(report, { color: false, verbose: true }));
    }
  });

  for (const format of ["text", "markdown", "json"]) {
    it(`diff --format ${format}`, () => {
      const r = lbdoctor(["diff", fixture("demo"), HOSTILE, "--format", format]);
      assert.equal(r.code, 1, r.stderr);
      if (format === "json") {
        assert.doesNotMatch(r.stdout, RAW);
        assert.ok(strings(JSON.parse(r.stdout)).some((s) => s.includes(TERMINAL_SUFFIX)));
      } else assertInert(`diff ${format}`, r.stdout);
    });
  }

  it("trace, text and JSON", () => {
    const text = lbdoctor(["trace", "--snapshot", HOSTILE, "--from", "Internet", "--to", "10.0.0.4:80"]);
    assert.ok(text.code === 0 || text.code === 1, text.stderr);
    assertInert("trace text", text.stdout);
    const json = lbdoctor(["trace", "--snapshot", HOSTILE, "--from", "Internet", "--to", "10.0.0.4:80", "--format", "json"]);
    assert.doesNotMatch(json.stdout, RAW);
    assert.ok(strings(JSON.parse(json.stdout)).some((s) => s.includes(TERMINAL_SUFFIX)));
  });

  it("an error message that lists the load balancer names (unknown target) is escaped on stderr", () => {
    const r = lbdoctor(["check", "--snapshot", HOSTILE, "no-such-lb", "--no-config"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /lb-web/);
    assertInert("stderr", r.stderr);
  });

  it("the TUI: overview, load balancer and every finding view", async () => {
    const snap = JSON.parse(readFileSync(HOSTILE, "utf8"));
    const data = await analyze(snap, { source: "snapshot hostile.json", live: false });
    const sized = { width: 100, height: 80, color: false };
    const noFilter = { text: "", all: false };
    const h = React.createElement;
    const screens = [
      h(Overview, { ...sized, data, filter: noFilter, selected: 0 }),
      h(LbView, { ...sized, data, lbKey: data.lbs[0]?.key ?? "", filter: noFilter, selected: 0 }),
      ...data.findings.slice(0, 6).map((f) => h(FindingView, { ...sized, data, findingId: f.id, selected: 0 })),
    ];
    assert.ok(screens.length > 3);
    let shown = 0;
    for (const el of screens) {
      const inst = render(h(Box, { width: 100 }, el));
      const frame = inst.lastFrame() ?? "";
      inst.unmount();
      assertInert("TUI frame", frame, false);
      if (frame.includes("pwned")) shown++;
    }
    assert.ok(shown > 0, "the hostile names are shown, escaped");
  });
});

describe("sanitize, terminalSafe, safeJson", () => {
  it("sanitize removes escape sequences and shows other controls and bidi characters as escapes", () => {
    assert.equal(sanitize("a\u001b]52;c;eA==\u0007b"), "ab");
    assert.equal(sanitize("a\u001b[2Jb"), "ab");
    assert.equal(sanitize("a\rb\u0000c\u0085d\u009b31m"), "a\\x0db\\x00c\\x85d");
    assert.equal(sanitize("x\u202eevil\u2066"), "x\\u202eevil\\u2066");
    assert.equal(sanitize("line\nnext\ttab"), "line\nnext\ttab");
  });

  it("terminalSafe keeps SGR colours and the progress line's CR ESC[2K, and nothing else", () => {
    assert.equal(terminalSafe("\u001b[31mred\u001b[39m"), "\u001b[31mred\u001b[39m");
    assert.equal(terminalSafe("\r\u001b[2Kstatus"), "\r\u001b[2Kstatus");
    assert.equal(terminalSafe("\u001b]0;title\u0007"), "\\x1b]0;title\\x07");
    assert.equal(terminalSafe("a\u202eb\rc"), "a\\u202eb\\x0dc");
  });

  it("safeJson escapes C1, DEL and bidi characters too, and parses back to the same value", () => {
    const v = { s: `x${TERMINAL_SUFFIX}\u007f\u2028` };
    const text = safeJson(v);
    assert.doesNotMatch(text, RAW);
    assert.deepEqual(JSON.parse(text), v);
  });

  it("safeJsonEscape: plain ASCII passes as it is; a DEL in ASCII text, C1 and bidi characters are escaped", () => {
    const ascii = '{"a":"b c","n":[1,2]}';
    assert.equal(safeJsonEscape(ascii), ascii);
    assert.equal(safeJsonEscape('"a\u007fb"'), '"a\\u007fb"');
    assert.equal(safeJsonEscape('"\u009b\u2028"'), '"\\u009b\\u2028"');
  });

  it("terminalSafe passes the last JSON piece unscanned (it is inert), and still escapes any other text", () => {
    const piece = jsonTextPiece(JSON.stringify({ s: `x${TERMINAL_SUFFIX}` }));
    assert.doesNotMatch(piece, RAW);
    assert.equal(terminalSafe(piece), piece);
    assert.equal(terminalSafe("\u001b]0;title\u0007"), "\\x1b]0;title\\x07");
    assert.equal(terminalSafe(`${piece}\u001b[2J`), `${piece}\\x1b[2J`);
  });
});
