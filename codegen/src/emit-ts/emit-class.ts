// Emits the config class of one container, list or module root, and the enum types of its
// leaves: typed fields with defaults and TSDoc, $path/$keyNames/$members, $key helpers, fromJson
// and toJson in REST JSON form. One emitX(writer, …) per construct; sees only the IR.

import type { IrLeaf, IrLeafList, IrModule } from '../ir/types';
import { bodyMembers, cubeKeyLeaf, type IrDataNode } from '../schema/schema-nodes';
import { parseLexical } from '../schema/yang-values';
import type { ClassNode, NameTable } from './name-table';
import type { TextWriter } from './text-writer';
import { enumUnion, readExpr, type RuntimeHelper, tsString, tsTypeOf, writeExpr } from './ts-types';

/** What the emitters of one file share: names, class paths, and what the file must import. */
export interface FileContext {
  names: NameTable;
  /** `$path` of every class node, e.g. `/lbrp/{name}/ports/{ports_name}`. */
  paths: Map<ClassNode, string>;
  /** Runtime helpers the file calls. */
  use: Set<RuntimeHelper>;
  /** Classes of other files the file refers to: file → class names. */
  imports: Map<string, Set<string>>;
}

/** A member of a class: a body member, or the cube-name pseudo-key of the root class. */
interface Member {
  node: IrDataNode;
  /** TypeScript member name. */
  ts: string;
}

function membersOf(ctx: FileContext, node: ClassNode): Member[] {
  const out: Member[] = [];
  if (node.kind === 'module') out.push({ node: cubeKeyLeaf(node), ts: 'name' });
  for (const child of bodyMembers(node)) out.push({ node: child, ts: ctx.names.memberName(child) });
  return out;
}

function keyNamesOf(node: ClassNode): string[] {
  if (node.kind === 'module') return ['name'];
  return node.kind === 'list' ? node.keys : [];
}

/** TypeScript type of a member's value. */
function memberType(ctx: FileContext, owner: ClassNode, m: Member): string {
  const n = m.node;
  switch (n.kind) {
    case 'leaf':
    case 'leaf-list': {
      const enumType =
        isPseudoKey(owner, n) || n.type.kind !== 'enumeration' ? undefined : ctx.names.enumNames(n).typeName;
      const t = tsTypeOf(n.type, enumType);
      return n.kind === 'leaf-list' ? `${t.includes(' ') ? `(${t})` : t}[]` : t;
    }
    case 'container':
      return classRef(ctx, owner, n);
    case 'list':
      return `${classRef(ctx, owner, n)}[]`;
  }
}

function isPseudoKey(owner: ClassNode, n: IrDataNode): boolean {
  return owner.kind === 'module' && n.kind === 'leaf' && !owner.children.includes(n);
}

/** Name of `target`'s class as seen from the class `from`, recording an import when needed. */
function classRef(ctx: FileContext, from: ClassNode, target: ClassNode): string {
  const name = ctx.names.className(target);
  const file = ctx.names.fileOf(target);
  if (file !== ctx.names.fileOf(from)) {
    if (!ctx.imports.has(file)) ctx.imports.set(file, new Set());
    ctx.imports.get(file)?.add(name);
  }
  return name;
}

/** The TypeScript literal of a leaf default, or undefined when there is none. */
function defaultLiteral(n: IrLeaf | IrLeafList): string | undefined {
  const literal = (text: string): string | undefined => {
    const v = parseLexical(n.type, text);
    if (v === undefined) return undefined;
    return typeof v === 'string' ? tsString(v) : String(v);
  };
  if (n.kind === 'leaf') return n.default === undefined || n.isKey ? undefined : literal(n.default);
  if (n.defaults.length === 0) return undefined;
  const items = n.defaults.map(literal);
  return items.every((i) => i !== undefined) ? `[${items.join(', ')}]` : undefined;
}

/** The "Key. Mandatory. …" remarks line of a member's TSDoc. */
function remarks(n: IrDataNode): string {
  const out: string[] = [];
  if (n.kind === 'leaf' && n.isKey) out.push('Key.');
  if (n.kind === 'leaf' && n.mandatory) out.push('Mandatory.');
  if (!n.config) out.push('Read-only (config false).');
  if (n.initOnly) out.push('Init-only: set only when its parent is created.');
  if (n.kind === 'leaf' && n.default !== undefined) out.push(`Default: \`${n.default}\`.`);
  if ((n.kind === 'leaf' || n.kind === 'leaf-list') && n.type.typedef)
    out.push(`YANG type: \`${n.type.typedef}\`.`);
  if (n.kind === 'leaf' && n.units) out.push(`Units: ${n.units}.`);
  return out.join(' ');
}

