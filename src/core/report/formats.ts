/**
 * The report formats: one name, one lazily loaded formatter. A formatter is a
 * pure function of the report. JSON, SARIF and JUnit also come as streams of
 * text pieces (`loadStreamFormatter`): what `check` writes, so that no report
 * is ever one string (a string has a maximum length; a report has none).
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

/** A formatter whose text comes in pieces. */
export type StreamFormatter = (report: Report, opts: FormatOptions) => Iterable<string>;

const STREAMS: Partial<Record<keyof typeof LOADERS, () => Promise<StreamFormatter>>> = {
  json: async () => (await import("./formatters/json.ts")).jsonReportChunks,
  sarif: async () => (await import("./formatters/sarif.ts")).sarifChunks,
  junit: async () => (await import("./formatters/junit.ts")).junitChunks,
};

/** The format as a stream of pieces: JSON, SARIF and JUnit are streamed; the others (sized for people) are one piece. */
export async function loadStreamFormatter(name: string): Promise<StreamFormatter> {
  const stream = (STREAMS as Record<string, () => Promise<StreamFormatter>>)[name];
  if (stream) return stream();
  const format = await loadFormatter(name);
  return (report, opts) => [format(report, opts)];
}

export type FormatName = keyof typeof LOADERS;
export const FORMAT_NAMES = Object.keys(LOADERS) as FormatName[];

export async function loadFormatter(name: string): Promise<Formatter> {
  const loader = (LOADERS as Record<string, () => Promise<Formatter>>)[name];
  if (!loader) throw new Error(`unknown format ${name}`);
  return loader();
}
