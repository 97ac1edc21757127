// Map state and map writes as sorted, readable text (STYLE §6 "map state as golden text"), e.g.
//   SERVICE 10.0.0.1:80/tcp id=0 slots=[0,401)     TABLE 10.0.0.1:80/tcp b0=201 b1=200
// Used by sync tests against the in-memory host, and to inspect a live cube's maps.

import type { MapWrite } from '../../service-kit';
import {
  decodeBackendValue,
  decodeBackendVipKey,
  decodeBackendVipValue,
  F_BACKEND_VIP_UNIQUE,
  decodeServiceKey,
  decodeServiceValue,
  decodeSessionConfig,
  decodeSrcRewriteKey,
  decodeSrcRewriteValue,
  decodeU16,
  decodeU32,
  F_BACKEND_ACTIVE,
  F_BACKEND_UNIQUE,
  F_SERVICE_AFFINITY,
  FROM_FRONTEND,
  IPPROTO,
  readIpv4,
} from '../dataplane/map-layouts';
import { MAPS } from './map-plan';

/** Reads every entry of a map (key, value); array maps may leave out all-zero entries. */
export type MapReader = (map: string) => ReadonlyArray<readonly [Buffer, Buffer]>;

/** "tcp" by IP protocol number. */
const PROTO_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(IPPROTO).map(([name, n]) => [n, name.toLowerCase()]),
);
const NO_BACKEND_ID = 0xffffffff;

/** "active", "inactive", with " unique" when F_BACKEND_UNIQUE is set. */
function flagsText(flags: number): string {
  return `${flags & F_BACKEND_ACTIVE ? 'active' : 'inactive'}${flags & F_BACKEND_UNIQUE ? ' unique' : ''}`;
}

/** A backend_to_vip key as "ip:port/proto". */
function backendAddressName(key: Buffer): string {
  const k = decodeBackendVipKey(key);
  return `${k.ip}:${k.port}/${PROTO_NAMES[k.proto] ?? k.proto}`;
}

/** A backend_to_vip value as "vip:vport id=<service id>", then " unique" for F_BACKEND_VIP_UNIQUE. */
function backendVipText(value: Buffer): string {
  const v = decodeBackendVipValue(value);
  return `${v.vip}:${v.vport} id=${v.serviceId}${v.flags & F_BACKEND_VIP_UNIQUE ? ' unique' : ''}`;
}

function serviceName(key: Buffer): string {
  const k = decodeServiceKey(key);
  return `${k.vip}:${k.vport}/${PROTO_NAMES[k.proto] ?? k.proto}`;
}

/**
 * Renders the control-plane maps of one cube as sorted lines: SERVICE, TABLE (slot counts per
 * backend id over the service's range), BACKEND (ids with a non-zero entry), BACKEND_VIP, VIP,
 * BACKEND_IP, FRONTEND, REWRITE. Never touches the kernel.
 */
