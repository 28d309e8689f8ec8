import type { PrismaClient, Tx } from '../../db/client.js';
import { Prisma } from '../../db/client.js';
import { likeEscape } from '../../http/list.js';
import { renderMarkdown } from '../../http/markdown.js';

/** The words of a search as a tsquery: letters and digits only, each a prefix; `any`: OR, else AND. */
export function tsQueryOf(q: string, any: boolean): string | null {
  const words =
    q
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu)
      ?.filter((w) => w.length > 1)
      .slice(0, 8) ?? [];
  return words.length ? words.map((w) => `${w}:*`).join(any ? ' | ' : ' & ') : null;
}

/** Full-text match on the Dutch text (stemmed: "facturen" finds "factuur"), read from the GIN index. */
const FTS = (query: string) =>
  Prisma.sql`to_tsvector('dutch', question_nl || ' ' || answer_nl) @@ to_tsquery('dutch', ${query})`;

/**
 * The FAQ in its order, optionally filtered by a search: full text with the Dutch dictionary
 * (every word, as a prefix), or the text as typed anywhere in question or answer, either language.
 */
export async function listFaq(prisma: PrismaClient | Tx, q: string, lang: 'nl' | 'en') {
  let ids: number[] | null = null;
  if (q) {
    const query = tsQueryOf(q, false);
    const like = `%${likeEscape(q)}%`;
    const rows = await prisma.$queryRaw<{ id: number }[]>`
      SELECT id FROM faq_entries
      WHERE ${query ? FTS(query) : Prisma.sql`false`}
         OR question_nl ILIKE ${like} OR answer_nl ILIKE ${like} OR question_en ILIKE ${like} OR answer_en ILIKE ${like}`;
    ids = rows.map((r) => r.id);
  }
  const entries = await prisma.faqEntry.findMany({
    where: ids ? { id: { in: ids } } : {},
    orderBy: [{ position: 'asc' }, { id: 'asc' }],
  });
  return entries.map((e) => {
    const english = lang === 'en' && e.questionEn && e.answerEn;
    return {
      id: e.id,
      question: english ? e.questionEn! : e.questionNl,
      answerHtml: renderMarkdown(english ? e.answerEn! : e.answerNl),
    };
  });
}

/** Up to five FAQ questions whose words match a ticket title being typed (any word; best match first). */
export async function suggestFaq(
  prisma: PrismaClient | Tx,
  q: string,
  lang: 'nl' | 'en',
): Promise<{ id: number; question: string }[]> {
  const query = tsQueryOf(q, true);
  if (!query) return [];
  const rows = await prisma.$queryRaw<{ id: number; question_nl: string; question_en: string | null }[]>`
    SELECT id, question_nl, question_en FROM faq_entries
    WHERE ${FTS(query)}
    ORDER BY ts_rank(to_tsvector('dutch', question_nl || ' ' || answer_nl), to_tsquery('dutch', ${query})) DESC, position
    LIMIT 5`;
  return rows.map((r) => ({ id: r.id, question: lang === 'en' && r.question_en ? r.question_en : r.question_nl }));
}
