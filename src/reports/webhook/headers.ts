/**
 * The request headers Lineside sets itself on a report webhook, which `reports.webhook.headers`
 * may not replace (a cross-check says so at start-up; the transport drops them too). Pure, so the
 * config checks can use it without pulling in the HTTP side.
 */
export function isReservedHeader(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'content-type' || n === 'content-length' || n === 'authorization' || n.startsWith('x-lineside-');
}
