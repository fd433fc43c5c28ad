import { useState } from "react";
import { api } from "../api";
import type { PrincipalKind, PrincipalRow } from "../bindings";
import { dateTime, principalName } from "../format";
import { Empty, ErrorBox, Spinner, useLoad } from "../components/Bits";

const KINDS: { kind: PrincipalKind; label: string }[] = [
  { kind: "operator", label: "Operators" },
  { kind: "user", label: "Users" },
  { kind: "role", label: "Roles" },
  { kind: "group", label: "Groups" },
  { kind: "policy", label: "Managed policies" },
];

export function PrincipalsScreen() {
  const list = useLoad(() => api.principals(), []);
  const [picked, setPicked] = useState<PrincipalRow | null>(null);
  return (
    <section className="screen">
      <div className="screen-head">
        <div>
          <h1>Principals</h1>
          <p className="muted">Operators, IAM users, roles, groups and managed policies, with their policies and access keys.</p>
        </div>
      </div>
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      {!list.value && !list.error && <Spinner />}
      {list.value && (
        <div className="split">
          <div className="card flush principal-list" data-testid="principals-list">
            {KINDS.map(({ kind, label }) => {
              const rows = list.value!.filter((p) => p.kind === kind);
              return (
                <div key={kind}>
                  <div className="list-head">
                    {label} <span className="count">{rows.length}</span>
                  </div>
                  {rows.length === 0 && <div className="list-empty muted small">None</div>}
                  {rows.map((p) => (
                    <button
                      key={p.arn}
                      className={`list-item ${picked?.arn === p.arn ? "active" : ""}`}
                      onClick={() => setPicked(p)}
                      data-testid="principal-item"
                    >
                      <span>{p.name}</span>
                      <span className="muted small">{dateTime(p.createdDate).slice(0, 10)}</span>
                    </button>
                  ))}
                </div>
              );
            })}
          </div>
          {picked ? <PrincipalView key={picked.arn} p={picked} /> : <Empty title="Pick a principal to see its policies and keys." />}
        </div>
      )}
    </section>
  );
}

function PrincipalView({ p }: { p: PrincipalRow }) {
  const detail = useLoad(() => api.principalDetail(p.kind, p.name), [p.kind, p.name]);
  return (
    <div className="card" data-testid="principal-detail">
      <h2>
        {p.name} <span className="chip">{p.kind}</span>
      </h2>
      <dl className="facts">
        <div className="fact"><dt>ARN</dt><dd className="mono break">{p.arn}</dd></div>
        <div className="fact"><dt>Created</dt><dd>{dateTime(p.createdDate)}</dd></div>
        {p.description && <div className="fact"><dt>Description</dt><dd>{p.description}</dd></div>}
        {p.tags.length > 0 && (
          <div className="fact"><dt>Tags</dt><dd>{p.tags.map((t) => <span key={t.key} className="chip">{t.key}: {t.value}</span>)}</dd></div>
        )}
      </dl>
      {detail.error && <ErrorBox error={detail.error} />}
      {!detail.value && !detail.error && <Spinner />}
      {detail.value && p.kind !== "policy" && (
        <>
          <h3>Attached policies</h3>
          {detail.value.attachedPolicies.length === 0 ? <p className="muted">None.</p> : (
            <ul className="plain">{detail.value.attachedPolicies.map((a) => <li key={a} className="mono" title={a}>{principalName(a)}</li>)}</ul>
          )}
          <h3>Inline policies</h3>
          {detail.value.inlinePolicies.length === 0 ? <p className="muted">None.</p> : (
            <ul className="plain">{detail.value.inlinePolicies.map((a) => <li key={a} className="mono">{a}</li>)}</ul>
          )}
          {p.kind !== "group" && (
            <>
              <h3>Access keys</h3>
              {detail.value.accessKeys.length === 0 ? <p className="muted">None.</p> : (
                <table className="grid-table">
                  <tbody>
                    {detail.value.accessKeys.map((k) => (
                      <tr key={k.accessKeyId}>
                        <td className="mono">{k.accessKeyId}</td>
                        <td><span className={`badge ${k.active ? "ok" : ""}`}>{k.active ? "Active" : "Inactive"}</span></td>
                        <td>{dateTime(k.createdDate)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          )}
        </>
      )}
      {p.document && (
        <>
          <h3>{p.kind === "role" ? "Trust policy" : "Policy document"}</h3>
          <pre className="mono json">{(() => { try { return JSON.stringify(JSON.parse(p.document), null, 2); } catch { return p.document; } })()}</pre>
        </>
      )}
    </div>
  );
}
