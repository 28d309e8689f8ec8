import type { PrismaClient } from '../../db/client.js';
import { likeEscape } from '../../http/list.js';
import { renderMarkdown } from '../../http/markdown.js';

/**
 * The FAQ in its order, optionally filtered by a search text (question or answer, either
 * language). The table holds tens of rows, so a scan of it is the right plan.
 */
export async function listFaq(prisma: PrismaClient, q: string, lang: 'nl' | 'en') {
  const contains = { contains: likeEscape(q), mode: 'insensitive' as const };
  const entries = await prisma.faqEntry.findMany({
    where: q ? { OR: [{ questionNl: contains }, { answerNl: contains }, { questionEn: contains }, { answerEn: contains }] } : {},
    orderBy: [{ position: 'asc' }, { id: 'asc' }],
  });
  return entries.map((e) => {
    const english = lang === 'en' && e.questionEn && e.answerEn;
    return { id: e.id, question: english ? e.questionEn! : e.questionNl, answerHtml: renderMarkdown(english ? e.answerEn! : e.answerNl) };
  });
}
