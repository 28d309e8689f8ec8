import type { Readable } from 'node:stream';
import type { FileStorage } from '../../storage/types.js';

/** The file types staff may upload as a document, recognised by their first bytes (never by the name alone). */
export const FILE_TYPES = [
  { ext: ['pdf'], contentType: 'application/pdf', label: 'PDF', magic: Buffer.from('%PDF-') },
  { ext: ['zip'], contentType: 'application/zip', label: 'ZIP', magic: Buffer.from('PK\x03\x04', 'latin1') },
  {
    ext: ['docx'],
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    label: 'DOCX',
    magic: Buffer.from('PK\x03\x04', 'latin1'),
  },
  {
    ext: ['xlsx'],
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    label: 'XLSX',
    magic: Buffer.from('PK\x03\x04', 'latin1'),
  },
  {
    ext: ['pptx'],
    contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    label: 'PPTX',
    magic: Buffer.from('PK\x03\x04', 'latin1'),
  },
  { ext: ['png'], contentType: 'image/png', label: 'PNG', magic: Buffer.from('\x89PNG\r\n\x1a\n', 'latin1') },
  { ext: ['jpg', 'jpeg'], contentType: 'image/jpeg', label: 'JPG', magic: Buffer.from([0xff, 0xd8, 0xff]) },
] as const;

/** The largest document staff may upload. */
export const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

/**
 * The content type of a file whose name and first bytes agree; null otherwise. Reports must
 * be PDFs (`pdfOnly`).
 */
export function detectContentType(fileName: string, head: Buffer, pdfOnly = false): string | null {
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? '';
  const type = FILE_TYPES.find((f) => (f.ext as readonly string[]).includes(ext));
  if (!type || (pdfOnly && type.contentType !== 'application/pdf')) return null;
  return head.subarray(0, type.magic.length).equals(type.magic) ? type.contentType : null;
}

/** "PDF", "ZIP", ...: the label shown as the file's type icon. */
export function typeLabel(contentType: string): string {
  return FILE_TYPES.find((f) => f.contentType === contentType)?.label ?? 'FILE';
}

/** "753 kB", "1,2 MB": shared with ticket attachments. */
export { formatSize } from '../../storage/labels.js';

/** A document's file as a stream from the file storage (never held whole); null when the file is missing. */
export function documentContentStream(storage: FileStorage, storageKey: string): Promise<Readable | null> {
  return storage.get(storageKey);
}
