/**
 * Finds a JSON object with more than `max` members without parsing the text. JSON.parse
 * builds such an object as a hash table key by key, and validating it walks every key again:
 * a body of 1 MiB of distinct keys cost ~250 ms of CPU, enough for four clients to stall the
 * service. A linear scan (~1 ns per character) refuses it instead.
 *
 * Strings are skipped (with their escapes) and colons counted per open object. Anything the
 * scan does not understand (unbalanced brackets, nesting deeper than it tracks) yields false:
 * JSON.parse still judges the syntax afterwards.
 */
const MAX_DEPTH = 256;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const ARRAY = -1;

export function hasObjectWiderThan(text: string, max: number): boolean {
  // Members seen per open object, ARRAY for an open array.
  const open = new Int32Array(MAX_DEPTH);
  let top = -1;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === BACKSLASH) i++;
        else if (d === QUOTE) break;
      }
    } else if (c === COLON) {
      if (top >= 0 && open[top] !== ARRAY) {
        const members = (open[top] as number) + 1;
        if (members > max) return true;
        open[top] = members;
      }
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++top === MAX_DEPTH) return false;
      open[top] = c === OPEN_OBJECT ? 0 : ARRAY;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (top < 0) return false;
      top--;
    }
  }
  return false;
}
