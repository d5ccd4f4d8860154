/**
 * The modules a script can import without installing anything: each maps to names that the
 * load worker publishes on `globalThis.__stampede[module]` before the bundle is imported.
 */
export const API_MODULES: Record<string, readonly string[]> = {
  stampede: [
    'http',
    'check',
    'sleep',
    'group',
    'fail',
    'vu',
    'scenario',
    'env',
    'open',
    'SharedArray',
  ],
  'stampede/http': ['http'],
  'stampede/metrics': ['Counter', 'Gauge', 'Rate', 'Trend'],
  'stampede/data': ['open', 'SharedArray', 'parseCsv'],
};

/** Global property under which the runtime publishes the script API. */
export const API_GLOBAL = '__stampede';

/** Source of the shim module that stands in for one API module inside a bundle. */
export function apiShimSource(module: string): string {
  const names = API_MODULES[module];
  if (!names) throw new Error(`unknown stampede module ${module}`);
  const lines = [
    `const api = globalThis[${JSON.stringify(API_GLOBAL)}]?.[${JSON.stringify(module)}];`,
    `if (!api) throw new Error('the stampede API is only available when the script runs under stampede');`,
    ...names.map((n) => `export const ${n} = api.${n};`),
  ];
  if (module === 'stampede') lines.push('export default api;');
  return lines.join('\n');
}
