// A cube's Maglev tables as a node-independent byte string, read from the pinned maps.
// The kernel tables hold node-local numbers (backend ids, each service's slot_base in the shared
// maglev_slots array): they depend on the order a node was configured in, like ifindexes do.
// What nodes behind ECMP must share is the decision, so the snapshot resolves every slot to the
// backend's address and port: service by service in key order, `vip:vport/proto size` then
// table_size × (ip 4 B, port 2 B, active 1 B). Two nodes agree on every new flow's backend
// exactly when their snapshots are equal (the flow hash is unkeyed: see src/cluster/README.md).

import { join } from 'node:path';
import { BpfMap } from '../polycubed/runtime/bpf-map';
import {
  decodeBackendValue,
  decodeServiceKey,
  decodeServiceValue,
  encodeU32,
  F_BACKEND_ACTIVE,
  writeIpv4,
} from '../lbrp/dataplane/map-layouts';

/** One service's resolved table. */
export interface ServiceSnapshot {
  /** `vip:vport/proto`. */
  key: string;
  tableSize: number;
  /** tableSize × 7 bytes: backend ip, port (be16), 1 when active. Zeros for an empty slot. */
  slots: Buffer;
}

const SLOT_BYTES = 7;

/** Reads the resolved Maglev tables of the cube whose maps are pinned under `mapsDir`. */
export function readTableSnapshot(mapsDir: string): ServiceSnapshot[] {
  const open = (name: string) => BpfMap.fromPinned(join(mapsDir, name));
  const services = open('services');
  const slots = open('maglev_slots');
  const backends = open('backends');
  try {
    const out: ServiceSnapshot[] = [];
    for (const [k, v] of services.dump()) {
      const key = decodeServiceKey(k);
      const svc = decodeServiceValue(v);
      const buf = Buffer.alloc(svc.tableSize * SLOT_BYTES);
      for (let i = 0; i < svc.tableSize; i++) {
        const id = slots.lookup(encodeU32(svc.slotBase + i));
        const raw = id ? backends.lookup(id) : undefined;
        if (!raw) continue;
        const be = decodeBackendValue(raw);
        writeIpv4(buf, be.ip, i * SLOT_BYTES);
        buf.writeUInt16BE(be.port, i * SLOT_BYTES + 4);
        buf.writeUInt8(be.flags & F_BACKEND_ACTIVE ? 1 : 0, i * SLOT_BYTES + 6);
      }
      out.push({ key: `${key.vip}:${key.vport}/${key.proto}`, tableSize: svc.tableSize, slots: buf });
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  } finally {
    services.close();
    slots.close();
    backends.close();
  }
}

/** The snapshot as one byte string (what nodes compare). */
export function snapshotBytes(s: readonly ServiceSnapshot[]): Buffer {
  const parts: Buffer[] = [];
  for (const svc of s) {
    parts.push(Buffer.from(`${svc.key} ${svc.tableSize}\n`), svc.slots);
  }
  return Buffer.concat(parts);
}
