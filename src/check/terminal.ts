/**
 * Text that came from a Prometheus (label values, metric names, error bodies) is untrusted: a
 * label value can carry ANSI escape sequences that recolour, retitle or rewrite the user's
 * terminal. Everything echoed from it is made printable first.
 */

// ECMA-48: CSI (ESC [ or the 8-bit 0x9b) ... final byte; OSC/DCS/PM/APC/SOS strings up to BEL or ST; any other ESC + one byte.
const ESCAPE_SEQUENCE = /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\u0020-\u002f]*[\u0030-\u007e]?/g;
// C0 and C1 controls, DEL, and the Unicode bidirectional overrides that reorder what is shown.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One printable line: escape sequences removed, tabs and line breaks as spaces, other controls dropped. */
export function printable(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, (c) => (c === '\t' || c === '\n' || c === '\r' ? ' ' : ''));
}

/** JSON text safe for a terminal: JSON.stringify escapes C0 controls but leaves C1 and bidi controls raw. */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
