// Types of protocol.js for TypeScript that imports it without allowJs (the unit tests).
// `number`, not the literal: the value is written once, in protocol.js.

/** Bumped when a field changes meaning or disappears; the page reloads itself on a mismatch. */
export declare const PROTOCOL_VERSION: number;
