// The YANG grammar as a table: keyword → argument kind and allowed substatements with cardinality
// (RFC 7950 §7). parse/parser.ts checks every statement tree against it; nothing here knows semantics.

/** How many times a substatement may appear. */
export type Cardinality = '0..1' | '1' | '0..n' | '1..n';

/** The syntax an argument must have; `none` means the statement takes no argument. */
export type ArgKind =
  | 'none'
  | 'string'
  | 'identifier'
  | 'identifier-ref'
  | 'boolean'
  | 'non-negative-integer'
  | 'integer'
  | 'max-value'
  | 'ordered-by'
  | 'status'
  | 'yang-version'
  | 'date'
  | 'modifier'
  | 'fraction-digits';

/** One row of the grammar: the statement's argument and its substatements. */
export interface StatementRule {
  /** The argument's syntax, or `none`. */
  arg: ArgKind;
  /** Allowed core substatements and how often each may appear; anything else is an error. */
  children: Readonly<Record<string, Cardinality>>;
}

const META = { description: '0..1', reference: '0..1' } as const;
const STATUS_META = { status: '0..1', ...META } as const;
const WHEN_IF = { when: '0..1', 'if-feature': '0..n' } as const;
const DATA_DEF = {
  container: '0..n',
  leaf: '0..n',
  'leaf-list': '0..n',
  list: '0..n',
  choice: '0..n',
  anydata: '0..n',
  anyxml: '0..n',
  uses: '0..n',
} as const;
const DEFS = { typedef: '0..n', grouping: '0..n' } as const;
const NESTED_OPS = { action: '0..n', notification: '0..n' } as const;
const MODULE_BODY = {
  import: '0..n',
  include: '0..n',
  organization: '0..1',
  contact: '0..1',
  ...META,
  revision: '0..n',
  extension: '0..n',
  feature: '0..n',
  identity: '0..n',
  ...DEFS,
  ...DATA_DEF,
  augment: '0..n',
  rpc: '0..n',
  notification: '0..n',
  deviation: '0..n',
} as const;
const RESTRICTION_META = { 'error-message': '0..1', 'error-app-tag': '0..1', ...META } as const;
const OPERATION = { 'if-feature': '0..n', ...STATUS_META, ...DEFS, input: '0..1', output: '0..1' } as const;
const SHORT_CASE = {
  container: '0..n',
  leaf: '0..n',
  'leaf-list': '0..n',
  list: '0..n',
  choice: '0..n',
  anydata: '0..n',
  anyxml: '0..n',
} as const;

