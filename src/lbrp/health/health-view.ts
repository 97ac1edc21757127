// A backend's health leaves for READs (health, health-detail, up, health-transitions).

import { serviceKey, type ServiceModel } from '../model/cube-model';
import { NO_HEALTH, type BackendHealthView } from '../requests/read-views';
import { inTable } from './health-state';
import type { HealthMonitor } from './health-monitor';

export function backendHealthView(
  monitor: HealthMonitor,
  cube: string,
  svc: ServiceModel,
  ip: string,
): BackendHealthView {
  const key = serviceKey(svc.vip, svc.vport, svc.proto);
  const s = monitor.state(cube, key, ip);
  if (!s) return NO_HEALTH;
  return {
    health: s.health,
    detail: monitor.detail(cube, key, ip),
    up: inTable(s),
    transitions: s.transitions,
  };
}
