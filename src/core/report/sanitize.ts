/**
 * Strings from the cloud (names, tags, descriptions, guest output) reach a
 * terminal. Neutralize ANSI escape sequences and control characters so a
 * hostile resource name cannot rewrite the screen or the clipboard.
 */
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g;
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function sanitize(text: string): string {
  if (typeof text !== "string") text = String(text ?? "");
  return text.replace(ESCAPES, "").replace(CONTROLS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
