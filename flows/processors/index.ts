// The processor registry: adding a processor type is one file plus one line here.
import { filterProcessor } from './filter.ts';
import { generateResponseProcessor } from './generate-response.ts';
import type { ProcessorDefinition } from './types.ts';

const registry: ReadonlyMap<string, ProcessorDefinition> = new Map(
  [filterProcessor, generateResponseProcessor].map((p) => [p.type, p]),
);

export function findProcessor(type: string): ProcessorDefinition | undefined {
  return registry.get(type);
}

export function processorTypes(): string[] {
  return [...registry.keys()];
}

export type {
  CompiledProcessor,
  ProcessorDefinition,
  ProcessorParameter,
  StepResult,
} from './types.ts';
