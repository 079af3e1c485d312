// @ts-check
// The version of the wire protocol this page speaks. The agent sends its own, PROTOCOL_VERSION
// of src/server/view-model.ts, in every snapshot; the server re-exports this very constant
// (package.json "imports"). Plain JavaScript so the browser loads it as-is; protocol.d.ts types it.

/** Bumped when a field changes meaning or disappears; the page reloads itself on a mismatch. */
export const PROTOCOL_VERSION = 1;
