/**
 * One part of the agent with a start/stop life: a source, the core, an output, the server. The
 * agent's Lifecycle (src/agent/lifecycle.ts) starts them by role and stops them in reverse.
 */
export interface Component {
  readonly name: string;
  /**
   * 'infra' (the embedded broker) starts first and stops last; then 'output' (starts before data
   * flows, stops after it drained), 'core', 'server'; 'source' starts last and stops first.
   */
  readonly role: 'infra' | 'output' | 'core' | 'source' | 'server';
  start(): Promise<void>;
  stop(): Promise<void>;
}
