import type { Report } from "../report.ts";
import { joinChunks, jsonChunks } from "../stream.ts";

/** The report as JSON text, in pieces (a report with every pass of a large snapshot outgrows any one string). */
export function* jsonReportChunks(report: Report): Generator<string> {
  // walked: the report and its lists (findings, passed…); each entry is serialized whole, on one line
  yield* jsonChunks(report, { depth: 2, compactLeaves: true });
  yield "\n";
}

export function formatJson(report: Report): string {
  return joinChunks(jsonReportChunks(report));
}
