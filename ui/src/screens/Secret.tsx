import { useEffect, useState } from "react";
import { api, asIpcError } from "../api";
import type { DiffRow, PolicyView, RevealedValue, SecretView, ValidationReport } from "../bindings";
import { TABS, useConsole, type Tab, typingIn } from "../console";
import { countdown, dateTime, jsonFields, principalName, relative, shortId, utcDateTime } from "../format";
import { Empty, ErrorBox, Labels, Spinner, useLoad } from "../components/Bits";
import { DescriptionDialog, MoveLabelDialog, PutValueDialog, ScheduleDeletionDialog, TypeDialog } from "../components/Dialogs";
import { AuditTable } from "./Audit";
import { ReplicasTab } from "./Replicas";
import { RotationTab } from "./Rotation";

const TAB_LABEL: Record<Tab, string> = {
  overview: "Overview",
  value: "Value",
  versions: "Versions",
  rotation: "Rotation",
  replicas: "Replicas",
  tags: "Tags",
  policy: "Policy",
  access: "Access",
  activity: "Activity",
};

type DialogKind = "put" | "describe" | "type" | "delete" | null;

export function SecretScreen(props: { arn: string; tab: Tab }) {
  const c = useConsole();
  const detail = useLoad(() => api.secretDetail(props.arn), [props.arn, c.revision]);
  const [dialog, setDialog] = useState<DialogKind>(null);
  const setTab = (tab: Tab) => c.navigate({ screen: "secret", arn: props.arn, tab });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typingIn(e)) return;
      if (document.querySelector(".modal-backdrop") || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "Escape" || e.key === "Backspace") c.navigate({ screen: "secrets" });
      else if (e.key === "Tab") {
        e.preventDefault();
        const i = TABS.indexOf(props.tab);
        setTab(TABS[(i + (e.shiftKey ? TABS.length - 1 : 1)) % TABS.length]);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const d = detail.value;
  const closeWith = (m: string) => {
    setDialog(null);
    c.notify(m);
    detail.reload();
  };
  return (
    <section className="screen" data-testid="secret-detail">
      <div className="crumbs">
        <button className="link" onClick={() => c.navigate({ screen: "secrets" })} data-testid="back">
          ← Secrets
        </button>
      </div>
      {detail.error && <ErrorBox error={detail.error} onRetry={detail.reload} />}
      {!d && !detail.error && <Spinner />}
      {d && (
        <>
          <div className="screen-head">
            <div className="title-block">
              <h1 className="mono" data-testid="secret-name">
                {d.Secret.Name}
              </h1>
              <p className="muted">{d.Secret.Description || "No description"}</p>
              {d.DeletionDate !== null && (
                <div className="notice danger" data-testid="deletion-notice">
                  Scheduled for deletion on {dateTime(d.DeletionDate)} ({countdown(d.DeletionDate)} left). Reads and writes are refused until
                  restored.
                  <button
                    className="btn small"
                    onClick={() => c.act(() => api.restoreSecret(d.Secret.ARN), detail.reload)}
                    data-testid="restore-secret"
                  >
                    Restore
                  </button>
                </div>
              )}
            </div>
            <div className="actions">
              <button className="btn" onClick={() => setDialog("describe")} disabled={d.DeletionDate !== null} data-testid="edit-description">
                Edit description
              </button>
              <button className="btn" onClick={() => setDialog("type")} disabled={d.DeletionDate !== null} data-testid="edit-type">
                Set Type
              </button>
              <button className="btn primary" onClick={() => setDialog("put")} disabled={d.DeletionDate !== null} data-testid="put-value">
                New value
              </button>
              <button className="btn danger-ghost" onClick={() => setDialog("delete")} disabled={d.DeletionDate !== null} data-testid="schedule-deletion">
                Delete…
              </button>
            </div>
          </div>
          <div className="tabs" role="tablist">
            {TABS.map((t) => (
              <button key={t} role="tab" aria-selected={props.tab === t} className={props.tab === t ? "active" : ""} onClick={() => setTab(t)} data-testid={`tab-${t}`}>
                {TAB_LABEL[t]}
                {t === "versions" && <span className="count">{d.Versions.length}</span>}
                {t === "rotation" && d.Secret.RotationEnabled && <span className="count">on</span>}
                {t === "tags" && (d.Secret.Tags ?? []).length > 0 && <span className="count">{(d.Secret.Tags ?? []).length}</span>}
              </button>
            ))}
          </div>
          <div className="tab-body" data-testid={`tab-body-${props.tab}`}>
            {props.tab === "overview" && <Overview d={d} />}
            {props.tab === "value" && <ValueTab d={d} />}
            {props.tab === "versions" && <VersionsTab d={d} onChanged={closeWith} />}
            {props.tab === "rotation" && <RotationTab d={d} />}
            {props.tab === "replicas" && <ReplicasTab d={d} />}
            {props.tab === "tags" && <TagsTab d={d} onChanged={closeWith} />}
            {props.tab === "policy" && <PolicyTab d={d} />}
            {props.tab === "access" && <AccessTab d={d} />}
            {props.tab === "activity" && <AuditTable secretId={d.Secret.ARN} compact />}
          </div>
          {dialog === "put" && <PutValueDialog arn={d.Secret.ARN} name={d.Secret.Name} onClose={() => setDialog(null)} onDone={closeWith} />}
          {dialog === "describe" && <DescriptionDialog arn={d.Secret.ARN} current={d.Secret.Description ?? ""} onClose={() => setDialog(null)} onDone={closeWith} />}
          {dialog === "type" && <TypeDialog arn={d.Secret.ARN} current={d.Secret.Type ?? ""} onClose={() => setDialog(null)} onDone={closeWith} />}
          {dialog === "delete" && <ScheduleDeletionDialog arn={d.Secret.ARN} name={d.Secret.Name} onClose={() => setDialog(null)} onDone={closeWith} />}
        </>
      )}
    </section>
  );
}

