/**
 * Bundles the compiled CLI (dist/src/cli.js, from tsc) into dist/bundle/, laid
 * out for start-up: a command resolves and loads a handful of files instead of
 * a hundred modules (Node's module loader costs more per file than per byte).
 * bin/lbdoctor.js runs dist/bundle/cli.js when it is there.
 *
 *   node scripts/bundle.ts        (part of `npm run build`, after tsc)
 *
 * The layout. esbuild splits the code where the CLI imports lazily (a command, a
 * provider, a provider's rules, the collectors, the TUI, a report format) and
 * puts every module in the chunk of the set of those lazy entry points that reach
 * it, which alone scatters the common modules over dozens of small chunks. So,
 * before splitting, every lazy entry point is made to import two groups as a
 * whole, which then share one chunk each:
 *   - the core: the command line (cli.ts and commander), `check` with the text
 *     report, and every module of src/core that a provider's adapter or rules use;
 *   - its provider's group (an entry point under src/providers/<p>/ or rules/<p>/):
 *     the adapter and the rules with what only they use, and nothing of the other
 *     provider's. A check of a snapshot thus loads the core, its provider's
 *     group, the snapshot validator and a few tiny entry files.
 * The rest (live collection, the TUI, the emulators, diff, the other formats,
 * the config file) stays split as it is imported. Dependencies stay in
 * node_modules (they load only in the commands that use them), except the CLI
 * parser (commander) and ipaddr.js, which every command and check loads: bundled
 * in, they are one file less to resolve each, eight for commander.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build, type Metafile, type Plugin } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "bundle");
const entry = join(root, "dist", "src", "cli.js");
// the precompiled snapshot validator, which src/core/snapshot/load.ts requires next to itself
const validator = join(root, "dist", "src", "core", "snapshot", "snapshot-validator.cjs");
for (const f of [entry, validator]) {
  if (!existsSync(f)) {
    process.stderr.write(`scripts/bundle.ts: ${f} is missing; run tsc and scripts/build-validators.ts first (npm run build)\n`);
    process.exit(1);
  }
}

/** The packages bundled in (CommonJS, loaded by every command or every check); every other one stays external. */
const INLINE = new Set(["commander", "ipaddr.js"]);
const PROVIDERS = ["azure", "aws"] as const;
const dist = (p: string) => join(root, "dist", p);
/** What a run of `check --snapshot` uses whatever the provider, besides what the providers' groups import from src/core. */
const CORE_ROOTS = [entry, dist("src/commands/check.js"), dist("src/core/report/formatters/text.js")];
/** Each provider's group: its adapter and its rules (rules/registry.ts and src/providers/index.ts import them lazily). */
const GROUP_ROOTS = Object.fromEntries(PROVIDERS.map((p) => [p, [dist(`src/providers/${p}/adapter.js`), dist(`rules/${p}/index.js`)]]));

const packageOf = (spec: string) => (spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : (spec.split("/")[0] ?? spec));
const BARREL = "lbdoctor-group:";
const MODULE = "lbdoctor-module:";

/** Dependencies external (but INLINE), and the groups' virtual modules, which import their members by absolute path. */
function resolvePlugin(groups: Map<string, string[]>): Plugin {
  return {
    name: "lbdoctor-layout-resolve",
    setup(b) {
      b.onResolve({ filter: new RegExp(`^${BARREL}`) }, (a) => ({ path: a.path.slice(BARREL.length), namespace: "lbdoctor-group" }));
      b.onResolve({ filter: new RegExp(`^${MODULE}`) }, (a) => ({ path: a.path.slice(MODULE.length) }));
      b.onLoad({ filter: /.*/, namespace: "lbdoctor-group" }, (a) => ({
        contents: (groups.get(a.path) ?? []).map((f) => `import ${JSON.stringify(MODULE + f)};`).join("\n"),
        resolveDir: root,
        loader: "js",
      }));
      b.onResolve({ filter: /^[^./]/ }, (a) => {
        if (a.path.startsWith("node:") || INLINE.has(packageOf(a.path))) return undefined;
        return { path: a.path, external: true };
      });
    },
  };
}

const common: BuildOptions = {
  entryPoints: [entry],
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  logLevel: "warning",
};

// 1. the module graph (nothing written): which modules each lazy entry point reaches through static imports
const graph: Metafile = (await build({ ...common, outdir: out, write: false, metafile: true, plugins: [resolvePlugin(new Map())] }))
  .metafile;
