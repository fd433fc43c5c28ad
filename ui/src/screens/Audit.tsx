import { useEffect, useState } from "react";
import { api } from "../api";
import type { AuditEventRow, AuditQueryInput, ChainStatus, IpcError } from "../bindings";
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
  const [events, setEvents] = useState<AuditEventRow[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [totalEvents, setTotalEvents] = useState(0);
  const [error, setError] = useState<IpcError | null>(null);
  const [picked, setPicked] = useState<AuditEventRow | null>(null);

  const query = (before: number | null): AuditQueryInput => ({
    secretId: (props.compact ? props.secretId : secretId) || null,
    principal: principal || null,
    eventNames: eventName ? [eventName] : [],
    frontEnd: frontEnd || null,
    errorsOnly,
    fromMs: null,
    beforeSequence: before,
    limit: 200,
  });

  useEffect(() => {
    let live = true;
    api.queryAudit(query(null)).then(
      (p) => {
        if (!live) return;
        // Keep the older pages the operator loaded: replace only the newest page.
        setEvents((old) => {
          if (!old || old.length <= 200) return p.events;
          const oldest = p.events.length ? p.events[p.events.length - 1].sequence : Infinity;
          return [...p.events, ...old.filter((e) => e.sequence < oldest)];
        });
        setNext((n) => (events && events.length > 200 ? n : p.nextBeforeSequence));
        setTotalEvents(p.totalEvents);
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
      setEvents((old) => [...(old ?? []), ...p.events]);
      setNext(p.nextBeforeSequence);
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
                    key={e.sequence}
                    className={picked?.sequence === e.sequence ? "selected" : ""}
                    onClick={() => setPicked(e)}
                    data-testid="audit-row"
                    data-event={e.eventName}
                  >
                    <td className="mono small nowrap">{time(e.timeMs)}</td>
                    <td>{e.eventName}</td>
                    {!props.compact && <td className="mono small">{e.secretArn ? secretName(e.secretArn) : "—"}</td>}
                    <td>{principalName(e.principalArn)}</td>
                    <td>
                      <span className="chip">{e.frontEnd}</span>
                    </td>
                    <td>{e.errorCode ? <span className="badge danger">{e.errorCode}</span> : <span className="badge ok">ok</span>}</td>
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
                  #{picked.sequence} {picked.eventName}
                </h3>
                <button className="icon-btn" onClick={() => setPicked(null)} aria-label="Close">
                  ×
                </button>
              </div>
              <dl className="facts">
                <div className="fact"><dt>Time</dt><dd>{time(picked.timeMs)}</dd></div>
                <div className="fact"><dt>Principal</dt><dd className="mono break">{picked.principalArn}</dd></div>
                <div className="fact"><dt>Source</dt><dd>{picked.frontEnd} · {picked.sourceIp}</dd></div>
                {picked.secretArn && <div className="fact"><dt>Secret</dt><dd className="mono break">{picked.secretArn}</dd></div>}
                {picked.versionStages.length > 0 && <div className="fact"><dt>Labels</dt><dd>{picked.versionStages.join(", ")}</dd></div>}
                {picked.errorCode && <div className="fact"><dt>Error</dt><dd>{picked.errorCode}: {picked.errorMessage}</dd></div>}
              </dl>
              <pre className="mono json">{picked.detail}</pre>
            </aside>
          )}
        </div>
      )}
    </div>
  );
}

export function AuditScreen(props: { secretId?: string }) {
  const [chain, setChain] = useState<ChainStatus | null>(null);
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
        <div className={`chain ${chain ? (chain.intact ? "ok" : "bad") : ""}`} data-testid="chain-status">
          {checking && !chain ? (
            <Spinner label="Verifying the chain…" />
          ) : chainError ? (
            <span>{chainError.code}</span>
          ) : chain ? (
            chain.intact ? (
              <span>✓ Chain intact · {chain.eventsChecked.toLocaleString()} events verified</span>
            ) : (
              <span>
                ✗ Chain broken at #{chain.firstBrokenSequence}: {chain.problem}
              </span>
            )
          ) : null}
          {chain ? (
            <span className="muted" data-testid="last-anchor">
              {chain.lastAnchorSequence === null
                ? "· never anchored (coffer audit anchor)"
                : `· last anchor #${chain.lastAnchorSequence} on ${anchorTime(chain.lastAnchorTime)}`}
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
function anchorTime(t: string | null): string {
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? (t ?? "—") : dateTime(ms / 1000);
}
