import { describe, expect, it } from 'vitest';
import { effectiveRoles, roleChangeRefusal, ROLES, type Role } from '../../src/auth/roles.js';
import { mayLogIn } from '../../src/auth/web-access.js';

const set = (...r: Role[]) => new Set<Role>(r);

describe('effectiveRoles', () => {
  it('gives the main contact every role, always', () => {
    expect([...effectiveRoles([], { isMainContact: true, reportsInContract: true })].sort()).toEqual([...ROLES].sort());
  });
  it('drops ASSIGN_ROLES without MANAGE_CONTACTS', () => {
    expect(
      effectiveRoles(['PORTAL_ACCESS', 'ASSIGN_ROLES'], { isMainContact: false, reportsInContract: true }).has(
        'ASSIGN_ROLES',
      ),
    ).toBe(false);
    expect(
      effectiveRoles(['MANAGE_CONTACTS', 'ASSIGN_ROLES'], { isMainContact: false, reportsInContract: true }).has(
        'ASSIGN_ROLES',
      ),
    ).toBe(true);
  });
  it('drops VIEW_REPORTS when the contract has no reports, even for the main contact', () => {
    expect(
      effectiveRoles(['VIEW_REPORTS'], { isMainContact: false, reportsInContract: false }).has('VIEW_REPORTS'),
    ).toBe(false);
    expect(effectiveRoles([], { isMainContact: true, reportsInContract: false }).has('VIEW_REPORTS')).toBe(false);
  });
  it('lists eleven roles', () => {
    expect(ROLES).toHaveLength(11);
  });
});

describe('roleChangeRefusal', () => {
  const granter = { id: 1, roles: set('PORTAL_ACCESS', 'MANAGE_CONTACTS', 'ASSIGN_ROLES', 'VIEW_INVOICES') };
  const target = { id: 2, isMainContact: false, held: set('PORTAL_ACCESS') };
  it('allows granting a role the granter holds', () => {
    expect(roleChangeRefusal(granter, target, set('PORTAL_ACCESS', 'VIEW_INVOICES'))).toBeNull();
  });
  it('refuses a role the granter does not hold', () => {
    expect(roleChangeRefusal(granter, target, set('PORTAL_ACCESS', 'VIEW_REPORTS'))).toBe('roles.refused.notHeld');
  });
  it('refuses taking away a role the granter does not hold', () => {
    expect(
      roleChangeRefusal(granter, { ...target, held: set('PORTAL_ACCESS', 'VIEW_REPORTS') }, set('PORTAL_ACCESS')),
    ).toBe('roles.refused.notHeld');
  });
  it('refuses ASSIGN_ROLES without MANAGE_CONTACTS', () => {
    expect(roleChangeRefusal(granter, target, set('PORTAL_ACCESS', 'ASSIGN_ROLES'))).toBe(
      'roles.refused.assignNeedsManage',
    );
  });
  it('refuses any change to the main contact', () => {
    expect(roleChangeRefusal(granter, { ...target, isMainContact: true }, set('PORTAL_ACCESS'))).toBe(
      'roles.refused.mainContact',
    );
  });
  it('refuses a granter without ASSIGN_ROLES', () => {
    expect(
      roleChangeRefusal({ id: 1, roles: set('PORTAL_ACCESS', 'MANAGE_CONTACTS') }, target, set('PORTAL_ACCESS')),
    ).toBe('roles.refused.noAssignRole');
  });
});

describe('mayLogIn', () => {
  const ok = {
    active: true,
    deleted: false,
    organizationActive: true,
    email: 'a@b.nl',
    webAccess: true,
    roles: set('PORTAL_ACCESS'),
  };
  it('needs every condition', () => {
    expect(mayLogIn(ok)).toBe(true);
    expect(mayLogIn({ ...ok, active: false })).toBe(false);
    expect(mayLogIn({ ...ok, deleted: true })).toBe(false);
    expect(mayLogIn({ ...ok, organizationActive: false })).toBe(false);
    expect(mayLogIn({ ...ok, email: null })).toBe(false);
    expect(mayLogIn({ ...ok, webAccess: false })).toBe(false);
    expect(mayLogIn({ ...ok, roles: set() })).toBe(false);
  });
});
