#!/bin/sh
# Stand-in for Prisma's schema engine, which cannot be downloaded on these machines.
# `prisma generate` does not run it. Migrations are applied by the app (src/db/migrator.ts).
echo "PIM: Prisma's schema engine is not installed here; migrations are applied by the app at start-up (src/db/migrator.ts)." >&2
exit 1
