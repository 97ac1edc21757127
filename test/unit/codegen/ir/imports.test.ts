// Import resolution: the search path, `<name>@<revision>.yang` files, revision-date, the importer's
// own directory, transitive sources, and errors for cycles, misnamed files, submodules and includes.

import * as path from 'path';
import { type LoadResult, loadModule, loadModuleFromText } from 'yang-ts-codegen';
import { FIXTURES } from './inline-module';

const IMPORTS = path.join(FIXTURES, 'imports');

/** Loads a module named `main` placed in the imports fixture directory, with `searchPath` as given. */
function loadMain(body: string, searchPath: string[] = []): LoadResult {
  const text = `module main {\n  yang-version 1.1;\n  namespace "urn:main";\n  prefix m;\n${body}\n}\n`;
  return loadModuleFromText(text, path.join(IMPORTS, 'main.yang'), { searchPath, rootDir: FIXTURES });
}

function messages(r: LoadResult): string[] {
  return r.errors.map((e) => e.message);
}

describe('imports', () => {
  // Each row: an import and the typedef default it brings in, showing which file was picked.
  it.each([
    {
      name: 'without revision-date picks the newest dated file',
      inImport: 'import dated { prefix d; }',
      want: '2021',
    },
    {
      name: 'with revision-date picks that revision',
      inImport: 'import dated { prefix d; revision-date 2019-01-01; }',
      want: '2019',
    },
    {
      name: 'a revision listed in the newest file also matches it',
      inImport: 'import dated { prefix d; revision-date 2021-06-30; }',
      want: '2021',
    },
  ])('$name', ({ inImport, want }) => {
    const r = loadMain(`  ${inImport}\n  leaf w { type d:which; }`);
    expect(messages(r)).toEqual([]);
    expect(r.module?.children[0]).toMatchObject({ default: want, type: { typedef: 'd:which' } });
  });

  // Modules are found in the importer's directory when the search path does not have them.
  it('finds imports next to the importing file', () => {
    const r = loadMain('  import dated { prefix d; }');
    expect(r.module?.sources).toEqual(['imports/main.yang', 'imports/dated@2021-06-30.yang']);
  });

  // The search path comes first, and sources list transitive imports in load order.
  it('uses the search path and lists transitive sources', () => {
    const r = loadMain('  import fx-base { prefix b; }\n  uses b:endpoint;', [FIXTURES]);
    expect(messages(r)).toEqual([]);
    expect(r.module?.sources).toEqual(['imports/main.yang', 'fx-base.yang', 'fx-types@2020-01-01.yang']);
    expect(r.module?.imports).toEqual({ b: 'fx-base' });
  });

  // Each row: an import problem and every error it must report, at the exact position.
  it.each([
    {
      name: 'missing revision',
      inBody: '  import dated { prefix d; revision-date 2020-05-05; }',
      wantErr: [
        'imports/main.yang:5:3: cannot find module "dated" (revision 2020-05-05) in search path imports',
      ],
    },
    {
      name: 'circular import',
      inBody: '  import cycle-a { prefix a; }',
      wantErr: ['imports/cycle-b.yang:5:3: circular import of module "cycle-a"'],
    },
    {
      name: 'file holding another module',
      inBody: '  import misnamed { prefix x; }',
      wantErr: ['imports/misnamed.yang:1:1: file holds module "not-misnamed", expected "misnamed"'],
    },
    {
      name: 'include of a submodule',
      inBody: '  include sub;',
      wantErr: ['imports/main.yang:5:3: include of submodule "sub" is not supported'],
    },
    {
      name: 'prefix used twice',
      inBody: '  import dated { prefix d; }\n  import cycle-b { prefix d; }',
      wantErr: ['imports/main.yang:6:3: duplicate prefix "d"'],
    },
    {
      name: 'import prefix equal to the module prefix',
      inBody: '  import dated { prefix m; }',
      wantErr: ['imports/main.yang:5:3: duplicate prefix "m"'],
    },
  ])('$name', ({ inBody, wantErr }) => {
    const r = loadMain(inBody);
    expect(messages(r)).toEqual(wantErr);
    expect(r.module).toBeUndefined();
  });

  // A submodule given as the root file is reported, not loaded.
  it('reports a submodule file as unsupported', () => {
    const r = loadModule(path.join(IMPORTS, 'sub.yang'), { searchPath: [], rootDir: FIXTURES });
    expect(messages(r)).toEqual(['imports/sub.yang:1:1: submodule "sub" is not supported: use a module']);
  });
});
