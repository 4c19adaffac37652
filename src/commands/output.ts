/**
 * Output files (`-o`) for check, diff and snapshot:
 * - every path is checked before anything is collected: a missing parent
 *   folder is created (or the one that cannot be is named), a directory or an
 *   unwritable folder is refused;
 * - `-` is stdout;
 * - a FIFO, a device or a socket is written through (opened for writing,
 *   never replaced); a symlink is followed and its target written, the link
 *   stays;
 * - a regular file is written atomically: an exclusive (O_EXCL), randomly
 *   named temporary file in the same folder, mode 0600 (or the mode of the
 *   file it replaces), renamed over the target;
 * - several outputs are all written or none: every temporary file is written
 *   first, then the special files, then the renames;
 * - a report may come as a stream of pieces (JSON, SARIF, JUnit): each piece
 *   is written as it is made, so no report is ever one string; a failure
 *   while making or writing it leaves no file behind (the temporary one is
 *   removed, the target untouched);
 * - a signal that ends the process (Ctrl-C, SIGTERM, SIGHUP) while a
 *   temporary file exists removes it first: `check` lets a signal in between
 *   pieces, so it stops mid-report with nothing left behind; a fully synchronous
 *   write (diff, snapshot) takes the signal once it has finished.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
} from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { InputError } from "../core/errors.ts";
import { writeStringSync } from "../core/io.ts";

// node:crypto only when a file is written: loading it costs a `check` to stdout ~5 ms of its start-up
const randomBytes = (n: number): Buffer => (createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto")).randomBytes(n);

/** Where one output goes, decided before anything is collected. */
export type OutputTarget =
  | { kind: "stdout"; path: "-" }
  /** a regular file (existing or new), written atomically; `file` is the path written (a symlink's target), `mode` the mode it gets */
  | { kind: "file"; path: string; file: string; mode: number }
  /** a FIFO, a character or block device, or a socket: written through */
  | { kind: "special"; path: string; file: string };

const errCode = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch (e) {
    if (errCode(e) === "ENOENT" || errCode(e) === "ENOTDIR") return undefined;
    throw new InputError(`cannot use output ${p}: ${errCode(e)}`);
  }
}

/** The file a path names, following symlinks (a dangling link names the file it would create). */
function followLinks(path: string): { file: string; stat: Stats | undefined } {
  let file = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    const st = lstatOrUndefined(file);
    if (!st?.isSymbolicLink()) return { file, stat: st };
    file = resolve(dirname(file), readlinkSync(file));
  }
  throw new InputError(`cannot use output ${path}: too many levels of symbolic links`);
}

/** Creates the missing folders of a path, or names the one that cannot be created. */
function ensureFolder(dir: string, output: string): void {
  const st = lstatOrUndefined(dir);
  if (st) {
    const real = st.isSymbolicLink() ? statSync(dir) : st;
    if (!real.isDirectory()) throw new InputError(`cannot write ${output}: ${dir} is not a folder`);
    return;
  }
  // the first missing ancestor is the one to name when creating fails
  let missing = dir;
  while (!lstatOrUndefined(dirname(missing)) && dirname(missing) !== missing) missing = dirname(missing);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new InputError(`cannot write ${output}: folder ${missing} does not exist and cannot be created (${errCode(e)})`);
  }
}

/** Checks one output path; creates missing parent folders. Throws InputError when it cannot be written. */
export function prepareOutput(path: string): OutputTarget {
  if (path === "-") return { kind: "stdout", path: "-" };
  if (path === "") throw new InputError("an empty --output path");
  const { file, stat } = followLinks(path);
  if (stat?.isDirectory()) throw new InputError(`cannot write ${path}: it is a folder`);
  if (stat && (stat.isFIFO() || stat.isCharacterDevice() || stat.isBlockDevice() || stat.isSocket())) {
    if (stat.isSocket()) throw new InputError(`cannot write ${path}: it is a socket`);
    return { kind: "special", path, file };
  }
  const dir = dirname(file);
  ensureFolder(dir, path);
  // the folder must take a new file (the temporary one): try it now, before collecting
  const probe = createTemp(dir, basename(file), 0o600, path);
  closeSync(probe.fd);
  unlinkSync(probe.path);
  return { kind: "file", path, file, mode: stat ? stat.mode & 0o7777 : 0o600 };
}

