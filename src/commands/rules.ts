import { readFileSync } from "node:fs";
import { join } from "node:path";
import { allRules } from "../../rules/registry.ts";
import { docsUrl } from "../core/engine/define-rule.ts";
import { InputError } from "../core/errors.ts";
import type { IO } from "../core/io.ts";
import { PACKAGE_ROOT } from "../core/paths.ts";
import { plural } from "../core/util/words.ts";

export async function runRulesCommand(id: string | undefined, opts: { format: "text" | "json" }, io: IO): Promise<number> {
  const rules = await allRules();
  if (id) {
    const rule = rules.find((r) => r.id === id);
    if (!rule) throw new InputError(`unknown rule '${id}'`, "`lbdoctor rules` lists them.");
    if (opts.format === "json") {
      const { check: _check, ...meta } = rule;
      io.out(`${JSON.stringify({ ...meta, docs: docsUrl(rule.id) }, null, 2)}\n`);
    } else {
      io.out(readFileSync(join(PACKAGE_ROOT, "docs", "rules", `${rule.id}.md`), "utf8"));
    }
    return 0;
  }
  if (opts.format === "json") {
    io.out(
      `${JSON.stringify(
        rules.map(({ check: _c, ...meta }) => ({ ...meta, docs: docsUrl(meta.id) })),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  const w = Math.max(...rules.map((r) => r.id.length));
  for (const r of rules) io.out(`${r.id.padEnd(w)}  ${r.severity.padEnd(8)}  ${r.title}\n`);
  io.out(`\n${plural(rules.length, "rule")}. \`lbdoctor rules <id>\` shows one.\n`);
  return 0;
}
