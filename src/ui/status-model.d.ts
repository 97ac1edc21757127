// Types of status-model.js (browser code, plain JS served as is), for the tests that require it
// in node. Keep in step with the functions it exports.

/** One Prometheus sample. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One backend row of the status table. */
export interface BackendRow {
  ip: string;
  port: number;
  name: string;
  weight: number;
  weightShare: number;
  newSessions: number | null;
  observedShare: number | null;
  packetsPerSecond: number | null;
  bytesPerSecond: number | null;
  activeSessions: number | null;
  totalSessions: number | null;
  health: string | null;
  extras: { name: string; value: number }[];
}

/** A service as the REST API returns it (only what the page reads). */
export interface ServiceJson {
  vip: string;
  vport: number;
  proto: string;
  backend?: Record<string, unknown>[];
  [leaf: string]: unknown;
}

/** A point of the new-sessions plot: per `service backend` key, sessions per second. */
export interface SeriesPoint {
  t: number;
  values: Record<string, number>;
}

export interface History {
  windowSeconds: number;
  maxPoints: number;
  snapshots: { t: number; cube: unknown }[];
  series: SeriesPoint[];
}

export const KNOWN_BACKEND_LEAVES: readonly string[];
export function parsePrometheus(text: string): Sample[];
export function dropsOfCube(samples: readonly Sample[], cube: string): { reason: string; value: number }[];
export function extraNumbers(obj: Record<string, unknown> | undefined, known: readonly string[]): string[];
export function serviceKey(svc: { vip: string; vport: number; proto: string }): string;
export function backendRows(svc: ServiceJson, old: ServiceJson | undefined, seconds: number): BackendRow[];
export function createHistory(windowSeconds: number, maxPoints: number): History;
export function recordSnapshot(
  history: History,
  t: number,
  cube: unknown,
): { old: Record<string, unknown> | undefined; seconds: number };
export function plotPaths(
  series: readonly SeriesPoint[],
  keys: readonly string[],
  width: number,
  height: number,
  slots?: number,
): { paths: Record<string, string>; max: number };
export function formatNumber(v: number | null | undefined, digits?: number): string;
export function formatPercent(v: number | null | undefined): string;
export function formatByteRate(v: number | null | undefined): string;
