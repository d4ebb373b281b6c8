/**
 * Reads a request body for the scoring routes: the fast lane and the Express routes both call
 * it, so every body gets the same answer on either path.
 *
 * A body is refused as soon as the refusal is certain — Content-Length over the limit, the
 * bytes read (on the wire, or after decompression) over it, an unknown Content-Encoding or
 * charset, a JSON object too wide to parse cheaply (json-width.ts) — without reading the rest:
 * the callback's `unread` flag tells the caller to answer with `Connection: close`, so Node
 * closes the socket once the answer is out instead of draining an upload that may never end.
 *
 * Otherwise it reads at most `limit` bytes, inflates gzip / deflate / br / zstd, decodes the
 * charset (JSON: UTF-8, UTF-16 or UTF-32, as RFC 8259 and body-parser allow; CSV: any charset
 * iconv-lite knows) and parses JSON like body-parser's strict mode: a UTF-8 BOM is dropped, an
 * empty body is `{}`, the first non-blank character must be `{` or `[`.
 */
import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import zlib from 'node:zlib';
import iconv from 'iconv-lite';
import { ServiceError, clip, malformedJson, payloadTooLarge, unreadableBody } from '../errors';
import { ObjectWidthScanner } from './json-width';
import { MAX_OBJECT_FIELDS, tooManyFields } from './record.schema';

export type BodyKind = 'json' | 'csv';

/**
 * `body`: parsed JSON, or the decoded text of a CSV. `unread`: the body was refused before
 * its end; answer with `Connection: close`.
 */
export type BodyCallback = (
  error: ServiceError | undefined,
  body: unknown,
  unread: boolean,
) => void;

const DECOMPRESSORS: Readonly<Record<string, () => Transform>> = {
  gzip: () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
  zstd: () => zlib.createZstdDecompress(),
};
const CODINGS = Object.keys(DECOMPRESSORS).join(', ');

const JSON_CHARSETS: ReadonlySet<string> = new Set([
  'utf-8',
  'utf8',
  'utf-16',
  'utf-16le',
  'utf-16be',
  'utf-32',
  'utf-32le',
  'utf-32be',
]);

/** Smaller bodies cannot hold an object wide enough to be costly; they skip the scan. */
export const SCAN_ABOVE_BYTES = 16 * 1024;

const CHARSET = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]+))/i;

function charsetOf(contentType: string | undefined): string {
  const match = contentType === undefined ? null : CHARSET.exec(contentType);
  return (match?.[1] ?? match?.[2] ?? 'utf-8').toLowerCase();
}

function charsetProblem(kind: BodyKind, charset: string): ServiceError | undefined {
  const supported = kind === 'json' ? JSON_CHARSETS.has(charset) : iconv.encodingExists(charset);
  if (supported) return undefined;
  return new ServiceError(
    'UNSUPPORTED_MEDIA_TYPE',
    kind === 'json'
      ? `charset=${clip(charset, 40)} is not supported for JSON: send UTF-8 (UTF-16 and UTF-32 are accepted too).`
      : `charset=${clip(charset, 40)} is not a character set this service knows: send UTF-8.`,
  );
}

