import type { Report } from "../report.ts";
import { safeJson } from "../sanitize.ts";

export function formatJson(report: Report): string {
  return `${safeJson(report)}\n`;
}
