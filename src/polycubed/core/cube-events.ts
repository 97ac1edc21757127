// What polycubed does with events from a cube: pcn_log records become 'log' events (at or above
// the cube's loglevel), packet-ins go to the owning service's stream, and port changes are saved,
// announced as 'port' events and sent to the service as a PortEvent.

import { formatPcnLog, type LogRecord, type PktInRecord } from '../runtime/pcn-records';
import type { CubeRecord, CubeRegistry, PortRecord } from './cube-registry';
import { LineRateLimit, LOG_LINES_PER_SECOND } from './log-rate-limit';
import type { ServiceRecord } from './service-registry';
import { LOG_LEVELS, levelIndex, type LogEvent, type LogLevel, type PortStatus } from './types';

/** Payload of the daemon's 'port' event. */
export interface PortChangeEvent {
  cube: string;
  port: string;
  id: number;
  status: PortStatus;
  peer: string;
}

/** What the handlers need from the daemon. */
export interface CubeEventsContext {
  readonly cubes: CubeRegistry;
  service(name: string): ServiceRecord | undefined;
  log(level: LogLevel, message: string): void;
  /** Saves a cube's runtime record (PersistenceScheduler.saveRuntime). */
  saveRuntime(cube: CubeRecord): void;
  /** Emits a daemon event. */
  emit(event: 'log', ev: LogEvent): void;
  emit(event: 'port', ev: PortChangeEvent): void;
}

/** Handlers wired into each cube's dataplane and into the port wiring. */
export class CubeEvents {
  /** Each cube's datapath log budget (dropped with the cube's record). */
  private readonly logLimits = new WeakMap<CubeRecord, LineRateLimit>();

  constructor(
    private readonly ctx: CubeEventsContext,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A pcn_log record of cube `name`: emitted as a 'log' event unless below the cube's loglevel or
   * past its rate (LineRateLimit: the suppressed lines are counted and reported once a second).
   */
  onCubeLog(name: string, rec: LogRecord): void {
    const cube = this.ctx.cubes.get(name);
    if (!cube) return;
    if (rec.type !== 0) {
      this.ctx.log('WARN', `cube ${name}: Received bad message type in datapath_log_msg`);
      return;
    }
    const level = LOG_LEVELS[rec.level] ?? 'INFO';
    if (levelIndex(level) < levelIndex(cube.loglevel) || level === 'OFF') return;
    let limit = this.logLimits.get(cube);
    if (!limit) this.logLimits.set(cube, (limit = new LineRateLimit(LOG_LINES_PER_SECOND, this.now)));
    const passed = limit.take();
    if (!passed) cube.logLinesSuppressed++;
    const suppressed = limit.report();
    if (suppressed)
      this.ctx.emit('log', {
        cube: name,
        level: 'WARN',
        message: `${suppressed} datapath log lines suppressed (more than ${LOG_LINES_PER_SECOND} per second)`,
      });
    if (!passed) return;
    const ev: LogEvent = { cube: name, level, message: formatPcnLog(rec.fmt, rec.args) };
    this.ctx.emit('log', ev);
  }

  /** A packet-in of cube `name`: sent to its service, dropped when the service is not connected. */
  onPacketIn(name: string, rec: PktInRecord): void {
    const cube = this.ctx.cubes.get(name);
    const conn = cube && this.ctx.service(cube.service)?.conn;
    if (!cube || !conn) return; // no service to hand it to: dropped, as a packet-in with no callback
    conn.link.send({
      packetIn: {
        cube: name,
        portId: rec.md.inPort,
        portName: cube.portById(rec.md.inPort)?.name ?? '',
        reason: rec.md.reason,
        metadata: [...rec.md.md],
        trafficClass: rec.md.trafficClass,
        packet: rec.frame,
      },
    });
  }

  /** A port's status, peer or ifindex changed. */
  onPortChange(cube: CubeRecord, port: PortRecord): void {
    this.ctx.saveRuntime(cube);
    this.ctx.emit('port', {
      cube: cube.name,
      port: port.name,
      id: port.id,
      status: port.status,
      peer: port.peer,
    });
    this.ctx.service(cube.service)?.conn?.link.send({
      portEvent: { cube: cube.name, port: port.name, portId: port.id, status: port.status, peer: port.peer },
    });
  }
}