const abs = (p: string) => resolve(root, p);
const staticImports = new Map<string, string[]>();
/** Each module's lazy imports: the specifier as written, and the module it names. */
const dynamicImports = new Map<string, { spec: string; target: string }[]>();
for (const [p, input] of Object.entries(graph.inputs)) {
  const from = abs(p);
  const deps: string[] = [];
  for (const i of input.imports) {
    if (i.external) continue;
    if (i.kind === "dynamic-import") {
      if (!i.original) throw new Error(`scripts/bundle.ts: esbuild named no specifier for ${p} → ${i.path}`);
      dynamicImports.set(from, [...(dynamicImports.get(from) ?? []), { spec: i.original, target: abs(i.path) }]);
    } else deps.push(abs(i.path));
  }
  staticImports.set(from, deps);
}
const closure = (roots: string[]): Set<string> => {
  const seen = new Set<string>();
  const stack = [...roots];
  for (let f = stack.pop(); f !== undefined; f = stack.pop()) {
    if (seen.has(f)) continue;
    seen.add(f);
    stack.push(...(staticImports.get(f) ?? []));
  }
  return seen;
};
for (const f of [...CORE_ROOTS, ...Object.values(GROUP_ROOTS).flat()]) {
  if (!staticImports.has(f)) {
    process.stderr.write(`scripts/bundle.ts: ${f} is not part of the CLI's module graph; update CORE_ROOTS / GROUP_ROOTS\n`);
    process.exit(1);
  }
}
const coreSrc = dist("src/core/");
const core = closure(CORE_ROOTS);
for (const p of PROVIDERS) for (const f of closure(GROUP_ROOTS[p] ?? [])) if (f.startsWith(coreSrc)) core.add(f);
const groups = new Map<string, string[]>([["core", [...core]]]);
for (const p of PROVIDERS)
  groups.set(
    p,
    [...closure(GROUP_ROOTS[p] ?? [])].filter((f) => !core.has(f)),
  );
// A lazy import of a module of the core is made static: the core loads at start anyway, and each lazy entry point is
// one more file (a few lines that re-export from its chunk) to load when it is imported (`check`, the text report).
// Likewise the core's lazy imports of a provider's adapter and of its rules, which a check makes together, import one
// entry point for the provider's group (GROUP_ENTRY), which exports both.
const GROUP_ENTRY = "lbdoctor-group-entry:";
const rewrites = new Map<string, { spec: string; target: string; to: string }[]>();
const lazyEntries = new Set<string>([entry]);
const rewrite = (from: string, d: { spec: string; target: string }, to: string) =>
  rewrites.set(from, [...(rewrites.get(from) ?? []), { ...d, to }]);
for (const [from, list] of dynamicImports) {
  for (const d of list) {
    const p = PROVIDERS.find((q) => GROUP_ROOTS[q]?.includes(d.target));
    if (core.has(d.target) && core.has(from)) rewrite(from, d, "static");
    else if (p && core.has(from)) rewrite(from, d, `${p}:${GROUP_ROOTS[p]?.indexOf(d.target)}`);
    else lazyEntries.add(d.target);
  }
}
// the provider groups a lazy entry point reaches (its folders', or the catalog's both): it imports those whole
const groupMembers = new Map(PROVIDERS.map((p) => [p, new Set(groups.get(p))]));
const groupsOf = (f: string): string[] => {
  const reached = closure([f]);
  return PROVIDERS.filter((p) => [...(groupMembers.get(p) ?? [])].some((m) => reached.has(m)));
};

