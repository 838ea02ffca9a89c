/**
 * deploy/ without a cluster: every manifest parses, has the fields Kubernetes requires, and agrees with the
 * service's configuration (ports, probe paths, drain time); the Dockerfile is linted structurally.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseDuration } from '../../../src/units/duration.js';

const DEPLOY = join(dirname(fileURLToPath(import.meta.url)), '../../../deploy');
const SERVICE_SRC = join(DEPLOY, '../src/service');

interface Manifest<Spec = unknown> {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: Spec;
  stringData?: Record<string, string>;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { resourceFieldRef?: { containerName: string; resource: string } };
}
interface Probe {
  httpGet: { path: string; port: string };
}
interface Container {
  image: string;
  args: string[];
  env: EnvVar[];
  envFrom: unknown;
  ports: { name: string; containerPort: number }[];
  livenessProbe: Probe;
  readinessProbe: Probe;
  startupProbe: Probe;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}
interface PodSpec {
  terminationGracePeriodSeconds: number;
  securityContext: { runAsNonRoot: boolean };
  initContainers: Container[];
  containers: Container[];
}
interface DeploymentSpec {
  template: { spec: PodSpec };
}
interface IngressSpec {
  ingressClassName: string;
  tls: { secretName: string }[];
  rules: { http: { paths: { backend: unknown }[] } }[];
}
interface NetworkPolicySpec {
  ingress: { from: unknown[]; ports: { port: string }[] }[];
}
interface RuleSpec {
  groups: { rules: { alert: string; expr: string }[] }[];
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const yamlFiles = walk(join(DEPLOY, 'k8s')).filter((f) => f.endsWith('.yaml'));
const manifests: { file: string; doc: Manifest }[] = yamlFiles.flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]?.message}`);
    return { file: relative(DEPLOY, file), doc: d.toJS() as Manifest };
  }),
);
const resources = manifests.filter((m) => m.doc.kind !== 'Kustomization');
function find<Spec = unknown>(kind: string, name = 'yaes'): Manifest<Spec> {
  const found = resources.find((m) => m.doc.kind === kind && m.doc.metadata.name === name)?.doc;
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found as Manifest<Spec>;
}
const deploymentPod = () => find<DeploymentSpec>('Deployment').spec.template.spec;
const container = (pod: PodSpec, init = false): Container => {
  const found = (init ? pod.initContainers : pod.containers)[0];
  if (!found) throw new Error('no container');
  return found;
};

describe('Kubernetes manifests', () => {
  it('parse, and every resource has apiVersion, kind and a DNS-1123 name', () => {
    expect(resources.length).toBeGreaterThanOrEqual(13);
    for (const { file, doc } of resources) {
      expect(doc.apiVersion, file).toMatch(/^([a-z0-9.-]+\/)?v\d+(beta\d+|alpha\d+)?$/);
      expect(doc.kind, file).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(doc.metadata?.name, file).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
    const kinds = new Set(resources.map((m) => m.doc.kind));
    for (const kind of [
      'Deployment',
      'Service',
      'Ingress',
      'ClusterIssuer',
      'Certificate',
      'HorizontalPodAutoscaler',
      'NetworkPolicy',
      'PodMonitor',
      'PrometheusRule',
      'Secret',
      'Job',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
  });

  it('kustomizations only reference files that exist', () => {
    for (const { file, doc } of manifests.filter((m) => m.doc.kind === 'Kustomization')) {
      const base = dirname(join(DEPLOY, file));
      const k = doc as unknown as { resources?: string[]; configMapGenerator?: { files: string[] }[] };
      const paths = [
        ...(k.resources ?? []),
        ...(k.configMapGenerator ?? []).flatMap((g) => g.files.map((f) => f.split('=').pop() ?? f)),
      ];
      for (const path of paths) expect(existsSync(join(base, path)), `${file} → ${path}`).toBe(true);
    }
  });

  it('the Deployment probes /livez and /readyz on the admin port the service listens on', () => {
    const app = container(deploymentPod());
    const env = Object.fromEntries(app.env.map((e) => [e.name, e.value]));
    const port = (name: string) => app.ports.find((p: { name: string }) => p.name === name)?.containerPort;
    expect(port('http')).toBe(Number(env.PORT));
    expect(port('admin')).toBe(Number(env.ADMIN_PORT));
    expect(env.ADMIN_HOST).toBe('0.0.0.0');
    expect(app.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'admin' });
    expect(app.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'admin' });
    expect(app.startupProbe.httpGet.path).toBe('/livez');
    // The probe paths are the ones headroom/service's admin server serves.
    const probes = readFileSync(join(SERVICE_SRC, 'admin/probes.ts'), 'utf8');
    expect(probes).toContain('/livez');
    expect(probes).toContain('/readyz');
    expect(app.resources.requests.cpu).toBeDefined();
    expect(app.resources.limits.memory).toBeDefined();
  });

  it('gives the drain time to finish before SIGKILL, and sizes WORKERS from the CPU limit', () => {
    const pod = deploymentPod();
    const app = container(pod);
    const value = (name: string) => app.env.find((e) => e.name === name);
    const drainMs =
      parseDuration(value('DRAIN_DELAY')?.value ?? '') +
      parseDuration(value('SHUTDOWN_TIMEOUT')?.value ?? '');
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(drainMs);
    expect(value('WORKERS')?.valueFrom?.resourceFieldRef).toMatchObject({
      resource: 'limits.cpu',
      containerName: 'yaes',
    });
  });

  it('runs migrations in an initContainer of the same image, secrets from the Secret', () => {
    const pod = deploymentPod();
    const init = container(pod, true);
    const app = container(pod);
    expect(init.image).toBe(app.image);
    expect(init.args).toEqual(['migrate.js']);
    const secret = find('Secret', 'yaes-secrets');
    for (const c of [init, app]) expect(c.envFrom).toEqual([{ secretRef: { name: secret.metadata.name } }]);
    expect(Object.keys(secret.stringData ?? {})).toEqual(expect.arrayContaining(['DATABASE_URL', 'JWT_KEY']));
    expect(pod.securityContext.runAsNonRoot).toBe(true);
  });

  it('routes the Ingress to the public port only; the NetworkPolicy fences the admin port', () => {
    const ingress = find<IngressSpec>('Ingress');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    const backends = ingress.spec.rules.flatMap((r) => r.http.paths.map((p) => p.backend));
    expect(backends).toEqual([{ service: { name: 'yaes', port: { name: 'http' } } }]);
    expect(JSON.stringify(ingress)).not.toMatch(/metrics|healthz|9090|admin/);
    const policy = find<NetworkPolicySpec>('NetworkPolicy');
    const adminRule = policy.spec.ingress.find((r) => r.ports[0]?.port === 'admin');
    expect(adminRule?.from.length).toBeGreaterThan(0);
    const tlsSecret = ingress.spec.tls[0]?.secretName;
    expect(find<{ secretName: string }>('Certificate', 'yaes-tls').spec.secretName).toBe(tlsSecret);
    expect(ingress.metadata.annotations?.['cert-manager.io/cluster-issuer']).toBe(
      find('ClusterIssuer', 'letsencrypt').metadata.name,
    );
  });

  it('scrapes the admin port and alerts on error rate, p99, saturation and restarts with metrics the service exports', () => {
    expect(find<{ podMetricsEndpoints: unknown[] }>('PodMonitor').spec.podMetricsEndpoints[0]).toMatchObject({
      port: 'admin',
      path: '/metrics',
    });
    const rules = find<RuleSpec>('PrometheusRule').spec.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual([
      'YaesHighErrorRate',
      'YaesHighLatencyP99',
      'YaesSaturated',
      'YaesPodRestarting',
    ]);
    const exported = readFileSync(join(SERVICE_SRC, 'http-metrics.ts'), 'utf8');
    for (const metric of [
      'http_requests_total',
      'http_request_duration_seconds',
      'http_requests_shed_total',
    ]) {
      expect(exported).toContain(`'${metric}'`);
      expect(
        rules.some((r) => r.expr.includes(metric)),
        metric,
      ).toBe(true);
    }
    expect(find<{ scaleTargetRef: unknown }>('HorizontalPodAutoscaler').spec.scaleTargetRef).toMatchObject({
      kind: 'Deployment',
      name: 'yaes',
    });
  });

  it('the limits Job runs headroom limits against the Service with the YAES scenario', () => {
    const c = container(find<DeploymentSpec>('Job', 'yaes-limits').spec.template.spec);
    expect(c.args[0]).toBe('limits');
    expect(c.args).toContain('--scenario');
    expect(existsSync(join(DEPLOY, '..', c.args[c.args.indexOf('--scenario') + 1] ?? ''))).toBe(true);
  });

  it('the Grafana dashboard covers RED per route, event loop, GC, heap, in-flight and shed', () => {
    const dashboard = JSON.parse(
      readFileSync(join(DEPLOY, 'k8s/base/grafana/yaes-dashboard.json'), 'utf8'),
    ) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const metric of [
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'nodejs_eventloop_lag',
      'nodejs_gc_duration_seconds',
      'nodejs_heap_size_used_bytes',
      'http_requests_in_flight',
      'http_requests_shed_total',
    ]) {
      expect(exprs, metric).toContain(metric);
    }
    expect(exprs).toContain('by (method, route)');
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.trim().split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
  const ops = instructions.map((i) => i.op);
  const last = (op: string) => instructions.filter((i) => i.op === op).pop()?.args ?? '';

  it('is multi-stage on a pinned slim Node 20 base', () => {
    const froms = instructions.filter((i) => i.op === 'FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms) expect(f.args).toMatch(/^node:20\.\d+-[a-z]+-slim AS [a-z-]+$/);
  });
  it('runs as non-root with an exec-form ENTRYPOINT, a HEALTHCHECK and both ports', () => {
    const runtime = instructions.slice(ops.lastIndexOf('FROM'));
    const rOps = runtime.map((i) => i.op);
    expect(rOps).toContain('USER');
    expect(last('USER')).not.toMatch(/^(root|0)$/);
    expect(rOps.indexOf('USER')).toBeLessThan(rOps.indexOf('ENTRYPOINT'));
    expect(() => JSON.parse(last('ENTRYPOINT'))).not.toThrow();
    expect(JSON.parse(last('CMD'))).toEqual(['main.js']);
    expect(last('HEALTHCHECK')).toMatch(/CMD \[.*livez/);
    expect(last('EXPOSE')).toBe('8080 9090');
    expect(ops).not.toContain('ADD');
  });
  it('bundles with the script that produces main.js and migrate.js', () => {
    expect(text).toContain('npm run bundle -w examples/yaes');
    const bundle = readFileSync(join(DEPLOY, '../examples/yaes/scripts/bundle.ts'), 'utf8');
    expect(bundle).toMatch(/main: 'src\/main\.ts', migrate: 'src\/cli\/migrate\.ts'/);
  });
});
