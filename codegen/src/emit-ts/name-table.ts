// Decides every name the TypeScript emitter writes for a module: one class per container and
// list (the module root is the cube class), enum type and value-list names, member names and the
// file each class goes to. Identifiers come from ir/names.ts; clashes are settled in schema order.

import { toConstName, toMemberName, toTypeName } from '../ir/names';
import type { IrContainer, IrLeaf, IrLeafList, IrList, IrModule, IrNode } from '../ir/types';
import { bodyMembers, type IrDataNode } from '../schema/schema-nodes';

/** A node that gets a generated class. */
export type ClassNode = IrModule | IrContainer | IrList;

/** Names of one enumeration-typed leaf or leaf-list: its literal-union type and its values list. */
export interface EnumNames {
  typeName: string;
  valuesName: string;
}

/** Names the runtime file exports; generated types may not take them. */
const RUNTIME_NAMES = ['JsonObject', 'JsonShapeError'];

/** Instance members of every generated class that a YANG member may not shadow. */
const RESERVED_MEMBERS = new Set(['constructor', 'toJson']);

/** All names of one module, keyed by IR node identity. */
export class NameTable {
  private readonly classes = new Map<ClassNode, string>();
  private readonly enums = new Map<IrLeaf | IrLeafList, EnumNames>();
  private readonly members = new Map<IrDataNode, string>();
  private readonly files = new Map<ClassNode, string>();
  private readonly taken = new Set<string>(RUNTIME_NAMES);

  constructor(readonly module: IrModule) {
    this.assignClass(module, undefined);
    this.files.set(module, fileBase(module.name));
    const usedFiles = new Set([fileBase(module.name), 'index', 'runtime']);
    for (const child of module.children) {
      if (child.kind !== 'container' && child.kind !== 'list') continue;
      let file = fileBase(child.name);
      for (let n = 2; usedFiles.has(file); n++) file = `${fileBase(child.name)}-${n}`;
      usedFiles.add(file);
      this.assignFiles(child, file);
    }
  }

  /** Class name of a container, list or the module root. */
  className(node: ClassNode): string {
    return this.lookup(this.classes, node);
  }

  /** Enum type and values-constant names of an enumeration-typed leaf or leaf-list. */
  enumNames(node: IrLeaf | IrLeafList): EnumNames {
    return this.lookup(this.enums, node);
  }

  /** TypeScript member name of a body member. */
  memberName(node: IrDataNode): string {
    return this.lookup(this.members, node);
  }

  /** File (without `.ts`) holding the class of `node`. */
  fileOf(node: ClassNode): string {
    return this.lookup(this.files, node);
  }

  /** Every class node in schema order (root first, depth-first). */
  classNodes(): ClassNode[] {
    return [...this.classes.keys()];
  }

  private lookup<K, V>(map: Map<K, V>, key: K): V {
    const v = map.get(key);
    if (v === undefined) throw new Error('node is not part of this name table');
    return v;
  }

  private claim(candidates: string[]): string {
    for (const c of candidates) {
      if (!this.taken.has(c)) {
        this.taken.add(c);
        return c;
      }
    }
    const base = candidates[candidates.length - 1];
    let n = 2;
    while (this.taken.has(`${base}${n}`)) n++;
    this.taken.add(`${base}${n}`);
    return `${base}${n}`;
  }

  private assignClass(node: ClassNode, parentClass: string | undefined): void {
    const base = toTypeName(node.name);
    const name = this.claim(parentClass === undefined ? [base] : [base, parentClass + base]);
    this.classes.set(node, name);
    const memberNames = new Set<string>();
    for (const child of bodyMembers(node)) {
      let member = toMemberName(child.name);
      if (RESERVED_MEMBERS.has(member)) member += '_';
      while (memberNames.has(member)) member += '_';
      memberNames.add(member);
      this.members.set(child, member);
      if ((child.kind === 'leaf' || child.kind === 'leaf-list') && child.type.kind === 'enumeration') {
        const typeName = this.claim([name + toTypeName(child.name)]);
        this.enums.set(child, { typeName, valuesName: this.claim([`${toConstName(typeName)}_VALUES`]) });
      }
    }
    for (const child of node.children) {
      if (child.kind === 'container' || child.kind === 'list') this.assignClass(child, name);
    }
  }

  private assignFiles(node: IrNode, file: string): void {
    if (node.kind !== 'container' && node.kind !== 'list') return;
    this.files.set(node, file);
    for (const child of node.children) this.assignFiles(child, file);
  }
}

/** File base name for a YANG name: lower case, `_` and `.` as `-` (STYLE §2 kebab-case files). */
function fileBase(yangName: string): string {
  return yangName.replace(/[_.]+/g, '-').toLowerCase();
}
