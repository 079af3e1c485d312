/**
 * Where reports live on disk: `<storage.dir>/reports/<line>/<start>-<shift>/` (a shift) or
 * `<start>+day/`, `<start>+week/` (a plant-local day or week) holding report.html, report.pdf and
 * three CSV files. `<start>` is the period's start in ISO 8601 basic form (20261204T060000Z: no
 * colons, so the folder copies to any file system); "+" can never be in a shift name (an Id), so a
 * shift called "day" and a day report never share a folder. A report's id is `<line>.<folder>`:
 * one URL path segment, parsed back strictly, so a request can never name a path outside the
 * reports folder. Files are written to a temp name and renamed: a reader (or a
 * power cut) never sees half a file.
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LinesideError } from '../lib/errors.js';
import type { DeliveryState, PeriodKind, ReportPeriod } from './types.js';

/** The files of one report, with their content types (the only names the REST route serves). */
export const REPORT_FILES = {
  'report.html': 'text/html; charset=utf-8',
  'report.pdf': 'application/pdf',
  'downtime.csv': 'text/csv; charset=utf-8',
  'cycles.csv': 'text/csv; charset=utf-8',
  'oee.csv': 'text/csv; charset=utf-8',
  /** A day's or week's reports only. */
  'shifts.csv': 'text/csv; charset=utf-8',
} as const;
export type ReportFileName = keyof typeof REPORT_FILES;

const ID = /^([A-Za-z0-9_-]{1,64})\.(\d{8}T\d{6}Z)(?:-([A-Za-z0-9_-]{1,64})|\+(day|week))$/;

/** The files a report of this kind has: a shift's has no shifts.csv. */
export function reportFileNames(kind: PeriodKind): ReportFileName[] {
  return (Object.keys(REPORT_FILES) as ReportFileName[]).filter((name) => kind !== 'shift' || name !== 'shifts.csv');
}

export function isReportFile(name: string): name is ReportFileName {
  return Object.hasOwn(REPORT_FILES, name);
}

/** 1764828000000 -> "20251204T060000Z". */
export function basicIso(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

function fromBasicIso(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (m === null) return Number.NaN;
  const [, y, mo, d, h, mi, se] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, se);
}

export interface ReportKey {
  readonly line: string;
  /** The period's start: the shift's, or the plant-local midnight that begins the day or week. */
  readonly start: number;
  readonly kind: PeriodKind;
  /** The shift's name ("shift" for a shift without one); "day" / "week" for those periods. */
  readonly label: string;
}

/** The key of a shift's report or of a day's or week's. */
export function reportKey(line: string, period: ReportPeriod): ReportKey {
  return {
    line,
    start: period.start,
    kind: period.kind,
    label: period.kind === 'shift' ? (period.shift ?? 'shift') : period.kind,
  };
}

function folderName(key: ReportKey): string {
  return key.kind === 'shift' ? `${basicIso(key.start)}-${key.label}` : `${basicIso(key.start)}+${key.kind}`;
}

export function reportId(key: ReportKey): string {
  return `${key.line}.${folderName(key)}`;
}

/** The key of an id, or undefined for anything that is not exactly an id (`..`, slashes, ...). */
export function parseReportId(id: string): ReportKey | undefined {
  const m = ID.exec(id);
  if (m === null) return undefined;
  const start = fromBasicIso(m[2] as string);
  if (!Number.isFinite(start)) return undefined;
  const period = m[4] as 'day' | 'week' | undefined;
  return period === undefined
    ? { line: m[1] as string, start, kind: 'shift', label: m[3] as string }
    : { line: m[1] as string, start, kind: period, label: period };
}

export function reportDir(root: string, key: ReportKey): string {
  return path.join(root, key.line, folderName(key));
}

/** Writes every file of a report atomically (each: temp file, then rename into place). */
export async function writeReportFiles(
  root: string,
  key: ReportKey,
  files: Readonly<Partial<Record<ReportFileName, string | Buffer>>>,
): Promise<string> {
  const dir = reportDir(root, key);
  try {
    await mkdir(dir, { recursive: true });
    for (const [name, body] of Object.entries(files)) {
      if (body === undefined) continue;
      const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
      await writeFile(tmp, body);
      await rename(tmp, path.join(dir, name));
    }
  } catch (err) {
    throw new LinesideError('REPORT_IO', `writing the report to ${dir} failed`, { dir }, { cause: err });
  }
  return dir;
}

