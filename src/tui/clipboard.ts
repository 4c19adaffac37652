/**
 * Copying a fix command: OSC 52 (the terminal sets the system clipboard, also
 * over SSH; in tmux it needs `set-clipboard on`), and, because a terminal may
 * ignore OSC 52 without saying so, the command is also written to a file whose
 * path the TUI shows. `LBDOCTOR_CLIPBOARD=file` skips OSC 52.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { byShell } from "../core/util/shell.ts";

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

/**
 * Several commands as one line to paste, so that a paste runs nothing: a terminal without bracketed paste runs each
 * line of a pasted text as it arrives, before the user has read the rest. The line runs when the user presses enter,
 * and a failing command stops the ones after it: in POSIX sh `a && b` (a command that holds `;`, `&` or `||` of its
 * own is grouped, `{ a; b; }`, so that it succeeds or fails as a whole), in PowerShell `a; if ($?) { b }` (Windows
 * PowerShell 5.1 has no `&&`; `$?` is false after a failed cmdlet and after an executable that exited non-zero, in
 * 5.1 and 7 alike). A comment (a `#` that starts a word outside quotes: a line of its own, or a command's end) would
 * hide every command after it on the line: the comments go to the line's end, in order. Commands for both shells
 * (byShell) cannot run in one: the first shell's make the line, the others' follow in its comment, named by their
 * shell, to be copied from the screen. One command comes back as it is, its comment moved to the end.
 */
export function pasteLine(commands: readonly string[]): string {
  const groups = byShell(commands.map((c) => c.trim()).filter((c) => c !== ""));
  const comments: string[] = [];
  const lines = groups.map(({ shell, commands: list }) => {
    const code: string[] = [];
    for (const c of list) {
      const { code: part, comment, compound } = splitComment(c, shell);
      if (comment) comments.push(comment);
      if (!part) continue;
      code.push(shell === "sh" && compound && list.length > 1 ? `{ ${part.replace(/\s*;+$/, "")}${part.endsWith("&") ? "" : ";"} }` : part);
    }
    // sh: a && b && c; PowerShell: a; if ($?) { b; if ($?) { c } }
    const line = shell === "sh" ? code.join(" && ") : code.reduceRight((rest, c) => (rest ? `${c}; if ($?) { ${rest} }` : c), "");
    return { shell, line };
  });
  const [first, ...others] = lines.filter((l) => l.line !== "");
  const note = [...comments, ...others.map((o) => `then in ${o.shell === "powershell" ? "PowerShell" : "a POSIX shell"}: ${o.line}`)];
  if (note.length === 0) return first?.line ?? "";
  return first ? `${first.line} # ${note.join("; ")}` : `# ${note.join("; ")}`;
}

/**
 * A command's code and its comment (the text after a `#` that starts a word outside quotes, `#` dropped), and whether
 * the code holds a list of its own at its top level (sh: `;`, `&` or `||` outside quotes, `$(…)` and `( … )`).
 * sh: single quotes take everything, double quotes and a backslash escape; PowerShell: single quotes (the curly ones
 * too) with `''` inside, double quotes with backtick escapes, a backtick escape outside quotes, and `<# … #>` blocks.
 */
function splitComment(command: string, shell: "sh" | "powershell"): { code: string; comment?: string; compound: boolean } {
  const ps = shell === "powershell";
  const single = ps ? /['\u2018-\u201b]/ : /'/;
  const double = ps ? /["\u201c-\u201e]/ : /"/;
  const esc = ps ? "`" : "\\";
  const wordStart = ps ? /[\s;(){}|&,]/ : /[\s;&|()<>]/;
  let depth = 0;
  let compound = false;
  let code = "";
  let i = 0;
  while (i < command.length) {
    const c = command[i] as string;
    if (c === esc) {
      code += command.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (single.test(c) || double.test(c)) {
      // to the closing quote (PowerShell: a doubled quote stays inside)
      const closes = single.test(c) ? single : double;
      let j = i + 1;
      while (j < command.length) {
        const d = command[j] as string;
        if (!ps && closes === double && d === "\\") j += 2;
        else if (ps && closes === double && d === "`") j += 2;
        else if (closes.test(d)) {
          if (ps && closes.test(command[j + 1] ?? "")) j += 2;
          else break;
        } else j++;
      }
      code += command.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const atWord = i === 0 || wordStart.test(command[i - 1] as string);
    if (ps && c === "<" && command[i + 1] === "#") {
      const end = command.indexOf("#>", i + 2);
      if (end >= 0) {
        const block = command.slice(i + 2, end).trim();
        const rest = splitComment(`${code}${command.slice(end + 2)}`, shell);
        return { ...rest, ...(block || rest.comment ? { comment: [block, rest.comment].filter(Boolean).join(" · ") } : {}) };
      }
      return { code: code.trim(), comment: command.slice(i + 2).trim(), compound };
    }
    if (c === "#" && atWord) {
      const comment = command.slice(i + 1).trim();
      return { code: code.trim(), ...(comment ? { comment } : {}), compound };
    }
    if (!ps) {
      if (c === "(") depth++;
      else if (c === ")") depth = Math.max(0, depth - 1);
      else if (
        depth === 0 &&
        (c === ";" ||
          (c === "&" && !/[&<>]/.test(command[i - 1] ?? "") && !/[&>]/.test(command[i + 1] ?? "")) ||
          (c === "|" && command[i + 1] === "|"))
      )
        compound = true;
    }
    code += c;
    i++;
  }
  return { code: code.trim(), compound };
}
