// The lbrp program a cube runs: dataplane/lbrp/*.{c,h} (pcn.h comes from polycubed's include
// path) and the -D parameters that depend on the cube: port mode, the port ids that are compiled
// in (SINGLE: FRONTEND and BACKEND; MULTI and ROUTED: BACKEND only, every other port is a
// FRONTEND; ROUTED never has a BACKEND), the health probes' source address (probe-source) and the
// map sizes of its init-only size leaves.

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DataplaneSource } from '../../service-kit';
import type { CubeModel, CubeSizes } from '../model/cube-model';
import { ipv4ToNumber } from '../model/ipv4';

/** dataplane/lbrp in the repository (src/lbrp/sync → ../../..). */
const LBRP_DIR = resolve(__dirname, '../../../dataplane/lbrp');
/** Entry file, relative to the sources' root; its `#include "../runtime/pcn.h"` resolves on polycubed's -I. */
const ENTRY = 'lbrp/lbrp.c';
/** Built only for layout checks, never loaded. */
const NOT_LOADED = new Set(['layout_check.c']);

let cached: Record<string, string> | undefined;

/** The program's files ("lbrp/<name>" → text), read once. */
export function lbrpFiles(): Record<string, string> {
  if (!cached) {
    const files: Record<string, string> = {};
    for (const name of readdirSync(LBRP_DIR).sort()) {
      if (!/\.(c|h)$/.test(name) || NOT_LOADED.has(name)) continue;
      files[`lbrp/${name}`] = readFileSync(join(LBRP_DIR, name), 'utf8');
    }
    cached = files;
  }
  return cached;
}

/** The map sizes (`MAX_*` of lbrp_consts.h) of a cube's size leaves. */
export function sizeDefines(sizes: CubeSizes): Record<string, number> {
  return {
    MAX_SERVICES: sizes.maxServices,
    MAX_BACKENDS: sizes.maxBackends,
    MAX_MAGLEV_SLOTS: sizes.maglevSlots,
    MAX_SESSIONS: sizes.sessionTableSize,
  };
}

/**
 * The -D parameters of `model`'s program given polycubed's port ids: SINGLE_PORT_MODE, the ids
 * of the ports the mode compiles in (−1 when there is no such port) and the map sizes.
 */
export function lbrpDefines(model: CubeModel, portIds: ReadonlyMap<string, number>): Record<string, number> {
  const idOf = (type: 'FRONTEND' | 'BACKEND'): number => {
    const port = [...model.ports.values()].find((p) => p.type === type);
    return port ? (portIds.get(port.name) ?? -1) : -1;
  };
  const defines: Record<string, number> = { SINGLE_PORT_MODE: model.portMode === 'SINGLE' ? 1 : 0 };
  // ROUTED: every port is a FRONTEND on a host interface; no BACKEND port (ports.h, routed.h).
  if (model.portMode === 'ROUTED') defines.ROUTED_MODE = 1;
  if (model.portMode === 'SINGLE') defines.FRONTEND_PORT = idOf('FRONTEND');
  defines.BACKEND_PORT = idOf('BACKEND');
  // Replies to health probes sent out of the BACKEND port are trapped (probe.h); ROUTED probes
  // through the host's stack.
  const probeSrc = ipv4ToNumber(model.session.probeSource) ?? 0;
  if (model.portMode !== 'ROUTED' && probeSrc !== 0) defines.PROBE_SRC = probeSrc;
  return { ...defines, ...sizeDefines(model.sizes) };
}

/** The LoadDataplane request of a cube. */
export function lbrpSource(cube: string, defines: Record<string, number>): DataplaneSource {
  return { cube, files: lbrpFiles(), entry: ENTRY, defines };
}

/** A stable text of a define set, to tell whether a reload is needed. */
export function definesKey(defines: Record<string, number>): string {
  return Object.keys(defines)
    .sort()
    .map((k) => `${k}=${defines[k]}`)
    .join(' ');
}
