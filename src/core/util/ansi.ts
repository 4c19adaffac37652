/**
 * The few ANSI styles the text outputs use (the report, diff, trace), with
 * chalk's exact output at its level 1 (16 colours): `styles(true).red.bold(s)`
 * is `new Chalk({ level: 1 }).red.bold(s)`, `styles(false)` leaves text as it
 * is. Not chalk itself: importing it costs a `check` ~5 ms of its start-up
 * (chalk's colour detection imports node:process, whose module facade opens
 * stdin, and node:tty), and lbdoctor always says whether it wants colour.
 *
 * As chalk does: a style's own closing code inside the text is followed by its
 * opening code again (a bold word inside a grey line keeps the rest grey), and
 * each line break is closed and reopened, so that a style never leaks into the
 * next line.
 */

const CODES = {
  bold: [1, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
  white: [37, 39],
  bgRed: [41, 49],
} as const;

export type StyleName = keyof typeof CODES;
const NAMES = Object.keys(CODES) as StyleName[];

/** A style (call it on text), and its combinations: `red.bold`. */
export type Style = ((text: string) => string) & { readonly [K in StyleName]: Style };
export type Styles = { readonly [K in StyleName]: Style };

interface Layer {
  open: string;
  close: string;
  openAll: string;
  closeAll: string;
  parent: Layer | undefined;
}

// after each occurrence of `close`, `open` again (chalk's stringReplaceAll)
function reopenAfter(text: string, close: string, open: string): string {
  let index = text.indexOf(close);
  if (index === -1) return text;
  let end = 0;
  let out = "";
  do {
    out += text.slice(end, index) + close + open;
    end = index + close.length;
    index = text.indexOf(close, end);
  } while (index !== -1);
  return out + text.slice(end);
}

// each line break (\n or \r\n) closed before and reopened after (chalk's stringEncaseCRLFWithFirstIndex)
function encaseLines(text: string, close: string, open: string, index: number): string {
  let end = 0;
  let out = "";
  do {
    const cr = text[index - 1] === "\r";
    out += text.slice(end, cr ? index - 1 : index) + close + (cr ? "\r\n" : "\n") + open;
    end = index + 1;
    index = text.indexOf("\n", end);
  } while (index !== -1);
  return out + text.slice(end);
}

function apply(layer: Layer, text: string): string {
  if (!text) return text;
  if (text.includes("\u001B")) {
    for (let l: Layer | undefined = layer; l !== undefined; l = l.parent) text = reopenAfter(text, l.close, l.open);
  }
  const lf = text.indexOf("\n");
  if (lf !== -1) text = encaseLines(text, layer.closeAll, layer.openAll, lf);
  return layer.openAll + text + layer.closeAll;
}

function styleOf(layer: Layer | undefined, enabled: boolean): Style {
  const fn = (enabled && layer ? (text: string) => apply(layer, text) : (text: string) => text) as Style;
  for (const name of NAMES) {
    // made on first use, then kept
    Object.defineProperty(fn, name, {
      configurable: true,
      get() {
        const [o, c] = CODES[name];
        const open = `\u001B[${o}m`;
        const close = `\u001B[${c}m`;
        const child = styleOf(
          {
            open,
            close,
            openAll: layer ? layer.openAll + open : open,
            closeAll: layer ? close + layer.closeAll : close,
            parent: layer,
          },
          enabled,
        );
        Object.defineProperty(fn, name, { value: child });
        return child;
      },
    });
  }
  return fn;
}

/** The styles, with colour (chalk level 1) or without (text unchanged). */
export function styles(color: boolean): Styles {
  return styleOf(undefined, color);
}
