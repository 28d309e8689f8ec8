import type { Response } from 'express';

/**
 * Content-Disposition per RFC 6266: an ASCII `filename` for old clients and, when the name
 * has anything else (accents, even Latin-1 ones such as "ë"), `filename*=UTF-8''...` (RFC 8187).
 * Express's res.attachment() leaves Latin-1 accents raw in `filename`, which is why this exists.
 */
export function contentDisposition(fileName: string, type: 'attachment' | 'inline' = 'attachment'): string {
  const ascii = fileName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["\\]/g, '_');
  if (ascii === fileName) return `${type}; filename="${ascii}"`;
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** Sends a file the server names: Content-Disposition per RFC 6266, never cached, never sniffed. */
export function sendDownload(
  res: Response,
  file: { fileName: string; contentType: string; body: Buffer; inline?: boolean },
): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Disposition', contentDisposition(file.fileName, file.inline ? 'inline' : 'attachment'));
  res.type(file.contentType);
  res.send(file.body);
}

/** Headers for a streamed download (ZIP, large PDF): same rules as sendDownload; `inline` opens it in the browser. */
export function startDownload(res: Response, fileName: string, contentType: string, inline = false): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Disposition', contentDisposition(fileName, inline ? 'inline' : 'attachment'));
  res.type(contentType);
}