/** Every core YANG statement this parser accepts. Prefixed (extension) statements are not listed. */
export const GRAMMAR: Readonly<Record<string, StatementRule>> = {
  module: {
    arg: 'identifier',
    children: { 'yang-version': '0..1', namespace: '1', prefix: '1', ...MODULE_BODY },
  },
  submodule: { arg: 'identifier', children: { 'yang-version': '0..1', 'belongs-to': '1', ...MODULE_BODY } },
  'yang-version': { arg: 'yang-version', children: {} },
  namespace: { arg: 'string', children: {} },
  prefix: { arg: 'identifier', children: {} },
  'belongs-to': { arg: 'identifier', children: { prefix: '1' } },
  import: { arg: 'identifier', children: { prefix: '1', 'revision-date': '0..1', ...META } },
  include: { arg: 'identifier', children: { 'revision-date': '0..1', ...META } },
  'revision-date': { arg: 'date', children: {} },
  organization: { arg: 'string', children: {} },
  contact: { arg: 'string', children: {} },
  description: { arg: 'string', children: {} },
  reference: { arg: 'string', children: {} },
  revision: { arg: 'date', children: { ...META } },
  extension: { arg: 'identifier', children: { argument: '0..1', ...STATUS_META } },
  argument: { arg: 'identifier', children: { 'yin-element': '0..1' } },
  'yin-element': { arg: 'boolean', children: {} },
  feature: { arg: 'identifier', children: { 'if-feature': '0..n', ...STATUS_META } },
  'if-feature': { arg: 'string', children: {} },
  identity: { arg: 'identifier', children: { 'if-feature': '0..n', base: '0..n', ...STATUS_META } },
  base: { arg: 'identifier-ref', children: {} },
  typedef: { arg: 'identifier', children: { type: '1', units: '0..1', default: '0..1', ...STATUS_META } },
  type: {
    arg: 'identifier-ref',
    children: {
      'fraction-digits': '0..1',
      range: '0..1',
      length: '0..1',
      pattern: '0..n',
      enum: '0..n',
      bit: '0..n',
      path: '0..1',
      'require-instance': '0..1',
      base: '0..n',
      type: '0..n',
    },
  },
  'fraction-digits': { arg: 'fraction-digits', children: {} },
  range: { arg: 'string', children: { ...RESTRICTION_META } },
  length: { arg: 'string', children: { ...RESTRICTION_META } },
  pattern: { arg: 'string', children: { modifier: '0..1', ...RESTRICTION_META } },
  modifier: { arg: 'modifier', children: {} },
  'error-message': { arg: 'string', children: {} },
  'error-app-tag': { arg: 'string', children: {} },
  enum: { arg: 'string', children: { 'if-feature': '0..n', value: '0..1', ...STATUS_META } },
  value: { arg: 'integer', children: {} },
  bit: { arg: 'identifier', children: { 'if-feature': '0..n', position: '0..1', ...STATUS_META } },
  position: { arg: 'non-negative-integer', children: {} },
  path: { arg: 'string', children: {} },
  'require-instance': { arg: 'boolean', children: {} },
  units: { arg: 'string', children: {} },
  default: { arg: 'string', children: {} },
  status: { arg: 'status', children: {} },
  config: { arg: 'boolean', children: {} },
  mandatory: { arg: 'boolean', children: {} },
  presence: { arg: 'string', children: {} },
  'ordered-by': { arg: 'ordered-by', children: {} },
  'min-elements': { arg: 'non-negative-integer', children: {} },
  'max-elements': { arg: 'max-value', children: {} },
  key: { arg: 'string', children: {} },
  unique: { arg: 'string', children: {} },
  when: { arg: 'string', children: { ...META } },
  must: { arg: 'string', children: { ...RESTRICTION_META } },
  grouping: { arg: 'identifier', children: { ...STATUS_META, ...DEFS, ...DATA_DEF, ...NESTED_OPS } },
  uses: { arg: 'identifier-ref', children: { ...WHEN_IF, ...STATUS_META, refine: '0..n', augment: '0..n' } },
  refine: {
    arg: 'string',
    children: {
      'if-feature': '0..n',
      must: '0..n',
      presence: '0..1',
      default: '0..n',
      config: '0..1',
      mandatory: '0..1',
      'min-elements': '0..1',
      'max-elements': '0..1',
      ...META,
    },
  },
  augment: {
    arg: 'string',
    children: { ...WHEN_IF, ...STATUS_META, ...DATA_DEF, case: '0..n', ...NESTED_OPS },
  },
  container: {
    arg: 'identifier',
    children: {
      ...WHEN_IF,
      must: '0..n',
      presence: '0..1',
      config: '0..1',
      ...STATUS_META,
      ...DEFS,
      ...DATA_DEF,
      ...NESTED_OPS,
    },
  },
  leaf: {
    arg: 'identifier',
    children: {
      ...WHEN_IF,
      type: '1',
      units: '0..1',
      must: '0..n',
      default: '0..1',
      config: '0..1',
      mandatory: '0..1',
      ...STATUS_META,
    },
  },
  'leaf-list': {
    arg: 'identifier',
    children: {
      ...WHEN_IF,
      type: '1',
      units: '0..1',
      must: '0..n',
      default: '0..n',
      config: '0..1',
      'min-elements': '0..1',
      'max-elements': '0..1',
      'ordered-by': '0..1',
      ...STATUS_META,
    },
  },
  list: {
    arg: 'identifier',
    children: {
      ...WHEN_IF,
      must: '0..n',
      key: '0..1',
      unique: '0..n',
      config: '0..1',
      'min-elements': '0..1',
      'max-elements': '0..1',
      'ordered-by': '0..1',
      ...STATUS_META,
      ...DEFS,
      ...DATA_DEF,
      ...NESTED_OPS,
    },
  },
  choice: {
    arg: 'identifier',
    children: {
      ...WHEN_IF,
      default: '0..1',
      config: '0..1',
      mandatory: '0..1',
      ...STATUS_META,
      ...SHORT_CASE,
      case: '0..n',
    },
  },
  case: { arg: 'identifier', children: { ...WHEN_IF, ...STATUS_META, ...DATA_DEF } },
  anydata: {
    arg: 'identifier',
    children: { ...WHEN_IF, must: '0..n', config: '0..1', mandatory: '0..1', ...STATUS_META },
  },
  anyxml: {
    arg: 'identifier',
    children: { ...WHEN_IF, must: '0..n', config: '0..1', mandatory: '0..1', ...STATUS_META },
  },
  rpc: { arg: 'identifier', children: OPERATION },
  action: { arg: 'identifier', children: OPERATION },
  input: { arg: 'none', children: { must: '0..n', ...DEFS, ...DATA_DEF } },
  output: { arg: 'none', children: { must: '0..n', ...DEFS, ...DATA_DEF } },
  notification: {
    arg: 'identifier',
    children: { 'if-feature': '0..n', must: '0..n', ...STATUS_META, ...DEFS, ...DATA_DEF },
  },
  deviation: { arg: 'string', children: { ...META, deviate: '1..n' } },
  deviate: {
    arg: 'string',
    children: {
      units: '0..1',
      must: '0..n',
      unique: '0..n',
      default: '0..n',
      config: '0..1',
      mandatory: '0..1',
      'min-elements': '0..1',
      'max-elements': '0..1',
      type: '0..1',
    },
  },
};
