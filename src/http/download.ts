import type { Response } from 'express';

/**
 * Sends a file the server names: Content-Disposition per RFC 6266 (Express adds `filename*`
 * for names with accents), never cached, never sniffed.
 */
export function sendDownload(res: Response, file: { fileName: string; contentType: string; body: Buffer; inline?: boolean }): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (file.inline) res.setHeader('Content-Disposition', res.attachment(file.fileName).get('Content-Disposition')!.replace(/^attachment/, 'inline'));
  else res.attachment(file.fileName);
  res.type(file.contentType);
  res.send(file.body);
}

/** Headers for a streamed download (ZIP, large PDF): same rules as sendDownload. */
export function startDownload(res: Response, fileName: string, contentType: string): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.attachment(fileName);
  res.type(contentType);
}
