-- A contact's language decides the language of every mail the person receives (invitation,
-- password reset, SSO notices, ticket and report mails); Dutch unless set otherwise.
-- CreateEnum
CREATE TYPE "language" AS ENUM ('nl', 'en');

-- AlterTable
ALTER TABLE "contacts" ADD COLUMN "language" "language" NOT NULL DEFAULT 'nl';

-- "Laatst ingelogd" on the contact's page: written at every password and SSO login.
-- AlterTable
ALTER TABLE "contacts" ADD COLUMN "last_login_at" TIMESTAMPTZ(3);
