/**
 * An esbuild plugin that gives project files what only the TypeScript compiler can:
 *
 * - decorator metadata (`emitDecoratorMetadata`): Nest resolves constructor dependencies from
 *   `design:paramtypes`, and the config classes convert env strings through `design:type`;
 *   esbuild strips types without emitting it. Every project .ts file with a decorator goes through
 *   `ts.transpileModule` (one file at a time, no type-check: the approach of
 *   @anatine/esbuild-decorators); the rest through esbuild's own loader.
 * - the compiler plugins of nest-cli.json (the @nestjs/swagger plugin: DTO properties and
 *   controller responses in the OpenAPI document), for the files they apply to. They need a type
 *   checker, so those files (a few dozen) are emitted from one ts.Program built over them, lazily,
 *   once per build. Everything else never sees a type checker: type-checking is `npm run
 *   typecheck` and `nest build` in CI.
 *
 * Used by tools/build/apps.ts (the apps' bundles) and tools/package/rescheduler.ts (the Lambda).
 */
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import type * as esbuild from 'esbuild';
import ts from 'typescript';

export const ROOT = path.resolve(__dirname, '..', '..');

interface NestCliPlugin {
  name: string;
  options?: Record<string, unknown>;
}

/** Compiler options for the emitted files: the project's, with decorator metadata. */
function compilerOptions(module: ts.ModuleKind): ts.CompilerOptions {
  const configPath = path.join(ROOT, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  return {
    ...parsed.options,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    module,
    target: ts.ScriptTarget.ES2023,
    noEmit: false,
    allowImportingTsExtensions: false,
    sourceMap: false,
    inlineSourceMap: true,
    inlineSources: true,
    declaration: false,
    removeComments: false,
    incremental: false,
  };
}

/** The compiler plugins nest-cli.json names (what `nest build` runs), with the file suffixes they handle. */
function nestCliPlugins(): { plugin: NestCliPlugin; suffixes: string[] }[] {
  const nestCli = JSON.parse(readFileSync(path.join(ROOT, 'nest-cli.json'), 'utf8')) as {
    compilerOptions?: { plugins?: (string | NestCliPlugin)[] };
  };
  return (nestCli.compilerOptions?.plugins ?? []).map((p) => {
    const plugin = typeof p === 'string' ? { name: p } : p;
    if (plugin.name !== '@nestjs/swagger') {
      throw new Error(`nest-cli.json plugin ${plugin.name} is not supported by tools/build`);
    }
    const o = plugin.options ?? {};
    const suffixes = [
      ...((o.dtoFileNameSuffix as string[] | undefined) ?? ['.dto.ts', '.entity.ts']),
      ...((o.controllerFileNameSuffix as string[] | undefined) ?? ['.controller.ts']),
    ];
    return { plugin, suffixes };
  });
}

export interface TypeScriptPluginOptions {
  /** Run nest-cli.json's compiler plugins (the apps' bundles); off for the Lambda, which has no HTTP API. */
  nestCliPlugins: boolean;
  /**
   * Emit ES modules, which esbuild can tree-shake (the minified Lambda). Otherwise CommonJS: a
   * decorated file that imports an interface for a parameter type keeps that import in its
   * metadata (one file at a time, TypeScript cannot tell a type from a value), which esbuild
   * refuses in an ES module ("No matching export") and tolerates in CommonJS (the value is
   * undefined, the metadata says Object, as with `nest build`).
   */
  esModules: boolean;
}

export function typescriptPlugin(opts: TypeScriptPluginOptions): esbuild.Plugin {
  const options = compilerOptions(opts.esModules ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS);
  const plugins = opts.nestCliPlugins ? nestCliPlugins() : [];
  const forPlugins = (file: string) =>
    plugins.some((p) => p.suffixes.some((s) => file.endsWith(s)));
  // A cheap pre-filter: no "@Name(" at all means no decorator, and esbuild's loader is enough.
  const mayHaveDecorator = /@[A-Za-z_$][\w$]*\s*[(\n]/;
  return {
    name: 'typescript',
    setup(build) {
      // esbuild loads files as it discovers them, so the program cannot wait for the graph: it is
      // built over every plugin file under apps/ and libs/ (a directory walk), on first need.
      let program: Promise<ts.Program> | undefined;
      const programFor = () =>
        (program ??= (async () => {
          const roots = (await sourceFiles()).filter(forPlugins);
          return ts.createProgram({ rootNames: roots, options });
        })());

      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const source = await fs.readFile(args.path, 'utf8');
        // A DTO may have no decorator at all: the Swagger plugin still describes its properties.
        const pluginFile = forPlugins(args.path);
        if (!pluginFile && !mayHaveDecorator.test(source)) return undefined;
        let output: string;
        if (pluginFile) {
          const p = await programFor();
          const file = p.getSourceFile(args.path);
          if (!file) throw new Error(`${args.path} is not in the compiler-plugin program`);
          output = '';
          const emitted = p.emit(
            file,
            (name, text) => {
              if (name.endsWith('.js')) output = text;
            },
            undefined,
            false,
            {
              before: plugins.map(({ plugin }) =>
                // eslint-disable-next-line @typescript-eslint/no-require-imports
                require(`${plugin.name}/plugin`).before(plugin.options ?? {}, p),
              ),
            },
          );
          if (emitted.emitSkipped || output === '') throw new Error(`could not emit ${args.path}`);
        } else {
          output = ts.transpileModule(source, {
            compilerOptions: options,
            fileName: args.path,
            reportDiagnostics: false,
          }).outputText;
        }
        return { contents: output, loader: 'js', resolveDir: path.dirname(args.path) };
      });
    },
  };
}

/** Every non-spec .ts file under apps/ and libs/. */
async function sourceFiles(): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') await walk(full);
      } else if (
        entry.name.endsWith('.ts') &&
        !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name)
      ) {
        out.push(full);
      }
    }
  }
  for (const top of ['apps', 'libs']) await walk(path.join(ROOT, top));
  return out;
}
