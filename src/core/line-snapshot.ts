/**
 * The live picture per line (Core.snapshot): the stations' views grouped by line, with the shift
 * and planned stop in force, and the output station's OEE as the line's.
 */
import type { LineSpec } from './bindings.js';
import { lineConstraint } from './line-constraint.js';
import type { OrderView } from './line-orders.js';
import { stationSnapshot, type LineSnapshot, type SnapshotContext } from './snapshot.js';
import type { Station } from './station.js';

export function lineSnapshots(
  lines: readonly LineSpec[],
  all: readonly Station[],
  ctx: SnapshotContext,
): LineSnapshot[] {
  const views = all.map((st) => stationSnapshot(st, ctx));
  const segment = ctx.segment;
  const shift = segment.shift;
  return lines.map((line) => {
    const stations = views.filter((v) => v.line === line.id);
    const output = stations.find((v) => v.id === line.outputStation) ?? stations[stations.length - 1];
    return {
      id: line.id,
      name: line.name,
      outputStation: line.outputStation,
      ts: ctx.wallOf(ctx.nowMono),
      ...(shift !== undefined
        ? {
            shift: {
              name: shift.name,
              key: shift.key,
              start: shift.startWall,
              end: shift.endWall,
              ...(output?.target !== undefined ? { target: output.target } : {}),
            },
          }
        : {}),
      ...(segment.planned !== undefined ? { plannedStop: segment.planned } : {}),
      ...orderField(ctx.orderOf(line.id)),
      oee: {
        ...(output?.oee.shift !== undefined ? { shift: output.oee.shift } : {}),
        rolling: (output as (typeof stations)[number]).oee.rolling,
      },
      ...constraintField(
        shift !== undefined && segment.planned === undefined ? lineConstraint(stations, line.outputStation) : undefined,
      ),
      stations,
    };
  });
}

function constraintField(constraint: LineSnapshot['constraint']): Pick<LineSnapshot, 'constraint'> {
  return constraint !== undefined ? { constraint } : {};
}

function orderField(order: OrderView | undefined): { order?: OrderView } {
  return order !== undefined ? { order } : {};
}
