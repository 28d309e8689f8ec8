-- Service & Support: the FAQ (ordered, searchable, Markdown answers) and a search index on the
-- customer's own ticket reference.

-- CreateTable
CREATE TABLE "faq_entries" (
    "id" SERIAL NOT NULL,
    "position" INTEGER NOT NULL,
    "question_nl" TEXT NOT NULL,
    "answer_nl" TEXT NOT NULL,
    "question_en" TEXT,
    "answer_en" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "faq_entries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "faq_entries_position_idx" ON "faq_entries"("position");

-- The ticket list pages each status group ordered by (reported_at, id): with id in the index the
-- page comes straight from an index scan instead of sorting the whole group (18,000 rows for a
-- large organisation). The wider indexes replace the initial ones, which they cover.
DROP INDEX "tickets_organization_id_status_reported_at_idx";
DROP INDEX "tickets_reporter_id_status_reported_at_idx";
CREATE INDEX "tickets_organization_id_status_reported_at_id_idx" ON "tickets"("organization_id", "status", "reported_at", "id");
CREATE INDEX "tickets_reporter_id_status_reported_at_id_idx" ON "tickets"("reporter_id", "status", "reported_at", "id");

-- Search index the Prisma schema language cannot express (trigram, for ILIKE '%...%'); the
-- title has one since the initial migration.
CREATE INDEX "tickets_customer_reference_trgm_idx" ON "tickets" USING gin ("customer_reference" gin_trgm_ops);

-- The manual's questions and answers (chapter 5.2) as the starting content.
INSERT INTO "faq_entries" ("position", "question_nl", "answer_nl", "question_en", "answer_en") VALUES
(1, 'Hoe kan ik inloggen in het klantportaal PIM?',
'Ga naar [pim.vcareconnect.nl](http://pim.vcareconnect.nl) en vul uw Gebruiksnaam (e-mailadres) en Wachtwoord in.

Bent u uw wachtwoord vergeten? Klik dan op **Wachtwoord vergeten**. U ontvangt dan vrijwel onmiddellijk een e-mail met een link om uw wachtwoord opnieuw in te stellen.',
'How do I log in to the PIM customer portal?',
'Go to [pim.vcareconnect.nl](http://pim.vcareconnect.nl) and enter your user name (e-mail address) and password.

Forgotten your password? Click **Forgot password**. You will receive an e-mail almost immediately with a link to set a new password.'),
(2, 'Ik heb een vraag over mijn factuur, waar kan ik terecht?',
'Neemt u aub contact op met Vcare via [administratie@vcareconnect.nl](mailto:administratie@vcareconnect.nl) of telefonisch op 088 4 800 900 en kies optie 4.',
'I have a question about my invoice. Who can I ask?',
'Please contact Vcare at [administratie@vcareconnect.nl](mailto:administratie@vcareconnect.nl) or call 088 4 800 900 and choose option 4.'),
(3, 'Hoe kan ik toegang krijgen tot een Vcare-applicatie?',
'Via het **Vcare dashboard** kunt u alle applicaties waartoe u toegang heeft openen. Het dashboard is te bereiken via uw **Persoonlijke Informatie Manager** (PIM).',
'How do I get access to a Vcare application?',
'The **Vcare dashboard** opens every application you have access to. You reach the dashboard through your **Personal Information Manager** (PIM).'),
(4, 'Ik heb een vraag over een product, applicatie of dienst, waar kan ik terecht?',
'Productinformatie
**Afdeling verkoop**
[verkoop@vcareconnect.nl](mailto:verkoop@vcareconnect.nl)
088 4 800 900 (optie 1)

Technische ondersteuning
**Afdeling support**
[support@vcareconnect.nl](mailto:support@vcareconnect.nl)
088 4 800 900 (optie 3)',
'I have a question about a product, application or service. Who can I ask?',
'Product information
**Sales department**
[verkoop@vcareconnect.nl](mailto:verkoop@vcareconnect.nl)
088 4 800 900 (option 1)

Technical support
**Support department**
[support@vcareconnect.nl](mailto:support@vcareconnect.nl)
088 4 800 900 (option 3)');
