// The one interface lbrp needs from whoever runs its cubes (STYLE §1, grpc-js's
// ChannelControlHelper): load a program, write and read maps, send a frame, learn port ids.
// ServiceKit (gRPC to polycubed) implements it; tests hand in an in-memory fake.

import type { DataplaneSource, MapEntry, MapWrite } from '../../service-kit';

/** A cube's port as its host sees it. */
export interface HostPort {
  name: string;
  /** Port id (md->in_port in the dataplane). */
  id: number;
}

/** What the lbrp service asks of polycubed. */
export interface CubeHost {
  /**
   * Compiles and loads (or reloads, keeping maps) a cube's program; throws when it does not load
   * (a DataplaneError of kind MEMORY when polycubed's kernel memory budget refused it).
   */
  loadDataplane(src: DataplaneSource): Promise<{ kernelMemory?: number }>;
  /**
   * True when a change's writes may travel in its ConfigAnswer (`writes`) instead of WriteMaps
   * calls: polycubed applies them before answering the client (ServiceKit.repliesCarryWrites).
   */
  readonly repliesCarryWrites?: boolean;
  /** Applies writes in order (batched per map); throws after a failure, some writes applied. */
  writeMaps(cube: string, ops: MapWrite[]): Promise<number>;
  /** Reads a whole map, or the given keys (missing ones left out; per-CPU values per CPU). */
  readMaps(cube: string, map: string, keys?: Buffer[]): Promise<MapEntry[]>;
  /**
   * The values of keys first … first+count−1 of an array map, back to back (at most 2 MiB); when
   * missing or answering undefined, the caller reads by key.
   */
  readMapRange?(cube: string, map: string, first: number, count: number): Promise<Buffer | undefined>;
  /** Sends a frame out of a cube port. */
  sendPacket(cube: string, port: string, packet: Buffer): Promise<void>;
  /** The cube's ports with their ids. */
  getCube(cube: string): Promise<{ ports: HostPort[]; kernelMemory?: number }>;
}