export interface StoredReport {
  readonly id: string;
  readonly line: string;
  readonly kind: PeriodKind;
  /** The shift's name (kind "shift"). */
  readonly shift?: string;
  readonly start: number;
  /** From the folder's meta.json (written with the files). */
  readonly end?: number;
  /** From meta.json: every shift of the period had ended when the report was made. */
  readonly final?: boolean;
  /** From meta.json (the agent's clock), else the newest file's modification time. */
  readonly generatedAt: number;
  readonly files: readonly { readonly name: ReportFileName; readonly bytes: number }[];
  /** The report's email delivery (absent: not emailed); added by the report service. */
  readonly email?: DeliveryState;
  /** The report's webhook delivery (absent: not posted); added by the report service. */
  readonly webhook?: DeliveryState;
}

/** Every report folder under root (of `onlyLine` when given), newest start first. Unknown entries are skipped. */
export async function listReports(root: string, onlyLine?: string): Promise<StoredReport[]> {
  const out: StoredReport[] = [];
  const lines = (await dirNames(root)).filter((l) => onlyLine === undefined || l === onlyLine);
  for (const line of lines) {
    for (const folder of await dirNames(path.join(root, line))) {
      const key = parseReportId(`${line}.${folder}`);
      if (key === undefined) continue;
      const dir = path.join(root, line, folder);
      const files: { name: ReportFileName; bytes: number }[] = [];
      let modifiedAt = 0;
      for (const name of Object.keys(REPORT_FILES) as ReportFileName[]) {
        const s = await stat(path.join(dir, name)).catch(() => undefined);
        if (s === undefined) continue;
        files.push({ name, bytes: s.size });
        modifiedAt = Math.max(modifiedAt, Math.round(s.mtimeMs));
      }
      if (files.length === 0) continue;
      const meta = await readMeta(dir);
      out.push({
        id: reportId(key),
        line: key.line,
        kind: key.kind,
        ...(key.kind === 'shift' ? { shift: key.label } : {}),
        start: key.start,
        ...(meta.end !== undefined ? { end: meta.end } : {}),
        ...(meta.final !== undefined ? { final: meta.final } : {}),
        generatedAt: meta.generatedAt ?? modifiedAt,
        files,
      });
    }
  }
  return out.sort((a, b) => b.start - a.start || a.id.localeCompare(b.id));
}

interface Meta {
  readonly end?: number;
  readonly generatedAt?: number;
  readonly final?: boolean;
}

/** The period's end, whether it had ended and when the report was made, from meta.json (absent in a folder copied in by hand). */
async function readMeta(dir: string): Promise<Meta> {
  try {
    const meta = JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8')) as Record<string, unknown>;
    return {
      ...(typeof meta.end === 'number' ? { end: meta.end } : {}),
      ...(typeof meta.generatedAt === 'number' ? { generatedAt: meta.generatedAt } : {}),
      ...(typeof meta.final === 'boolean' ? { final: meta.final } : {}),
    };
  } catch {
    return {};
  }
}

/** A report's meta.json, or undefined when the report does not exist (or has none). */
export async function reportMeta(root: string, key: ReportKey): Promise<Meta | undefined> {
  const meta = await readMeta(reportDir(root, key));
  return meta.generatedAt === undefined ? undefined : meta;
}

export async function writeMeta(root: string, key: ReportKey, meta: Record<string, unknown>): Promise<void> {
  const dir = reportDir(root, key);
  const tmp = path.join(dir, `.meta.json.${process.pid}.tmp`);
  await writeFile(tmp, JSON.stringify(meta));
  await rename(tmp, path.join(dir, 'meta.json'));
}

async function dirNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}

/** Deletes report folders whose period started before `cutoff`; returns how many. */
export async function pruneReports(root: string, cutoff: number): Promise<number> {
  let deleted = 0;
  for (const line of await dirNames(root)) {
    for (const folder of await dirNames(path.join(root, line))) {
      const key = parseReportId(`${line}.${folder}`);
      if (key === undefined || key.start >= cutoff) continue;
      await rm(path.join(root, line, folder), { recursive: true, force: true });
      deleted++;
    }
  }
  return deleted;
}