function Overview({ d }: { d: SecretView }) {
  const current = d.Versions.find((v) => v.VersionStages.includes("AWSCURRENT"));
  const facts: [string, React.ReactNode][] = [
    ["ARN", <span className="mono break">{d.Secret.ARN}</span>],
    ["Type", d.Secret.Type ? <span className="mono">{d.Secret.Type}</span> : "— (not a managed external secret)"],
    ["Encryption key", <span className="mono">{d.Secret.KmsKeyId ?? "aws/secretsmanager"}</span>],
    ["Region", d.Secret.PrimaryRegion ?? "—"],
    ["Created", `${dateTime(d.Secret.CreatedDate)} (${relative(d.Secret.CreatedDate)})`],
    ["Last changed", d.Secret.LastChangedDate ? `${dateTime(d.Secret.LastChangedDate)} (${relative(d.Secret.LastChangedDate)})` : "—"],
    ["Last accessed", d.Secret.LastAccessedDate ? dateTime(d.Secret.LastAccessedDate).slice(0, 10) : "never"],
    ["Current version", current ? <span className="mono">{current.VersionId}</span> : "no value yet"],
    ["Versions", `${d.Versions.length} (${d.Versions.filter((v) => v.VersionStages.length === 0).length} deprecated)`],
    [
      "Rotation",
      d.Secret.RotationEnabled
        ? `on · next window ${d.Secret.NextRotationDate ? `${utcDateTime(d.Secret.NextRotationDate)} (${relative(d.Secret.NextRotationDate)})` : "when asked"}`
        : "off",
    ],
    ["Last rotated", d.Secret.LastRotatedDate ? `${dateTime(d.Secret.LastRotatedDate)} (${relative(d.Secret.LastRotatedDate)})` : "never"],
  ];
  return (
    <div className="cards">
      <dl className="facts card" data-testid="overview">
        {facts.map(([k, v]) => (
          <div key={k} className="fact">
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <div className="card">
        <h3>Tags</h3>
        {(d.Secret.Tags ?? []).length === 0 ? (
          <p className="muted">No tags.</p>
        ) : (
          <div className="chips">
            {(d.Secret.Tags ?? []).map((t) => (
              <span className="chip" key={t.Key}>
                {t.Key}: {t.Value}
              </span>
            ))}
          </div>
        )}
      </div>
    </div>
  );
}

function ValueTab({ d }: { d: SecretView }) {
  const c = useConsole();
  const withValue = d.Versions.filter((v) => v.HasValue);
  const current = withValue.find((v) => v.VersionStages.includes("AWSCURRENT")) ?? withValue[0];
  const [versionId, setVersionId] = useState(current?.VersionId ?? "");
  const [shown, setShown] = useState<RevealedValue | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => setShown(null), [versionId]);
  const reveal = () => {
    setBusy(true);
    api.revealValue(d.Secret.ARN, versionId).then(setShown, (e) => c.fail(asIpcError(e))).finally(() => setBusy(false));
  };
  const copy = (key: string | null) =>
    api.copyValue(d.Secret.ARN, versionId, key).then(
      (r) => {
        c.copied(r.clearsInSeconds);
        c.notify(`Copied ${key ?? "the value"}; the clipboard clears in ${r.clearsInSeconds} s.`);
      },
      (e) => c.fail(asIpcError(e)),
    );
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typingIn(e) || document.querySelector(".modal-backdrop")) return;
      if (e.key === "r" && !e.ctrlKey) (shown ? setShown(null) : reveal());
      if (e.key === "C") void copy(null);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });
  if (!current) return <Empty title="This secret has no value yet." />;
  const fields = shown && !shown.binary ? jsonFields(shown.text) : null;
  return (
    <div className="card value-card">
      <div className="value-head">
        <label className="inline-field">
          Version
          <select className="mono" value={versionId} onChange={(e) => setVersionId(e.target.value)} data-testid="value-version">
            {withValue.map((v) => (
              <option key={v.VersionId} value={v.VersionId}>
                {shortId(v.VersionId)} {v.VersionStages.join(" ") || "(deprecated)"}
              </option>
            ))}
          </select>
        </label>
        <div className="actions">
          {shown ? (
            <button className="btn" onClick={() => setShown(null)} data-testid="hide-value">
              Hide <kbd>R</kbd>
            </button>
          ) : (
            <button className="btn primary" onClick={reveal} disabled={busy} data-testid="reveal-value">
              Reveal <kbd>R</kbd>
            </button>
          )}
          <button className="btn" onClick={() => copy(null)} data-testid="copy-value">
            Copy <kbd>⇧C</kbd>
          </button>
        </div>
      </div>
      <p className="muted small">Revealing or copying reads the value: each is an audited GetSecretValue. Opening the secret is not.</p>
      {!shown && (
        <div className="masked" data-testid="masked-value">
          ••••••••••••••••••••••••
        </div>
      )}
      {shown && fields && (
        <table className="kv" data-testid="revealed-value">
          <tbody>
            {fields.map(([k, v]) => (
              <tr key={k}>
                <th className="mono">{k}</th>
                <td className="mono">{v}</td>
                <td className="row-actions">
                  <button className="btn small" onClick={() => copy(k)} data-testid={`copy-key-${k}`}>
                    Copy
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {shown && !fields && (
        <pre className="value-text mono" data-testid="revealed-value">
          {shown.binary ? `(binary, base64)\n${shown.text}` : shown.text}
        </pre>
      )}
    </div>
  );
}

function VersionsTab({ d, onChanged }: { d: SecretView; onChanged: (m: string) => void }) {
  const c = useConsole();
  const [showDeprecated, setShowDeprecated] = useState(false);
  const [picked, setPicked] = useState<string[]>([]);
  const [diff, setDiff] = useState<{ rows: DiffRow[]; old: string; new: string } | null>(null);
  const [showDiffValues, setShowDiffValues] = useState(false);
  const [move, setMove] = useState<{ label: string; to: string; title: string } | null>(null);
  const versions = d.Versions.filter((v) => showDeprecated || v.VersionStages.length > 0);
  const cur = d.Versions.find((v) => v.VersionStages.includes("AWSCURRENT"));
  const prev = d.Versions.find((v) => v.VersionStages.includes("AWSPREVIOUS"));
  const pick = (vid: string) => setPicked((p) => (p.includes(vid) ? p.filter((x) => x !== vid) : [...p.slice(-1), vid]));
  const runDiff = () => {
    const [a, b] = picked
      .map((id) => d.Versions.find((v) => v.VersionId === id)!)
      .sort((x, y) => x.CreatedDate - y.CreatedDate);
    api.diffVersions(d.Secret.ARN, a.VersionId, b.VersionId).then(
      (rows) => {
        setDiff({ rows, old: a.VersionId, new: b.VersionId });
        setShowDiffValues(false);
      },
      (e) => c.fail(asIpcError(e)),
    );
  };
  return (
    <div className="card">
      <div className="card-toolbar">
        <label className="toggle">
          <input type="checkbox" checked={showDeprecated} onChange={(e) => setShowDeprecated(e.target.checked)} data-testid="show-deprecated" />
          Show deprecated versions
        </label>
        <div className="actions">
          <button className="btn" disabled={picked.length !== 2} onClick={runDiff} data-testid="diff-versions">
            Compare {picked.length}/2
          </button>
          <button
            className="btn"
            disabled={!cur || !prev}
            onClick={() => prev && setMove({ label: "AWSCURRENT", to: prev.VersionId, title: "Roll back to the previous version" })}
            data-testid="rollback"
            title="Move AWSCURRENT to the AWSPREVIOUS version"
          >
            ↶ Roll back
          </button>
        </div>
      </div>
      <table className="grid-table" data-testid="versions-table">
        <thead>
          <tr>
            <th />
            <th>Version</th>
            <th>Labels</th>
            <th>Created</th>
            <th>Last accessed</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.VersionId} data-testid="version-row" data-version={v.VersionId} data-stages={v.VersionStages.join(" ")}>
              <td>
                <input type="checkbox" checked={picked.includes(v.VersionId)} onChange={() => pick(v.VersionId)} aria-label="Select for comparison" disabled={!v.HasValue} />
              </td>
              <td className="mono" title={v.VersionId}>
                {shortId(v.VersionId)}
              </td>
              <td>
                <Labels stages={v.VersionStages} />
              </td>
              <td>{dateTime(v.CreatedDate)}</td>
              <td>{v.LastAccessedDate ? dateTime(v.LastAccessedDate).slice(0, 10) : "never"}</td>
              <td className="row-actions">
                <button className="btn small" onClick={() => setMove({ label: "AWSCURRENT", to: v.VersionId, title: "Move a label" })} data-testid="move-label">
                  Move label here
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {diff && (
        <div className="diff" data-testid="diff">
          <div className="card-toolbar">
            <h3>
              {shortId(diff.old)} → {shortId(diff.new)}
            </h3>
            <label className="toggle">
              <input type="checkbox" checked={showDiffValues} onChange={(e) => setShowDiffValues(e.target.checked)} data-testid="diff-show-values" />
              Show values
            </label>
          </div>
          <table className="grid-table">
            <thead>
              <tr>
                <th>Key</th>
                <th>Change</th>
                <th>Old</th>
                <th>New</th>
              </tr>
            </thead>
            <tbody>
              {diff.rows.map((r) => (
                <tr key={r.key} className={`diff-${r.change}`} data-testid="diff-row">
                  <td className="mono">{r.key}</td>
                  <td>
                    <span className={`badge ${r.change}`}>{r.change}</span>
                  </td>
                  <td className="mono">{r.old === null ? "—" : showDiffValues ? r.old : "••••••"}</td>
                  <td className="mono">{r.new === null ? "—" : showDiffValues ? r.new : "••••••"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {move && (
        <MoveLabelDialog
          arn={d.Secret.ARN}
          versions={d.Versions.filter((v) => v.VersionStages.length > 0 || v.VersionId === move.to)}
          initialLabel={move.label}
          initialTo={move.to}
          title={move.title}
          onClose={() => setMove(null)}
          onDone={(m) => {
            setMove(null);
            onChanged(m);
          }}
        />
      )}
    </div>
  );
}

function TagsTab({ d, onChanged }: { d: SecretView; onChanged: (m: string) => void }) {
  const c = useConsole();
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const add = (e: React.FormEvent) => {
    e.preventDefault();
    api.tagSecret(d.Secret.ARN, key, value).then(
      (r) => {
        setKey("");
        setValue("");
        onChanged(r.message);
      },
      (err) => c.fail(asIpcError(err)),
    );
  };
  return (
    <div className="card">
      {(d.Secret.Tags ?? []).length === 0 ? (
        <Empty title="No tags." testid="tags-empty">
          <span>Tags help filter the table: the filter matches tag keys and values.</span>
        </Empty>
      ) : (
        <table className="grid-table" data-testid="tags-table">
          <thead>
            <tr>
              <th>Key</th>
              <th>Value</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(d.Secret.Tags ?? []).map((t) => (
              <tr key={t.Key}>
                <td className="mono">{t.Key}</td>
                <td className="mono">{t.Value}</td>
                <td className="row-actions">
                  <button className="btn small danger-ghost" onClick={() => api.untagSecret(d.Secret.ARN, t.Key).then((r) => onChanged(r.message), (e) => c.fail(asIpcError(e)))} data-testid={`untag-${t.Key}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="tag-edit add" onSubmit={add}>
        <input placeholder="Key" value={key} onChange={(e) => setKey(e.target.value)} data-testid="tag-key" />
        <input placeholder="Value" value={value} onChange={(e) => setValue(e.target.value)} data-testid="tag-value" />
        <button className="btn primary" disabled={!key || d.DeletionDate !== null} data-testid="tag-add">
          Add tag
        </button>
      </form>
    </div>
  );
}

const POLICY_TEMPLATE = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::ACCOUNT:role/app" },
      "Action": "secretsmanager:GetSecretValue",
      "Resource": "*"
    }
  ]
}`;

function PolicyTab({ d }: { d: SecretView }) {
  const c = useConsole();
  const stored = useLoad<PolicyView>(() => api.getPolicy(d.Secret.ARN), [d.Secret.ARN]);
  const [text, setText] = useState<string | null>(null);
  const [report, setReport] = useState<ValidationReport | null>(null);
  const [blockPublic, setBlockPublic] = useState(true);
  const editing = text ?? stored.value?.policy ?? "";
  useEffect(() => {
    if (text === null) return;
    const id = setTimeout(() => {
      api.validatePolicy(d.Secret.ARN, text).then(setReport, (e) => setReport({ PolicyValidationPassed: false, ValidationErrors: [{ CheckName: asIpcError(e).code, ErrorMessage: asIpcError(e).message }] }));
    }, 300);
    return () => clearTimeout(id);
  }, [text, d.Secret.ARN]);
  if (stored.error) return <ErrorBox error={stored.error} onRetry={stored.reload} />;
  if (!stored.value) return <Spinner />;
  const shownReport = text === null ? (stored.value.report ?? { PolicyValidationPassed: true, ValidationErrors: [] }) : report;
  const after = (m: string) => {
    c.notify(m);
    setText(null);
    setReport(null);
    stored.reload();
  };
  return (
    <div className="policy-layout">
      <div className="card">
        <div className="card-toolbar">
          <h3>Resource policy</h3>
          <span className="muted small">{stored.value.policy ? "stored" : "none stored"}{text !== null ? " · edited" : ""}</span>
        </div>
        {!stored.value.policy && text === null ? (
          <Empty title="No resource policy." testid="policy-empty">
            <span>Only identity policies decide access to this secret.</span>
            <button className="btn" onClick={() => setText(POLICY_TEMPLATE.replace("ACCOUNT", c.session.accountId))} data-testid="policy-new">
              Write one
            </button>
          </Empty>
        ) : (
          <textarea className="mono policy-editor" spellCheck={false} value={editing} onChange={(e) => setText(e.target.value)} data-testid="policy-editor" />
        )}
        <div className="card-toolbar">
          <label className="toggle">
            <input type="checkbox" checked={blockPublic} onChange={(e) => setBlockPublic(e.target.checked)} />
            Block public policy
          </label>
          <div className="actions">
            {stored.value.policy && (
              <button className="btn danger-ghost" onClick={() => api.deletePolicy(d.Secret.ARN).then((r) => after(r.message), (e) => c.fail(asIpcError(e)))} data-testid="policy-delete">
                Delete policy
              </button>
            )}
            <button className="btn primary" disabled={text === null} onClick={() => api.putPolicy(d.Secret.ARN, editing, blockPublic).then((r) => after(r.message), (e) => c.fail(asIpcError(e)))} data-testid="policy-save">
              Save policy
            </button>
          </div>
        </div>
      </div>
      <div className="card" data-testid="policy-findings">
        <h3>Validation</h3>
        {!shownReport ? (
          <p className="muted">Checking…</p>
        ) : shownReport.ValidationErrors.length === 0 ? (
          <p className="ok-text">{stored.value.policy || text !== null ? "✓ No findings." : "Nothing to check."}</p>
        ) : (
          <ul className="findings">
            {shownReport.ValidationErrors.map((f, i) => (
              <li key={i}>
                <span className="badge danger">{f.CheckName}</span> {f.ErrorMessage}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

function AccessTab({ d }: { d: SecretView }) {
  const access = useLoad(() => api.effectiveAccess(d.Secret.ARN), [d.Secret.ARN]);
  const [picked, setOpen] = useState<string | null | undefined>(undefined);
  // The first principal (the operator, usually) starts open.
  const open = picked === undefined ? (access.value?.Principals[0]?.PrincipalArn ?? null) : picked;
  if (access.error) return <ErrorBox error={access.error} onRetry={access.reload} />;
  if (!access.value) return <Spinner />;
  return (
    <div className="card" data-testid="access">
      <p className="muted small">For every principal, the decision on each action on this secret and the statements that decided it.</p>
      {access.value.Principals.map((p) => {
        const allowed = p.Decisions.filter((a) => a.Decision === "allowed").length;
        const isOpen = open === p.PrincipalArn;
        return (
          <div key={p.PrincipalArn} className="access-principal">
            <button className="access-head" onClick={() => setOpen(isOpen ? null : p.PrincipalArn)} data-testid="access-principal">
              <span className="chev">{isOpen ? "▾" : "▸"}</span>
              <strong>{principalName(p.PrincipalArn)}</strong>
              <span className="mono muted small">{p.PrincipalArn}</span>
              <span className="spacer" />
              <span className={`badge ${allowed === 0 ? "" : allowed === p.Decisions.length ? "ok" : "warn"}`}>
                {allowed}/{p.Decisions.length} allowed
              </span>
            </button>
            {isOpen && (
              <table className="grid-table">
                <tbody>
                  {p.Decisions.map((a) => (
                    <tr key={a.Action}>
                      <td className="mono">{a.Action.replace("secretsmanager:", "")}</td>
                      <td>
                        <span className={`badge ${a.Decision === "allowed" ? "ok" : a.Decision === "explicitDeny" ? "danger" : ""}`}>{a.Decision}</span>
                      </td>
                      <td className="small">
                        {a.Statements.length === 0
                          ? <span className="muted">no statement matched</span>
                          : a.Statements.map((s, i) => (
                              <div key={i}>
                                {s.Effect} · {s.PolicyType} <span className="mono">{principalName(s.PolicyId)}</span>
                                {s.Sid ? ` · ${s.Sid}` : ""}
                              </div>
                            ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        );
      })}
    </div>
  );
}
