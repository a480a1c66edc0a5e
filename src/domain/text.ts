/**
 * Customer text made safe to keep and show: what a person can type stays, what only a program
 * sends goes. Pure functions, used where input enters the dialogs (flows/engine.ts) and for file
 * names.
 */

/** C0 and C1 control characters but tab and line feed, and the bidi embeddings, overrides and isolates. */
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const UNSAFE_IN_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** In one-line values (names, file names) also tabs, line breaks and the bidi marks. */
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const UNSAFE_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Removes control characters (NUL, escape, …) but tabs and line breaks, and the bidi embedding,
 * override and isolate characters (a right-to-left override would reverse what follows it on a
 * staff screen). Line breaks become `\n`.
 * @example cleanText('Broken\u0000 kettle\u202e') // 'Broken kettle'
 */
export function cleanText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(UNSAFE_IN_TEXT, '');
}

/**
 * Removes every control and bidi formatting character, tabs and line breaks too: for values shown
 * on one line (a name, a file name).
 * @example cleanLine('photo\u202egpj.exe') // 'photogpj.exe'
 */
export function cleanLine(text: string): string {
  return text.replace(UNSAFE_IN_LINE, '');
}
