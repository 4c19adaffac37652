/**
 * The layout is a contract: the core knows no provider, a rule reads only
 * its own provider, and nothing but a provider's folder names a provider's
 * internals. Each import specifier of every source file is checked.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** Every relative import of a file, resolved to a path relative to the repository. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    out.push(relative(root, resolve(dirname(file), m[1] as string)));
  }
  return out;
}

function offenders(files: string[], forbidden: (target: string, file: string) => boolean): string[] {
  const bad: string[] = [];
  for (const f of files) for (const t of importsOf(f)) if (forbidden(t, relative(root, f))) bad.push(`${relative(root, f)} → ${t}`);
  return bad;
}

describe("architecture", () => {
  it("the core imports no provider, no command, no TUI and no rule", () => {
    const bad = offenders(walk(join(root, "src/core")), (t) => /^(src\/(providers|commands|cli|tui)|rules)\//.test(t));
    assert.deepEqual(bad, []);
  });

  it("a rule imports the core and its own provider only, never another rule", () => {
    const bad = offenders(walk(join(root, "rules")), (t, f) => {
      const provider = f.split("/")[1];
      // the generated registries: the catalog and the lazy registry name the providers' registries only
      if (f === "rules/index.ts" || f === "rules/registry.ts") return !t.startsWith("src/core/") && !/^rules\/[^/]+\/index\.ts$/.test(t);
      if (t.startsWith("src/core/") || t.startsWith("test/support/")) return false;
      if (t.startsWith(`src/providers/${provider}/`)) return false;
      // a rule's own folder (its cases import its rule)
      return !t.startsWith(dirname(f));
    });
    assert.deepEqual(
      bad,
      [],
      "share a cause check through the provider's folder (src/providers/aws/causes.ts), and test links between rules through test/support/catalog.ts",
    );
  });

  it("commands load rules through the lazy registry (rules/registry.ts), never the whole catalog", () => {
    const files = [...walk(join(root, "src/commands")), ...walk(join(root, "src/cli")), join(root, "src/cli.ts")];
    const bad = offenders(files, (t) => t.startsWith("rules/") && t !== "rules/registry.ts");
    assert.deepEqual(bad, [], "import { rulesFor } from rules/registry.ts: only the snapshot's provider's rules are loaded");
  });

  it("one provider never imports another", () => {
    const bad = offenders(walk(join(root, "src/providers")), (t, f) => {
      const own = f.split("/")[2];
      const m = /^src\/providers\/([^/]+)\//.exec(t);
      return m !== null && f !== "src/providers/index.ts" && m[1] !== own;
    });
    assert.deepEqual(bad, []);
  });

  it("outside src/providers, only the registry names a provider's module (tests and benches aside)", () => {
    const files = [
      ...walk(join(root, "src/commands")),
      ...walk(join(root, "src/tui")),
      ...walk(join(root, "src/cli")),
      join(root, "src/cli.ts"),
    ];
    const bad = offenders(files, (t) => t.startsWith("src/providers/") && t !== "src/providers/index.ts");
    assert.deepEqual(bad, []);
  });

  it("the command line's registrations and the command implementations share no file name", () => {
    const names = (dir: string) => walk(join(root, dir)).map((f) => relative(join(root, dir), f));
    const commands = new Set(names("src/commands"));
    assert.deepEqual(
      names("src/cli").filter((n) => commands.has(n)),
      [],
    );
  });

  it("the IO handle is declared once, in src/core/io.ts", () => {
    const files = ["src", "rules", "test", "scripts", "bench"].flatMap((d) => walk(join(root, d)));
    const declaring = files
      .filter((f) => /^\s*(export\s+)?(interface\s+IO\b|type\s+IO\s*=|type\s*\{\s*IO\s*\})/m.test(readFileSync(f, "utf8")))
      .map((f) => relative(root, f));
    assert.deepEqual(declaring, ["src/core/io.ts"]);
  });

  it("docs/architecture.md names only paths that exist", () => {
    const doc = readFileSync(join(root, "docs/architecture.md"), "utf8");
    const named = [...doc.matchAll(/`((?:src|rules|test|scripts|docs|bin|fixtures)\/[^`\s]*)`/g)].map((m) => m[1] as string);
    assert.ok(named.length > 20, "the document names the files it describes");
    const missing = named.filter((p) => !/[<>*|]/.test(p) && !existsSync(join(root, p)));
    assert.deepEqual(missing, []);
  });
});
