// Terminal escapes (colours in CI logs, OSC hyperlinks). Control characters are the point here:
// eslint-disable-next-line no-control-regex
export const ANSI = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)?/g;
// Control characters other than tab and newline.
// eslint-disable-next-line no-control-regex
export const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * Terminal escapes and control characters removed, NUL shown as `␀`: for
 * command output, which the model reads (and may quote in a commit message,
 * where git refuses NUL) but which must otherwise stay exact.
 */
export function stripControlCharacters(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(ANSI, "").replaceAll("\0", "␀").replace(CONTROL, "");
}
