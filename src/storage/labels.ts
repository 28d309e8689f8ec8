import { labelOf } from './detect.js';

/** "753 kB", "1,2 MB" (nl) / "1.2 MB" (en): file sizes as the manual shows them. */
export function formatSize(bytes: number, lang: 'nl' | 'en'): string {
  if (bytes < 1024 * 1024) return `${Math.max(bytes ? 1 : 0, Math.round(bytes / 1024))} kB`;
  const mb = (bytes / (1024 * 1024)).toFixed(1);
  return `${lang === 'nl' ? mb.replace('.', ',') : mb} MB`;
}

/** "PDF", "Word", "PNG", "Tekst": the short type shown beside an uploaded file. */
export function typeLabelOf(contentType: string): string {
  return labelOf(contentType);
}
