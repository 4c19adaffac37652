/**
 * The report formats: one name, one lazily loaded formatter. A formatter is a
 * pure function of the report.
 */
import type { Report } from "./report.ts";

export interface FormatOptions {
  color: boolean;
  verbose: boolean;
}

export type Formatter = (report: Report, opts: FormatOptions) => string;

const LOADERS = {
  text: async (): Promise<Formatter> => {
    const { formatText } = await import("./formatters/text.ts");
    return (r, o) => formatText(r, { color: o.color, verbose: o.verbose });
  },
  json: async (): Promise<Formatter> => (await import("./formatters/json.ts")).formatJson,
  sarif: async (): Promise<Formatter> => (await import("./formatters/sarif.ts")).formatSarif,
  junit: async (): Promise<Formatter> => (await import("./formatters/junit.ts")).formatJunit,
  markdown: async (): Promise<Formatter> => (await import("./formatters/markdown.ts")).formatMarkdown,
  github: async (): Promise<Formatter> => (await import("./formatters/github.ts")).formatGithub,
} satisfies Record<string, () => Promise<Formatter>>;

export type FormatName = keyof typeof LOADERS;
export const FORMAT_NAMES = Object.keys(LOADERS) as FormatName[];

export async function loadFormatter(name: string): Promise<Formatter> {
  const loader = (LOADERS as Record<string, () => Promise<Formatter>>)[name];
  if (!loader) throw new Error(`unknown format ${name}`);
  return loader();
}
