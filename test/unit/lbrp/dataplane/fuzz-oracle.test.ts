// The packet fuzz's own parts, without the kernel: the seed rule, the model's expectation for
// frames built independently by the packet fixtures, and the oracle failing on each kind of wrong
// output (port, byte, checksum, drop reason, backend, source) — so a fuzz that passes means it.

import {
  BACKEND_1,
  BACKEND_2,
  BACKEND_3,
  CLIENT_1,
  CLIENT_OUTSIDE,
  VIP_1,
} from '../../../fixtures/addresses';
import { icmpEcho, tcp, udp } from '../../../fixtures/packets';
import { judge, Observed, vipContract } from '../../../kernel/dataplane/fuzz-oracle';
import { DEFAULT_SEED, fuzzConfig, fuzzSeed } from '../../../kernel/dataplane/fuzz-frames';
import { PORTS } from '../../../kernel/dataplane/lbrp-harness';
import { Expectation, LbrpModel } from '../../../kernel/dataplane/lbrp-model';

const SIZES = { MAX_SESSIONS: 262144, MAX_BACKENDS: 1024, MAX_MAGLEV_SLOTS: 65536 };
const model = (): LbrpModel => new LbrpModel('xdp', 'single', fuzzConfig(), SIZES);

/** The backend the model picks for a new flow, as the redirect it expects. */
function redirectOf(e: Expectation): Extract<Expectation, { verdict: 'redirect' }> {
  if (e.verdict !== 'redirect') throw new Error(`expected a redirect, got ${e.verdict}`);
  return e;
}

describe('fuzzSeed', () => {
  it('is fixed unless asked: unset → the CI seed, a number → that, random → fresh, else an error', () => {
    expect(fuzzSeed(undefined)).toBe(DEFAULT_SEED);
    expect(fuzzSeed('')).toBe(DEFAULT_SEED);
    expect(fuzzSeed('42')).toBe(42);
    const r = fuzzSeed('random');
    expect(Number.isSafeInteger(r) && r >= 0).toBe(true);
    expect(() => fuzzSeed('soon')).toThrow(/LBRP_FUZZ_SEED/);
    expect(() => fuzzSeed('-1')).toThrow(/LBRP_FUZZ_SEED/);
  });
});

