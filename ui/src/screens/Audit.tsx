import { useEffect, useState } from "react";
import { api } from "../api";
import type { AuditEventView, AuditQuery, IpcError, VerifyReport } from "../bindings";
import { useConsole } from "../console";
import { dateTime, principalName, secretName } from "../format";
import { Empty, ErrorBox, Spinner } from "../components/Bits";

const EVENTS = [
  "GetSecretValue",
  "CreateSecret",
  "PutSecretValue",
  "UpdateSecret",
  "UpdateSecretVersionStage",
  "DeleteSecret",
  "RestoreSecret",
  "TagResource",
  "UntagResource",
  "PutResourcePolicy",
  "DeleteResourcePolicy",
];
const FRONT_ENDS = ["desktop", "tui", "cli", "endpoint", "agent", "session", "internal"];

function time(ms: number) {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Audit events newest first, with filters; `compact` is the secret's Activity tab. */
export function AuditTable(props: { secretId?: string; compact?: boolean }) {
  const c = useConsole();
  const [eventName, setEventName] = useState("");
  const [frontEnd, setFrontEnd] = useState("");
  const [principal, setPrincipal] = useState("");
  const [secretId, setSecretId] = useState(props.secretId ?? "");
  const [errorsOnly, setErrorsOnly] = useState(false);
  const [events, setEvents] = useState<AuditEventView[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [totalEvents, setTotalEvents] = useState(0);
  const [error, setError] = useState<IpcError | null>(null);
  const [picked, setPicked] = useState<AuditEventView | null>(null);

  const query = (before: number | null): AuditQuery => ({
    SecretId: (props.compact ? props.secretId : secretId) || null,
    Principal: principal || null,
    EventNames: eventName ? [eventName] : [],
    FrontEnd: frontEnd || null,
    ErrorsOnly: errorsOnly,
    FromMs: null,
    ToMs: null,
    BeforeSequence: before,
    AfterSequence: null,
    Limit: 200,
  });

  useEffect(() => {
    let live = true;
    api.queryAudit(query(null)).then(
      (p) => {
        if (!live) return;
        // Keep the older pages the operator loaded: replace only the newest page.
        setEvents((old) => {
          if (!old || old.length <= 200) return p.Events;
          const oldest = p.Events.length ? p.Events[p.Events.length - 1].Sequence : Infinity;
          return [...p.Events, ...old.filter((e) => e.Sequence < oldest)];
        });
        setNext((n) => (events && events.length > 200 ? n : p.NextBeforeSequence));
        setTotalEvents(p.TotalEvents);
        setError(null);
      },
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [eventName, frontEnd, principal, secretId, errorsOnly, c.revision, props.secretId]);

  useEffect(() => setEvents(null), [eventName, frontEnd, principal, secretId, errorsOnly]);

  const more = () =>
    next !== null &&
    api.queryAudit(query(next)).then((p) => {
      setEvents((old) => [...(old ?? []), ...p.Events]);
      setNext(p.NextBeforeSequence);
    }, setError);

  return (
    <div className={props.compact ? "card" : ""}>
      <div className="toolbar wrap">
        <select value={eventName} onChange={(e) => setEventName(e.target.value)} data-testid="audit-event-filter">
          <option value="">All events</option>
          {EVENTS.map((e) => (
            <option key={e}>{e}</option>
          ))}
        </select>
        {!props.compact && (
          <input className="mono" placeholder="Secret name or ARN" value={secretId} onChange={(e) => setSecretId(e.target.value)} data-testid="audit-secret-filter" />
        )}
        <input placeholder="Principal" value={principal} onChange={(e) => setPrincipal(e.target.value)} data-testid="audit-principal-filter" />
        <select value={frontEnd} onChange={(e) => setFrontEnd(e.target.value)} data-testid="audit-frontend-filter">
          <option value="">Every front end</option>
          {FRONT_ENDS.map((f) => (
            <option key={f}>{f}</option>
          ))}
        </select>
        <label className="toggle">
          <input type="checkbox" checked={errorsOnly} onChange={(e) => setErrorsOnly(e.target.checked)} data-testid="audit-errors-only" />
          Errors only
        </label>
        <span className="spacer" />
        {!props.compact && <span className="muted small">{totalEvents.toLocaleString()} events in the log</span>}
      </div>
      {error && <ErrorBox error={error} />}
      {!events && !error && <Spinner />}
      {events && events.length === 0 && <Empty title="No events match." testid="audit-empty" />}
      {events && events.length > 0 && (
        <div className="audit-layout">
          <div className="audit-list">
            <table className="grid-table hover" data-testid="audit-table">
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Event</th>
                  {!props.compact && <th>Secret</th>}
                  <th>Principal</th>
                  <th>Via</th>
                  <th>Result</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr
                    key={e.Sequence}
                    className={picked?.Sequence === e.Sequence ? "selected" : ""}
                    onClick={() => setPicked(e)}
                    data-testid="audit-row"
                    data-event={e.EventName}
                  >
                    <td className="mono small nowrap">{time(e.TimeMs)}</td>
                    <td>{e.EventName}</td>
                    {!props.compact && <td className="mono small">{e.SecretArn ? secretName(e.SecretArn) : "—"}</td>}
                    <td>{principalName(e.PrincipalArn)}</td>
                    <td>
                      <span className="chip">{e.FrontEnd}</span>
                    </td>
                    <td>{e.ErrorCode ? <span className="badge danger">{e.ErrorCode}</span> : <span className="badge ok">ok</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {next !== null && (
              <button className="btn wide" onClick={more} data-testid="audit-more">
                Load older events
              </button>
            )}
          </div>
          {picked && (
            <aside className="card event-detail" data-testid="audit-detail">
              <div className="card-toolbar">
                <h3>
                  #{picked.Sequence} {picked.EventName}
                </h3>
                <button className="icon-btn" onClick={() => setPicked(null)} aria-label="Close">
                  ×
                </button>
              </div>
              <dl className="facts">
                <div className="fact"><dt>Time</dt><dd>{time(picked.TimeMs)}</dd></div>
                <div className="fact"><dt>Principal</dt><dd className="mono break">{picked.PrincipalArn}</dd></div>
                <div className="fact"><dt>Source</dt><dd>{picked.FrontEnd} · {picked.SourceIp}</dd></div>
                {picked.SecretArn && <div className="fact"><dt>Secret</dt><dd className="mono break">{picked.SecretArn}</dd></div>}
                {picked.VersionStages.length > 0 && <div className="fact"><dt>Labels</dt><dd>{picked.VersionStages.join(", ")}</dd></div>}
                {picked.ErrorCode && <div className="fact"><dt>Error</dt><dd>{picked.ErrorCode}: {picked.ErrorMessage}</dd></div>}
              </dl>
              <pre className="mono json">{JSON.stringify(picked.Event, null, 2)}</pre>
            </aside>
          )}
        </div>
      )}
    </div>
  );
}

export function AuditScreen(props: { secretId?: string }) {
  const [chain, setChain] = useState<VerifyReport | null>(null);
  const [chainError, setChainError] = useState<IpcError | null>(null);
  const [checking, setChecking] = useState(false);
  const verify = () => {
    setChecking(true);
    api.verifyAudit().then((s) => {
      setChain(s);
      setChainError(null);
    }, setChainError).finally(() => setChecking(false));
  };
  useEffect(verify, []);
  return (
    <section className="screen">
      <div className="screen-head">
        <div>
          <h1>Audit log</h1>
          <p className="muted">Every request from every front end, allowed or denied, sealed and chained.</p>
        </div>
        <div className={`chain ${chain ? (chain.Intact ? "ok" : "bad") : ""}`} data-testid="chain-status">
          {checking && !chain ? (
            <Spinner label="Verifying the chain…" />
          ) : chainError ? (
            <span>{chainError.code}</span>
          ) : chain ? (
            chain.Intact ? (
              <span>✓ Chain intact · {chain.EventsChecked.toLocaleString()} events verified</span>
            ) : (
              <span>
                ✗ Chain broken at #{chain.FirstBrokenSequence}: {chain.Problem}
              </span>
            )
          ) : null}
          {chain ? (
            <span className="muted" data-testid="last-anchor">
              {chain.LastAnchor
                ? `· last anchor #${chain.LastAnchor.Sequence} on ${anchorTime(chain.LastAnchor.Time)}`
                : "· never anchored (coffer audit anchor)"}
            </span>
          ) : null}
          <button className="btn small" onClick={verify} disabled={checking} data-testid="verify-chain">
            Verify
          </button>
        </div>
      </div>
      <AuditTable secretId={props.secretId} />
    </section>
  );
}

/** An anchor's time (RFC 3339, as the anchor file holds it) as the log's other dates read. */
function anchorTime(t: string): string {
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? t : dateTime(ms / 1000);
}
