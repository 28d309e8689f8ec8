import { randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import busboy from 'busboy';
import type { Request } from 'express';
import type { FileStorage } from '../storage/types.js';
import { detectType, looksLikeText, SNIFF_BYTES, storedName, type AcceptedType } from '../storage/detect.js';
import { AppError } from './errors.js';
import { cleanField, edgeField, hasForbiddenChars } from './text.js';

/**
 * At most this many files per form, each at most this large, and the whole request at most
 * `requestBytes` (the README promises all three). The edge's 200 kB body limit is for plain
 * forms; a form with files is bounded here: room for the ten files, one more and the fields,
 * so a request that merely overshoots still gets the per-file reasons, and an endless one stops.
 */
export const UPLOAD_LIMITS = { files: 10, fileBytes: 20 * 1024 * 1024, requestBytes: 232 * 1024 * 1024 } as const;

/** A file that reached storage. */
export interface ReceivedFile {
  key: string;
  fileName: string;
  contentType: string;
  size: number;
}

/** Why a file was not taken: not an accepted type, too large, one too many, or empty. */
export type RefusalReason = 'type' | 'size' | 'count' | 'empty';

/** A file that was refused, with its name as the person chose it. */
export interface RefusedFile {
  fileName: string;
  reason: RefusalReason;
}

/**
 * What a multipart form brought: its text fields, the stored files, the refused ones, and the
 * fields the edge's rule refused (a control character, broken UTF-8: field name -> locale key),
 * whose values are cleaned copies to show again.
 */
export interface MultipartForm {
  fields: Record<string, string[]>;
  files: ReceivedFile[];
  refused: RefusedFile[];
  badFields: Record<string, string>;
}

/** The error csrf-sync raises, so the error handler treats both alike (expired session: to the login page). */
function csrfError(): Error {
  return Object.assign(new Error('invalid csrf token'), { code: 'EBADCSRFTOKEN', status: 403 });
}

/** A file refused for a reason the person is told. */
export class Refusal extends Error {
  constructor(readonly reason: RefusalReason) {
    super(reason);
  }
}

/**
 * POST paths whose CSRF check is not the global one: upload forms (their route checks the token
 * as the first multipart field, before any file is stored) and one-click links from mails (signed
 * token in the URL). Any other multipart request still meets the global check, which refuses it.
 */
const DEFERRED_CSRF: { path: RegExp; multipart: boolean }[] = [
  { path: /^\/tickets\/new$/, multipart: true },
  { path: /^\/tickets\/\d{1,9}\/notes$/, multipart: true },
  { path: /^\/mail\/unsubscribe\/[\w.-]{1,300}$/, multipart: false },
];

/** True when this request's CSRF proof is checked by its route (see DEFERRED_CSRF). */
export function csrfDeferred(req: Request): boolean {
  if (req.method !== 'POST') return false;
  return DEFERRED_CSRF.some((d) => d.path.test(req.path) && (!d.multipart || isMultipart(req)));
}

/** True for a `multipart/form-data` request. */
export function isMultipart(req: Request): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

/**
 * Holds back the first bytes until the type is known (nothing reaches storage before the
 * content has been accepted), then passes everything through; text is checked to the end.
 */
export function typeGate(fileName: string, onType: (t: AcceptedType) => void): Transform {
  let head: Buffer[] = [];
  let headBytes = 0;
  let type: AcceptedType | null = null;
  const decide = async (self: Transform) => {
    const buf = Buffer.concat(head, headBytes);
    head = [];
    if (buf.length === 0) throw new Refusal('empty');
    type = await detectType(buf, fileName);
    if (!type) throw new Refusal('type');
    onType(type);
    self.push(buf);
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (type) {
        if (type.text && !looksLikeText(chunk)) return done(new Refusal('type'));
        return done(null, chunk);
      }
      head.push(chunk);
      headBytes += chunk.length;
      if (headBytes < SNIFF_BYTES) return done();
      decide(this).then(() => done(), done);
    },
    flush(done) {
      if (type) return done();
      decide(this).then(() => done(), done);
    },
  });
}

/**
 * Reads a multipart form as it arrives: text fields into memory (small, limited), each file
 * of `fileField` streamed to `storage` after its first bytes showed an accepted type. The CSRF
 * token must be the first field and valid before any file is taken (the form puts it first).
 * Refused files are named with their reason; on any error every stored file is removed again.
 */
