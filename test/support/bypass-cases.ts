// The adversarial catalogue: every case names exact request bytes and the block it must meet.
import { HOST_CASES } from './bypass-cases-host.ts';
import { WIRE_CASES } from './bypass-cases-wire.ts';
import type { BypassCase } from './bypass-requests.ts';

export type { BypassCase, CaseContext } from './bypass-requests.ts';

export const BYPASS_CASES: readonly BypassCase[] = [...HOST_CASES, ...WIRE_CASES];
