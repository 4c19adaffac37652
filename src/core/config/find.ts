/**
 * The cheap part of configuration, loaded on every check: where the config
 * file is, and what time it is. The parser (yaml) and the matcher (glob.ts)
 * load only when there is a config.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../errors.ts";

export const CONFIG_FILES = [".lbdoctor.yaml", ".lbdoctor.yml"];

/** The config file in `dir`, if there is one. */
export function findConfig(dir: string): string | undefined {
  return CONFIG_FILES.find((name) => existsSync(join(dir, name)));
}

/** A date and time with no zone: `Date.parse` would read it in this machine's time zone. */
const ZONELESS = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/**
 * The time suppressions are judged against: LBDOCTOR_NOW when set (tests pin it), else the clock. A time without a
 * zone is UTC, as expiry dates are: read in local time, the same pin would expire a suppression on one machine only.
 */
export function resolveNow(env: NodeJS.ProcessEnv = process.env): number {
  const pinned = env.LBDOCTOR_NOW;
  if (pinned === undefined || pinned === "") return Date.now();
  const t = Date.parse(ZONELESS.test(pinned.trim()) ? `${pinned.trim()}Z` : pinned);
  if (Number.isNaN(t)) throw new InputError(`LBDOCTOR_NOW='${pinned}' is not an ISO 8601 date or timestamp`);
  return t;
}
