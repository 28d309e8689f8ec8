import { inflateRawSync } from 'node:zlib';
import { PDFParse } from 'pdf-parse';
import type { Test } from 'supertest';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { PrismaClient } from '../../src/db/client.js';
import { createStorage } from '../../src/storage/index.js';

/** Puts bytes into the PostgreSQL file storage (as the app does without S3); returns the key. */
export async function storeBytes(prisma: PrismaClient, bytes: Buffer): Promise<string> {
  const key = randomUUID();
  await createStorage(undefined, prisma).put(key, Readable.from([bytes]));
  return key;
}

/** The bytes under a key of the PostgreSQL file storage (null: no such file). */
export async function storedBytes(prisma: PrismaClient, key: string | null): Promise<Buffer | null> {
  const body = key ? await createStorage(undefined, prisma).get(key) : null;
  if (!body) return null;
  const parts: Buffer[] = [];
  for await (const part of body) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

let nextNumber = 700_000 + Math.floor(Math.random() * 100_000) * 10;

/** An invoice with lines (quantity, unit price, VAT rate as strings); totals computed like the CLI does. */
export async function makeInvoice(
  prisma: PrismaClient,
  orgId: number,
  over: {
    number?: number;
    title?: string;
    date?: string;
    organizationName?: string;
    pdf?: Buffer;
    lines?: { description: string; quantity: string; unitPrice: string; vatRate: string; amount: string }[];
    amountExclVat?: string;
    vatAmount?: string;
  } = {},
) {
  const org = await prisma.organization.findUniqueOrThrow({ where: { id: orgId } });
  const lines = over.lines ?? [
    { description: 'Helpdesk', quantity: '1', unitPrice: '100.00', vatRate: '21', amount: '100.00' },
  ];
  return prisma.invoice.create({
    data: {
      number: over.number ?? nextNumber++,
      organizationId: orgId,
      title: over.title ?? 'Maandfactuur',
      invoiceDate: new Date(`${over.date ?? '2017-07-06'}T00:00:00Z`),
      amountExclVat: over.amountExclVat ?? '100.00',
      vatAmount: over.vatAmount ?? '21.00',
      organizationName: over.organizationName ?? org.name,
      pdfKey: over.pdf ? await storeBytes(prisma, over.pdf) : null,
      lines: {
        create: lines.map((l, i) => ({
          position: i + 1,
          description: l.description,
          quantity: l.quantity,
          unitPrice: l.unitPrice,
          vatRate: l.vatRate,
          amountExclVat: l.amount,
        })),
      },
    },
  });
}

/** A document of any kind. */
export async function makeDocument(
  prisma: PrismaClient,
  over: {
    kind: 'MANUAL' | 'PRODUCT_INFO' | 'REPORT';
    organizationId?: number | null;
    fileName?: string;
    content?: Buffer;
    contentType?: string;
    date?: string;
  },
) {
  const content = over.content ?? Buffer.from(`%PDF-1.4\n% ${over.fileName ?? 'document'}\n%%EOF\n`);
  return prisma.document.create({
    data: {
      kind: over.kind,
      organizationId: over.organizationId ?? null,
      fileName: over.fileName ?? `${over.kind.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}.pdf`,
      contentType: over.contentType ?? 'application/pdf',
      size: content.length,
      storageKey: await storeBytes(prisma, content),
      documentDate: new Date(`${over.date ?? '2017-06-19'}T00:00:00Z`),
    },
  });
}

/** The text of a PDF, as pdf-parse reads it back. */
export async function pdfText(buf: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(buf) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

/** The entries of a ZIP (read from its central directory), name -> bytes. */
export function readZip(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory');
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(dataStart, dataStart + compressed);
    out.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** Supertest parser that keeps a binary body as a Buffer: `.buffer(true).parse(binary)`. */
export const binary = ((res: NodeJS.ReadableStream, cb: (err: Error | null, body: Buffer) => void): void => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
  res.on('error', (e: Error) => cb(e, Buffer.alloc(0)));
}) as unknown as Parameters<Test['parse']>[0];
