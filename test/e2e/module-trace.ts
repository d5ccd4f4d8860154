// Preloaded with `--import` by cli-startup.test.ts: reports on stderr each Stampede package the
// process loads, once, as "module-trace: <package>", so a test can see what a command imported.
import { registerHooks } from 'node:module';

const seen = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    const pkg = /\/packages\/([a-z-]+)\/src\//.exec(result.url)?.[1];
    if (pkg !== undefined && !seen.has(pkg)) {
      seen.add(pkg);
      process.stderr.write(`module-trace: ${pkg}\n`);
    }
    return result;
  },
});
