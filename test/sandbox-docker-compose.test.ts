// docker-compose.yml and the Dockerfiles, checked without an engine or registry: shape, loopback-only ports, what is mounted where.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_ROOT } from './support/docker-image.ts';

interface ComposeService {
  image?: string;
  command?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  privileged?: boolean;
  network_mode?: string;
  cap_drop?: string[];
  user?: string;
  depends_on?: Record<string, unknown>;
}

const composeText = readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const gateway = services.gateway ?? {};
const egress = services.egress ?? {};

describe('docker-compose.yml', () => {
  it('runs exactly the gateway and the egress, from the Airlock image', () => {
    expect(Object.keys(services).sort()).toEqual(['egress', 'gateway']);
    expect(gateway.image).toBe('airlock/airlock:latest');
    expect(egress.image).toBe('airlock/airlock:latest');
    expect(gateway.command?.[0]).toBe('gateway');
    expect(egress.command?.[0]).toBe('egress');
  });

  it('shares one data dir (sockets, telemetry) and mounts ./config read-only in both', () => {
    for (const service of [gateway, egress]) {
      expect(service.volumes).toContain('./data:/data');
      expect(service.volumes).toContain('./config:/config:ro');
      expect(service.environment).toMatchObject({
        AIRLOCK_CONFIG: '/config',
        AIRLOCK_DATA: '/data',
      });
    }
  });

  it("publishes 9000, 5173 and 3000 on the host's loopback only", () => {
    expect(gateway.ports).toEqual([
      '127.0.0.1:9000:9000',
      '127.0.0.1:5173:5173',
      '127.0.0.1:3000:3000',
    ]);
    expect(egress.ports).toBeUndefined();
  });

  it('gives the Docker socket to the gateway alone, with the host view of the data dir for sandbox binds', () => {
    expect(gateway.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock');
    expect(egress.volumes?.some((volume) => volume.includes('docker.sock'))).toBe(false);
    // Compose interpolates this from the shell that runs it: the literal text is what the file must hold.
    expect(gateway.environment?.AIRLOCK_HOST_DATA_DIR).toBe(['$', '{PWD}/data'].join(''));
  });

  it('runs both as the same unprivileged uid (the egress sockets are 0600), without capabilities', () => {
    for (const service of [gateway, egress]) {
      expect(service.user).toBe('1000:1000');
      expect(service.cap_drop).toEqual(['ALL']);
      expect(service.privileged).toBeUndefined();
      expect(service.network_mode).toBeUndefined();
    }
  });

  it('starts the gateway after the egress answers on its admin socket', () => {
    expect(gateway.depends_on).toEqual({ egress: { condition: 'service_healthy' } });
    expect(composeText).toContain('/data/egress.sock');
  });

  it('is accepted by docker compose config when the compose plugin exists', () => {
    const probe = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.warn('docker compose plugin not installed: compose file checked by YAML parse only');
      return;
    }
    const checked = spawnSync(
      'docker',
      ['compose', '-f', join(PROJECT_ROOT, 'docker-compose.yml'), 'config', '-q'],
      {
        encoding: 'utf8',
        env: { ...process.env, PWD: PROJECT_ROOT },
      },
    );
    expect(checked.stderr).toBe('');
    expect(checked.status).toBe(0);
  });
});

/** Source paths of COPY lines (without --from), relative to the repository root (the build context). */
function copySources(dockerfile: string): string[] {
  return dockerfile
    .split('\n')
    .filter((line) => /^COPY\s/.test(line) && !line.includes('--from='))
    .flatMap((line) => line.trim().split(/\s+/).slice(1, -1));
}

describe('sandbox-images Dockerfiles', () => {
  it.each([
    ['airlock', 'node:24-slim'],
    ['relay', 'node:24-alpine'],
    ['node', 'node:24-slim'],
    ['python', 'python:3.12-slim'],
  ])('%s builds from %s and copies only files that exist', (name, base) => {
    const path = join(PROJECT_ROOT, 'sandbox-images', name, 'Dockerfile');
    const text = readFileSync(path, 'utf8');
    expect(text.split('\n').find((line) => line.startsWith('FROM'))).toContain(base);
    for (const source of copySources(text)) {
      expect(existsSync(join(PROJECT_ROOT, source)), `${name}: COPY ${source}`).toBe(true);
    }
  });

  it('puts the relay and the bootstrap where the launcher expects them', () => {
    const relay = readFileSync(join(PROJECT_ROOT, 'sandbox-images/relay/Dockerfile'), 'utf8');
    const node = readFileSync(join(PROJECT_ROOT, 'sandbox-images/node/Dockerfile'), 'utf8');
    expect(relay).toContain('/opt/airlock/relay/relay.ts');
    expect(node).toContain('--import /opt/airlock/bootstrap/proxy-bootstrap.mjs');
  });

  it('installs production dependencies only in the Airlock image, with airlock as its entry', () => {
    const text = readFileSync(join(PROJECT_ROOT, 'sandbox-images/airlock/Dockerfile'), 'utf8');
    expect(text).toContain('npm ci --omit=dev');
    expect(text).toMatch(/ENTRYPOINT .*cli\/airlock\.ts/);
  });
});