/** Emits the literal-union type and the values constant of an enumeration leaf. */
export function emitEnumType(
  w: TextWriter,
  ctx: FileContext,
  owner: ClassNode,
  n: IrLeaf | IrLeafList,
): void {
  if (n.type.kind !== 'enumeration') return;
  const { typeName, valuesName } = ctx.names.enumNames(n);
  const values = n.type.enums.map((e) => `- \`${e.name}\`${e.description ? `: ${e.description}` : ''}`);
  w.blank();
  w.doc(`Values of \`${ctx.paths.get(owner)}/${n.name}\`.`, values.join('\n'));
  w.line(`export type ${typeName} = ${enumUnion(n.type)};`);
  w.blank();
  w.doc(`The names of ${typeName}, in schema order.`);
  w.line(
    `export const ${valuesName}: readonly ${typeName}[] = [${n.type.enums.map((e) => tsString(e.name)).join(', ')}];`,
  );
}

/** Emits one field: TSDoc, then `name?: T;` or `name: T = default;`. */
export function emitField(w: TextWriter, ctx: FileContext, owner: ClassNode, m: Member): void {
  const n = m.node;
  w.doc(n.description, remarks(n));
  const type = memberType(ctx, owner, m);
  const def = n.kind === 'leaf' || n.kind === 'leaf-list' ? defaultLiteral(n) : undefined;
  w.line(def === undefined ? `${m.ts}?: ${type};` : `${m.ts}: ${type} = ${def};`);
}

/** Emits `$key()` (typed key tuple, throws when a key is unset) and `$keyString()`. */
export function emitKeyHelpers(w: TextWriter, ctx: FileContext, owner: ClassNode, members: Member[]): void {
  const cls = ctx.names.className(owner);
  const keys = keyNamesOf(owner).map((k) => {
    const m = members.find((x) => x.node.name === k);
    if (!m) throw new Error(`key ${k} of ${owner.name} is not a member`);
    return m;
  });
  ctx.use.add('requireKey');
  ctx.use.add('keyString');
  w.blank();
  w.doc('Returns the key values in key order; throws if one is unset.');
  w.block(`$key(): [${keys.map((k) => memberType(ctx, owner, k)).join(', ')}] {`, () => {
    const items = keys.map((k) => `requireKey(this.${k.ts}, ${cls}.$path + ${tsString('/' + k.node.name)})`);
    w.line(`return [${items.join(', ')}];`);
  });
  w.blank();
  w.doc('Returns the key as one string: the values URL-encoded and joined with "/", as in REST paths.');
  w.block('$keyString(): string {', () => w.line('return keyString(this.$key());'));
}

/** Emits `static fromJson(json)`: reads known members, ignores others, remembers member order. */
export function emitFromJson(w: TextWriter, ctx: FileContext, owner: ClassNode, members: Member[]): void {
  const cls = ctx.names.className(owner);
  ctx.use.add('asObject');
  ctx.use.add('memberOrder');
  w.blank();
  w.doc(
    'Reads the REST JSON form (YANG member names). Unknown members are ignored, enum values are matched\n' +
      'ignoring case and kept in their YANG spelling, and the member order is remembered for toJson.\n' +
      'Throws JsonShapeError for a member of the wrong JSON type: validate request bodies first.',
  );
  w.block(`static fromJson(json: unknown): ${cls} {`, () => {
    w.line(`const o = asObject(json, ${cls}.$path);`);
    w.line(`const x = new ${cls}();`);
    w.line(`x.$order = memberOrder(o, ${cls}.$members);`);
    for (const m of members) {
      const get = `o[${tsString(m.node.name)}]`;
      w.line(
        `if (${get} !== undefined) x.${m.ts} = ${readMember(ctx, owner, m, get, `${cls}.$path + ${tsString('/' + m.node.name)}`)};`,
      );
    }
    w.line('return x;');
  });
}

