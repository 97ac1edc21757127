// Unit tests of the end-to-end bench's profile aggregation (bench/e2e/profile.ts) and its Markdown
// (profile-report.ts): `perf script` text in, counts by leaf symbol, area and command out. Pure:
// no perf, no root.

import { areaOf, parsePerfScript, summarizeSamples, type LoadProfile } from '../../../../bench/e2e/profile';
import { formatProfileMarkdown } from '../../../../bench/e2e/profile-report';

/** `perf script -F comm,ip,sym` of a `-g` recording, as perf prints it (frames leaf first). */
const SCRIPT = [
  'swapper ',
  '\tffffffff821f236b pv_native_safe_halt',
  '\tffffffff821f3e75 default_idle',
  '\tffffffff813c38a6 do_idle',
  '',
  'swapper ',
  '\tffffffff81d00010 veth_xdp_rcv',
  '\tffffffff81d00020 veth_poll',
  '\tffffffff81d00030 net_rx_action',
  '\tffffffff81d00040 handle_softirqs',
  '\tffffffff81d00050 do_idle',
  '',
  'swapper ',
  '\tffffffff81d00060 tick_nohz_idle_enter',
  '\tffffffff81d00050 do_idle',
  '',
  'iperf3 ',
  '\tffffffffa0001234 bpf_prog_0123456789abcdef_pcn_entry_tc',
  '\tffffffff81d00070 tcx_run',
  '',
  'iperf3 ',
  '\tffffffff81d00080 __pi_memcpy',
  '\tffffffff81d00090 pskb_expand_head',
  '\tffffffff81d000a0 bpf_skb_pull_data',
  '\tffffffffa0001234 bpf_prog_0123456789abcdef_pcn_entry_tc',
  '',
  'iperf3 ',
  '\tffffffff81d000b0 csum_partial',
  '\tffffffff81d000c0 tcp_sendmsg_locked',
  '',
  'iperf3 ',
  '\tffffffff81d000b0 csum_partial',
  '',
  'perf ',
  '\tffffffff81d000d0 perf_event_output',
  '',
  'loadgen ',
  '\t           d4ad7 [unknown]',
  '',
  'node ',
  '\tffffffff81d000e0 tcp_sendmsg',
  '',
  'server ',
  '\tffffffff81d000f0 _raw_spin_unlock_irqrestore',
  '\tffffffff81d00100 try_to_wake_up',
  '\tffffffff81d00110 sock_def_readable',
  '',
].join('\n');

