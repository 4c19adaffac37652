/**
 * The text outputs' styles (src/core/util/ansi.ts) print what chalk printed
 * before them, byte for byte, at chalk's level 1 and level 0: each style and
 * the combinations in use, nested styles, line breaks (\n, \r\n), empty text.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Chalk, type ChalkInstance } from "chalk";
import fc from "fast-check";
import { type StyleName, type Styles, styles } from "../src/core/util/ansi.ts";

const NAMES: StyleName[] = ["bold", "red", "green", "yellow", "magenta", "cyan", "gray", "white", "bgRed"];
const seed = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {};

type Pick = (s: Styles | ChalkInstance) => (t: string) => string;
const pick =
  (...path: StyleName[]): Pick =>
  (s) =>
    // biome-ignore lint/suspicious/noExplicitAny: walking the same property path on both
    path.reduce((x: any, n) => x[n], s);

describe("ansi styles", () => {
  for (const level of [0, 1] as const) {
    const chalk = new Chalk({ level });
    const ours = styles(level === 1);

    it(`each style and the combinations in use print as chalk's level ${level}`, () => {
      const cases: Pick[] = [
        ...NAMES.map((n) => pick(n)),
        pick("bold", "red"),
        pick("red", "bold"),
        pick("green", "bold"),
        pick("bgRed", "white"),
      ];
      const texts = [
        "",
        "x",
        "two words",
        "a\nb",
        "a\r\nb\n",
        "\n",
        `grey ${chalk.bold("bold")} grey`,
        `red ${new Chalk({ level: 1 }).red("inner")} and ${new Chalk({ level: 1 }).bold.red("both")}\nnext`,
      ];
      for (const p of cases) for (const t of texts) assert.equal(p(ours)(t), p(chalk)(t), JSON.stringify(t));
    });

    it(`random text, nested in random styles, prints as chalk's level ${level}`, () => {
      const name = fc.constantFrom(...NAMES);
      const piece = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("\n", "\r\n", "\u001B[39m", "\u001B[22m", "\u001B[1m"));
      fc.assert(
        fc.property(
          fc.array(name, { minLength: 1, maxLength: 3 }),
          fc.array(name, { minLength: 1, maxLength: 2 }),
          fc.array(piece),
          (outer, inner, pieces) => {
            const text = pieces.join("");
            const innerOurs = pick(...inner)(ours)(text);
            const innerChalk = pick(...inner)(chalk)(text);
            assert.equal(innerOurs, innerChalk);
            assert.equal(pick(...outer)(ours)(`[${innerOurs}]`), pick(...outer)(chalk)(`[${innerChalk}]`));
          },
        ),
        { numRuns: 3000, ...seed },
      );
    });
  }
});
