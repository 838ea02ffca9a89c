/**
 * Optional peer dependencies, loaded the first time a feature needs them: `@datadog/pprof` (native, for the
 * service's /debug/pprof), `tsx` (TypeScript scenarios and benchmark files) and `pino-pretty` (`LOG_FORMAT=pretty`).
 * A missing one is a `MissingDependencyError` whose message is one line naming the package and how to install it.
 */
import { UsageError } from './errors.js';

/** The optional packages, and what each one is needed for (the second half of the error line). */
export const OPTIONAL_DEPENDENCIES = {
  '@datadog/pprof': 'CPU and heap profiles (/debug/pprof)',
  tsx: 'TypeScript scenario and benchmark files',
  'pino-pretty': 'LOG_FORMAT=pretty',
  pg: 'headroom limits --db (PostgreSQL sampling)',
} as const;

/** The name of an optional peer dependency. */
export type OptionalDependency = keyof typeof OPTIONAL_DEPENDENCIES;

/** An optional peer dependency a feature needs is not installed (a usage error: exit 2 from the CLI). */
export class MissingDependencyError extends UsageError {
  /** The package to install. */
  readonly packageName: OptionalDependency;

  constructor(packageName: OptionalDependency, cause?: unknown) {
    super(
      `${packageName} is not installed; ${OPTIONAL_DEPENDENCIES[packageName]} need it: npm install ${packageName}`,
      { code: 'missing-dependency', cause },
    );
    this.packageName = packageName;
  }
}

/** Whether a resolution failure is about the package itself (not about something it imports in turn). */
function isNotFound(error: unknown, packageName: string): boolean {
  const e = error as NodeJS.ErrnoException;
  return e?.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes(`'${packageName}'`);
}

/**
 * Resolves `specifier` (a package or one of its exports) to a file URL without loading it.
 * @throws MissingDependencyError when the package is not installed.
 * @example resolveOptional('tsx', 'tsx/esm/api')
 */
export function resolveOptional(packageName: OptionalDependency, specifier: string = packageName): string {
  try {
    return import.meta.resolve(specifier);
  } catch (error) {
    if (isNotFound(error, packageName)) throw new MissingDependencyError(packageName, error);
    throw error;
  }
}

/**
 * Imports an optional package (the same promise every time).
 * @throws MissingDependencyError when the package is not installed.
 * @example const { time } = await importOptional<typeof import('@datadog/pprof')>('@datadog/pprof');
 */
export function importOptional<T>(
  packageName: OptionalDependency,
  specifier: string = packageName,
): Promise<T> {
  let loaded = imports.get(specifier);
  if (!loaded) {
    loaded = import(resolveOptional(packageName, specifier));
    imports.set(specifier, loaded);
  }
  return loaded as Promise<T>;
}

const imports = new Map<string, Promise<unknown>>();
