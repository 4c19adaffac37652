/**
 * Copying a fix command: OSC 52 (the terminal sets the system clipboard, also
 * over SSH; in tmux it needs `set-clipboard on`), and, because a terminal may
 * ignore OSC 52 without saying so, the command is also written to a file whose
 * path the TUI shows. `LBDOCTOR_CLIPBOARD=file` skips OSC 52.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unsafeValue } from "../core/util/shell.ts";

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

/**
 * The copy function: `text` is copied and saved as it is; `note` (pasteLine's: the first of several commands only)
 * goes to the status line, after the file's path, and is neither copied nor saved.
 */
export function clipboard(opts: ClipboardOptions): (text: string, note?: string) => CopyResult {
  const env = opts.env ?? process.env;
  let dir = opts.dir;
  let n = 0;
  return (text, word) => {
    const note = word ? ` · ${word}` : "";
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
    // the file's path first, whole (a status line cuts its end), then the note (the first of several commands only),
    // then what was copied, then why there is no clipboard
    const what = text.replace(/\s+/g, " ").trim();
    const message = useOsc
      ? `copied (OSC 52)${path ? ` · saved ${path}` : ""}${note} · ${what}`
      : path
        ? `saved ${path}${note} · ${what} · not on the clipboard: ${why}`
        : `could not copy: ${why}, and no file could be written`;
    return { osc52: useOsc, ...(path ? { path } : {}), message };
  };
}

/**
 * What the trace view copies for a hop's fix commands, and the status line's word on it: the commands as ONE line to
 * paste when the meaning of that line can be proven, else the first command alone.
 *
 * One line, because a terminal without bracketed paste runs each line of a pasted text as it arrives, before the user
 * has read the rest: the line runs when the user presses enter. A failing command stops the ones after it: in POSIX sh
 * `a && b && c`; in PowerShell `a; if ($?) { b; if ($?) { c } }` (Windows PowerShell 5.1 has no `&&`; `$?` is false
 * after a failed cmdlet and after an executable that exited non-zero, in 5.1 and 7 alike).
 *
 * The commands are joined only when every one of them is `joinable`: a command the recognizer does not accept (or
 * commands for two shells) could mean something else on a shared line, so then only the first is copied, and `note`
 * says how many commands there are and that the rest are on screen. One command comes back as it is.
 */
export function pasteLine(commands: readonly string[]): { text: string; note?: string } {
  const list = commands.map((c) => c.trim()).filter((c) => c !== "");
  const [first = ""] = list;
  if (list.length <= 1) return { text: first };
  const shells = list.map(joinable);
  if (shells.every((s) => s === "sh")) return { text: list.join(" && ") };
  if (shells.every((s) => s === "powershell")) return { text: list.reduceRight((rest, c) => (rest ? `${c}; if ($?) { ${rest} }` : c), "") };
  return {
    text: first,
    note: `the first of ${list.length} commands only (the rest are on screen: they cannot be joined safely on one line)`,
  };
}

/**
 * The programs a joined sh line may start: the clouds' CLIs, executables lbdoctor prints commands for. A shell keyword
 * or builtin as the first word would change what the line does (`coproc a && b` runs b whatever a does, `exec a && b`
 * never runs b, `eval` runs its arguments as code), so nothing else is accepted.
 */
const SH_PROGRAMS = ["aws", "az"];

/**
 * One sh argument: a bare character of `sh()`'s SH_BARE (shell.ts: no glob, brace, tilde, history, quote, expansion or
 * operator character in bash, zsh or dash), a single-quoted string (everything in it literal, a newline excepted:
 * `joinable` refuses every control character first), or the `\'` of a `'\''` join, between two quoted strings. No word
 * starts with `=` (zsh reads `=aws` as the path of aws). Each alternative starts with its own character, so the match
 * is unambiguous and the regular expression runs in linear time.
 */
const SH_WORD = String.raw`(?!=)(?:[A-Za-z0-9_./:@%+=,-]|'[^']*'|(?<=')\\'(?='))+`;
const SH_LINE = new RegExp(`^(?:${SH_PROGRAMS.join("|")})(?: +${SH_WORD})*$`);

/**
 * The cmdlets a joined PowerShell line may run: those lbdoctor prints (no `Invoke-Expression`, `Start-Job` or
 * `Start-Process`, which would run their arguments as code or in the background).
 */
const PS_CMDLETS = ["Install-Module", "Set-AzContext", "Start-AzBasicLoadBalancerUpgrade", "Start-VMPublicIPUpgrade"];

/** The single quotes of PowerShell: `'` and U+2018–U+201B, which it reads alike. */
const PS_Q = "'\u2018-\u201b";
/** The double quotes of PowerShell: `"` and U+201C–U+201E. */
const PS_DQ = '"\u201c-\u201e';

/**
 * One PowerShell argument, whole (a word never joins two of them): a parameter (`-Name`); a bare word of `ps()`'s
 * PS_BARE (shell.ts); a single-quoted string, its quotes doubled (any two of PowerShell's single quotes are one quote);
 * or the double-quoted string `ps()` writes for a value with a `#` before a `[`: each backtick, `$`, double quote and
 * `[` escaped with a backtick, each single quote written `$([char]0x27)` (0x2018…0x201b for the others), nothing else.
 */
const PS_WORD = [
  "-[A-Za-z][A-Za-z0-9]*",
  "[A-Za-z0-9_][A-Za-z0-9_./:-]*",
  `'(?:[^${PS_Q}]|[${PS_Q}]{2})*'`,
  `"(?:[^\`$${PS_DQ}${PS_Q}[]|\`[\`$${PS_DQ}[]|\\$\\(\\[char\\]0x(?:27|201[89ab])\\))*"`,
].join("|");
const PS_LINE = new RegExp(`^(?:${PS_CMDLETS.join("|")})(?: +(?:${PS_WORD}))*$`);

/**
 * The shell a command can be joined in, when its meaning on a shared line is provably its own: a program of
 * SH_PROGRAMS (or a cmdlet of PS_CMDLETS) and arguments that are each literal, separated by spaces. That rules out,
 * outside single quotes, every character that could make the command more than one (`;`, `&`, `|`, newline), move its
 * words (`<`, `>`, `(`, `)`, `{`, `}`), expand (`$`, backtick, `*`, `?`, `[`, `~`, `!`), escape (backslash) or start
 * a comment (`#`: zsh reads it as a word unless interactive_comments is set); and any control character anywhere
 * (outside quotes a newline runs what is before it on paste; inside, the screen shows it escaped, not as what is
 * pasted). Undefined: not provable, not to be joined.
 */
export function joinable(command: string): "sh" | "powershell" | undefined {
  if (unsafeValue(command)) return undefined;
  if (SH_LINE.test(command)) return "sh";
  if (PS_LINE.test(command)) return "powershell";
  return undefined;
}
