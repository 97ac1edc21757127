// Public surface of the kernel runtime (libbpf through koffi): compile, load, maps, test runs,
// TC/XDP attach, ring buffers, bpffs. Import from here; libbpf-ffi.ts is internal to this folder.
// See README.md in this directory for the lifecycle and how to inspect live state.

export { compileBpf, buildFlags } from './bpf-compile';
export type { CompileOptions, CompileResult } from './bpf-compile';
export { loadObject, unpinAll, LoadedObject } from './bpf-object';
export type { LoadOptions, LoadedProgram } from './bpf-object';
export { BpfMap, createMap, numPossibleCpus } from './bpf-map';
export type { MapSpec } from './bpf-map';
export { BpfMapType, BpfProgType, MapFlag, MapUpdateFlag, isPerCpuMapType } from './bpf-types';
export { ensureBpffs, isOnBpffs } from './bpffs';
export { KernelError, VerifierError, CompileError, errnoName, errnoValue } from './kernel-error';
export {
  attachTc,
  detachTc,
  queryTc,
  attachXdp,
  detachXdp,
  queryXdp,
  ifIndex,
  DEFAULT_TC_HANDLE,
  DEFAULT_TC_PRIORITY,
} from './netdev-attach';
export type {
  TcAttachment,
  TcDirection,
  TcFilterId,
  XdpAttachment,
  XdpMode,
  XdpState,
} from './netdev-attach';
export { mapInfoByFd, progInfoByFd } from './obj-info';
export type { MapInfo, ProgInfo } from './obj-info';
export {
  testRun,
  buildSkbCtx,
  buildXdpMd,
  readCtxU32,
  SKB_CTX_OFFSETS,
  XDP_MD_OFFSETS,
} from './prog-test-run';
export type { TestRunInput, TestRunResult, SkbCtxFields, XdpMdFields } from './prog-test-run';
export { RingBufferReader } from './ring-buffer';
export type { RingRecordHandler } from './ring-buffer';
export type { RodataValue } from './rodata-constants';
export { countTcFilters } from './tc-filter-dump';
export { setLibbpfLogSink } from './libbpf-log';
export type { LibbpfMessage } from './libbpf-log';
