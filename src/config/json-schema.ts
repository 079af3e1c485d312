import { z } from 'zod';
import { PlantConfigSchema } from './plant-schema.js';
import { ConfigSchema } from './schema.js';

/**
 * The JSON Schema editors use (VS Code YAML extension: `# yaml-language-server: $schema=...`).
 * Generated from the zod schema in input mode, so durations show as strings with their pattern.
 */
export function buildJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ConfigSchema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Record<string, unknown>;
  return { $id: 'urn:lineside:config', title: 'Lineside configuration', ...schema };
}

export function jsonSchemaText(): string {
  return `${JSON.stringify(buildJsonSchema(), null, 2)}\n`;
}

/** The plant server file's JSON Schema (config/plant.schema.json), generated the same way. */
export function plantJsonSchemaText(): string {
  const schema = z.toJSONSchema(PlantConfigSchema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Record<string, unknown>;
  return `${JSON.stringify({ $id: 'urn:lineside:plant-config', title: 'Lineside plant server configuration', ...schema }, null, 2)}\n`;
}
