import { fileTypeFromBuffer } from 'file-type';

/** How many leading bytes decide a file's type (file-type's own sample size). */
export const SNIFF_BYTES = 4100;

/** An accepted kind of file: what it is served as and the name endings that fit it. */
export interface AcceptedType {
  contentType: string;
  /** Short label shown beside the file ("PDF", "Word", ...). */
  label: string;
  /** Name endings that fit; a name without one of these gets the first appended. */
  exts: readonly string[];
  /** Text: checked to the last byte (no NUL bytes), since text has no signature. */
  text?: boolean;
}

const T = (contentType: string, label: string, ...exts: string[]): AcceptedType => ({ contentType, label, exts });

/** Accepted by signature (file-type's MIME type -> how PIM serves it). */
const BY_SIGNATURE: Record<string, AcceptedType> = {
  'image/png': T('image/png', 'PNG', 'png'),
  'image/jpeg': T('image/jpeg', 'JPG', 'jpg', 'jpeg'),
  'image/gif': T('image/gif', 'GIF', 'gif'),
  'image/webp': T('image/webp', 'WebP', 'webp'),
  'image/bmp': T('image/bmp', 'BMP', 'bmp'),
  'image/tiff': T('image/tiff', 'TIFF', 'tif', 'tiff'),
  'image/heic': T('image/heic', 'HEIC', 'heic'),
  'application/pdf': T('application/pdf', 'PDF', 'pdf'),
  'application/zip': T('application/zip', 'ZIP', 'zip'),
  'application/rtf': T('application/rtf', 'RTF', 'rtf'),
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': T(
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'Word',
    'docx',
  ),
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': T(
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'Excel',
    'xlsx',
  ),
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': T(
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    'PowerPoint',
    'pptx',
  ),
  'application/vnd.oasis.opendocument.text': T('application/vnd.oasis.opendocument.text', 'ODT', 'odt'),
  'application/vnd.oasis.opendocument.spreadsheet': T('application/vnd.oasis.opendocument.spreadsheet', 'ODS', 'ods'),
  'application/vnd.oasis.opendocument.presentation': T('application/vnd.oasis.opendocument.presentation', 'ODP', 'odp'),
};

/** A ZIP whose name says Office: OOXML files are ZIPs, and not every writer puts the telling entry first. */
const ZIP_OFFICE: Record<string, AcceptedType> = {
  docx: BY_SIGNATURE['application/vnd.openxmlformats-officedocument.wordprocessingml.document']!,
  xlsx: BY_SIGNATURE['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']!,
  pptx: BY_SIGNATURE['application/vnd.openxmlformats-officedocument.presentationml.presentation']!,
};

/** Office 97-2003 files (and Outlook .msg) share one container format (CFB); the name tells which. */
const CFB_OFFICE: Record<string, AcceptedType> = {
  doc: T('application/msword', 'Word', 'doc'),
  xls: T('application/vnd.ms-excel', 'Excel', 'xls'),
  ppt: T('application/vnd.ms-powerpoint', 'PowerPoint', 'ppt'),
  msg: T('application/vnd.ms-outlook', 'Outlook', 'msg'),
};

/** Text and logs: no signature, so no NUL byte and no control characters but tab, newlines, form feed and escape. */
export const TEXT_TYPE: AcceptedType = {
  ...T('text/plain', 'Tekst', 'txt', 'log', 'csv', 'json', 'xml', 'md', 'ini', 'cfg', 'conf', 'yaml', 'yml'),
  text: true,
};

/** True when `bytes` may be part of a text file (used on every chunk of a text upload). */
export function looksLikeText(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) || b === 0x7f)
      return false;
  }
  return true;
}

/** The name's ending, lower-case ("" when none). */
export function extensionOf(name: string): string {
  return /\.([a-z0-9]{1,8})$/i.exec(name)?.[1]?.toLowerCase() ?? '';
}

/**
 * The accepted type of a file from its first bytes (the name only tells apart formats that
 * share a container); null: refused. Executables, HTML pages, scripts, disk images, ... are
 * refused because they are not in the list, whatever their name says.
 */
export async function detectType(head: Buffer, fileName: string): Promise<AcceptedType | null> {
  const ext = extensionOf(fileName);
  const found = await fileTypeFromBuffer(head);
  if (found) {
    if (found.mime === 'application/zip' && ZIP_OFFICE[ext]) return ZIP_OFFICE[ext];
    if (found.mime === 'application/x-cfb') return CFB_OFFICE[ext] ?? null;
    // XML is text (logs, exports); served as text/plain, so a browser never runs it.
    if (found.mime === 'application/xml') return looksLikeText(head) ? TEXT_TYPE : null;
    return BY_SIGNATURE[found.mime] ?? null;
  }
  return head.length > 0 && looksLikeText(head) ? TEXT_TYPE : null;
}

/** The stored name: no folders, no control characters, at most 200 characters, an ending that fits the content. */
export function storedName(original: string, type: AcceptedType): string {
  let name = (original.split(/[\\/]/).pop() ?? '')
    // Control characters and bidirectional overrides go: a name must read as what it is.
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '')
    .trim();
  if (!name || name === '.' || name === '..') name = 'bestand';
  if (!type.exts.includes(extensionOf(name))) name = `${name}.${type.exts[0]}`;
  if (name.length > 200) {
    const ext = extensionOf(name);
    name = `${name.slice(0, 199 - ext.length)}.${ext}`;
  }
  return name;
}

/** The label of a stored content type ("Bestand" for one PIM does not know). */
export function labelOf(contentType: string): string {
  const all = [...Object.values(BY_SIGNATURE), ...Object.values(CFB_OFFICE), TEXT_TYPE];
  return all.find((t) => t.contentType === contentType)?.label ?? 'Bestand';
}
