-- CreateTable
CREATE TABLE "page_contents" (
    "key" TEXT NOT NULL,
    "body_nl" TEXT NOT NULL,
    "body_en" TEXT,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "page_contents_pkey" PRIMARY KEY ("key")
);
