/**
 * Quoting for the commands lbdoctor prints. Every value interpolated into a
 * printed command comes from a snapshot, which is untrusted input: a name,
 * an id or a health-check path may hold `;`, `$(…)`, backticks or quotes.
 * Each value is quoted for the shell that will actually read it, at every
 * level of nesting (the script run inside a VM by its own shell, then that
 * script as one argument of the local `az` / `aws` command).
 *
 * - `sh`: POSIX sh (bash, zsh, dash): the local shell of every printed
 *   `az` / `aws` command, and the shell of Linux guest scripts.
 * - `ps`: PowerShell, for Windows guest scripts: single quotes, with `'` and
 *   the quotes PowerShell treats alike (U+2018–U+201B) doubled.
 * - A value no quoting can carry through a terminal and a paste (control
 *   characters such as newline, NUL or ESC, and bidi controls: they are shown
 *   escaped, so what a user copies would not be the value) is never embedded:
 *   a quoted placeholder stands in for it, and `unsafeValue` tells the caller.
 * - `placeholder`: a value the user fills in, written so that no shell
 *   interprets it (`'<instance-id>'`, not `<instance-id>`, which is a redirection).
 * - No quoted word holds a GitHub Actions legacy workflow command `##[` (the
 *   runner finds it anywhere in a line, also with characters ICU skips between
 *   the `#`s and the `[`; see `noWorkflowCommands`), so plain-text outputs have
 *   nothing to break in a printed command and it pastes to the value itself.
 *   A value with a `#` before a `[` is written so that every `[` in its word
 *   follows a printable ASCII character: sh closes and reopens its quotes
 *   (`'a##''[b'`), PowerShell escapes it in a double-quoted string
 *   (``"a##`[b"``). The shell still receives the value unchanged.
 */

/** Characters no printed command may carry: C0 and C1 controls, DEL, bidi controls and line separators. */
const UNQUOTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

export function unsafeValue(v: string | number): boolean {
  return UNQUOTABLE.test(String(v));
}

/** The text shown instead of a value that cannot be printed safely. */
export const UNSAFE_PLACEHOLDER = "<value not shown: it holds control characters>";

/**
 * A word POSIX shells (zsh included: no leading `=` or `~`) take literally without quotes, and that no CLI reads as
 * an option: a value starting with `-` (other than a negative number) is quoted, and `attachDashValues` joins it to
 * its flag (`--name='-web'`), the one way argparse (az, aws) takes such a value.
 */
const SH_BARE = /^(?:-[0-9]+|[A-Za-z0-9_./:@%+,][A-Za-z0-9_./:@%+=,-]*)$/;

/**
 * Whether a value has a `#` before a `[`: only such a value can form `##[` inside its quoted word. A bare word (sh or
 * PowerShell) holds neither character, and a quoted word starts and ends with a quote (printable ASCII, which ICU
 * never skips), so a `##[` in it has both `#`s and the `[` from the value.
 */
function hashBeforeBracket(s: string): boolean {
  const hash = s.indexOf("#");
  return hash >= 0 && s.lastIndexOf("[") > hash;
}

/**
 * Quotes a value for a POSIX shell (only when it needs it). In a value with a `#` before a `[`, the quotes close and
 * reopen before every `[` but a leading one (`'a##''[b'`: two adjacent quoted strings, one word): every `[` of the
 * word then follows a `'`, so no `##[` can end at it, whatever stands between the `#`s.
 */
