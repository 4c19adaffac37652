/**
 * Mouse input for the explorer: the SGR mouse protocol (xterm's 1000 + 1006
 * modes), parsed from stdin before Ink sees it. Pure, apart from `mouseStdin`,
 * which wraps the real stdin so that Ink reads the keys and never the mouse
 * reports (a report is never typed into a prompt as text).
 *
 * A report is `ESC [ < b ; x ; y M` (press) or `… m` (release), x and y from 1.
 * In b: 0 left, 1 middle, 2 right, 64 wheel up, 65 wheel down; +4 shift,
 * +8 meta, +16 ctrl; +32 motion (a drag, only reported with 1002/1003).
 * A terminal that does not know 1006 sends the older X10 form,
 * `ESC [ M` and three characters (32 + b, 32 + x, 32 + y; a release is b 3):
 * those are taken out too, so that their characters are never read as keys.
 */

/** Turns button reporting (1000) and its SGR encoding (1006) on; `MOUSE_OFF` turns both off. */
export const MOUSE_ON = "\u001b[?1000h\u001b[?1006h";
export const MOUSE_OFF = "\u001b[?1006l\u001b[?1000l";

export type MouseEvent = { kind: "wheel"; dir: "up" | "down"; x: number; y: number } | { kind: "click"; x: number; y: number };

export interface MouseReport {
  button: number;
  x: number;
  y: number;
  release: boolean;
  shift: boolean;
  meta: boolean;
  ctrl: boolean;
  motion: boolean;
}

const SGR = /\u001b\[<(\d{1,4});(\d{1,5});(\d{1,5})([Mm])/g;
const X10 = /\u001b\[M[\u0020-\uffff]{3}/g;
// an unfinished report at the end of a chunk (the terminal split it): no key starts with ESC [ < or ESC [ M
const PARTIAL = /\u001b\[(?:<[\d;]*|M[\u0020-\uffff]{0,2})$/;

/** One X10 report (`ESC [ M` and three characters), or undefined. */
export function parseX10(seq: string): MouseReport | undefined {
  if (seq.length !== 6 || !seq.startsWith("\u001b[M")) return undefined;
  const [b, x, y] = [3, 4, 5].map((i) => seq.charCodeAt(i) - 32) as [number, number, number];
  if (b < 0 || x < 1 || y < 1) return undefined;
  const release = (b & 3) === 3 && (b & 64) === 0;
  return {
    button: release ? 0 : (b & 3) | (b & 192),
    x,
    y,
    release,
    shift: (b & 4) !== 0,
    meta: (b & 8) !== 0,
    ctrl: (b & 16) !== 0,
    motion: (b & 32) !== 0,
  };
}

/** One SGR report (the whole string), or undefined. */
export function parseSgr(seq: string): MouseReport | undefined {
  const m = /^\u001b\[<(\d{1,4});(\d{1,5});(\d{1,5})([Mm])$/.exec(seq);
  if (!m) return undefined;
  const b = Number(m[1]);
  return {
    button: (b & 3) | (b & 192),
    x: Number(m[2]),
    y: Number(m[3]),
    release: m[4] === "m",
    shift: (b & 4) !== 0,
    meta: (b & 8) !== 0,
    ctrl: (b & 16) !== 0,
    motion: (b & 32) !== 0,
  };
}

/** What the explorer does with a report: wheel up and down, a left press. Motion, releases and other buttons are nothing. */
export function mouseEvent(r: MouseReport): MouseEvent | undefined {
  if (r.motion) return undefined;
  if (r.button === 64 || r.button === 65) return { kind: "wheel", dir: r.button === 64 ? "up" : "down", x: r.x, y: r.y };
  if (r.button === 0 && !r.release) return { kind: "click", x: r.x, y: r.y };
  return undefined;
}

/**
 * Takes the SGR reports out of a chunk of input: the text left for the keys,
 * the reports in order, and an unfinished report at the end to prepend to the
 * next chunk (`ESC [ <` and digits, `ESC [ M` and fewer than three characters; a lone ESC or `ESC [` goes on to the keys,
 * where it may be the escape key or an arrow split by the terminal; Ink's
 * parser holds those and drops a control sequence that is no key).
 */
export function splitMouse(chunk: string): { text: string; reports: MouseReport[]; rest: string } {
  const reports: MouseReport[] = [];
  const take = (parse: (seq: string) => MouseReport | undefined) => (seq: string) => {
    const r = parse(seq);
    if (r) reports.push(r);
    return "";
  };
  // X10 first: its three characters may be anything, "<" included
  let text = chunk.replace(X10, take(parseX10)).replace(SGR, take(parseSgr));
  let rest = "";
  const partial = PARTIAL.exec(text);
  if (partial) {
    rest = partial[0];
    text = text.slice(0, partial.index);
  }
  return { text, reports, rest };
}

/**
 * The stdin Ink reads: the real one (raw mode, listeners, ref/unref go to it),
 * except that `read()` returns the input without the mouse reports, which go
 * to `onReport`. Ink reads on 'readable' with `read()` until null.
 */
export function mouseStdin(stdin: NodeJS.ReadStream, onReport: (r: MouseReport) => void): NodeJS.ReadStream {
  let held = "";
  const read = (): string | null => {
    for (;;) {
      const chunk: unknown = stdin.read();
      if (chunk === null) return null;
      const next = String(chunk);
      // an unfinished report that the next chunk does not go on with was not one: it is dropped, never typed
      const joined = held && (held.startsWith("\u001b[M") || /^[\d;Mm]/.test(next)) ? held + next : next;
      const { text, reports, rest } = splitMouse(joined);
      held = rest;
      for (const r of reports) onReport(r);
      if (text) return text;
    }
  };
  return new Proxy(stdin, {
    get(target, prop) {
      if (prop === "read") return read;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** Whether to turn mouse reporting on: not asked off (--no-mouse), both ends a terminal, and a terminal that reports (not TERM=dumb). */
export function mouseWanted(opts: { mouse?: boolean }, t: { stdinTTY: boolean; stdoutTTY: boolean; env: NodeJS.ProcessEnv }): boolean {
  return opts.mouse !== false && t.stdinTTY && t.stdoutTTY && t.env.TERM !== "dumb";
}