describe('the fuzz model and oracle', () => {
  // A SYN to VIP_1:80 from CLIENT_1 (in the src-ip-rewrite range): the model's frame equals the one
  // the packet fixtures build for the backend it chose, and the oracle accepts exactly that.
  const syn = tcp(CLIENT_1, VIP_1, 80, { sport: 41000, syn: true, ttl: 33, payload: 'hello' });

  function chosen(): { m: LbrpModel; want: Extract<Expectation, { verdict: 'redirect' }>; right: Buffer } {
    const m = model();
    const want = redirectOf(m.expect(syn, PORTS.frontend));
    const b = want.service?.backend;
    if (!b) throw new Error('no service backend in the expectation');
    const right = tcp('20.0.0.1', b.ip, b.port, { sport: 41000, syn: true, ttl: 33, payload: 'hello' });
    return { m, want, right };
  }

  it('expects a VIP frame at a backend of the service, its port, the source rewritten', () => {
    const { want, right } = chosen();
    expect(want.port).toBe(PORTS.backend);
    expect([BACKEND_1, BACKEND_2]).toContain(want.service?.backend.ip);
    const seen: Observed = { verdict: 'redirect', port: PORTS.backend, data: right };
    expect(judge(syn, want, seen)).toEqual([]);
    expect(vipContract(syn, want, seen, fuzzConfig())).toEqual([]);
  });

  it('fails a wrong port, a changed byte, a wrong checksum, a wrong backend and a kept source', () => {
    const { want, right } = chosen();
    const ok: Observed = { verdict: 'redirect', port: PORTS.backend, data: right };
    expect(judge(syn, want, { ...ok, port: PORTS.frontend }).join()).toMatch(/out port 0, expected 1/);
    const ttl = Buffer.from(right);
    ttl[22] ^= 1;
    expect(judge(syn, want, { ...ok, data: ttl }).join()).toMatch(/frame differs[\s\S]*ttl/);
    const sum = Buffer.from(right);
    sum[50] ^= 0x10; // the TCP checksum (IHL 5: L4 header at 34, its checksum at 50)
    expect(judge(syn, want, { ...ok, data: sum }).join()).toMatch(/tcp: checksum .* does not follow/);
    const other = want.service?.backend.ip === BACKEND_1 ? BACKEND_2 : BACKEND_1;
    const wrongBackend = tcp('20.0.0.1', other, 8080, { sport: 41000, syn: true, ttl: 33, payload: 'hello' });
    expect(judge(syn, want, { ...ok, data: wrongBackend }).join()).toMatch(/frame differs/);
    const drained = tcp('20.0.0.1', BACKEND_3, 8080, { sport: 41000, syn: true, ttl: 33, payload: 'hello' });
    expect(vipContract(syn, want, { ...ok, data: drained }, fuzzConfig()).join()).toMatch(
      /no backend of the service/,
    );
    const b = want.service?.backend;
    const kept = tcp(CLIENT_1, b?.ip ?? '', b?.port ?? 0, {
      sport: 41000,
      syn: true,
      ttl: 33,
      payload: 'hello',
    });
    expect(vipContract(syn, want, { ...ok, data: kept }, fuzzConfig()).join()).toMatch(
      /source 10.0.0.1 became 10.0.0.1, expected 20.0.0.1/,
    );
  });

  it('fails a drop with another reason, and a drop the model did not expect', () => {
    const m = model();
    const truncated = Buffer.from(udp(CLIENT_OUTSIDE, VIP_1, 53).subarray(0, 40));
    const want = m.expect(truncated, PORTS.frontend);
    expect(want).toMatchObject({ verdict: 'drop', reason: 'L4_TRUNCATED' });
    expect(judge(truncated, want, { verdict: 'drop', reason: 'L4_TRUNCATED' })).toEqual([]);
    expect(judge(truncated, want, { verdict: 'drop', reason: 'BAD_IP_HEADER' }).join()).toMatch(
      /expected drop L4_TRUNCATED .* dropped with BAD_IP_HEADER/,
    );
    const { want: fwd, right } = chosen();
    expect(judge(syn, fwd, { verdict: 'drop', reason: 'FRAGMENT' }).join()).toMatch(
      /expected redirect to port 1 .* got drop FRAGMENT/,
    );
    expect(judge(syn, fwd, { verdict: 'redirect', port: 1, data: right.subarray(1) }).join()).toMatch(
      /length/,
    );
  });

  it('never picks the drained backend, and routes the echo reply of a session back to its client', () => {
    const m = model();
    for (let sport = 1; sport <= 500; sport++) {
      const e = redirectOf(m.expect(tcp(CLIENT_OUTSIDE, VIP_1, 80, { sport, syn: true }), PORTS.frontend));
      expect(e.service?.backend.ip).not.toBe(BACKEND_3);
    }
    const ping = redirectOf(m.expect(icmpEcho(CLIENT_OUTSIDE, VIP_1, { id: 7 }), PORTS.frontend));
    const backend = ping.service?.backend.ip ?? '';
    const reply = m.expect(icmpEcho(backend, CLIENT_OUTSIDE, { id: 7, reply: true }), PORTS.backend);
    expect(
      judge(icmpEcho(backend, CLIENT_OUTSIDE, { id: 7, reply: true }), reply, {
        verdict: 'redirect',
        port: PORTS.frontend,
        data: icmpEcho(VIP_1, CLIENT_OUTSIDE, { id: 7, reply: true }),
      }),
    ).toEqual([]);
  });
});
