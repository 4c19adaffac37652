/**
 * Copying a fix command: OSC 52 (the terminal sets the system clipboard, also
 * over SSH; in tmux it needs `set-clipboard on`), and, because a terminal may
 * ignore OSC 52 without saying so, the command is also written to a file whose
 * path the TUI shows. `LBDOCTOR_CLIPBOARD=file` skips OSC 52.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface CopyResult {
  osc52: boolean;
  path?: string;
  /** one line for the status bar */
  message: string;
}

/** The OSC 52 sequence that puts `text` on the clipboard. */
export function osc52(text: string): string {
  return `\u001b]52;c;${Buffer.from(text, "utf8").toString("base64")}\u0007`;
}

export interface ClipboardOptions {
  write: (s: string) => void;
  isTTY: boolean;
  env?: NodeJS.ProcessEnv;
  /** where the fallback files go (default: a private temporary directory, made on first use) */
  dir?: string;
}

export function clipboard(opts: ClipboardOptions): (text: string) => CopyResult {
  const env = opts.env ?? process.env;
  let dir = opts.dir;
  let n = 0;
  return (text) => {
    const term = (env.TERM ?? "").toLowerCase();
    const why = !opts.isTTY
      ? "stdout is not a terminal"
      : env.LBDOCTOR_CLIPBOARD === "file"
        ? "LBDOCTOR_CLIPBOARD=file"
        : term === "dumb" || term === "linux"
          ? `TERM=${term} has no clipboard`
          : undefined;
    const useOsc = why === undefined;
    if (useOsc) opts.write(osc52(text));
    let path: string | undefined;
    try {
      dir ??= mkdtempSync(join(tmpdir(), "lbdoctor-tui-"));
      path = join(dir, `fix-${++n}.sh`);
      writeFileSync(path, `${text}\n`, { mode: 0o600, flag: "wx" });
    } catch {
      path = undefined;
    }
    // the file's path first, whole (a status line cuts its end), then what was copied, then why there is no clipboard
    const what = text.replace(/\s+/g, " ").trim();
    const message = useOsc
      ? `copied (OSC 52)${path ? ` · saved ${path}` : ""} · ${what}`
      : path
        ? `saved ${path} · ${what} · not on the clipboard: ${why}`
        : `could not copy: ${why}, and no file could be written`;
    return { osc52: useOsc, ...(path ? { path } : {}), message };
  };
}