export function dumpMaps(read: MapReader): string[] {
  const lines: string[] = [];
  const slots = new Map<number, number>();
  for (const [k, v] of read(MAPS.slots)) slots.set(decodeU32(k), decodeU32(v));
  for (const [k, v] of read(MAPS.services)) {
    const s = decodeServiceValue(v);
    const name = serviceName(k);
    const range = s.tableSize === 0 ? 'no-backends' : `slots=[${s.slotBase},${s.slotBase + s.tableSize})`;
    lines.push(`SERVICE ${name} id=${s.serviceId} ${range}`);
    if (s.tableSize === 0) continue;
    const counts = new Map<number, number>();
    for (let i = s.slotBase; i < s.slotBase + s.tableSize; i++) {
      const id = slots.get(i) ?? 0;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const parts = [...counts]
      .sort((a, b) => a[0] - b[0])
      .map(([id, n]) => `${id === NO_BACKEND_ID ? 'none' : `b${id}`}=${n}`);
    lines.push(`TABLE ${name} ${parts.join(' ')}`);
  }
  for (const [k, v] of read(MAPS.backends)) {
    if (v.every((x) => x === 0)) continue;
    const b = decodeBackendValue(v);
    lines.push(`BACKEND b${decodeU32(k)} ${b.ip}:${b.port} ${flagsText(b.flags)}`);
  }
  for (const [k, v] of read(MAPS.backendVips))
    lines.push(`BACKEND_VIP ${backendAddressName(k)} -> ${backendVipText(v)}`);
  for (const [k, v] of read(MAPS.vips)) lines.push(`VIP ${readIpv4(k, 0)} services=${decodeU32(v)}`);
  for (const [k, v] of read(MAPS.backendIps))
    lines.push(`BACKEND_IP ${readIpv4(k, 0)} backends=${decodeU32(v)}`);
  for (const [k, v] of read(MAPS.frontendIps)) lines.push(`FRONTEND ${readIpv4(k, 0)} port=${decodeU16(v)}`);
  for (const [k, v] of read(MAPS.srcRewrite)) {
    const key = decodeSrcRewriteKey(k);
    const val = decodeSrcRewriteValue(v);
    const sense = val.sense === FROM_FRONTEND ? 'from-frontend' : 'from-backend';
    lines.push(`REWRITE ${key.addr}/${key.prefixLen} -> ${val.newNet} host=${val.hostMask} ${sense}`);
  }
  return lines.sort();
}

/** One write as text, e.g. "put backends[3] 10.0.0.5:80 active" or "del vips[10.0.0.1]". */
function writeText(w: MapWrite): string {
  const verb = w.delete ? 'del' : 'put';
  const v = w.value ?? Buffer.alloc(0);
  switch (w.map) {
    case MAPS.services: {
      if (w.delete) return `del services[${serviceName(w.key)}]`;
      const s = decodeServiceValue(v);
      const affinity = s.flags & F_SERVICE_AFFINITY ? ' affinity' : '';
      return `put services[${serviceName(w.key)}] id=${s.serviceId} base=${s.slotBase} size=${s.tableSize}${affinity}`;
    }
    case MAPS.serviceAffinity:
      return `put service_affinity[${decodeU32(w.key)}]=${decodeU32(v)}`;
    case MAPS.backends: {
      const b = decodeBackendValue(v);
      return `put backends[${decodeU32(w.key)}] ${b.ip}:${b.port} ${flagsText(b.flags)}`;
    }
    case MAPS.backendVips:
      return w.delete
        ? `del backend_to_vip[${backendAddressName(w.key)}]`
        : `put backend_to_vip[${backendAddressName(w.key)}] -> ${backendVipText(v)}`;
    case MAPS.vips:
    case MAPS.backendIps:
      return w.delete
        ? `del ${w.map}[${readIpv4(w.key, 0)}]`
        : `put ${w.map}[${readIpv4(w.key, 0)}]=${decodeU32(v)}`;
    case MAPS.frontendIps:
      return w.delete
        ? `del ${w.map}[${readIpv4(w.key, 0)}]`
        : `put ${w.map}[${readIpv4(w.key, 0)}]=${decodeU16(v)}`;
    case MAPS.srcRewrite: {
      const k = decodeSrcRewriteKey(w.key);
      if (w.delete) return `del src_ip_rewrite[${k.addr}/${k.prefixLen}]`;
      const r = decodeSrcRewriteValue(v);
      return `put src_ip_rewrite[${k.addr}/${k.prefixLen}] -> ${r.newNet} ${r.sense === FROM_FRONTEND ? 'from-frontend' : 'from-backend'}`;
    }
    case MAPS.serviceStats:
    case MAPS.backendStats:
      return `zero ${w.map}[${decodeU32(w.key)}]`;
    case MAPS.sessionConfig: {
      // The secret is never shown, only whether one is set.
      const c = decodeSessionConfig(v);
      const secret = c.secret.some((x) => x !== 0) ? 'set' : 'none';
      return `put session_config[${decodeU32(w.key)}] timeouts=${c.timeouts.join(',')} admit_per_jiffy_q16=${c.admitPerJiffyQ16} burst_q16=${c.admitBurstQ16} secret=${secret}`;
    }
    default:
      return `${verb} ${w.map}[${w.key.toString('hex')}]`;
  }
}

/**
 * A plan as text, in order: one line per write, except that runs of maglev_slots writes collapse
 * into "put maglev_slots ×<n> in [<first>,<last>]".
 */
export function renderPlan(writes: readonly MapWrite[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < writes.length;) {
    if (writes[i].map !== MAPS.slots) {
      out.push(writeText(writes[i++]));
      continue;
    }
    let j = i;
    while (j < writes.length && writes[j].map === MAPS.slots) j++;
    const idx = writes.slice(i, j).map((w) => decodeU32(w.key));
    out.push(`put maglev_slots ×${j - i} in [${Math.min(...idx)},${Math.max(...idx)}]`);
    i = j;
  }
  return out;
}
