import type { AgentParts } from './agent.js';
import type { Component } from './lifecycle.js';

/** The dashboard server as an agent component (wired once src/server lands). */
export function serverComponents(_parts: AgentParts): Component[] {
  return [];
}
