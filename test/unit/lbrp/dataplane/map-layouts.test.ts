// The TS mirror of the dataplane structs and constants (src/lbrp/dataplane/map-layouts.ts) must
// match the C headers: dataplane/lbrp/layout_check.c is compiled with clang (no kernel needed)
// and its BTF, dumped by bpftool, is compared field by field and constant by constant.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileBpf } from '../../../../src/polycubed/runtime/bpf-compile';
import {
  decodeBackendVipKey,
  decodeBackendVipValue,
  decodeConntrackValue,
  decodeFlowKey,
  decodeServiceKey,
  encodeBackendVipKey,
  encodeBackendVipValue,
  encodeConntrackValue,
  encodeFlowKey,
  encodeServiceKey,
  LAYOUT_CONSTANTS,
  SESSION_FORWARD,
  SESSION_REVERSE,
  STRUCT_LAYOUTS,
} from '../../../../src/lbrp/dataplane/map-layouts';

interface BtfType {
  kind: string;
  name: string;
  size?: number;
  typeId?: number;
  nrElems?: number;
  members: Array<{ name: string; typeId: number; bitsOffset: number }>;
  values: Array<{ name: string; val: bigint }>;
}

/** Parses `bpftool btf dump file X format raw`. */
function parseBtf(text: string): Map<number, BtfType> {
  const types = new Map<number, BtfType>();
  let cur: BtfType | undefined;
  for (const line of text.split('\n')) {
    const head = /^\[(\d+)\] (\w+) '([^']*)'(.*)$/.exec(line);
    if (head) {
      const attrs = head[4];
      const num = (k: string): number | undefined => {
        const m = new RegExp(`\\b${k}=(\\d+)`).exec(attrs);
        return m ? Number(m[1]) : undefined;
      };
      cur = {
        kind: head[2],
        name: head[3],
        size: num('size'),
        typeId: num('type_id'),
        nrElems: num('nr_elems'),
        members: [],
        values: [],
      };
      types.set(Number(head[1]), cur);
      continue;
    }
    const member = /^\t'([^']*)' type_id=(\d+) bits_offset=(\d+)/.exec(line);
    if (member && cur)
      cur.members.push({ name: member[1], typeId: Number(member[2]), bitsOffset: Number(member[3]) });
    const value = /^\t'([^']*)' val=(-?\d+)/.exec(line);
    if (value && cur) cur.values.push({ name: value[1], val: BigInt(value[2]) });
  }
  return types;
}

function sizeOf(types: Map<number, BtfType>, id: number): number {
  const t = types.get(id);
  if (!t) throw new Error(`BTF type ${id} missing`);
  switch (t.kind) {
    case 'INT':
    case 'STRUCT':
    case 'UNION':
    case 'ENUM':
      return t.size as number;
    case 'TYPEDEF':
    case 'CONST':
    case 'VOLATILE':
      return sizeOf(types, t.typeId as number);
    case 'ARRAY':
      return (t.nrElems as number) * sizeOf(types, t.typeId as number);
    case 'PTR':
      return 8;
    default:
      throw new Error(`no size for BTF kind ${t.kind}`);
  }
}

describe('dataplane map layouts', () => {
  let types: Map<number, BtfType>;
  let cacheDir: string;

  beforeAll(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'lbrp-layout-'));
    const { objPath } = await compileBpf({
      sourcePath: join(__dirname, '../../../../dataplane/lbrp/layout_check.c'),
      cacheDir,
      werror: true,
    });
    types = parseBtf(
      execFileSync('bpftool', ['btf', 'dump', 'file', objPath, 'format', 'raw'], { encoding: 'utf8' }),
    );
  });
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  // Every struct the TS side encodes has the C struct's size and each field's offset and size.
  it.each(Object.keys(STRUCT_LAYOUTS))('struct %s matches the C layout', (name) => {
    const struct = [...types.values()].find((t) => t.kind === 'STRUCT' && t.name === name);
    expect(struct).toBeDefined();
    const fromC = {
      size: struct?.size,
      fields: Object.fromEntries(
        (struct?.members ?? []).map((m) => [
          m.name,
          { offset: m.bitsOffset / 8, size: sizeOf(types, m.typeId) },
        ]),
      ),
    };
    expect(fromC).toEqual(STRUCT_LAYOUTS[name]);
  });

  // F_*, DROP_*, STAT_*, MAX_*, RX_* and runtime constants are equal on both sides, and neither
  // side has one the other lacks.
  it('constants match the C headers in both directions', () => {
    const e = [...types.values()].find((t) => t.kind === 'ENUM' && t.name === 'layout_constants');
    const fromC = Object.fromEntries(
      (e?.values ?? []).map((v) => [v.name.replace(/^LAYOUT_/, ''), Number(BigInt.asIntN(32, v.val))]),
    );
    expect(fromC).toEqual(LAYOUT_CONSTANTS);
  });

  // Encoders put addresses and ports in network order and host-order ids where C expects them.
  it('encodes keys and values in the documented byte order', () => {
    const key = { saddr: '10.0.0.1', daddr: '10.10.0.100', sport: 40000, dport: 80, proto: 6 };
    expect(encodeFlowKey(key).toString('hex')).toBe('0a0000010a0a00649c40005006000000');
    expect(decodeFlowKey(encodeFlowKey(key))).toEqual({ ...key, kind: SESSION_FORWARD });
    const reverse = { ...key, kind: SESSION_REVERSE };
    expect(encodeFlowKey(reverse).toString('hex')).toBe('0a0000010a0a00649c40005006010000');
    expect(decodeFlowKey(encodeFlowKey(reverse))).toEqual(reverse);
    const svc = { vip: '10.10.0.100', vport: 53, proto: 17 };
    expect(encodeServiceKey(svc).toString('hex')).toBe('0a0a006400351100');
    expect(decodeServiceKey(encodeServiceKey(svc))).toEqual(svc);
    const ct = {
      backendIp: '192.168.1.10',
      backendPort: 8080,
      flags: 1,
      backendId: 7,
      serviceId: 3,
      natSaddr: '20.0.0.1',
    };
    expect(encodeConntrackValue(ct).toString('hex')).toBe('c0a8010a1f900100070000000300000014000001');
    expect(decodeConntrackValue(encodeConntrackValue(ct))).toEqual(ct);
    const bk = { ip: '192.168.1.10', port: 8080, proto: 6 };
    expect(encodeBackendVipKey(bk).toString('hex')).toBe('c0a8010a1f900600');
    expect(decodeBackendVipKey(encodeBackendVipKey(bk))).toEqual(bk);
    const bv = { vip: '10.10.0.100', vport: 80, flags: 0, serviceId: 3 };
    expect(encodeBackendVipValue(bv).toString('hex')).toBe('0a0a00640050000003000000');
    expect(decodeBackendVipValue(encodeBackendVipValue(bv))).toEqual(bv);
  });
});