// 2. the bundle: every lazy entry point imports the core, and one under a provider's folders that provider's group too
// Node's modules reach the core through `require`, each as a module that exports the names the core imports from it
// and nothing else: an ESM `import` of one makes its ESM facade, which reads every export (node:fs's load fs/promises,
// its streams and readline: ~2 ms of every start-up), and a CommonJS module would be copied whole at start (esbuild's
// interop). So every import of one in the core must name what it takes (`import { a, b as c } from "node:fs"`).
const builtinNames = new Map<string, Set<string>>();
for (const f of core) {
  const text = readFileSync(f, "utf8");
  for (const m of text.matchAll(/^import\s+([^"]*?)\s*from\s*"(?:node:)?([a-z_/]+)";?$/gm)) {
    const [, what = "", spec = ""] = m;
    if (!builtinModules.includes(spec)) continue;
    const named = /^\{([^}]*)\}$/.exec(what.trim());
    if (!named) {
      process.stderr.write(`scripts/bundle.ts: ${f}: import what it takes from node:${spec} by name (${what.trim()})\n`);
      process.exit(1);
    }
    const names = builtinNames.get(spec) ?? new Set<string>();
    for (const n of (named[1] ?? "").split(",")) if (n.trim()) names.add(n.trim().split(/\s+as\s+/)[0] as string);
    builtinNames.set(spec, names);
  }
}
const layout: Plugin = {
  name: "lbdoctor-layout",
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (a) => {
      const name = a.path.replace(/^node:/, "");
      if (!builtinNames.has(name) || !core.has(a.importer) || a.kind !== "import-statement") return undefined;
      return { path: name, namespace: "lbdoctor-builtin" };
    });
    // commander requires child_process as it loads, and uses it only to run a subcommand's own executable (lbdoctor has
    // none): taken when first used, a check does without it
    b.onResolve({ filter: /^node:child_process$/ }, (a) =>
      a.kind === "require-call" && /[\\/]commander[\\/]lib[\\/]command\.js$/.test(a.importer)
        ? { path: "child_process", namespace: "lbdoctor-lazy-builtin" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "lbdoctor-lazy-builtin" }, (a) => ({
      contents: `let m;\nmodule.exports = new Proxy({}, { get: (_, k) => (m ??= require(${JSON.stringify(`node:${a.path}`)}))[k] });\n`,
      loader: "js",
    }));
    b.onLoad({ filter: /.*/, namespace: "lbdoctor-builtin" }, (a) => {
      const names = [...(builtinNames.get(a.path) ?? [])];
      return {
        contents: `const m = require(${JSON.stringify(`node:${a.path}`)});\nexport const ${names.map((n) => `${n} = m.${n}`).join(", ")};\n`,
        loader: "js",
      };
    });
    b.onResolve({ filter: new RegExp(`^${GROUP_ENTRY}`) }, (a) => ({
      path: a.path.slice(GROUP_ENTRY.length),
      namespace: "lbdoctor-group-entry",
    }));
    b.onLoad({ filter: /.*/, namespace: "lbdoctor-group-entry" }, (a) => ({
      contents: [
        ...(GROUP_ROOTS[a.path] ?? []).map((f, i) => `export * as m${i} from ${JSON.stringify(MODULE + f)};`),
        `import "${BARREL}core";`,
        `import "${BARREL}${a.path}";`,
      ].join("\n"),
      resolveDir: root,
      loader: "js",
    }));
    b.onLoad({ filter: /\.js$/ }, (a) => {
      const lazy = lazyEntries.has(a.path);
      const made = rewrites.get(a.path) ?? [];
      if (!lazy && made.length === 0) return undefined;
      let text = readFileSync(a.path, "utf8");
      const head: string[] = [];
      made.forEach((d, i) => {
        const call = `import(${JSON.stringify(d.spec)})`;
        if (!text.includes(call)) throw new Error(`scripts/bundle.ts: ${a.path} has no ${call} to rewrite`);
        if (d.to === "static") {
          head.push(`import * as __lbdoctorStatic${i} from ${JSON.stringify(d.spec)};`);
          text = text.replaceAll(call, `Promise.resolve(__lbdoctorStatic${i})`);
        } else {
          const [p, index] = d.to.split(":");
          text = text.replaceAll(call, `import(${JSON.stringify(GROUP_ENTRY + p)}).then((m) => m.m${index})`);
        }
      });
      const tail = lazy ? [`import "${BARREL}core";`, ...groupsOf(a.path).map((p) => `import "${BARREL}${p}";`)] : [];
      return { contents: `${head.join("\n")}\n${text}\n${tail.join("\n")}\n`, loader: "js", resolveDir: dirname(a.path) };
    });
  },
};
rmSync(out, { recursive: true, force: true });
await build({
  ...common,
  outdir: out,
  chunkNames: "chunk-[hash]",
  plugins: [layout, resolvePlugin(groups)],
  // the bundled CommonJS packages require Node's modules
  banner: {
    js: 'import { createRequire as __lbdoctorCreateRequire } from "node:module"; const require = __lbdoctorCreateRequire(import.meta.url);',
  },
});
// the validator with the one piece of ajv it requires (ucs2length) bundled in: one file, no package to resolve (as
// compact as ajv wrote it: generated code, a third larger laid out)
await build({
  entryPoints: [validator],
  outfile: join(out, "snapshot-validator.cjs"),
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node22",
  minifyWhitespace: true,
  logLevel: "warning",
});

// 3. ASCII only: a file with one other character is decoded on Node's slow path into a string of twice its size (~1 ms for
// the provider's group). esbuild escapes them in code (charset ascii) but keeps the comments of class fields as written.
for (const f of readdirSync(out)) {
  const path = join(out, f);
  const text = readFileSync(path, "utf8");
  if (/^[\x00-\x7f]*$/.test(text)) continue;
  const lines = text.split("\n").map((line, i) => {
    if (/^[\x00-\x7f]*$/.test(line)) return line;
    if (!/^\s*(\/\*\*?|\*|\/\/)/.test(line)) {
      process.stderr.write(`scripts/bundle.ts: dist/bundle/${f}:${i + 1} has a character other than ASCII outside a comment\n`);
      process.exit(1);
    }
    return line.replace(/[^\x00-\x7f]/gu, (c) => `\\u{${(c.codePointAt(0) as number).toString(16)}}`);
  });
  writeFileSync(path, lines.join("\n"));
}
