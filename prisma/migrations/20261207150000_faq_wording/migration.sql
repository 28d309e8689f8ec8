-- Issue 20: the FAQ's starting content as copied from the manual. "Gebruiksnaam" is a typo for
-- "Gebruikersnaam", and the invoice question does not mention the portal's own way to ask it
-- ("Vraag over deze factuur"). Only rows still holding the original text change (staff may have
-- edited them); each change moves version and updated_at, so API clients see it.
UPDATE "faq_entries"
SET "answer_nl" = replace("answer_nl", 'vul uw Gebruiksnaam (e-mailadres)', 'vul uw Gebruikersnaam (e-mailadres)'),
    "version" = "version" + 1,
    "updated_at" = now()
WHERE "answer_nl" LIKE '%vul uw Gebruiksnaam (e-mailadres)%';

UPDATE "faq_entries"
SET "answer_nl" = "answer_nl" || E'\n\nU kunt uw vraag ook in PIM stellen: klik onder **Administratie › Facturen** bij de factuur op **Vraag over deze factuur**. Er wordt dan een ticket aangemaakt dat direct naar onze administratie gaat.',
    "answer_en" = "answer_en" || E'\n\nYou can also ask it in PIM: under **Administration › Invoices**, click **Question about this invoice** at the invoice. That files a ticket that goes straight to our accounts department.',
    "version" = "version" + 1,
    "updated_at" = now()
WHERE "question_nl" = 'Ik heb een vraag over mijn factuur, waar kan ik terecht?'
  AND "answer_nl" NOT LIKE '%Vraag over deze factuur%'
  AND "answer_en" IS NOT NULL;
