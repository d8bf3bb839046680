import { readFileSync } from 'node:fs';
import type { FlowDefinition } from './flow-definition.js';
import { FlowError, validateFlow } from './validate-flow.js';

/** Reads and validates a flow file; any fault becomes a FlowError naming the file and the step. */
export function loadFlowFile(file: string, hasText: (key: string) => boolean): FlowDefinition {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new FlowError(file, null, `cannot be read as JSON: ${(error as Error).message}`);
  }
  return validateFlow(raw, { source: file, hasText });
}