export function readBody(
  req: IncomingMessage,
  spec: { limit: number; kind: BodyKind },
  done: BodyCallback,
): void {
  const { limit, kind } = spec;
  const headers = req.headers;
  let settled = false;
  let decompressor: Transform | undefined;

  const refuse = (error: ServiceError): void => {
    if (settled) return;
    settled = true;
    req.removeListener('data', onWire);
    // Stop reading now, not once the request's buffer fills: every read is a fresh 64 KiB
    // buffer, and a flood of refused bodies turned those into most of the GC work. Node
    // closes the socket after the answer (Connection: close).
    req.pause();
    req.socket.pause();
    decompressor?.destroy();
    done(error, undefined, true);
  };

  const declared = headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    refuse(payloadTooLarge(limit));
    return;
  }
  const coding = (headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (coding !== 'identity') {
    const make = DECOMPRESSORS[coding];
    if (make === undefined) {
      refuse(
        new ServiceError(
          'UNSUPPORTED_MEDIA_TYPE',
          `Content-Encoding: ${clip(coding, 40)} is not supported: send the body uncompressed or as ${CODINGS}.`,
        ),
      );
      return;
    }
    decompressor = make();
  }
  const charset = charsetOf(headers['content-type']);
  const badCharset = charsetProblem(kind, charset);
  if (badCharset !== undefined) {
    refuse(badCharset);
    return;
  }
  const utf8 = charset === 'utf-8' || charset === 'utf8';
  // UTF-8 JSON is scanned as it arrives; other charsets once decoded (see parseJson).
  const scan = kind === 'json' && utf8;
  // Created only once a body passes SCAN_ABOVE_BYTES: its 1 KiB state array cost ~1 µs per
  // request, a tenth of a single-record /predict's own CPU.
  let scanner: ObjectWidthScanner | undefined;

  const chunks: Buffer[] = [];
  let wire = 0;
  let decoded = 0;

  const onDecoded = (chunk: Buffer): void => {
    if (settled) return;
    decoded += chunk.length;
    if (decoded > limit) {
      refuse(payloadTooLarge(limit));
      return;
    }
    chunks.push(chunk);
    if (!scan) return;
    if (scanner !== undefined) {
      if (scanner.feed(chunk)) refuse(tooManyFields());
    } else if (decoded > SCAN_ABOVE_BYTES) {
      scanner = new ObjectWidthScanner(MAX_OBJECT_FIELDS);
      for (const earlier of chunks) {
        if (scanner.feed(earlier)) {
          refuse(tooManyFields());
          return;
        }
      }
    }
  };

  function onWire(chunk: Buffer): void {
    wire += chunk.length;
    if (wire > limit) {
      refuse(payloadTooLarge(limit));
      return;
    }
    if (decompressor === undefined) onDecoded(chunk);
    else decompressor.write(chunk);
  }

  const onEnd = (): void => {
    if (settled) return;
    settled = true;
    const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    let body: unknown;
    try {
      body = kind === 'csv' ? iconv.decode(bytes, charset) : parseJson(bytes, utf8, charset);
    } catch (error) {
      done(error instanceof ServiceError ? error : malformedJson(), undefined, false);
      return;
    }
    done(undefined, body, false);
  };

  req.on('data', onWire);
  if (decompressor === undefined) {
    req.on('end', onEnd);
  } else {
    const stream = decompressor;
    stream.on('data', onDecoded);
    stream.on('end', onEnd);
    stream.on('error', (error: Error) => {
      refuse(
        new ServiceError(
          'MALFORMED_CONTENT_ENCODING',
          `The body is not valid ${coding} data (Content-Encoding: ${coding}): ${error.message}.`,
        ),
      );
    });
    req.on('end', () => stream.end());
  }
  // A client that goes away mid-body: nobody will read the answer, but the request still
  // ends (400) for metrics and logs.
  req.on('error', () => {
    if (settled) return;
    settled = true;
    decompressor?.destroy();
    done(unreadableBody(), undefined, true);
  });
}

const BOM = 0xfeff;

function parseJson(bytes: Buffer, utf8: boolean, charset: string): unknown {
  let text = utf8 ? bytes.toString('utf8') : iconv.decode(bytes, charset);
  if (text.charCodeAt(0) === BOM) text = text.slice(1);
  if (text.length === 0) return {};
  const first = firstNonBlank(text);
  if (first !== '{' && first !== '[') throw malformedJson();
  if (!utf8 && text.length > SCAN_ABOVE_BYTES) {
    if (new ObjectWidthScanner(MAX_OBJECT_FIELDS).feed(Buffer.from(text))) throw tooManyFields();
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
