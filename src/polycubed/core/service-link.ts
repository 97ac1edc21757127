// The contract between the daemon core and the gRPC layer: a service's control stream as the
// daemon sees it (ServiceLink), and the error type southbound calls throw (SouthboundError),
// which src/polycubed/grpc turns into gRPC statuses — the only place that does.

import type { DaemonMessageMsg } from '../../proto/polycube-types';

/** The daemon side of one service's control stream (implemented by src/polycubed/grpc). */
export interface ServiceLink {
  /** Queues one message to the service; never throws (a broken stream ends through `detachService`). */
  send(msg: DaemonMessageMsg): void;
  /** Ends the stream; the daemon calls it when it stops. */
  close(reason: string): void;
}

/** gRPC-style status names a southbound failure carries. */
export type SouthboundStatus =
  | 'NOT_FOUND'
  | 'INVALID_ARGUMENT'
  | 'FAILED_PRECONDITION'
  | 'PERMISSION_DENIED'
  | 'ALREADY_EXISTS'
  | 'UNAVAILABLE'
  | 'UNIMPLEMENTED'
  | 'INTERNAL';

/** Why a southbound call failed: a status and a message (the grpc layer maps it). */
export class SouthboundError extends Error {
  readonly status: SouthboundStatus;
  /** Of a failed map write: how many operations were applied before it. */
  readonly applied: number | undefined;
  constructor(status: SouthboundStatus, message: string, applied?: number) {
    super(message);
    this.name = 'SouthboundError';
    this.status = status;
    this.applied = applied;
  }
}

/** Answer to a Register: accepted, or refused with a status and a message. */
export type AttachResult = { ok: true } | { ok: false; status: SouthboundStatus; message: string };
