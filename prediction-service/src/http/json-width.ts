/**
 * Finds a JSON object with more than `max` members without parsing, as the bytes arrive.
 * JSON.parse builds such an object as a hash table key by key, and validating it walks every
 * key again: a body of 1 MiB of distinct keys cost ~250 ms of CPU, enough for four clients to
 * stall the service. A linear scan (~1 ns per byte) refuses it instead, usually within the
 * first chunk, before the rest is even read.
 *
 * Works on UTF-8 bytes: every byte of a multi-byte UTF-8 character is ≥ 0x80, so the ASCII
 * structure characters are never misread. Strings are skipped (with their escapes) and colons
 * counted per open object. Anything the scan does not understand (unbalanced brackets,
 * nesting deeper than it tracks) ends the scan without a verdict: JSON.parse still judges the
 * syntax afterwards.
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

export class ObjectWidthScanner {
  /** Members seen per open object, ARRAY for an open array. */
  private readonly open = new Int32Array(MAX_DEPTH);
  private top = -1;
  private inString = false;
  private escaped = false;
  private gaveUp = false;
  /** True once an object wider than `max` was seen. */
  tooWide = false;

  constructor(private readonly max: number) {}

  /** Scans the next chunk; returns true once an object wider than `max` has been seen. */
  feed(bytes: Uint8Array): boolean {
    if (this.tooWide || this.gaveUp) return this.tooWide;
    const { open, max } = this;
    let { top, inString, escaped } = this;
    const n = bytes.length;
    for (let i = 0; i < n; i++) {
      const c = bytes[i] as number;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
      } else if (c === QUOTE) {
        inString = true;
      } else if (c === COLON) {
        if (top >= 0 && open[top] !== ARRAY) {
          const members = (open[top] as number) + 1;
          if (members > max) {
            this.tooWide = true;
            return true;
          }
          open[top] = members;
        }
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        if (++top === MAX_DEPTH) {
          this.gaveUp = true;
          return false;
        }
        open[top] = c === OPEN_OBJECT ? 0 : ARRAY;
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        if (top < 0) {
          this.gaveUp = true;
          return false;
        }
        top--;
      }
    }
    this.top = top;
    this.inString = inString;
    this.escaped = escaped;
    return false;
  }
}