describe('profile aggregation', () => {
  const summary = summarizeSamples(parsePerfScript(SCRIPT));

  // Every sample is read, with its command and its stack leaf first.
  it('parses one sample per command line with its frames', () => {
    const samples = parsePerfScript(SCRIPT);
    expect(samples).toHaveLength(11);
    expect(samples[4]).toEqual({
      comm: 'iperf3',
      stack: [
        '__pi_memcpy',
        'pskb_expand_head',
        'bpf_skb_pull_data',
        'bpf_prog_0123456789abcdef_pcn_entry_tc',
      ],
    });
  });

  // The idle loop is idle, softirq work on an idle CPU is the bench's, perf and other commands are apart.
  it('splits samples into idle, profiler, other work and busy', () => {
    expect(summary).toMatchObject({ total: 11, idle: 2, profiler: 1, other: 1, busy: 7 });
    expect(summary.otherComms).toEqual([{ name: 'node', samples: 1 }]);
    expect(summary.comms).toEqual([
      { name: 'iperf3', samples: 4 },
      { name: 'loadgen', samples: 1 },
      { name: 'server', samples: 1 },
      { name: 'swapper', samples: 1 },
    ]);
  });

  // Leaf symbols are counted most first, ties by name.
  it('counts busy samples by leaf symbol', () => {
    expect(summary.symbols).toEqual([
      { name: 'csum_partial', samples: 2 },
      { name: '[unknown]', samples: 1 },
      { name: '__pi_memcpy', samples: 1 },
      { name: '_raw_spin_unlock_irqrestore', samples: 1 },
      { name: 'bpf_prog_0123456789abcdef_pcn_entry_tc', samples: 1 },
      { name: 'veth_xdp_rcv', samples: 1 },
    ]);
  });

  // Areas come from the leaf alone and add up to the busy samples.
  it('groups leaf symbols by area', () => {
    expect(summary.areas).toMatchObject({ 'bpf programs': 1, checksum: 2, copy: 1, veth: 1, other: 2 });
    expect(Object.values(summary.areas).reduce((a, b) => a + b, 0)).toBe(summary.busy);
  });

  // Work with interrupts off shows at the point they come back on; its caller says whose it was.
  it('names the callers of the interrupts-back-on points', () => {
    expect(summary.irqOnCallers).toEqual([{ name: 'try_to_wake_up', samples: 1 }]);
  });

  // Inclusive frames count a function wherever it is in the stack: the memcpy under the program is its.
  it('counts inclusive frames anywhere in the stack', () => {
    expect(summary.inclusive['BPF program (with the helpers it calls)']).toBe(2);
    expect(summary.inclusive['pskb_expand_head']).toBe(1);
    expect(summary.inclusive['veth_xdp_rcv']).toBe(1);
    expect(summary.inclusive['page_pool']).toBe(0);
  });

  const areaCases: { name: string; inSymbol: string; wantArea: string }[] = [
    {
      name: 'a JITed program',
      inSymbol: 'bpf_prog_6deef7357e7b4530_pcn_entry_xdp',
      wantArea: 'bpf programs',
    },
    { name: 'a checksum helper', inSymbol: 'bpf_csum_diff', wantArea: 'checksum' },
    { name: 'checksum before copy', inSymbol: 'csum_partial_copy_generic', wantArea: 'checksum' },
    { name: 'a datagram copy', inSymbol: 'skb_copy_datagram_iter', wantArea: 'copy' },
    { name: 'page_pool', inSymbol: 'page_pool_alloc_pages', wantArea: 'skb alloc/free' },
    { name: 'head reallocation', inSymbol: 'pskb_expand_head', wantArea: 'skb alloc/free' },
    { name: 'slab', inSymbol: 'kmem_cache_alloc_node_noprof', wantArea: 'skb alloc/free' },
    { name: 'TCP GRO before TCP', inSymbol: 'tcp4_gro_receive', wantArea: 'GRO/GSO' },
    { name: 'cgroup is not GRO', inSymbol: '__cgroup_account_cputime', wantArea: 'other' },
    { name: 'conntrack', inSymbol: '__nf_conntrack_find_get', wantArea: 'netfilter/conntrack' },
    { name: 'veth before XDP', inSymbol: 'veth_xdp_rcv', wantArea: 'veth' },
    { name: 'xdp_frame conversion', inSymbol: 'xdp_convert_buff_to_frame', wantArea: 'XDP' },
    { name: 'routing', inSymbol: 'fib_table_lookup', wantArea: 'routing' },
    { name: 'TCP with underscores', inSymbol: '__tcp_transmit_skb', wantArea: 'TCP' },
    { name: 'UDP', inSymbol: 'udp_queue_rcv_one_skb', wantArea: 'UDP' },
  ];
  // Each symbol lands in the first area whose pattern matches it.
  it.each(areaCases)('areaOf: $name', ({ inSymbol, wantArea }) => {
    expect(areaOf(inSymbol)).toBe(wantArea);
  });
});

describe('profile Markdown', () => {
  const profile: LoadProfile = {
    peer: 'lbrp-tc',
    load: 'tcp',
    seconds: 4,
    work: 1000 / 999, // MB: one busy sample (1/999 s) is then 1000 µs/MB, and there are 7
    summary: summarizeSamples(parsePerfScript(SCRIPT)),
  };
  const md = formatProfileMarkdown([profile], {
    started: '2025-01-01T00:00:00.000Z',
    commit: 'abc1234',
    kernel: '6.18.0',
    cpus: 2,
    uncommitted: [],
    notes: ['none not profiled: test'],
  });

  // The side-by-side table gives each area's share of busy samples and its CPU per unit of work.
  it('prints the area table with shares of busy samples and CPU per unit', () => {
    expect(md).toContain('| lbrp-tc % | lbrp-tc µs/MB |');
    expect(md).toContain('| **busy, all** | 100.0% | 7000 |');
    expect(md).toContain('| checksum | 28.6% | 2000 |');
    expect(md).toContain('| incl. BPF program (with the helpers it calls) | 28.6% | 2000 |');
    expect(md).toContain('| other work on the machine, % of all samples | 9.1% | – |');
  });

  // The peer's section lists leaf symbols with their area and share, and the notes are kept.
  it('prints the top symbols per peer and load, and the notes', () => {
    expect(md).toContain('### lbrp-tc: TCP stream (iperf3)');
    expect(md).toContain('| 1 | `csum_partial` | checksum | 2 | 28.6% |');
    expect(md).toContain('- note: none not profiled: test');
    expect(md).toContain('Interrupts back on (14.3%), by caller: try_to_wake_up 14.3%.');
    expect(md).toContain('other work 1 (9.1%: node 1), busy 7');
  });
});
