/**
 * Who may do what. One table, read by the server's guard and printed by `lineside user roles`,
 * so the docs, the CLI and the checks cannot disagree.
 * - viewer: looks only.
 * - operator: says why a machine stopped (assigns a reason to a downtime nobody has explained
 *   yet, or changes their own), what the line runs (sets the product, starts and stops orders)
 *   and parts found bad afterwards (records scrap).
 * - maintenance: acknowledges predictive alerts.
 * - supervisor: both, and edits: overrides a reason somebody else assigned; makes a shift's report
 *   on demand (POST /api/reports: it writes files on the Pi, so not every viewer may).
 * - engineer: everything a supervisor may (and whatever engineering actions come later).
 */
export const ROLES = ['viewer', 'operator', 'maintenance', 'supervisor', 'engineer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'assignReason',
  'editReason',
  'acknowledgeAlert',
  'setProduct',
  'runOrders',
  'recordScrap',
  'makeReports',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  viewer: new Set(),
  operator: new Set(['assignReason', 'setProduct', 'runOrders', 'recordScrap']),
  maintenance: new Set(['acknowledgeAlert']),
  supervisor: new Set([
    'assignReason',
    'editReason',
    'acknowledgeAlert',
    'setProduct',
    'runOrders',
    'recordScrap',
    'makeReports',
  ]),
  // Everything, including permissions added later.
  engineer: new Set(PERMISSIONS),
};

export const ROLE_SUMMARY: Readonly<Record<Role, string>> = {
  viewer: 'looks only',
  operator:
    'assigns downtime reasons (changes only their own), sets the product, starts and stops orders, records scrap',
  maintenance: 'acknowledges alerts',
  supervisor:
    'assigns and edits any downtime reason, acknowledges alerts, sets the product, starts and stops orders, records scrap, makes reports on demand',
  engineer: 'everything',
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].has(permission);
}

export function permissionsOf(role: Role): Permission[] {
  return PERMISSIONS.filter((p) => GRANTS[role].has(p));
}

/** The roles that hold a permission, for error messages ("needs operator, supervisor or engineer"). */
export function rolesWith(permission: Permission): Role[] {
  return ROLES.filter((r) => GRANTS[r].has(permission));
}