export function sh(v: string | number): string {
  const s = unsafeValue(v) ? UNSAFE_PLACEHOLDER : String(v);
  if (SH_BARE.test(s)) return s;
  const quoted = s.replace(/'/g, "'\\''");
  return `'${hashBeforeBracket(s) ? quoted.replace(/(?!^)\[/g, "''[") : quoted}'`;
}

/** A word PowerShell takes literally without quotes in argument mode. */
const PS_BARE = /^[A-Za-z0-9_][A-Za-z0-9_./:-]*$/;

/**
 * Quotes a value for PowerShell: single quotes, doubling ' and the quotes PowerShell reads as ' (U+2018–U+201B).
 *
 * A single-quoted string has no escape that yields nothing (a doubled quote is a quote), so a value with a `#` before a
 * `[` is written as a double-quoted (expandable) string instead, each `[` escaped with a backtick (``"a##`[b"``: the
 * PowerShell Language Specification, 2.3.7, takes a backtick before a character with no escape meaning as that
 * character). Also escaped: the backtick, `$` and the double quotes (`"`, U+201C–U+201E), the characters that are
 * special in such a string (2.3.5.2); the single quotes become `$([char]0x27)` … subexpressions, so that the word holds
 * no single quote at all (put inside single quotes, it is one inert literal). Every `[` of the word then follows a
 * backtick or a `(`, so no `##[` can end at it.
 */
export function ps(v: string | number): string {
  const s = unsafeValue(v) ? UNSAFE_PLACEHOLDER : String(v);
  if (PS_BARE.test(s)) return s;
  if (!hashBeforeBracket(s)) return `'${s.replace(/['\u2018-\u201b]/g, (c) => c + c)}'`;
  const escaped = s.replace(/[`$"\u201c-\u201e['\u2018-\u201b]/g, (c) =>
    /['\u2018-\u201b]/.test(c) ? `$([char]0x${c.charCodeAt(0).toString(16)})` : `\`${c}`,
  );
  return `"${escaped}"`;
}

/** A value the user fills in: `'<what>'`, inert in sh and PowerShell alike. */
export function placeholder(what: string): string {
  return `'<${what.replace(/[^A-Za-z0-9_ ./:,|=-]/g, "")}>'`;
}

/**
 * A placeholder for a value of a resource (`<IPv4 CIDR of subnet-0ab…>`), naming the resource by its id when the id is
 * plainly one, else as `otherwise` says: an id cut down to a placeholder's characters would name another resource.
 */
export function placeholderOf(what: string, id: string, otherwise: string): string {
  return placeholder(`${what} of ${/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(id) ? id : otherwise}`);
}

/**
 * A value for an `aws` CLI argument: besides the shell, the CLI itself reads
 * `file://…` and `fileb://…` values as local files (it would send their
 * content to AWS), so such a value is never embedded.
 */
export function awsArg(v: string | number): string {
  return /^\s*(file|fileb|https?):\/\//i.test(String(v)) ? placeholder("value not shown: it names a local file") : sh(v);
}

/**
 * A value for an `az` CLI argument: besides the shell, the CLI reads a value
 * that starts with `@` as a file name and sends the file's content, so such
 * a value is never embedded.
 */
export function azArg(v: string | number): string {
  return String(v).startsWith("@") ? placeholder("value not shown: az would read it as a file") : sh(v);
}

/** A PowerShell line (a Verb-Noun cmdlet such as Install-Module or Start-AzBasicLoadBalancerUpgrade); every other printed command is for sh. */
export function isPowerShellCommand(command: string): boolean {
  return /^[A-Z][a-z]+-[A-Z][A-Za-z]+(\s|$)/.test(command);
}

/** Consecutive commands grouped by the shell they are for: fenced as `sh` or `powershell`. */
export function byShell(commands: readonly string[]): Array<{ shell: "sh" | "powershell"; commands: string[] }> {
  const out: Array<{ shell: "sh" | "powershell"; commands: string[] }> = [];
  for (const c of commands) {
    const shell = isPowerShellCommand(c) ? "powershell" : "sh";
    const last = out[out.length - 1];
    if (last && last.shell === shell) last.commands.push(c);
    else out.push({ shell, commands: [c] });
  }
  return out;
}

/** The prompt shown before a printed command: `$ ` for sh, `PS> ` for a PowerShell line. */
export function promptFor(command: string): string {
  return isPowerShellCommand(command) ? "PS> " : "$ ";
}

/** JSON for a command argument (`--ip-permissions '[…]'`): a string value no command may carry becomes the placeholder text. */
export function jsonForCommand(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "string" && unsafeValue(v) ? UNSAFE_PLACEHOLDER : v));
}

interface Invocation {
  /** the words after the program, as written (quotes included) */
  words: string[];
  /** where the invocation's last word ends */
  end: number;
}

interface Frame {
  kind: "cmd" | "sq" | "dq";
  cmdStart: boolean;
  wordStart: number;
  lastEnd: number;
  inv?: Invocation;
}

/**
 * The invocations of `program` in a printed sh command line, and where each
 * one's last word ends: a scan that knows single and double quotes, `$(…)`
 * and `( … )` nesting, and the operators that end a simple command (`|`,
 * `&`, `;`, newline, `)`). A program name inside quotes (a guest script, a
 * JMESPath query) is an argument, not an invocation.
 */
