// A secret's Rotation tab: the schedule with its next windows, the approval settings, the
// history step by step; rotate now, edit the schedule (validated as typed by the core's own
// parser, with the next run times), turn rotation off, retry a failed attempt.
import { useEffect, useState } from "react";
import { api, asIpcError } from "../api";
import type { AttemptView, FunctionView, IpcError, RotationRules, RotationView, SecretView } from "../bindings";
import { typingIn, useConsole } from "../console";
import { dateTime, duration, principalName, relative, rulesText, shortId, utcDateTime } from "../format";
import { Empty, ErrorBox, Spinner, useLoad } from "../components/Bits";
import { Modal, useAct } from "../components/Dialogs";

/** The badge class of an attempt's status. */
export function statusClass(status: string): string {
  switch (status) {
    case "succeeded":
      return "ok";
    case "failed":
    case "rejected":
      return "danger";
    case "awaiting-approval":
    case "running":
      return "warn";
    default:
      return "";
  }
}

export function functionName(arn: string | null): string {
  return arn ? (arn.split(":").pop() ?? arn) : "—";
}

export function RotationTab({ d }: { d: SecretView }) {
  const c = useConsole();
  const status = useLoad(() => api.rotationStatus(d.Secret.ARN), [d.Secret.ARN, c.revision]);
  const [editing, setEditing] = useState(false);
  const [confirmOff, setConfirmOff] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const s = status.value;
  const act = (f: () => Promise<{ message: string }>) => c.act(f, status.reload);
  const unfinished = s?.Attempts.find((a) => a.Unfinished);
  const rotateNow = () => (s?.RotationLambdaARN ? act(() => api.rotateNow(d.Secret.ARN, null)) : setEditing(true));
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typingIn(e) || document.querySelector(".modal-backdrop") || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "R" && !unfinished && d.DeletionDate === null) void rotateNow();
      else if (e.key === "e" && d.DeletionDate === null) setEditing(true);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });
  if (status.error) return <ErrorBox error={status.error} onRetry={status.reload} />;
  if (!s) return <Spinner />;
  const live = d.DeletionDate === null;
  const shownOpen = open ?? s.Attempts[0]?.Id ?? null;
  return (
    <div className="rotation" data-testid="rotation">
      <div className="cards">
        <div className="card" data-testid="rotation-schedule">
          <div className="card-toolbar">
            <h3>Schedule</h3>
            <span className={`badge ${s.RotationEnabled ? "ok" : ""}`} data-testid="rotation-state">
              {s.RotationEnabled ? "Rotation on" : "Rotation off"}
            </span>
          </div>
          <dl className="facts">
            <div className="fact">
              <dt>Function</dt>
              <dd className="mono" title={s.RotationLambdaARN ?? ""}>{functionName(s.RotationLambdaARN)}</dd>
            </div>
            <div className="fact">
              <dt>Rules</dt>
              <dd data-testid="rotation-rules">{rulesText(s.RotationRules)}</dd>
            </div>
            <div className="fact">
              <dt>Last rotated</dt>
              <dd>{s.LastRotatedDate ? `${dateTime(s.LastRotatedDate)} (${relative(s.LastRotatedDate)})` : "never"}</dd>
            </div>
            <div className="fact">
              <dt>Next windows</dt>
              <dd>
                {s.RotationEnabled && s.NextWindows.length > 0 ? (
                  <ol className="windows" data-testid="next-windows">
                    {s.NextWindows.map((w) => (
                      <li key={w}>
                        {utcDateTime(w)} <span className="muted small">({relative(w)})</span>
                      </li>
                    ))}
                  </ol>
                ) : (
                  <span className="muted">{s.RotationEnabled ? "only when asked" : "none: rotation is off"}</span>
                )}
              </dd>
            </div>
          </dl>
          <div className="card-toolbar">
            <span />
            <div className="actions">
              {s.RotationEnabled && (
                <button className="btn danger-ghost" onClick={() => setConfirmOff(true)} disabled={!live} data-testid="rotation-off">
                  Turn off
                </button>
              )}
              <button className="btn" onClick={() => setEditing(true)} disabled={!live} data-testid="edit-schedule">
                Edit schedule <kbd>E</kbd>
              </button>
              <button className="btn primary" onClick={rotateNow} disabled={!live || unfinished !== undefined} data-testid="rotate-now" title={unfinished ? "A rotation has not finished yet" : "Rotate now"}>
                Rotate now <kbd>⇧R</kbd>
              </button>
            </div>
          </div>
        </div>
        <ApprovalCard d={d} s={s} onChanged={status.reload} />
      </div>
      {unfinished?.Status === "Failed" && (
        <div className="notice danger" data-testid="rotation-failed">
          <span>
            The rotation to version <span className="mono">{shortId(unfinished.Token)}</span> failed
            {unfinished.Error ? `: ${unfinished.Error}` : "."} {unfinished.RetryMs ? `It is tried again ${relative(unfinished.RetryMs / 1000)}.` : ""}
          </span>
          <button className="btn small" onClick={() => act(() => api.retryRotation(d.Secret.ARN))} data-testid="retry-rotation">
            Retry now
          </button>
        </div>
      )}
      {unfinished?.Status === "AwaitingApproval" && (
        <div className="notice" data-testid="rotation-waiting">
          <span>
            A rotation requested by <strong>{principalName(unfinished.RequestedBy)}</strong> {relative(unfinished.RequestedMs / 1000)} waits for approval
            {unfinished.TwoPersonRule ? " by another operator (two-person rule)" : ""}.
          </span>
          <button className="btn small" onClick={() => c.navigate({ screen: "approvals" })} data-testid="go-approvals">
            Open approvals
          </button>
        </div>
      )}
      <div className="card flush">
        <div className="card-toolbar padded">
          <h3>History</h3>
          <span className="muted small">{s.Attempts.length === 0 ? "" : `${s.Attempts.length} attempt${s.Attempts.length === 1 ? "" : "s"}, newest first`}</span>
        </div>
        {s.Attempts.length === 0 ? (
          <Empty title="This secret has never rotated." testid="rotation-history-empty">
            <span>Set a schedule, or rotate it now: each attempt is listed here step by step.</span>
          </Empty>
        ) : (
          <table className="grid-table hover" data-testid="rotation-history">
            <thead>
              <tr>
                <th>Status</th>
                <th>Requested</th>
                <th>By</th>
                <th>New version</th>
                <th>Steps</th>
                <th>Decision</th>
              </tr>
            </thead>
            {s.Attempts.map((a) => (
              <AttemptRows key={a.Id} a={a} open={shownOpen === a.Id} onToggle={() => setOpen(shownOpen === a.Id ? "" : a.Id)} />
            ))}
          </table>
        )}
      </div>
      {editing && (
        <ScheduleDialog
          d={d}
          s={s}
          onClose={() => setEditing(false)}
          onDone={(m) => {
            setEditing(false);
            c.notify(m);
            status.reload();
          }}
        />
      )}
      {confirmOff && (
        <Modal
          title={`Turn off rotation of ${d.Secret.Name}?`}
          onClose={() => setConfirmOff(false)}
          testid="rotation-off-dialog"
          footer={
            <>
              <button className="btn" onClick={() => setConfirmOff(false)}>
                Keep it on
              </button>
              <button
                className="btn danger"
                onClick={() => {
                  setConfirmOff(false);
                  void act(() => api.cancelRotation(d.Secret.ARN));
                }}
                data-testid="rotation-off-confirm"
              >
                Turn off
              </button>
            </>
          }
        >
          <p>
            CancelRotateSecret: no window opens until a schedule is saved again.
            {unfinished ? ` The unfinished rotation to ${shortId(unfinished.Token)} is cancelled and AWSPENDING comes off its version.` : ""}
          </p>
        </Modal>
      )}
    </div>
  );
}

