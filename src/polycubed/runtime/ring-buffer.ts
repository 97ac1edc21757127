// Reads BPF ring buffer maps (BPF_MAP_TYPE_RINGBUF) from user space: the channel the dataplane
// uses for logs and packet-in. Records are delivered as Buffer copies, either on demand
// (`consume`/`poll`) or from the Node event loop (`start`), never from another thread.

import { BpfMap } from './bpf-map';
import { BpfMapType } from './bpf-types';
import { check, errnoFrom } from './ffi-check';
import { KernelError } from './kernel-error';
import { libbpf, NativeRingBuffer, ringBufferNew, watchFdReadable } from './libbpf-ffi';

/** Receives one record; must not throw (exceptions are caught and reported to `onError`). */
export type RingRecordHandler = (record: Buffer) => void;

const EINTR = 4;

/** A reader on one ring buffer map. Close it to release the libbpf reader and callback slot. */
export class RingBufferReader {
  private native: NativeRingBuffer | undefined;
  private watcher: { close(): void; unref(): void } | undefined;
  private readonly mapName: string;

  /** Opens a reader on `map` (must be a RINGBUF map); records go to `onRecord`. */
  constructor(map: BpfMap, onRecord: RingRecordHandler, onError: (err: unknown) => void = () => undefined) {
    if (map.type !== BpfMapType.RINGBUF) throw new TypeError(`map ${map.name} is not a ring buffer`);
    this.mapName = map.name;
    const native = ringBufferNew(map.fd, (record) => {
      try {
        onRecord(record);
      } catch (err) {
        onError(err);
      }
      return 0;
    });
    if (typeof native === 'number') throw new KernelError('ring buffer open', map.name, native);
    this.native = native;
  }

  /** Delivers every record available now without waiting; returns how many were delivered. */
  consume(): number {
    return this.run((rb) => libbpf.ring_buffer__consume(rb), 'ring buffer consume');
  }

  /**
   * Waits up to `timeoutMs` for records, blocking the thread (tests and tools only; servers
   * use `start`). Returns how many records were delivered.
   */
  poll(timeoutMs: number): number {
    return this.run((rb) => libbpf.ring_buffer__poll(rb, timeoutMs), 'ring buffer poll');
  }

  /** Delivers records from the event loop as they arrive, until `stop()` or `close()`. */
  start(): void {
    if (this.watcher || !this.native) return;
    const epollFd = libbpf.ring_buffer__epoll_fd(this.native.rb);
    this.watcher = watchFdReadable(epollFd, () => {
      if (this.native) this.consume();
    });
  }

  /** Stops event-loop delivery; records keep queueing in the kernel until read. */
  stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** Lets the process exit while the reader is started (Node `unref` semantics). */
  unref(): void {
    this.watcher?.unref();
  }

  /** Stops delivery and frees the reader. Idempotent. */
  close(): void {
    this.stop();
    this.native?.free();
    this.native = undefined;
  }

  private run(call: (rb: bigint) => number, op: string): number {
    if (!this.native) throw new Error(`ring buffer reader on ${this.mapName} is closed`);
    const ret = call(this.native.rb);
    if (ret < 0 && errnoFrom(ret) === EINTR) return 0;
    return check(ret, op, this.mapName);
  }
}
