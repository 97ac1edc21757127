// Schema IR: the resolved, plain-object form of a YANG module (groupings expanded, typedef chains
// flattened, augments applied, config inherited). parse/ produces statements, ir/ produces these,
// and every emitter (and polycubed at run time) reads only these.

import type { SourceLoc } from '../parse/diagnostics';

/** A position in a YANG source file; line and column are 1-based (declared in parse/, which needs it too). */
export type { SourceLoc };

/** An inclusive numeric interval from a YANG `range` or `length` restriction. */
export interface NumRange {
  min: number;
  max: number;
}

/** A YANG `pattern` restriction: the XSD regex as written, and whether it is `invert-match`. */
export interface IrPattern {
  /** The pattern text as written in YANG (XSD regex syntax, implicitly anchored). */
  regex: string;
  invert: boolean;
}

/** One `enum` of an enumeration, with its assigned or implicit value. */
export interface IrEnumValue {
  name: string;
  value: number;
  description?: string;
}

export type IntBase = 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64';

/**
 * A resolved YANG type. `typedef` names the outermost typedef used so emitters can name things: bare
 * for the loaded module's own typedefs, else prefixed with the prefix the loaded module imports the
 * defining module by (e.g. `inet:port-number`, `polycube-base:polycube-uuid`). Restrictions of the
 * whole typedef chain are merged into the built-in type's fields. `range` and `length` are empty when
 * nothing restricts the built-in bounds (helpers' `effectiveRanges` fills those in); `patterns` all
 * apply. Enum values are explicit or implicit (one above the highest so far); identityref bases are
 * `module:identity`.
 */
export type IrType = (
  | { kind: 'string'; patterns: IrPattern[]; length: NumRange[] }
  | { kind: 'int'; base: IntBase; range: NumRange[] }
  | { kind: 'decimal64'; fractionDigits: number; range: NumRange[] }
  | { kind: 'boolean' }
  | { kind: 'empty' }
  | { kind: 'enumeration'; enums: IrEnumValue[] }
  | { kind: 'union'; types: IrType[] }
  | { kind: 'leafref'; path: string }
  | { kind: 'binary'; length: NumRange[] }
  | { kind: 'bits'; bits: { name: string; position: number }[] }
  | { kind: 'identityref'; bases: string[] }
  | { kind: 'instance-identifier' }
) & { typedef?: string };

/** A prefixed extension statement kept on a node, e.g. polycube-base:cli-example "80". */
export interface IrExtension {
  /** Module name the prefix resolved to (e.g. `polycube-base`). */
  module: string;
  keyword: string;
  arg?: string;
}

/** Fields common to every schema node. */
export interface IrNodeBase {
  name: string;
  /** Module whose namespace the node belongs to. */
  module: string;
  /** Schema path from the module root, e.g. `/lbrp/service/backend/port` (module name first). */
  path: string;
  description?: string;
  /** Effective config (false when the node or an ancestor says `config false`). */
  config: boolean;
  /** polycube-base:init-only-config on the node (settable only at creation). */
  initOnly: boolean;
  /** polycube-base:cli-example value, if any. */
  cliExample?: string;
  extensions: IrExtension[];
  loc: SourceLoc;
}

export interface IrLeaf extends IrNodeBase {
  kind: 'leaf';
  type: IrType;
  /** `mandatory` as written (refine applied). Key leaves are required whatever this says. */
  mandatory: boolean;
  /**
   * Default as written in YANG (leaf's own, else the typedef chain's); undefined if none, and always
   * for key and mandatory leaves, whose defaults never apply.
   */
  default?: string;
  units?: string;
  /** True when the leaf is a key of its parent list. */
  isKey: boolean;
}

export interface IrLeafList extends IrNodeBase {
  kind: 'leaf-list';
  type: IrType;
  minElements?: number;
  maxElements?: number;
  defaults: string[];
}

export interface IrContainer extends IrNodeBase {
  kind: 'container';
  /** The presence statement's argument; undefined for a non-presence container. */
  presence?: string;
  children: IrNode[];
}

export interface IrList extends IrNodeBase {
  kind: 'list';
  /** Key leaf names in `key` statement order. */
  keys: string[];
  /** `unique` statements, each a list of descendant names. */
  unique: string[][];
  children: IrNode[];
  minElements?: number;
  maxElements?: number;
}

/**
 * A YANG `action` (or top-level `rpc`): a POST-only operation with input/output children. Their paths
 * go through `input` / `output` (`/m/list/act/input/x`); input nodes are config true (client-supplied)
 * and output nodes config false, whatever `config` says there (RFC 7950 §7.14.2).
 */
export interface IrAction extends IrNodeBase {
  kind: 'action';
  input: IrNode[];
  output: IrNode[];
}

export type IrNode = IrLeaf | IrLeafList | IrContainer | IrList | IrAction;
export type IrParent = IrModule | IrContainer | IrList;

/** Module-level metadata from the polycube-base service extensions. */
export interface IrServiceInfo {
  name?: string;
  version?: string;
  description?: string;
  minKernelVersion?: string;
}

/**
 * A fully resolved module: its data nodes in declaration order (after `uses` expansion, a grouping's
 * own nodes come before what a `uses ... { augment }` adds to them). `choice` and `case` are flattened
 * into their parent; `anydata`, `anyxml` and `notification` are reported as unsupported; `when`,
 * `must` and `if-feature` are not evaluated (every feature counts as enabled).
 */
export interface IrModule {
  kind: 'module';
  name: string;
  namespace: string;
  prefix: string;
  yangVersion: string;
  description?: string;
  organization?: string;
  revisions: string[];
  /** Imported module names by the prefix used in this module. */
  imports: Record<string, string>;
  service: IrServiceInfo;
  extensions: IrExtension[];
  children: IrNode[];
  /** Relative source file paths of this module and every module it imported, for headers. */
  sources: string[];
  loc: SourceLoc;
}
