import { afterAll, afterEach } from 'vitest';

/**
 * pg warns when a query is sent on a connection that is still running another one: two
 * statements at once on one client (a `Promise.all` inside a transaction). pg 9 will refuse it,
 * and until then the second waits anyway. Every test file loads this (vitest.config.ts
 * setupFiles): the test during which pg warned fails, with the stack of the second query.
 * pg warns once per process, and each test file runs in a process of its own.
 */
// The app's frames lie under the ORM's: keep enough of the stack to reach them.
Error.stackTraceLimit = 60;
const PATTERN = /already executing a query/;
const seen: Error[] = [];

process.on('warning', (warning) => {
  if (PATTERN.test(warning.message)) seen.push(warning);
});

/** Fails the test (or the file's last hook) during which pg warned. */
function failOnWarning(): void {
  const warning = seen.shift();
  seen.length = 0;
  if (warning) {
    throw new Error(
      'Two queries at once on one database connection (await them one after the other inside a transaction):\n' +
        (warning.stack ?? warning.message),
    );
  }
}

afterEach(failOnWarning);
afterAll(failOnWarning);
