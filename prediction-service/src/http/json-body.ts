/**
 * Reads and parses a JSON body for the scoring fast lane with body-parser's observable
 * behaviour (what the Express routes use): 413 when Content-Length or the bytes received
 * exceed the limit — the rest of the body is still read off, so the connection stays usable
 * and the answer comes after the upload, as with body-parser; a UTF-8 BOM is dropped; an empty
 * body is `{}`; strict mode (the first non-blank character must be `{` or `[`), else 400.
 */
import type { IncomingMessage } from 'node:http';
import { ServiceError, malformedJson, payloadTooLarge, unreadableBody } from '../errors';
import { hasObjectWiderThan } from './json-width';
import { MAX_OBJECT_FIELDS, tooManyFields } from './record.schema';

export type BodyCallback = (error: ServiceError | undefined, body: unknown) => void;

export function readJsonBody(req: IncomingMessage, limit: number, done: BodyCallback): void {
  const declared = req.headers['content-length'];
  let tooLarge = declared !== undefined && Number(declared) > limit;
  let received = 0;
  let settled = false;
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => {
    if (tooLarge) return; // keep draining, drop the bytes
    received += chunk.length;
    if (received > limit) {
      tooLarge = true;
      chunks.length = 0;
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (settled) return;
    settled = true;
    if (tooLarge) {
      done(payloadTooLarge(limit), undefined);
      return;
    }
    let body: unknown;
    try {
      body = parseJson(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    } catch (error) {
      done(error instanceof ServiceError ? error : malformedJson(), undefined);
      return;
    }
    done(undefined, body);
  });
  // A client that goes away mid-body: nobody will read the answer, but the request still
  // ends like body-parser's 'request.aborted' (400) for metrics and logs.
  req.on('error', () => {
    if (settled) return;
    settled = true;
    done(unreadableBody(), undefined);
  });
}

const BOM = 0xfeff;

/** Smaller bodies cannot hold an object wide enough to be costly; they skip the scan. */
const SCAN_ABOVE_CHARS = 16 * 1024;

function parseJson(buffer: Buffer): unknown {
  let text = buffer.toString('utf8');
  if (text.charCodeAt(0) === BOM) text = text.slice(1);
  if (text.length === 0) return {};
  const first = firstNonBlank(text);
  if (first !== '{' && first !== '[') throw malformedJson();
  if (text.length > SCAN_ABOVE_CHARS && hasObjectWiderThan(text, MAX_OBJECT_FIELDS)) {
    throw tooManyFields();
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw malformedJson();
  }
}

/** JSON's insignificant whitespace only (space, tab, LF, CR), as body-parser. */
function firstNonBlank(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return text[i];
  }
  return undefined;
}