export async function receiveMultipart(
  req: Request,
  storage: FileStorage,
  opts: {
    fileField: string;
    maxFiles?: (fields: Record<string, string[]>) => number;
    csrfValid: (token: string) => boolean;
  },
): Promise<MultipartForm> {
  if (Number(req.headers['content-length'] ?? 0) > UPLOAD_LIMITS.requestBytes) throw new AppError('PAYLOAD_TOO_LARGE');
  const form: MultipartForm = { fields: {}, files: [], refused: [], badFields: {} };
  const work: Promise<void>[] = [];
  let csrfChecked = false;
  let failure: Error | null = null;
  let seen = 0;

  const bb = busboy({
    headers: req.headers,
    defParamCharset: 'utf8',
    // Field values arrive as their bytes (latin1 keeps each byte), so broken UTF-8 can be told (fieldText).
    defCharset: 'latin1',
    // busboy reports its limit when a file reaches it, so a file of exactly 20 MB would count as
    // too large: the limit sits one byte further, and only a file past 20 MB is refused.
    limits: { fileSize: UPLOAD_LIMITS.fileBytes + 1, files: 50, fields: 100, fieldSize: 100_000, parts: 200 },
  });

  const order = new Map<string, number>();
  const takeFile = async (stream: Readable, original: string, position: number) => {
    const key = randomUUID();
    let type: AcceptedType | null = null;
    const gate = typeGate(original, (t) => (type = t));
    stream.on('limit', () => gate.destroy(new Refusal('size')));
    stream.on('error', (err) => gate.destroy(err));
    try {
      const { size } = await storage.put(key, stream.pipe(gate));
      order.set(key, position);
      form.files.push({ key, fileName: storedName(original, type!), contentType: type!.contentType, size });
    } catch (err) {
      // Let go of the type check (the storage ended it) before draining: a stream still piped into
      // a dead one is paused again by the pipe, and the request would hang until the client gives up.
      stream.unpipe(gate);
      stream.resume();
      await storage.delete(key).catch(() => {});
      if (err instanceof Refusal) form.refused.push({ fileName: original, reason: err.reason });
      else failure ??= err as Error;
    }
  };

  bb.on('field', (name, raw) => {
    // The edge's rule for every field (it does not parse multipart). A bad name is a forged form
    // (400, nothing stored); a bad value is kept cleaned and named, for the form to show again.
    if (hasForbiddenChars(name, false)) return void (failure ??= new AppError('BAD_REQUEST', 'errors.badCharacters'));
    const text = fieldText(raw);
    const value = text === null ? null : edgeField(name, text);
    if (value === null) form.badFields[name] = text === null ? 'validation.badEncoding' : 'validation.controlChars';
    const kept = value ?? cleanField(name, text ?? lenient.decode(Buffer.from(raw, 'latin1')));
    if (!csrfChecked && name === '_csrf') csrfChecked = opts.csrfValid(kept);
    (form.fields[name] ??= []).push(kept);
  });
  bb.on('file', (name, stream, info) => {
    const original = info.filename ?? '';
    // An empty file input sends a part without a name: nothing chosen.
    if (name !== opts.fileField || !original) return void stream.resume();
    if (!csrfChecked) {
      failure ??= csrfError();
      return void stream.resume();
    }
    if (failure) return void stream.resume();
    seen += 1;
    if (seen > (opts.maxFiles ? opts.maxFiles(form.fields) : UPLOAD_LIMITS.files)) {
      form.refused.push({ fileName: original, reason: 'count' });
      return void stream.resume();
    }
    work.push(takeFile(stream, original, seen));
  });

  await new Promise<void>((resolve, reject) => {
    // Stopping busboy also ends the file being stored (with the error), so no put waits forever
    // for bytes that will not come: a client that went away or sent too much leaves nothing.
    const stop = (err: Error) => {
      reject(err);
      bb.destroy(err);
    };
    let received = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        if (received > UPLOAD_LIMITS.requestBytes) return done(new AppError('PAYLOAD_TOO_LARGE'));
        done(null, chunk);
      },
    });
    counted.on('error', stop);
    bb.on('close', resolve);
    bb.on('error', reject);
    req.on('aborted', () => stop(new AppError('BAD_REQUEST')));
    req.pipe(counted).pipe(bb);
  }).catch((err: Error) => {
    failure ??= err instanceof AppError ? err : new AppError('BAD_REQUEST');
  });
  await Promise.all(work);
  // A small file can finish storing before a large one ahead of it: keep the form's order.
  form.files.sort((a, b) => order.get(a.key)! - order.get(b.key)!);
  if (!csrfChecked) failure ??= csrfError();
  if (failure) {
    await Promise.all(form.files.map((f) => storage.delete(f.key).catch(() => {})));
    throw failure;
  }
  return form;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/**
 * A field's value from its bytes as busboy hands them over (latin1, see defCharset), or null when
 * they are not UTF-8. A part that names its own charset is decoded by busboy already (a character
 * past U+00FF shows it) and kept as it is; browsers name none.
 */
function fieldText(raw: string): string | null {
  if (/[^\u0000-\u00ff]/.test(raw)) return raw;
  try {
    return utf8.decode(Buffer.from(raw, 'latin1'));
  } catch {
    return null;
  }
}

/** The first value of a multipart field ('' when absent), trimmed like str(). */
export function field(form: MultipartForm, name: string): string {
  return (form.fields[name]?.[0] ?? '').trim();
}

/**
 * Stores a file from disk (the staff tool's `--attach`) by the same rules as an upload: type by
 * content, at most 20 MB, streamed. Throws a Refusal naming the reason.
 */
export async function storeLocalFile(storage: FileStorage, filePath: string): Promise<ReceivedFile> {
  const { createReadStream, statSync } = await import('node:fs');
  const original = filePath.split(/[\\/]/).pop() ?? filePath;
  if (statSync(filePath).size > UPLOAD_LIMITS.fileBytes) throw new Refusal('size');
  const key = randomUUID();
  let type: AcceptedType | null = null;
  try {
    const { size } = await storage.put(key, createReadStream(filePath).pipe(typeGate(original, (t) => (type = t))));
    return { key, fileName: storedName(original, type!), contentType: type!.contentType, size };
  } catch (err) {
    await storage.delete(key).catch(() => {});
    throw err;
  }
}