/**
 * Refuses an output that is a snapshot file this run reads (the same file, by device and inode, through any link or
 * spelling): `check --snapshot s.json -o s.json` would replace the snapshot with its report.
 */
export function refuseInputs(targets: OutputTarget[], inputs: string[]): void {
  const same = (a: Stats, b: Stats) => a.dev === b.dev && a.ino === b.ino;
  const read: Array<{ path: string; stat: Stats }> = [];
  for (const path of inputs) {
    try {
      const stat = statSync(path);
      if (stat.isFile()) read.push({ path, stat });
    } catch {
      // a missing snapshot is reported where it is read
    }
  }
  for (const t of targets) {
    if (t.kind !== "file") continue;
    let stat: Stats;
    try {
      stat = statSync(t.file);
    } catch {
      continue; // a new file
    }
    const input = read.find((r) => same(r.stat, stat));
    if (input) {
      throw new InputError(
        `--output ${t.path} is the snapshot this run reads (${input.path}): the report would replace it`,
        "Write the report to another file.",
      );
    }
  }
}

/** Checks every output path before anything is collected; at most one may be stdout. */
export function prepareOutputs(paths: string[], stdoutTaken = false): OutputTarget[] {
  const targets = paths.map(prepareOutput);
  const stdout = targets.filter((t) => t.kind === "stdout").length + (stdoutTaken ? 1 : 0);
  if (stdout > 1) throw new InputError("only one report can go to stdout; give a file for each other --output");
  const seen = new Map<string, string>();
  for (const t of targets) {
    if (t.kind === "stdout") continue;
    const other = seen.get(t.file);
    if (other !== undefined) throw new InputError(`--output ${t.path} and ${other} are the same file`);
    seen.set(t.file, t.path);
  }
  return targets;
}

function createTemp(dir: string, name: string, mode: number, output: string): { fd: number; path: string } {
  for (let attempt = 0; ; attempt++) {
    const path = join(dir, `.${name}.${randomBytes(8).toString("hex")}.tmp`);
    try {
      // O_EXCL: never an existing file, never through a symlink planted at that name
      const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
      try {
        fchmodSync(fd, mode);
      } catch {
        // keep 0600
      }
      return { fd, path };
    } catch (e) {
      if (errCode(e) === "EEXIST" && attempt < 5) continue;
      throw new InputError(`cannot write ${output}: cannot create a file in ${dir} (${errCode(e)})`);
    }
  }
}

/** What one output holds: a string, or the pieces of one made as they are written. */
export type OutputText = string | Iterable<string>;

function pieces(text: OutputText): Iterable<string> {
  return typeof text === "string" ? [text] : text;
}

function writeAll(fd: number, text: string): void {
  writeStringSync(fd, text);
}

/**
 * Writes every piece, stopping after each (a step of `writeFileSteps`); an error from the file names the output, an
 * error while making a piece is passed on as it is.
 */
function* writePieces(fd: number, text: OutputText, output: string): Generator<void, void, void> {
  for (const piece of pieces(text)) {
    try {
      writeAll(fd, piece);
    } catch (e) {
      throw new InputError(`cannot write ${output}: ${errCode(e)}`);
    }
    yield;
  }
}

/** The temporary files that exist now: a signal that ends the process removes them first. */
const liveTemps = new Set<string>();
const ENDING_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function onEndingSignal(signal: NodeJS.Signals): void {
  for (const path of liveTemps) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
  liveTemps.clear();
  for (const s of ENDING_SIGNALS) process.removeListener(s, onEndingSignal);
  // ended by the same signal, as without a listener (the exit status a shell and a parent process read)
  process.kill(process.pid, signal);
}