function ApprovalCard({ d, s, onChanged }: { d: SecretView; s: RotationView; onChanged: () => void }) {
  const c = useConsole();
  const put = (require: boolean | null, twoPerson: boolean | null) => c.act(() => api.putRotationApproval(d.Secret.ARN, require, twoPerson), onChanged);
  return (
    <div className="card" data-testid="rotation-approval">
      <h3>Approval</h3>
      <label className="toggle block">
        <input type="checkbox" checked={s.Approval.RequireApproval} disabled={d.DeletionDate !== null} onChange={(e) => put(e.target.checked, null)} data-testid="require-approval" />
        Rotations wait for an operator's approval
      </label>
      <label className="toggle block">
        <input type="checkbox" checked={s.Approval.TwoPersonRule} disabled={d.DeletionDate !== null || !s.Approval.RequireApproval} onChange={(e) => put(null, e.target.checked)} data-testid="two-person-rule" />
        Two-person rule: whoever asked may not decide
      </label>
      <p className="muted small">Due and requested rotations wait on the Approvals screen until an operator with coffer:ApproveRotation approves or rejects them.</p>
    </div>
  );
}

function AttemptRows({ a, open, onToggle }: { a: AttemptView; open: boolean; onToggle: () => void }) {
  const lastTry = a.Steps.filter((s) => s.TryNumber === a.Tries);
  return (
    <tbody>
      <tr onClick={onToggle} className={open ? "selected" : ""} data-testid="attempt-row" data-status={a.StatusText}>
        <td>
          <span className={`badge ${statusClass(a.StatusText)}`}>{a.StatusText}</span>
          {a.Tries > 1 && <span className="muted small"> · try {a.Tries}</span>}
        </td>
        <td>
          {dateTime(a.RequestedMs / 1000)} <span className="muted small">{a.Trigger === "Schedule" ? "scheduled" : "asked"}</span>
        </td>
        <td>{principalName(a.RequestedBy)}</td>
        <td className="mono" title={a.Token}>
          {shortId(a.Token)}
        </td>
        <td>
          <span className="step-dots">
            {["createSecret", "setSecret", "testSecret", "finishSecret"].map((name) => {
              const run = [...lastTry].reverse().find((s) => s.Step === name);
              return <span key={name} className={`dot ${run ? run.Outcome.toLowerCase() : ""}`} title={`${name}: ${run ? run.Outcome.toLowerCase() : "not run"}`} />;
            })}
          </span>
        </td>
        <td className="small">
          {a.Decision ? (
            <span>
              {a.Decision.Approved ? "approved" : "rejected"} by {principalName(a.Decision.By)}
              {a.Decision.Reason ? <span className="muted"> — {a.Decision.Reason}</span> : null}
            </span>
          ) : a.RequireApproval ? (
            <span className="muted">waiting</span>
          ) : (
            <span className="muted">not needed</span>
          )}
        </td>
      </tr>
      {open && (
        <tr className="attempt-detail">
          <td colSpan={6}>
            {a.Error && <div className="error-box small">{a.Error}</div>}
            {a.Steps.length === 0 ? (
              <p className="muted small">No step has run{a.Status === "AwaitingApproval" ? ": the attempt waits for approval." : "."}</p>
            ) : (
              <table className="steps" data-testid="attempt-steps">
                <tbody>
                  {a.Steps.map((st, i) => (
                    <tr key={i} data-testid="attempt-step">
                      <td className="mono">{st.Step}</td>
                      <td className="muted small">try {st.TryNumber}</td>
                      <td>{dateTime(st.StartedMs / 1000)}</td>
                      <td className="num">{duration(st.DurationMs ?? null)}</td>
                      <td>
                        <span className={`badge ${statusClass(st.Outcome.toLowerCase())}`}>{st.Outcome.toLowerCase()}</span>
                      </td>
                      <td className="small">
                        {st.Error && <div className="danger-text">{st.Error}</div>}
                        {(st.Log ?? []).map((l, j) => (
                          <div key={j} className="mono muted">
                            {l}
                          </div>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </td>
        </tr>
      )}
    </tbody>
  );
}

type Mode = "days" | "rate" | "cron";

const PRESETS: { label: string; mode: Mode; value: string }[] = [
  { label: "Every 30 days", mode: "days", value: "30" },
  { label: "Every 12 hours", mode: "rate", value: "rate(12 hours)" },
  { label: "Sundays 04:00 UTC", mode: "cron", value: "cron(0 4 ? * SUN *)" },
  { label: "1st of the month", mode: "cron", value: "cron(0 4 1 * ? *)" },
];

/** The rules the dialog's fields describe. */
export function rulesOf(mode: Mode, days: string, rateN: string, rateUnit: string, cron: string, window: string): RotationRules {
  const window_ = window.trim() ? { Duration: window.trim() } : {};
  if (mode === "days") return { AutomaticallyAfterDays: Number(days.trim()), ...window_ };
  if (mode === "rate") return { ScheduleExpression: `rate(${rateN.trim()} ${rateUnit})`, ...window_ };
  return { ScheduleExpression: cron.trim(), ...window_ };
}

function ScheduleDialog(props: { d: SecretView; s: RotationView; onClose: () => void; onDone: (m: string) => void }) {
  const r = props.s.RotationRules;
  const rate = r?.ScheduleExpression?.match(/^rate\((\d+) (hours|days)\)$/);
  const [mode, setMode] = useState<Mode>(r?.ScheduleExpression ? (rate ? "rate" : "cron") : "days");
  const [days, setDays] = useState(String(r?.AutomaticallyAfterDays ?? 30));
  const [rateN, setRateN] = useState(rate?.[1] ?? "12");
  const [rateUnit, setRateUnit] = useState(rate?.[2] ?? "hours");
  const [cron, setCron] = useState(!rate && r?.ScheduleExpression ? r.ScheduleExpression : "cron(0 4 ? * SUN *)");
  const [window, setWindow] = useState(r?.Duration ?? "");
  const [fn, setFn] = useState(props.s.RotationLambdaARN ?? "");
  const functions = useLoad<FunctionView[]>(() => api.rotationFunctions(), []);
  const [preview, setPreview] = useState<{ windows: number[] } | { error: IpcError } | null>(null);
  const act = useAct(props.onDone);
  const rules = rulesOf(mode, days, rateN, rateUnit, cron, window);
  const key = JSON.stringify(rules);
  useEffect(() => {
    let live = true;
    const id = setTimeout(() => {
      api.previewSchedule(rules).then(
        (windows) => live && setPreview({ windows }),
        (e) => live && setPreview({ error: asIpcError(e) }),
      );
    }, 150);
    return () => {
      live = false;
      clearTimeout(id);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  useEffect(() => {
    if (!fn && functions.value?.length) setFn(functions.value[0].ARN);
  }, [fn, functions.value]);
  const valid = preview !== null && "windows" in preview && fn !== "";
  const save = (thenRotate: boolean) =>
    act.run(() => api.putRotationSchedule(props.d.Secret.ARN, fn || null, rules, thenRotate));
  const pick = (p: (typeof PRESETS)[number]) => {
    setMode(p.mode);
    if (p.mode === "days") setDays(p.value);
    else if (p.mode === "cron") setCron(p.value);
    else {
      const m = p.value.match(/^rate\((\d+) (hours|days)\)$/)!;
      setRateN(m[1]);
      setRateUnit(m[2]);
    }
  };
  return (
    <Modal
      wide
      title={`Rotation schedule of ${props.d.Secret.Name}`}
      onClose={props.onClose}
      testid="schedule-dialog"
      footer={
        <>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button className="btn" disabled={!valid || act.busy} onClick={() => save(true)} data-testid="schedule-save-rotate">
            Save and rotate now
          </button>
          <button className="btn primary" disabled={!valid || act.busy} onClick={() => save(false)} data-testid="schedule-save">
            Save schedule
          </button>
        </>
      }
    >
      <label className="field">
        <span>Rotation function</span>
        {functions.value && functions.value.length === 0 ? (
          <small className="danger-text" data-testid="no-functions">
            No rotation function is registered: add one with <span className="mono">coffer rotation create-function</span>.
          </small>
        ) : (
          <select value={fn} onChange={(e) => setFn(e.target.value)} data-testid="schedule-function">
            {(functions.value ?? []).map((f) => (
              <option key={f.ARN} value={f.ARN}>
                {f.Name} — {f.Kind}
              </option>
            ))}
          </select>
        )}
      </label>
      <div className="field">
        <span>Presets</span>
        <div className="chips">
          {PRESETS.map((p) => (
            <button key={p.label} className="btn small" onClick={() => pick(p)}>
              {p.label}
            </button>
          ))}
        </div>
      </div>
      <div className="segmented" role="radiogroup" aria-label="Kind of schedule">
        {(
          [
            ["days", "Every N days"],
            ["rate", "rate()"],
            ["cron", "cron()"],
          ] as [Mode, string][]
        ).map(([m, label]) => (
          <button key={m} role="radio" aria-checked={mode === m} className={mode === m ? "active" : ""} onClick={() => setMode(m)} data-testid={`schedule-mode-${m}`}>
            {label}
          </button>
        ))}
      </div>
      {mode === "days" && (
        <label className="field">
          <span>Rotate every … days (AutomaticallyAfterDays, 1–1000)</span>
          <input type="number" min={1} max={1000} value={days} onChange={(e) => setDays(e.target.value)} data-testid="schedule-days" />
        </label>
      )}
      {mode === "rate" && (
        <div className="form-row">
          <label className="field">
            <span>Every</span>
            <input type="number" min={1} value={rateN} onChange={(e) => setRateN(e.target.value)} data-testid="schedule-rate-n" />
          </label>
          <label className="field">
            <span>Unit</span>
            <select value={rateUnit} onChange={(e) => setRateUnit(e.target.value)} data-testid="schedule-rate-unit">
              <option value="hours">hours (4–23)</option>
              <option value="days">days (1–999)</option>
            </select>
          </label>
        </div>
      )}
      {mode === "cron" && (
        <label className="field">
          <span>Expression (UTC)</span>
          <input className="mono" value={cron} onChange={(e) => setCron(e.target.value)} data-testid="schedule-cron" />
          <small>cron(minutes hours day-of-month month day-of-week year): minutes 0, one of the two day fields ?, at most every four hours.</small>
        </label>
      )}
      <label className="field">
        <span>Window (Duration)</span>
        <input value={window} onChange={(e) => setWindow(e.target.value)} placeholder="empty: until the end of the UTC day (hours: one hour)" data-testid="schedule-duration" />
        <small>How long each window stays open, 1h–24h, e.g. 3h.</small>
      </label>
      <div className="preview" data-testid="schedule-preview">
        <div className="muted small">
          <span className="mono">{rules.ScheduleExpression ?? `AutomaticallyAfterDays ${rules.AutomaticallyAfterDays}`}</span>
          {rules.Duration ? <span className="mono"> · Duration {rules.Duration}</span> : null}
        </div>
        {preview === null && <p className="muted">Checking…</p>}
        {preview && "error" in preview && (
          <div className="error-box" data-testid="schedule-error">
            <span>
              <strong>{preview.error.code}</strong> {preview.error.message}
            </span>
          </div>
        )}
        {preview && "windows" in preview && (
          <>
            <strong className="small">Next windows open</strong>
            <ol className="windows" data-testid="schedule-windows">
              {preview.windows.map((w) => (
                <li key={w}>
                  {utcDateTime(w)} <span className="muted small">({relative(w)})</span>
                </li>
              ))}
            </ol>
          </>
        )}
      </div>
      {act.errorView}
    </Modal>
  );
}
