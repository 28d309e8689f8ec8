import type { Request, Response } from 'express';
import type { FileStorage } from '../../storage/types.js';
import {
  isMultipart,
  receiveMultipart,
  UPLOAD_LIMITS,
  type ReceivedFile,
  type RefusedFile,
} from '../../http/uploads.js';
import { edgeErrors, formBody, str, type FieldErrors } from '../../http/validation.js';

/**
 * A ticket or note form as posted: its text values, the files taken, the files refused, the pending
 * files kept, and the fields the edge's rule refused (a control character, broken UTF-8).
 */
export interface PostedForm {
  values: Record<string, string>;
  files: ReceivedFile[];
  refused: RefusedFile[];
  keep: number[];
  badFields: FieldErrors;
}

const ID = /^[1-9]\d{0,8}$/;

/**
 * Reads a ticket or note form: multipart (with files, streamed to storage) or, from a client
 * that sends no files, urlencoded. `keep` are ids of pending uploads the re-shown form carries;
 * together with the new files they may be at most ten.
 */
export async function readPostedForm(
  req: Request,
  res: Response,
  storage: FileStorage,
  names: readonly string[],
): Promise<PostedForm> {
  if (!isMultipart(req)) {
    const badFields = edgeErrors(req);
    const values = Object.fromEntries(names.map((f) => [f, str(formBody(req)[f])]));
    return { values, files: [], refused: [], keep: keepIds(formBody(req).keep), badFields };
  }
  const form = await receiveMultipart(req, storage, {
    fileField: 'files',
    csrfValid: res.locals.csrfValid as (token: string) => boolean,
    // The kept files come before the file input in the form, so they count against the ten.
    maxFiles: (fields) => UPLOAD_LIMITS.files - keepIds(fields.keep).length,
  });
  const values = Object.fromEntries(names.map((f) => [f, (form.fields[f]?.[0] ?? '').trim()]));
  return {
    values,
    files: form.files,
    refused: form.refused,
    keep: keepIds(form.fields.keep),
    badFields: form.badFields,
  };
}

function keepIds(raw: unknown): number[] {
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return [...new Set(list.filter((v): v is string => typeof v === 'string' && ID.test(v)).map(Number))].slice(
    0,
    UPLOAD_LIMITS.files,
  );
}
