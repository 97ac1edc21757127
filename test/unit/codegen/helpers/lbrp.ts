// The lbrp schema IR the codegen unit tests run against: datamodel/lbrp.yang through loadModule,
// and lookups of its nodes by schema path.

import * as path from 'path';
import { loadModule } from '../../../../codegen/src/ir/load-module';
import type { IrList, IrModule, IrNode, IrParent } from '../../../../codegen/src/ir/types';

/** The repository root: file names in IR locations are relative to it. */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** Returns a fresh IR of datamodel/lbrp.yang, loaded with the real parser; throws on load errors. */
export function lbrpModule(): IrModule {
  const { module, errors } = loadModule(path.join(REPO_ROOT, 'datamodel/lbrp.yang'), {
    searchPath: [path.join(REPO_ROOT, 'datamodel')],
    rootDir: REPO_ROOT,
  });
  if (!module) throw new Error(errors.map((e) => e.message).join('\n'));
  return module;
}

/** Returns the node at `path` (e.g. `/lbrp/service/backend`) or throws. */
export function nodeAt(module: IrModule, path: string): IrNode {
  const names = path.split('/').slice(2);
  let parent: IrParent = module;
  let node: IrNode | undefined;
  for (const name of names) {
    node = parent.children.find((c) => c.name === name);
    if (!node) throw new Error(`no node ${path}`);
    if (node.kind === 'container' || node.kind === 'list') parent = node;
  }
  if (!node) throw new Error(`no node ${path}`);
  return node;
}

/** Returns the list at `path` or throws. */
export function listAt(module: IrModule, path: string): IrList {
  const node = nodeAt(module, path);
  if (node.kind !== 'list') throw new Error(`${path} is not a list`);
  return node;
}
