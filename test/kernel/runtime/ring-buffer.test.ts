// Kernel-runtime tests for RingBufferReader: records a program writes to a BPF ring buffer are
// delivered intact, on demand and from the Node event loop.

import { LoadedObject, loadObject } from '../../../src/polycubed/runtime/bpf-object';
import { buildSkbCtx, testRun } from '../../../src/polycubed/runtime/prog-test-run';
import { RingBufferReader } from '../../../src/polycubed/runtime/ring-buffer';
import { describeKernel, RuntimeFixture } from './runtime-fixture';

const LO = 1; // loopback: an interface that always exists for the test-run context

/** struct probe_event as the probe writes it: ingress ifindex, packet length (u32, host order). */
const decode = (rec: Buffer): { ifindex: number; len: number } => ({
  ifindex: rec.readUInt32LE(0),
  len: rec.readUInt32LE(4),
});

describeKernel('kernel: ring-buffer', () => {
  const fx = new RuntimeFixture();
  let obj: LoadedObject;
  const readers: RingBufferReader[] = [];
  const run = (len: number): void => {
    testRun(obj.program('tc_probe').fd, {
      data: Buffer.alloc(len),
      ctxIn: buildSkbCtx({ ifindex: LO, ingressIfindex: LO }),
    });
  };

  beforeAll(async () => {
    obj = loadObject({ objPath: await fx.compile('runtime_probe') });
  });
  afterAll(() => {
    readers.forEach((r) => r.close());
    obj?.close();
    fx.cleanup();
  });

  // Each program run's record is delivered once, in order, with the bytes the program wrote (by consume or poll).
  it('delivers records written by the program on consume', () => {
    const got: Buffer[] = [];
    const reader = new RingBufferReader(obj.map('probe_events'), (r) => got.push(r));
    readers.push(reader);
    expect(reader.consume()).toBe(0);
    run(60);
    run(90);
    expect(reader.consume()).toBe(2);
    expect(got.map(decode)).toEqual([
      { ifindex: LO, len: 60 },
      { ifindex: LO, len: 90 },
    ]);
    expect(reader.consume()).toBe(0);
    run(64);
    expect(reader.poll(0)).toBe(1);
    expect(decode(got[2])).toEqual({ ifindex: LO, len: 64 });
    reader.close();
    expect(() => reader.consume()).toThrow(/is closed/);
  });

  // Once started, the reader delivers records from the event loop without being asked.
  it('delivers records from the event loop after start()', async () => {
    const received = new Promise<Buffer>((resolve) => {
      const reader = new RingBufferReader(obj.map('probe_events'), resolve);
      readers.push(reader);
      reader.start();
    });
    run(77);
    expect(decode(await received)).toEqual({ ifindex: LO, len: 77 });
  });

  // Only ring buffer maps can be read this way.
  it('refuses maps that are not ring buffers', () => {
    expect(() => new RingBufferReader(obj.map('verdict_by_slot'), () => undefined)).toThrow(
      'map verdict_by_slot is not a ring buffer',
    );
  });
});
