/**
 * Validates manifests against the Kubernetes JSON schemas that kubernetes-models ships (upstream OpenAPI for
 * the core API; the CRDs of cert-manager and prometheus-operator), compiled with ajv.
 */
import * as certManager from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import * as monitoring from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as core from 'kubernetes-models/v1';
import type { Manifest } from './manifests.js';

type Model = new (data: object) => { validate(): void };

const GROUPS: Record<string, Record<string, unknown>> = {
  v1: core,
  'apps/v1': apps,
  'autoscaling/v2': autoscaling,
  'batch/v1': batch,
  'networking.k8s.io/v1': networking,
  'cert-manager.io/v1': certManager,
  'monitoring.coreos.com/v1': monitoring,
};

/**
 * Throws the schema violations of `manifest` (e.g. `data/spec must have required property selector`), or
 * that no schema is known for its apiVersion/kind.
 */
export function validateManifest(manifest: Manifest): void {
  const model = GROUPS[manifest.apiVersion]?.[manifest.kind] as Model | undefined;
  if (!model) throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}: add its group above`);
  new model(manifest).validate();
}
