/**
 * What the in-process price scripts (pipeline-parts.ts, list-rows.ts) share: the CPU price of a
 * call with process.cpuUsage, and the demo main contact's session row.
 */
import type { ActorRow } from '../../src/auth/actor.js';

/**
 * CPU µs per call of `fn` over `n` calls after a warm-up, printed as one aligned line. With
 * several rounds the least round counts: on a shared machine a round that another process or a
 * major GC disturbed only ever costs more.
 */
export function cpuPrice(
  label: string,
  fn: () => void,
  n: number,
  opts: { warmup: number; rounds: number; width: number; digits: number },
): number {
  for (let i = 0; i < Math.min(n, opts.warmup); i++) fn();
  const perRound = Math.ceil(n / opts.rounds);
  let us = Infinity;
  for (let r = 0; r < opts.rounds; r++) {
    const t = process.cpuUsage();
    for (let i = 0; i < perRound; i++) fn();
    const d = process.cpuUsage(t);
    us = Math.min(us, (d.user + d.system) / perRound);
  }
  console.log(`${label.padEnd(opts.width)} ${us.toFixed(opts.digits).padStart(opts.digits + 7)} µs`);
  return us;
}

/** The session read's row of j.jansen@vtel.nl (the demo main contact) with `roles` and the organisations in scope. */
export function demoActorRow(roles: ActorRow['roles'], orgs: ActorRow['orgs']): ActorRow {
  return {
    id: 5,
    organization_id: 1,
    first_name: 'Jan',
    infix: null,
    last_name: 'Jansen',
    email: 'j.jansen@vtel.nl',
    active: true,
    web_access: true,
    session_epoch: 0,
    org_name: 'Demo Pim',
    org_active: true,
    sso_required: false,
    is_main: true,
    reports_in_contract: true,
    roles,
    orgs,
  };
}
