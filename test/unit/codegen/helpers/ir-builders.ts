// Hand-built schema IR for codegen unit tests: compact constructors with the defaults a resolved
// module would have (config true, not init-only, no extensions), and paths filled in by module().

import type {
  IrContainer,
  IrLeaf,
  IrLeafList,
  IrList,
  IrModule,
  IrNode,
  IrType,
} from '../../../../codegen/src/ir/types';

const LOC = { file: 'test.yang', line: 1, col: 1 };

type Common = Partial<Pick<IrLeaf, 'description' | 'config' | 'initOnly' | 'cliExample'>>;

/** A string type with optional patterns (XSD syntax). */
export function str(...patterns: string[]): IrType {
  return { kind: 'string', patterns: patterns.map((regex) => ({ regex, invert: false })), length: [] };
}

/** An enumeration of `names`, values 0.. in order. */
export function enumOf(...names: string[]): IrType {
  return { kind: 'enumeration', enums: names.map((name, value) => ({ name, value })) };
}

/** A leaf; `path` is set by module(). */
export function leaf(
  name: string,
  type: IrType,
  opts: Common & Partial<Pick<IrLeaf, 'mandatory' | 'default' | 'isKey'>> = {},
): IrLeaf {
  return {
    kind: 'leaf',
    name,
    module: 'm',
    path: '',
    config: true,
    initOnly: false,
    extensions: [],
    loc: LOC,
    type,
    mandatory: false,
    isKey: false,
    ...opts,
  };
}

/** A leaf-list; `path` is set by module(). */
export function leafList(
  name: string,
  type: IrType,
  opts: Common & Partial<Pick<IrLeafList, 'defaults'>> = {},
): IrLeafList {
  return {
    kind: 'leaf-list',
    name,
    module: 'm',
    path: '',
    config: true,
    initOnly: false,
    extensions: [],
    loc: LOC,
    type,
    defaults: [],
    ...opts,
  };
}

/** A container; `path` is set by module(). */
export function container(
  name: string,
  children: IrNode[],
  opts: Common & Partial<Pick<IrContainer, 'presence'>> = {},
): IrContainer {
  return {
    kind: 'container',
    name,
    module: 'm',
    path: '',
    config: true,
    initOnly: false,
    extensions: [],
    loc: LOC,
    children,
    ...opts,
  };
}

/** A list keyed by `keys` (their leaves get isKey); `path` is set by module(). */
export function list(name: string, keys: string[], children: IrNode[], opts: Common = {}): IrList {
  for (const c of children) if (c.kind === 'leaf' && keys.includes(c.name)) c.isKey = true;
  return {
    kind: 'list',
    name,
    module: 'm',
    path: '',
    config: true,
    initOnly: false,
    extensions: [],
    loc: LOC,
    keys,
    unique: [],
    children,
    ...opts,
  };
}

/** A module; fills module names, schema paths and inherited config false of all descendants. */
export function module(name: string, children: IrNode[], service: IrModule['service'] = {}): IrModule {
  const fix = (nodes: IrNode[], parentPath: string, parentConfig: boolean): void => {
    for (const n of nodes) {
      n.module = name;
      n.path = `${parentPath}/${n.name}`;
      n.config = n.config && parentConfig;
      if (n.kind === 'container' || n.kind === 'list') fix(n.children, n.path, n.config);
      if (n.kind === 'action') fix(n.input, n.path, true);
    }
  };
  fix(children, `/${name}`, true);
  return {
    kind: 'module',
    name,
    namespace: `urn:test:${name}`,
    prefix: name,
    yangVersion: '1.1',
    revisions: [],
    imports: {},
    service,
    extensions: [],
    children,
    sources: [`${name}.yang`],
    loc: LOC,
  };
}