function readMember(ctx: FileContext, owner: ClassNode, m: Member, get: string, path: string): string {
  const n = m.node;
  switch (n.kind) {
    case 'leaf': {
      const names =
        !isPseudoKey(owner, n) && n.type.kind === 'enumeration' ? ctx.names.enumNames(n) : undefined;
      return readExpr(n.type, get, path, ctx.use, names);
    }
    case 'leaf-list': {
      ctx.use.add('asArray');
      const names = n.type.kind === 'enumeration' ? ctx.names.enumNames(n) : undefined;
      return `asArray(${get}, ${path}).map((v) => ${readExpr(n.type, 'v', path, ctx.use, names)})`;
    }
    case 'container':
      return `${classRef(ctx, owner, n)}.fromJson(${get})`;
    case 'list':
      ctx.use.add('asArray');
      return `asArray(${get}, ${path}).map((e) => ${classRef(ctx, owner, n)}.fromJson(e))`;
  }
}

/** Emits `toJson()`: set members under their YANG names, in schema order or the order read. */
export function emitToJson(w: TextWriter, ctx: FileContext, members: Member[]): void {
  ctx.use.add('orderMembers');
  w.blank();
  w.doc(
    'Writes the REST JSON form: YANG member names, unset members left out, members in the order\n' +
      'fromJson read them, else in schema order.',
  );
  w.block('toJson(): JsonObject {', () => {
    w.line('const out: JsonObject = {};');
    for (const m of members) {
      const n = m.node;
      const set = `out[${tsString(n.name)}] = ${writeMember(m, `this.${m.ts}`)};`;
      const defaulted = (n.kind === 'leaf' || n.kind === 'leaf-list') && defaultLiteral(n) !== undefined;
      w.line(defaulted ? set : `if (this.${m.ts} !== undefined) ${set}`);
    }
    w.line('return orderMembers(out, this.$order);');
  });
}

function writeMember(m: Member, v: string): string {
  const n = m.node;
  switch (n.kind) {
    case 'leaf':
      return writeExpr(n.type, v);
    case 'leaf-list':
      return n.type.kind === 'empty' ? `${v}.map(() => [null])` : `[...${v}]`;
    case 'container':
      return `${v}.toJson()`;
    case 'list':
      return `${v}.map((e) => e.toJson())`;
  }
}

/** Emits the enum types of `owner`'s leaves, then its class. */
export function emitClass(w: TextWriter, ctx: FileContext, owner: ClassNode): void {
  const cls = ctx.names.className(owner);
  const path = ctx.paths.get(owner) ?? '';
  const members = membersOf(ctx, owner);
  for (const m of members) {
    if ((m.node.kind === 'leaf' || m.node.kind === 'leaf-list') && !isPseudoKey(owner, m.node)) {
      emitEnumType(w, ctx, owner, m.node);
    }
  }
  const keyNames = keyNamesOf(owner);
  w.blank();
  w.doc(classDescription(owner), `Schema path: \`${path}\``);
  w.block(`export class ${cls} {`, () => {
    w.doc('Schema path of this node, list keys as `{param}` (named like the REST path parameters).');
    w.line(`static readonly $path = ${tsString(path)};`);
    if (keyNames.length > 0) {
      w.doc('YANG names of the keys, in key order.');
      w.line(`static readonly $keyNames = [${keyNames.map(tsString).join(', ')}] as const;`);
    }
    w.doc('JSON member names, in schema order.');
    w.line(
      `static readonly $members: readonly string[] = [${members.map((m) => tsString(m.node.name)).join(', ')}];`,
    );
    for (const m of members) {
      w.blank();
      emitField(w, ctx, owner, m);
    }
    w.blank();
    w.doc(
      'Member order of the JSON this object was read from (see fromJson); toJson writes that order back.',
    );
    w.line('$order?: readonly string[];');
    if (keyNames.length > 0) emitKeyHelpers(w, ctx, owner, members);
    emitFromJson(w, ctx, owner, members);
    emitToJson(w, ctx, members);
  });
}

function classDescription(node: ClassNode): string | undefined {
  if (node.kind !== 'module') return node.description;
  return describeModule(node);
}

function describeModule(module: IrModule): string {
  const lines = [module.service.description ?? `The ${module.name} cube.`];
  if (module.description) lines.push('', module.description);
  return lines.join('\n');
}
