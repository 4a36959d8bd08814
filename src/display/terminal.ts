/** The few ANSI escapes the live display needs, and width-safe truncation. */
export const HIDE_CURSOR = '\x1b[?25l';
export const SHOW_CURSOR = '\x1b[?25h';
/** Erases from the cursor to the end of the screen. */
export const CLEAR_DOWN = '\x1b[J';

/** Moves to the start of the line `n` lines up; `\x1b[0F` would still move one line, so 0 is a no-op. */
export function cursorUpLines(n: number): string {
  return n > 0 ? `\x1b[${n}F` : '';
}

/**
 * Cuts a line to at most `width` characters, marking the cut with an ellipsis. A line that wraps
 * takes two rows and breaks the cursor-up arithmetic of the redraw.
 */
export function truncate(line: string, width: number): string {
  if (width <= 0) return '';
  if (line.length <= width) return line;
  return `${line.slice(0, width - 1)}…`;
}

/** Keeps the end of `text` (a reference's repository and tag are its most telling part). */
export function shortenStart(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  return `…${text.slice(text.length - width + 1)}`;
}

// C0 controls (newline and tab too: a line must stay one line of known width), DEL and C1 (0x9b
// is CSI on some terminals).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Shows control characters as `\xHH`: text from a syncer script or a registry must not move the
 * cursor, clear the screen or retitle the terminal of whoever reads the output.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
