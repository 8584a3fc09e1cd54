// chooseBackend: which sandbox a `sandbox.type` gets given what works here, and the reason it says.
import { describe, expect, it } from 'vitest';
import { chooseBackend } from './select-launcher.ts';

describe('chooseBackend', () => {
  const works = { ok: true, reason: 'works' };
  const broken = { ok: false, reason: 'bwrap is not installed' };
  const noEngine = { ok: false, reason: 'no Docker engine' };
  const cases = [
    { type: 'auto', bwrap: works, docker: noEngine, backend: 'bwrap', reason: /bubblewrap works/ },
    {
      type: 'auto',
      bwrap: broken,
      docker: works,
      backend: 'docker',
      reason: /not installed; Docker engine answers/,
    },
    {
      type: 'auto',
      bwrap: broken,
      docker: noEngine,
      backend: undefined,
      reason: /install bubblewrap \(apt-get install bubblewrap\) or start a Docker engine/,
    },
    { type: 'bwrap', bwrap: broken, docker: works, backend: undefined, reason: /not installed/ },
    {
      type: 'docker',
      bwrap: works,
      docker: noEngine,
      backend: undefined,
      reason: /no Docker engine/,
    },
    { type: 'none', bwrap: works, docker: works, backend: 'none', reason: /NOT enforced/ },
  ] as const;
  for (const c of cases) {
    it(`${c.type} with bwrap ${c.bwrap.ok ? 'working' : 'broken'} and docker ${c.docker.ok ? 'working' : 'absent'} → ${c.backend ?? 'refused'}`, () => {
      const choice = chooseBackend(c.type, c.bwrap, c.docker);
      expect(choice.backend).toBe(c.backend);
      expect(choice.reason).toMatch(c.reason);
    });
  }
});
