// Public surface of the service kit: what a cube service (lbrp, the test service) uses to talk to
// polycubed over gRPC. See service-kit.ts for the connection and types.ts for the handler contract.

export { ServiceKit } from './service-kit';
export type { ServiceKitOptions } from './service-kit';
export { DataplaneError } from './types';
export type {
  ConfigAnswer,
  ConfigKey,
  ConfigRequest,
  CubeInfo,
  DataplaneMemory,
  DataplaneSource,
  MapEntry,
  MapWrite,
  Op,
  PacketIn,
  PortEvent,
  PortInfo,
  ReplyWrites,
  ResyncCube,
  ServiceHandler,
  WritesOutcome,
} from './types';
export { ErrorCode } from '../proto/polycube-types';
