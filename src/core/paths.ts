import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root, found from this file whether it runs from src/ or dist/src/. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "docs"))) return dir;
    dir = dirname(dir);
  }
  throw new Error("lbdoctor: cannot find the package root");
}

export const PACKAGE_ROOT = findRoot();
export const SCHEMA_DIR = join(PACKAGE_ROOT, "docs", "schema");
