// Dates and durations as the console shows them (vault dates are epoch seconds).

import type { RotationRules } from "./bindings";

export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function dateTime(epochSeconds: number | null | undefined): string {
  if (epochSeconds == null) return "—";
  const d = new Date(epochSeconds * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function day(epochSeconds: number | null | undefined): string {
  return epochSeconds == null ? "—" : dateTime(epochSeconds).slice(0, 10);
}

/** "3 min ago", "2 d ago" — or "in 6 d" for a date ahead. */
export function relative(epochSeconds: number | null | undefined, nowMs = Date.now()): string {
  if (epochSeconds == null) return "never";
  const diff = Math.round((nowMs - epochSeconds * 1000) / 1000);
  const abs = Math.abs(diff);
  const unit =
    abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.floor(abs / 60)} min` : abs < 86400 ? `${Math.floor(abs / 3600)} h` : `${Math.floor(abs / 86400)} d`;
  if (abs < 5) return "just now";
  return diff >= 0 ? `${unit} ago` : `in ${unit}`;
}

/** Time left until a date, as "6d 23h 59m" (or "due" once passed). */
export function countdown(epochSeconds: number, nowMs = Date.now()): string {
  let s = Math.floor((epochSeconds * 1000 - nowMs) / 1000);
  if (s <= 0) return "due";
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  return d > 0 ? `${d}d ${h}h ${m}m` : h > 0 ? `${h}h ${m}m` : `${m}m ${s - m * 60}s`;
}

export function principalName(arn: string): string {
  return arn.split("/").pop() ?? arn;
}

/** A JSON object value's keys and values, or null when the value is not one. */
export function jsonFields(text: string): [string, string][] | null {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== "object" || v === null || Array.isArray(v)) return null;
    return Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, typeof x === "string" ? x : JSON.stringify(x)]);
  } catch {
    return null;
  }
}

/** A day-precision date (last accessed) relative to today. */
export function dayAgo(epochSeconds: number | null | undefined, nowMs = Date.now()): string {
  if (epochSeconds == null) return "never";
  const days = Math.floor((nowMs - epochSeconds * 1000) / 86_400_000);
  return days <= 0 ? "today" : days === 1 ? "yesterday" : `${days} d ago`;
}

/** A secret's name from its ARN (`...:secret:NAME-abcdef`). */
export function secretName(arn: string): string {
  const i = arn.indexOf(":secret:");
  return i < 0 ? arn : arn.slice(i + 8).replace(/-[A-Za-z0-9]{6}$/, "");
}

/** A date in UTC, as rotation windows are scheduled: "2026-11-24 04:00 UTC". */
export function utcDateTime(epochSeconds: number | null | undefined): string {
  if (epochSeconds == null) return "—";
  return new Date(epochSeconds * 1000).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

/** A step's duration: "840 ms", "3.2 s". */
export function duration(ms: number | null | undefined): string {
  if (ms == null) return "—";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Rotation rules as written: "every 30 days", "rate(12 hours)", with the window. */
export function rulesText(r: RotationRules | null): string {
  if (!r) return "no schedule";
  const every = r.AutomaticallyAfterDays != null ? `every ${r.AutomaticallyAfterDays} days` : (r.ScheduleExpression ?? "no schedule");
  return r.Duration ? `${every} · window ${r.Duration}` : every;
}