function trackTemp(path: string): void {
  if (liveTemps.size === 0) for (const s of ENDING_SIGNALS) process.on(s, onEndingSignal);
  liveTemps.add(path);
}

function untrackTemp(path: string): void {
  liveTemps.delete(path);
  if (liveTemps.size === 0) for (const s of ENDING_SIGNALS) process.removeListener(s, onEndingSignal);
}

/**
 * Writes every output, all or none: the temporary files first, then the
 * special files, then the renames; stdout last. On a failure, every temporary
 * file is removed and nothing has replaced a target (a special file written
 * before the failure cannot be taken back).
 */
export function writeOutputs(items: Array<{ target: OutputTarget; text: OutputText }>, out: (text: string) => void): void {
  writeFiles(items);
  for (const { target, text } of items) if (target.kind === "stdout") for (const piece of pieces(text)) out(piece);
}

/**
 * `writeOutputs`, with stdout paced by its reader: after each piece, `pace` gives a promise when the reader is
 * behind (a pipe: what it has not read yet is held in memory), and the next piece is made only once it resolves.
 * Unpaced, a 100 MB report piped to a slow reader was all held at once.
 */
export async function writeOutputsPaced(
  items: Array<{ target: OutputTarget; text: OutputText }>,
  out: (text: string) => void,
  pace: () => Promise<void> | undefined,
): Promise<void> {
  // a turn of the event loop every few MB written: a signal (Ctrl-C) is taken there, not after the whole report
  let n = 0;
  for (const _ of writeFileSteps(items)) if (++n % PIECES_A_TURN === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  for (const { target, text } of items) {
    if (target.kind !== "stdout") continue;
    for (const piece of pieces(text)) {
      out(piece);
      const behind = pace();
      if (behind) await behind;
    }
  }
}

/** Pieces written between two turns of the event loop in `writeOutputsPaced` (a report's pieces are ~64 kB). */
const PIECES_A_TURN = 32;

/** The files and special files of `writeOutputs`, all or none. */
function writeFiles(items: Array<{ target: OutputTarget; text: OutputText }>): void {
  for (const _ of writeFileSteps(items));
}

/** `writeFiles` in steps: one after each piece written. */
function* writeFileSteps(items: Array<{ target: OutputTarget; text: OutputText }>): Generator<void, void, void> {
  const temps: Array<{ path: string; file: string }> = [];
  const cleanup = () => {
    for (const t of temps) {
      try {
        unlinkSync(t.path);
      } catch {
        // already gone
      }
      untrackTemp(t.path);
    }
  };
  try {
    for (const { target, text } of items) {
      if (target.kind !== "file") continue;
      const tmp = createTemp(dirname(target.file), basename(target.file), target.mode, target.path);
      temps.push({ path: tmp.path, file: target.file });
      trackTemp(tmp.path);
      try {
        yield* writePieces(tmp.fd, text, target.path);
        try {
          fsyncSync(tmp.fd);
        } catch (e) {
          throw new InputError(`cannot write ${target.path}: ${errCode(e)}`);
        }
      } finally {
        closeSync(tmp.fd);
      }
    }
    for (const { target, text } of items) {
      if (target.kind !== "special") continue;
      let fd: number;
      try {
        // no O_CREAT, no O_TRUNC: a FIFO or device is written to, never replaced
        fd = openSync(target.file, constants.O_WRONLY);
      } catch (e) {
        throw new InputError(`cannot write ${target.path}: ${errCode(e)}`);
      }
      try {
        yield* writePieces(fd, text, target.path);
      } finally {
        closeSync(fd);
      }
    }
    for (const t of temps) {
      try {
        renameSync(t.path, t.file);
      } catch (e) {
        throw new InputError(`cannot write ${t.file}: ${errCode(e)}`);
      }
      untrackTemp(t.path);
    }
    temps.length = 0;
  } catch (e) {
    cleanup();
    throw e;
  }
}

export function colorEnabled(flag: boolean | undefined, stream: NodeJS.WriteStream = process.stdout): boolean {
  if (flag === false) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "") return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}
