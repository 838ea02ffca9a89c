/**
 * deploy/k8s without a cluster: every manifest parses and passes the Kubernetes JSON schemas (kubernetes-models),
 * the kustomizations hold together, and the manifests agree with the service — ports and probe paths answered
 * by a running YAES, the drain time, and alert/dashboard queries that use metrics YAES really exports.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ICertificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import type { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { parseDuration } from 'headroom-kit/context';
import { loadConfig } from 'headroom-kit/service';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig as loadYaesConfig } from '../../src/config/config.js';
import { validateManifest } from '../support/kubernetes-schemas.js';
import { DEPLOY, loadDockerfile, loadManifests, type Manifest } from '../support/manifests.js';
import { type RunningYaes, startYaes } from '../support/start-yaes.js';

interface Kustomization {
  resources?: string[];
  configMapGenerator?: { files: string[] }[];
  images?: { name: string }[];
  patches?: { target: { kind: string; name: string }; patch: string }[];
}

const manifests = loadManifests();
const resources = manifests.filter((m) => m.doc.kind !== 'Kustomization');
const kustomizations = manifests.filter((m) => m.doc.kind === 'Kustomization');

function find<T>(kind: string, name: string, folder = 'k8s/'): T {
  const found = resources.find(
    (m) => m.file.startsWith(folder) && m.doc.kind === kind && m.doc.metadata.name === name,
  );
  if (!found) throw new Error(`no ${kind}/${name} under deploy/${folder}`);
  return found.doc as unknown as T;
}
const podOf = (workload: { spec?: { template: { spec?: IPodSpec } } }): IPodSpec => {
  const pod = workload.spec?.template.spec;
  if (!pod) throw new Error('no pod template');
  return pod;
};
const containerOf = (pod: IPodSpec, name: string): IContainer => {
  const found = [...(pod.initContainers ?? []), ...pod.containers].find((c) => c.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
};
const envOf = (c: IContainer) => new Map((c.env ?? []).map((e) => [e.name, e]));
const yaesPod = () => podOf(find<IDeployment>('Deployment', 'yaes', 'k8s/base/'));
const yaesContainer = () => containerOf(yaesPod(), 'yaes');
const portNumber = (c: IContainer, name: string) => c.ports?.find((p) => p.name === name)?.containerPort;

describe('Kubernetes manifests: syntax and schemas', () => {
  it('every resource passes the Kubernetes JSON schema of its kind', () => {
    expect(resources.length).toBeGreaterThanOrEqual(15);
    for (const { file, doc } of resources) {
      expect(() => validateManifest(doc), `${file}: ${doc.kind}/${doc.metadata?.name}`).not.toThrow();
    }
  });

  it('the schemas do reject a broken manifest (the check is not a no-op)', () => {
    const broken = structuredClone(find<Manifest>('Deployment', 'yaes')) as Manifest & {
      spec: IDeployment['spec'];
    };
    delete (broken.spec as { selector?: unknown }).selector;
    expect(() => validateManifest(broken)).toThrow(/selector/);
  });

  it('base has every kind the issue asks for; the load Job lives outside it', () => {
    const base = new Set(resources.filter((m) => m.file.startsWith('k8s/base/')).map((m) => m.doc.kind));
    for (const kind of [
      'Namespace',
      'Secret',
      'Deployment',
      'Service',
      'Ingress',
      'ClusterIssuer',
      'Certificate',
      'HorizontalPodAutoscaler',
      'NetworkPolicy',
      'PodMonitor',
      'PrometheusRule',
    ]) {
      expect(base, kind).toContain(kind);
    }
    // Applying the base must never start a load test against production.
    expect(base).not.toContain('Job');
    expect(find<IJob>('Job', 'yaes-limits', 'k8s/load/').kind).toBe('Job');
  });
});

describe('Kustomize', () => {
  it('lists every manifest of its folder and references only files that exist', () => {
    for (const { file, doc } of kustomizations) {
      const folder = dirname(join(DEPLOY, file));
      const k = doc as unknown as Kustomization;
      const listed = [
        ...(k.resources ?? []),
        ...(k.configMapGenerator ?? []).flatMap((g) => g.files.map((f) => f.split('=').pop() ?? f)),
      ];
      for (const path of listed) expect(existsSync(join(folder, path)), `${file} → ${path}`).toBe(true);
      const yamls = readdirSync(folder).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
      for (const own of yamls) expect(listed, `${file} misses ${own}`).toContain(own);
    }
  });

  it("the kind overlay's patches replace paths that exist in the base, and its images are the ones used", () => {
    const overlay = kustomizations.find((m) => m.file === 'k8s/overlays/kind/kustomization.yaml')
      ?.doc as unknown as Kustomization;
    for (const { target, patch } of overlay.patches ?? []) {
      const doc = find<Record<string, unknown>>(target.kind, target.name, 'k8s/base/');
      for (const op of parseYaml(patch) as { op: string; path: string }[]) {
        const pointer = op.path
          .split('/')
          .slice(1)
          .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
        let at: unknown = doc;
        for (const key of pointer) at = (at as Record<string, unknown> | undefined)?.[key];
        expect(at, `${target.kind}/${target.name} ${op.path}`).toBeDefined();
      }
    }
    const images = new Set(
      resources.flatMap((m) => {
        const spec = (m.doc as { spec?: { template?: { spec?: IPodSpec } } }).spec;
        const pod = spec?.template?.spec;
        return pod
          ? [...(pod.initContainers ?? []), ...pod.containers].map((c) => c.image?.split(':')[0])
          : [];
      }),
    );
    for (const { name } of overlay.images ?? []) expect(images, name).toContain(name);
  });

  it("refuses production on the base Secret's placeholders; the kind overlay's keys pass", () => {
    const secret = find<ISecret>('Secret', 'yaes-secrets').stringData ?? {};
    const plain = Object.fromEntries([...envOf(yaesContainer())].map(([name, e]) => [name, e.value]));
    const env = { ...secret, ...plain };
    expect(env.APP_ENV).toBe('production');
    expect(() => loadYaesConfig(env)).toThrow('JWT_KEY: is the placeholder from the example secret');
    expect(() => loadConfig(env)).toThrow('invalid ADMIN_TOKEN: the placeholder from the example secret');
    const overlay = kustomizations.find((m) => m.file === 'k8s/overlays/kind/kustomization.yaml')
      ?.doc as unknown as Kustomization;
    const patch = overlay.patches?.find((p) => p.target.kind === 'Secret')?.patch ?? '';
    const kind = { ...env };
    for (const op of parseYaml(patch) as { path: string; value: string }[]) {
      kind[op.path.replace('/stringData/', '')] = op.value;
    }
    expect(loadYaesConfig(kind).appEnv).toBe('production');
    expect(loadConfig(kind).adminHost).toBe('0.0.0.0');
  });

  it("the kind overlay's PostgreSQL matches DATABASE_URL in the Secret", () => {
    const url = new URL(find<ISecret>('Secret', 'yaes-secrets').stringData?.DATABASE_URL ?? '');
    const service = find<IService>('Service', 'yaes-postgresql', 'k8s/overlays/kind/');
    expect(url.hostname).toBe(service.metadata?.name);
    expect(Number(url.port)).toBe(service.spec?.ports?.[0]?.port);
    const env = envOf(containerOf(podOf(find<IDeployment>('Deployment', 'yaes-postgresql')), 'postgresql'));
    expect(env.get('POSTGRES_USER')?.value).toBe(url.username);
    expect(env.get('POSTGRES_PASSWORD')?.value).toBe(url.password);
    expect(env.get('POSTGRES_DB')?.value).toBe(url.pathname.slice(1));
  });
});

describe('the Deployment agrees with the service', () => {
  let yaes: RunningYaes;
  let metrics = '';
  beforeAll(async () => {
    yaes = await startYaes('pglite');
    await fetch(`${yaes.url}/users`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    metrics = await (await fetch(`${yaes.adminUrl}/metrics`)).text();
  });
  afterAll(() => yaes?.stop());

  it('listens on the ports headroom-kit/service defaults to, with the admin port reachable by the kubelet', () => {
    const app = yaesContainer();
    const env = envOf(app);
    const defaults = loadConfig({});
    expect(portNumber(app, 'http')).toBe(defaults.port);
    expect(portNumber(app, 'admin')).toBe(defaults.adminPort);
    expect(Number(env.get('PORT')?.value)).toBe(portNumber(app, 'http'));
    expect(Number(env.get('ADMIN_PORT')?.value)).toBe(portNumber(app, 'admin'));
    expect(env.get('ADMIN_HOST')?.value).toBe('0.0.0.0');
  });

  it('probes /livez and /readyz on the admin port, and a running YAES answers them there', async () => {
    const app = yaesContainer();
    expect(app.livenessProbe?.httpGet).toMatchObject({ path: '/livez', port: 'admin' });
    expect(app.readinessProbe?.httpGet).toMatchObject({ path: '/readyz', port: 'admin' });
    expect(app.startupProbe?.httpGet).toMatchObject({ path: '/livez', port: 'admin' });
    for (const probe of [app.livenessProbe, app.readinessProbe, app.startupProbe]) {
      const res = await fetch(`${yaes.adminUrl}${probe?.httpGet?.path}`);
      expect(res.status, probe?.httpGet?.path).toBe(200);
      expect((await fetch(`${yaes.url}${probe?.httpGet?.path}`)).status).toBe(404);
    }
  });

  it('has resources, runs as non-root, and migrates in an initContainer of the same image', () => {
    const pod = yaesPod();
    const app = yaesContainer();
    const migrate = containerOf(pod, 'migrate');
    expect(app.resources?.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(app.resources?.limits).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(migrate.image).toBe(app.image);
    expect(migrate.args).toEqual(['migrate.js']);
    for (const c of [migrate, app]) expect(c.envFrom).toEqual([{ secretRef: { name: 'yaes-secrets' } }]);
    const secret = find<ISecret>('Secret', 'yaes-secrets');
    expect(Object.keys(secret.stringData ?? {})).toEqual(expect.arrayContaining(['DATABASE_URL', 'JWT_KEY']));
  });

  it('gives the drain time to finish before SIGKILL, and sizes WORKERS from the CPU limit', () => {
    const env = envOf(yaesContainer());
    const drainMs =
      parseDuration(env.get('DRAIN_DELAY')?.value ?? '0') +
      parseDuration(env.get('SHUTDOWN_TIMEOUT')?.value ?? '0');
    expect(drainMs).toBeGreaterThan(0);
    expect((yaesPod().terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(drainMs);
    expect(env.get('WORKERS')?.valueFrom?.resourceFieldRef).toMatchObject({
      resource: 'limits.cpu',
      containerName: 'yaes',
    });
  });

  it('wires Service, Ingress, NetworkPolicy, PodMonitor and HPA to the container port names', () => {
    const names = new Set(yaesContainer().ports?.map((p) => p.name));
    const service = find<IService>('Service', 'yaes');
    for (const port of service.spec?.ports ?? []) expect(names).toContain(port.targetPort);
    const ingress = find<IIngress>('Ingress', 'yaes');
    expect(ingress.spec?.ingressClassName).toBe('nginx');
    const backends = ingress.spec?.rules?.flatMap((r) => r.http?.paths.map((p) => p.backend) ?? []);
    expect(backends).toEqual([{ service: { name: 'yaes', port: { name: 'http' } } }]);
    expect(JSON.stringify(ingress)).not.toMatch(/metrics|healthz|9090|admin/);
    const policy = find<INetworkPolicy>('NetworkPolicy', 'yaes');
    const policed = policy.spec?.ingress?.flatMap((r) => r.ports?.map((p) => p.port) ?? []);
    expect(new Set(policed)).toEqual(names);
    const adminRule = policy.spec?.ingress?.find((r) => r.ports?.some((p) => p.port === 'admin'));
    expect(adminRule?.from?.length).toBeGreaterThan(0);
    expect(find<IPodMonitor>('PodMonitor', 'yaes').spec.podMetricsEndpoints?.[0]).toMatchObject({
      port: 'admin',
      path: '/metrics',
    });
    expect(
      find<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler', 'yaes').spec?.scaleTargetRef,
    ).toMatchObject({
      kind: 'Deployment',
      name: 'yaes',
    });
    expect(find<IDeployment>('Deployment', 'yaes').spec?.replicas).toBeUndefined();
  });

  it('issues the Ingress certificate with cert-manager', () => {
    const ingress = find<IIngress>('Ingress', 'yaes');
    expect(find<ICertificate>('Certificate', 'yaes-tls').spec.secretName).toBe(
      ingress.spec?.tls?.[0]?.secretName,
    );
    expect(ingress.metadata?.annotations?.['cert-manager.io/cluster-issuer']).toBe('letsencrypt');
    expect(find<Manifest>('ClusterIssuer', 'letsencrypt').kind).toBe('ClusterIssuer');
  });

  it('alerts on error rate, p99, saturation and restarts, and every query uses metrics YAES exports', () => {
    const rules =
      find<IPrometheusRule>('PrometheusRule', 'yaes').spec?.groups?.flatMap((g) => g.rules ?? []) ?? [];
    expect(rules.map((r) => r.alert)).toEqual([
      'YaesHighErrorRate',
      'YaesHighLatencyP99',
      'YaesSaturated',
      'YaesPodRestarting',
    ]);
    const dashboard = JSON.parse(
      readFileSync(join(DEPLOY, 'k8s/base/grafana/yaes-dashboard.json'), 'utf8'),
    ) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const exprs = [
      ...rules.map((r) => String(r.expr)),
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
    ];
    const used = new Set(
      exprs.flatMap((e) => [...e.matchAll(/([a-zA-Z_:][\w:]*)\s*[{[]/g)].map((m) => m[1] ?? '')),
    );
    // kube-state-metrics and cAdvisor series come from the cluster, not from YAES.
    const own = [...used].filter((name) => !/^(kube|container)_/.test(name));
    expect(own.length).toBeGreaterThanOrEqual(10);
    for (const name of own) {
      const family = name.replace(/_(bucket|sum|count)$/, '');
      expect(metrics, name).toMatch(new RegExp(`^# TYPE (${name}|${family}) `, 'm'));
    }
    const titles = dashboard.panels.map((p) => p.title).join(' | ');
    for (const topic of [/Rate/, /Errors/, /p99/, /Event loop/, /GC/, /Heap/, /In flight/, /Shed/]) {
      expect(titles).toMatch(topic);
    }
    expect(exprs.join('\n')).toContain('by (method, route)');
  });
});

describe('the in-cluster limits Job (deploy/k8s/load)', () => {
  const job = () => podOf(find<IJob>('Job', 'yaes-limits', 'k8s/load/'));

  it('runs headroom limits with the YAES scenario from the Dockerfile stage that has it', () => {
    const limits = containerOf(job(), 'limits');
    const args = limits.args ?? [];
    expect(args[0]).toBe('limits');
    const scenario = args[args.indexOf('--scenario') + 1] ?? '';
    expect(existsSync(join(DEPLOY, '..', scenario))).toBe(true);
    const stage = loadDockerfile().filter((i) => i.stage === limits.image?.split(':')[0]);
    expect(stage.map((i) => i.args).join('\n')).toContain('examples/yaes/scenario');
    expect(envOf(limits).get('ADMIN_TOKEN')?.valueFrom?.secretKeyRef).toMatchObject({ name: 'yaes-secrets' });
    const admin = new URL(args[args.indexOf('--admin') + 1] ?? '');
    expect(Number(admin.port)).toBe(portNumber(yaesContainer(), 'admin'));
  });

  it('waits for YAES, then seeds the users the scenario logs in as', () => {
    const [wait, seed] = job().initContainers ?? [];
    expect(wait?.command?.join(' ')).toContain('/readyz');
    expect(seed?.image).toBe(yaesContainer().image);
    expect(seed?.args?.[0]).toBe('seed.js');
    const users = seed?.args?.[seed.args.indexOf('--users') + 1];
    expect(envOf(containerOf(job(), 'limits')).get('YAES_SEED_USERS')?.value).toBe(users);
  });
});

describe('the distributed load test (deploy/k8s/load-distributed)', () => {
  const agents = () => find<IJob>('Job', 'headroom-load', 'k8s/load-distributed/');
  const collector = () => podOf(find<IJob>('Job', 'headroom-collect', 'k8s/load-distributed/'));
  const argAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1] ?? '';

  it('runs one segment per completion index, as many as the collector expects, pushing to its Service', () => {
    const job = agents();
    expect(job.spec?.completionMode).toBe('Indexed');
    const n = job.spec?.completions;
    expect(job.spec?.parallelism).toBe(n);
    const load = containerOf(podOf(job), 'load');
    const args = load.args ?? [];
    expect(argAfter(args, '--segment')).toBe(`$(JOB_COMPLETION_INDEX)/${n}`);
    expect(argAfter(args, '--start-at')).toBe('$(START_AT)');
    expect(envOf(load).get('START_AT')?.valueFrom?.configMapKeyRef?.key).toBe('START_AT');
    expect(existsSync(join(DEPLOY, '..', argAfter(args, '--scenario')))).toBe(true);
    const collect = containerOf(collector(), 'collect');
    expect(argAfter(collect.args ?? [], '--expect')).toBe(String(n));
    const service = find<IService>('Service', 'headroom-collect', 'k8s/load-distributed/');
    const push = new URL(argAfter(args, '--push'));
    expect(push.hostname.split('.')[0]).toBe(service.metadata?.name);
    expect(Number(push.port)).toBe(service.spec?.ports?.[0]?.port);
    expect(argAfter(collect.args ?? [], '--listen')).toBe(`:${portNumber(collect, 'collect')}`);
  });

  it('lets the agents reach the public port of YAES', () => {
    const policy = find<INetworkPolicy>('NetworkPolicy', 'yaes-from-headroom-load', 'k8s/load-distributed/');
    const yaes = find<IDeployment>('Deployment', 'yaes', 'k8s/base/');
    expect(policy.spec?.podSelector.matchLabels).toEqual(yaes.spec?.selector.matchLabels);
    const rule = policy.spec?.ingress?.[0];
    expect(rule?.from?.[0]?.podSelector?.matchLabels).toEqual(agents().spec?.template.metadata?.labels);
    expect(yaesContainer().ports?.some((p) => p.name === rule?.ports?.[0]?.port)).toBe(true);
  });
});