export function invocations(command: string, program: string): Invocation[] {
  const out: Invocation[] = [];
  const stack: Frame[] = [{ kind: "cmd", cmdStart: true, wordStart: -1, lastEnd: -1 }];
  const top = () => stack[stack.length - 1] as Frame;
  const finishWord = (f: Frame, at: number) => {
    if (f.wordStart < 0) return;
    const word = command.slice(f.wordStart, at);
    f.wordStart = -1;
    f.lastEnd = at;
    if (f.cmdStart) {
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) return; // an assignment before the command
      f.cmdStart = false;
      if (word === program) f.inv = { words: [], end: at };
    } else if (f.inv) {
      f.inv.words.push(word);
      f.inv.end = at;
    }
  };
  const endCommand = (f: Frame, at: number) => {
    finishWord(f, at);
    if (f.inv) out.push(f.inv);
    delete f.inv;
    f.cmdStart = true;
  };
  const startWord = (f: Frame, at: number) => {
    if (f.wordStart < 0) f.wordStart = at;
  };
  let i = 0;
  while (i < command.length) {
    const c = command[i] as string;
    const f = top();
    if (f.kind === "sq") {
      if (c === "'") stack.pop();
      i++;
      continue;
    }
    if (f.kind === "dq") {
      if (c === "\\") i += 2;
      else if (c === '"') {
        stack.pop();
        i++;
      } else if (c === "$" && command[i + 1] === "(") {
        stack.push({ kind: "cmd", cmdStart: true, wordStart: -1, lastEnd: -1 });
        i += 2;
      } else i++;
      continue;
    }
    if (c === "\\") {
      startWord(f, i);
      i += 2;
    } else if (c === " " || c === "\t") {
      finishWord(f, i);
      i++;
    } else if (c === "'" || c === '"') {
      startWord(f, i);
      stack.push({ kind: c === "'" ? "sq" : "dq", cmdStart: false, wordStart: -1, lastEnd: -1 });
      i++;
    } else if (c === "$" && command[i + 1] === "(") {
      startWord(f, i);
      stack.push({ kind: "cmd", cmdStart: true, wordStart: -1, lastEnd: -1 });
      i += 2;
    } else if (c === "(" && f.wordStart < 0) {
      stack.push({ kind: "cmd", cmdStart: true, wordStart: -1, lastEnd: -1 });
      i++;
    } else if (c === ")" && stack.length > 1) {
      endCommand(f, i);
      stack.pop();
      i++;
    } else if (c === "|" || c === "&" || c === ";" || c === "\n") {
      endCommand(f, i);
      i++;
    } else {
      startWord(f, i);
      i++;
    }
  }
  // an unterminated quote or substitution: whatever was open ends here
  while (stack.length > 0) {
    const f = stack.pop() as Frame;
    if (f.kind === "cmd") endCommand(f, command.length);
  }
  return out.sort((a, b) => a.end - b.end);
}

/**
 * Joins each quoted value that starts with `-` to the flag before it, in a printed sh command: `--name '-web'` →
 * `--name='-web'`. az and aws parse their arguments with argparse, which reads a separate word starting with `-` as an
 * option (`--name --subscription` named no name and hid the subscription); `--flag=value` is always a value. Only
 * single-quoted values (what `sh` makes of such a value) are joined, and only after a flag.
 */
export function attachDashValues(command: string): string {
  if (isPowerShellCommand(command) || !command.includes(" '-")) return command;
  return command.replace(/(^|\s)(--?[A-Za-z][A-Za-z0-9-]*) '-/g, "$1$2='-");
}

/**
 * Appends `flag value` (the value already quoted for the shell) to every
 * invocation of `program` in a printed sh command that has neither the flag
 * nor one of `unless` (`--ids` names the subscription itself): at the end of
 * that simple command, so that pipes, `&&` chains and `$(…)` keep working.
 */
export function withFlag(command: string, program: string, flag: string, value: string, unless: string[] = []): string {
  if (isPowerShellCommand(command)) return command;
  const names = [flag, ...unless];
  const has = (w: string) => names.some((n) => w === n || w.startsWith(`${n}=`));
  let out = command;
  for (const inv of invocations(command, program).reverse()) {
    if (inv.words.some(has)) continue;
    out = `${out.slice(0, inv.end)} ${flag} ${value}${out.slice(inv.end)}`;
  }
  return out;
}
