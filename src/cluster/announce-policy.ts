// Which VIPs a node may announce: those its cube forwards and can serve. Pure; the input is the
// cube as GET /polycube/v1/lbrp/<cube>/ returns it.
//
// A VIP is announced while the cube has a FRONTEND port bound to a netdev (it forwards) and at
// least one service on that VIP has a backend that may take new sessions: weight > 0 and not
// DOWN by its health check (REST shows enums in either case) (`up` = 1; UNKNOWN counts as up, as it does for the Maglev table).
// A node that announces a VIP it cannot serve would blackhole its ECMP share of new flows.

interface BackendJson {
  weight?: number;
  up?: number;
  health?: string;
}
interface ServiceJson {
  vip?: string;
  backend?: BackendJson[];
}
interface PortJson {
  type?: string;
  peer?: string;
  status?: string;
}
interface CubeJson {
  ports?: PortJson[];
  service?: ServiceJson[];
}

const serves = (b: BackendJson): boolean =>
  (b.weight ?? 1) > 0 && (b.up !== undefined ? b.up === 1 : b.health?.toUpperCase() !== 'DOWN');

/** The VIPs (sorted, unique) `cube` forwards with at least one usable backend. */
export function announcedVips(cube: unknown): string[] {
  const c = (cube ?? {}) as CubeJson;
  const forwards = (c.ports ?? []).some(
    (p) => p.type?.toUpperCase() === 'FRONTEND' && !!p.peer && p.status?.toUpperCase() !== 'DOWN',
  );
  if (!forwards) return [];
  const vips = new Set<string>();
  for (const s of c.service ?? []) if (s.vip && (s.backend ?? []).some(serves)) vips.add(s.vip);
  return [...vips].sort(compareIpv4);
}

function compareIpv4(a: string, b: string): number {
  const n = (ip: string) => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  return n(a) - n(b);
}
