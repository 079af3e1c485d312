import { describe, expect, it } from 'vitest';
import { can, isRole, PERMISSIONS, permissionsOf, ROLE_SUMMARY, ROLES, rolesWith } from '../../../src/users/roles.js';

describe('roles', () => {
  it('grants exactly this table', () => {
    expect(Object.fromEntries(ROLES.map((r) => [r, permissionsOf(r)]))).toEqual({
      viewer: [],
      operator: ['assignReason', 'setProduct', 'runOrders', 'recordScrap'],
      maintenance: ['acknowledgeAlert'],
      supervisor: [
        'assignReason',
        'editReason',
        'acknowledgeAlert',
        'setProduct',
        'runOrders',
        'recordScrap',
        'makeReports',
      ],
      engineer: [
        'assignReason',
        'editReason',
        'acknowledgeAlert',
        'setProduct',
        'runOrders',
        'recordScrap',
        'makeReports',
      ],
    });
  });

  it("an operator may assign a reason but not edit someone else's or acknowledge an alert", () => {
    expect(can('operator', 'assignReason')).toBe(true);
    expect(can('operator', 'editReason')).toBe(false);
    expect(can('operator', 'acknowledgeAlert')).toBe(false);
  });

  it('maintenance acknowledges alerts only; a viewer may nothing', () => {
    expect(can('maintenance', 'acknowledgeAlert')).toBe(true);
    expect(can('maintenance', 'assignReason')).toBe(false);
    expect(can('maintenance', 'setProduct')).toBe(false);
    for (const p of PERMISSIONS) expect(can('viewer', p)).toBe(false);
  });

  it('names the roles that hold a permission, lowest first, for error messages', () => {
    expect(rolesWith('editReason')).toEqual(['supervisor', 'engineer']);
    expect(rolesWith('assignReason')).toEqual(['operator', 'supervisor', 'engineer']);
    expect(rolesWith('acknowledgeAlert')).toEqual(['maintenance', 'supervisor', 'engineer']);
  });

  it('every role has a summary; isRole accepts only the roles, case-sensitively', () => {
    for (const r of ROLES) expect(ROLE_SUMMARY[r]).not.toBe('');
    expect(ROLES.every(isRole)).toBe(true);
    for (const junk of ['admin', 'Operator', '', 'toString', '__proto__']) expect(isRole(junk)).toBe(false);
  });
});
