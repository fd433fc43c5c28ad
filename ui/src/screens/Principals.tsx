import { useEffect, useState } from "react";
import { api, asIpcError } from "../api";
import type { NewAccessKey, PrincipalKind, PrincipalRow } from "../bindings";
import { useConsole } from "../console";
import { dateTime, principalName } from "../format";
import { Empty, ErrorBox, Spinner, useLoad } from "../components/Bits";
import { Modal, useAct } from "../components/Dialogs";
import { ChangePassphraseDialog, PassphraseTwice, useRekey } from "../components/Rekey";

const KINDS: { kind: PrincipalKind; label: string }[] = [
  { kind: "operator", label: "Operators" },
  { kind: "user", label: "Users" },
  { kind: "role", label: "Roles" },
  { kind: "group", label: "Groups" },
  { kind: "policy", label: "Managed policies" },
];

const AWS_POLICIES = [
  "arn:aws:iam::aws:policy/AdministratorAccess",
  "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
];

const TRUST = `{
  "Version": "2012-10-17",
  "Statement": [{ "Effect": "Allow", "Principal": { "AWS": "*" }, "Action": "sts:AssumeRole" }]
}`;
const POLICY = `{
  "Version": "2012-10-17",
  "Statement": [{ "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*" }]
}`;

export function PrincipalsScreen(props: { select?: { kind: PrincipalKind; name: string } }) {
  const c = useConsole();
  // Listing principals is audited (ListOperators, ListEntities): read on opening the screen
  // and after an act here, not on every change to the vault.
  const list = useLoad(() => api.principals(), []);
  const [picked, setPicked] = useState<PrincipalRow | null>(null);
  // Opened from a finding (Health): that principal is picked once the list is in.
  const { select } = props;
  useEffect(() => {
    if (!select || !list.value) return;
    const p = list.value.find((r) => r.kind === select.kind && r.name === select.name);
    if (p) setPicked(p);
  }, [select, list.value]);
  const [creating, setCreating] = useState(false);
  const changed = (m: string) => {
    c.notify(m);
    list.reload();
  };
  return (
    <section className="screen">
      <div className="screen-head">
        <div>
          <h1>Principals</h1>
          <p className="muted">Operators, IAM users, roles, groups and managed policies, with their policies and access keys.</p>
        </div>
        <button className="btn primary" onClick={() => setCreating(true)} data-testid="new-principal">
          + New principal
        </button>
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
          {picked ? (
            <PrincipalView
              key={picked.arn}
              p={picked}
              managed={list.value.filter((p) => p.kind === "policy").map((p) => p.arn)}
              onChanged={changed}
              onDeleted={(m) => {
                setPicked(null);
                changed(m);
              }}
            />
          ) : (
            <Empty title="Pick a principal to see its policies and keys." />
          )}
        </div>
      )}
      {creating && (
        <NewPrincipalDialog
          onClose={() => setCreating(false)}
          onDone={(m) => {
            setCreating(false);
            changed(m);
          }}
        />
      )}
    </section>
  );
}

function NewPrincipalDialog(props: { onClose: () => void; onDone: (m: string) => void }) {
  const [kind, setKind] = useState<PrincipalKind>("user");
  const [name, setName] = useState("");
  const [doc, setDoc] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const [again, setAgain] = useState("");
  const act = useAct(props.onDone);
  const needsDoc = kind === "role" || kind === "policy";
  const operator = kind === "operator";
  const create = () =>
    act.run(() =>
      operator ? api.addOperator(name, passphrase) : api.createPrincipal(kind, name, needsDoc ? doc || (kind === "role" ? TRUST : POLICY) : null),
    );
  return (
    <Modal
      title="New principal"
      onClose={props.onClose}
      testid="new-principal-dialog"
      footer={
        <>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button className="btn primary" disabled={!name || act.busy || (operator && (!passphrase || passphrase !== again))} onClick={create} data-testid="new-principal-submit">
            Create
          </button>
        </>
      }
    >
      <div className="form-row">
        <label className="field">
          <span>Kind</span>
          <select value={kind} onChange={(e) => setKind(e.target.value as PrincipalKind)} data-testid="new-principal-kind">
            <option value="user">User</option>
            <option value="operator">Operator (a person with a passphrase)</option>
            <option value="role">Role</option>
            <option value="group">Group</option>
            <option value="policy">Managed policy</option>
          </select>
        </label>
        <label className="field">
          <span>Name</span>
          <input autoFocus value={name} onChange={(e) => setName(e.target.value)} data-testid="new-principal-name" />
        </label>
      </div>
      {operator && (
        <>
          <p className="muted small">
            An operator unlocks the vault with a passphrase of their own and acts as the IAM user of the same name. They may do nothing until a policy
            allows it: attach one after adding them.
          </p>
          <PassphraseTwice label="Passphrase" value={passphrase} again={again} onValue={setPassphrase} onAgain={setAgain} testid="new-operator-passphrase" />
        </>
      )}
      {needsDoc && (
        <label className="field">
          <span>{kind === "role" ? "Trust policy" : "Policy document"}</span>
          <textarea className="mono" rows={8} value={doc || (kind === "role" ? TRUST : POLICY)} onChange={(e) => setDoc(e.target.value)} />
        </label>
      )}
      {act.errorView}
    </Modal>
  );
}

function PrincipalView(props: { p: PrincipalRow; managed: string[]; onChanged: (m: string) => void; onDeleted: (m: string) => void }) {
  const { p } = props;
  const c = useConsole();
  const detail = useLoad(() => api.principalDetail(p.kind, p.name), [p.kind, p.name]);
  const [attach, setAttach] = useState("");
  const [newKey, setNewKey] = useState<NewAccessKey | null>(null);
  const [inline, setInline] = useState<{ name: string | null } | null>(null);
  const [removing, setRemoving] = useState(false);
  const [changing, setChanging] = useState(false);
  const rekey = useRekey();
  // The list follows the vault's revision; the detail is read again at once.
  const act = (f: () => Promise<{ message: string }>) => c.act(f, detail.reload);
  return (
    <div className="card" data-testid="principal-detail">
      <div className="card-toolbar">
        <h2>
          {p.name} <span className="chip">{p.kind}</span>
        </h2>
        <div className="actions">
          {p.kind !== "group" && p.kind !== "policy" && (
            <button
              className="btn"
              onClick={() => api.createAccessKey(p.kind, p.name).then((k) => { setNewKey(k); detail.reload(); }, (e) => c.fail(asIpcError(e)))}
              data-testid="create-access-key"
            >
              New access key
            </button>
          )}
          {p.kind === "operator" && p.name === c.session.operator && (
            <button className="btn" onClick={() => setChanging(true)} data-testid="change-passphrase">
              Change passphrase
            </button>
          )}
          {p.kind === "operator" && (
            <button
              className="btn danger-ghost"
              disabled={p.name === c.session.operator}
              title={p.name === c.session.operator ? "You cannot remove yourself" : "Remove this operator's key slot"}
              onClick={() => setRemoving(true)}
              data-testid="remove-operator"
            >
              Remove operator
            </button>
          )}
          {p.kind !== "operator" && (
            <button
              className="btn danger-ghost"
              onClick={() => api.deletePrincipal(p.kind, p.name).then((r) => props.onDeleted(r.message), (e) => c.fail(asIpcError(e)))}
              data-testid="delete-principal"
            >
              Delete
            </button>
          )}
        </div>
      </div>
      <dl className="facts">
        <div className="fact"><dt>ARN</dt><dd className="mono break">{p.arn}</dd></div>
        <div className="fact"><dt>Created</dt><dd>{dateTime(p.createdDate)}</dd></div>
        {p.description && <div className="fact"><dt>Description</dt><dd>{p.description}</dd></div>}
        {p.tags.length > 0 && (
          <div className="fact"><dt>Tags</dt><dd>{p.tags.map((t) => <span key={t.Key} className="chip">{t.Key}: {t.Value}</span>)}</dd></div>
        )}
      </dl>
      {detail.error && <ErrorBox error={detail.error} />}
      {!detail.value && !detail.error && <Spinner />}
      {detail.value && p.kind !== "policy" && (
        <>
          <h3>Attached policies</h3>
          {detail.value.Attached.length === 0 ? <p className="muted">None.</p> : (
            <table className="grid-table">
              <tbody>
                {detail.value.Attached.map((a) => (
                  <tr key={a}>
                    <td className="mono" title={a}>{principalName(a)}</td>
                    <td className="row-actions">
                      <button className="btn small danger-ghost" onClick={() => act(() => api.attachPolicy(p.kind, p.name, a, false))}>
                        Detach
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <form
            className="tag-edit add"
            onSubmit={(e) => {
              e.preventDefault();
              void act(() => api.attachPolicy(p.kind, p.name, attach, true)).then(() => setAttach(""));
            }}
          >
            <input className="mono" list="policy-arns" placeholder="Policy ARN" value={attach} onChange={(e) => setAttach(e.target.value)} data-testid="attach-policy-arn" />
            <datalist id="policy-arns">
              {[...AWS_POLICIES, ...props.managed].map((a) => <option key={a} value={a} />)}
            </datalist>
            <button className="btn" disabled={!attach} data-testid="attach-policy">Attach</button>
          </form>
          <div className="card-toolbar section-head">
            <h3>Inline policies</h3>
            <button className="btn small" onClick={() => setInline({ name: null })} data-testid="new-inline-policy">
              + Inline policy
            </button>
          </div>
          {detail.value.Inline.length === 0 ? <p className="muted">None.</p> : (
            <table className="grid-table" data-testid="inline-policies">
              <tbody>
                {detail.value.Inline.map((a) => (
                  <tr key={a}>
                    <td className="mono">{a}</td>
                    <td className="row-actions">
                      <button className="btn small" onClick={() => setInline({ name: a })} data-testid="edit-inline-policy">
                        Edit
                      </button>
                      <button className="btn small danger-ghost" onClick={() => act(() => api.deleteInlinePolicy(p.kind, p.name, a))} data-testid="delete-inline-policy">
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {p.kind !== "group" && (
            <>
              <h3>Access keys</h3>
              {detail.value.AccessKeys.length === 0 ? <p className="muted">None.</p> : (
                <table className="grid-table" data-testid="access-keys">
                  <tbody>
                    {detail.value.AccessKeys.map((k) => (
                      <tr key={k.AccessKeyId}>
                        <td className="mono">{k.AccessKeyId}</td>
                        <td><span className={`badge ${k.Status === "Active" ? "ok" : ""}`}>{k.Status}</span></td>
                        <td>{dateTime(k.CreateDate)}</td>
                        <td className="row-actions">
                          <button className="btn small" onClick={() => act(() => api.updateAccessKey(k.AccessKeyId, k.Status !== "Active"))}>
                            {k.Status === "Active" ? "Deactivate" : "Activate"}
                          </button>
                          <button className="btn small danger-ghost" onClick={() => act(() => api.updateAccessKey(k.AccessKeyId, null))}>
                            Delete
                          </button>
                        </td>
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
      {inline && (
        <InlinePolicyDialog
          p={p}
          name={inline.name}
          onClose={() => setInline(null)}
          onDone={(m) => {
            setInline(null);
            props.onChanged(m);
            detail.reload();
          }}
        />
      )}
      {removing && (
        <Modal
          title={`Remove the operator ${p.name}?`}
          onClose={() => setRemoving(false)}
          testid="remove-operator-dialog"
          footer={
            <>
              <button className="btn" onClick={() => setRemoving(false)}>
                Cancel
              </button>
              <button
                className="btn danger"
                onClick={() => {
                  setRemoving(false);
                  rekey.run(() => api.removeOperator(p.name)).then((r) => props.onDeleted(r.message), (e) => c.fail(asIpcError(e)));
                }}
                data-testid="remove-operator-confirm"
              >
                Remove and re-key
              </button>
            </>
          }
        >
          <p>
            Their key slot is deleted and every key of the vault is replaced — master key, index, metadata, audit and KMS keys — so nothing
            written from now on can be read or forged with anything they held. A copy of the file they kept still opens as it was when they
            left. Nobody's passphrase is needed.
          </p>
        </Modal>
      )}
      {rekey.view}
      {changing && (
        <ChangePassphraseDialog
          operator={p.name}
          onClose={() => setChanging(false)}
          onDone={(m) => {
            setChanging(false);
            props.onChanged(m);
          }}
        />
      )}
      {newKey && (
        <Modal
          title="New access key"
          onClose={() => setNewKey(null)}
          testid="new-access-key"
          footer={<button className="btn primary" onClick={() => setNewKey(null)}>I have stored it</button>}
        >
          <p>The secret access key shows this once. Store it now: it cannot be read again.</p>
          <dl className="facts">
            <div className="fact"><dt>Access key ID</dt><dd className="mono">{newKey.accessKeyId}</dd></div>
            <div className="fact"><dt>Secret access key</dt><dd className="mono break">{newKey.secretAccessKey}</dd></div>
          </dl>
        </Modal>
      )}
    </div>
  );
}

function InlinePolicyDialog(props: { p: PrincipalRow; name: string | null; onClose: () => void; onDone: (m: string) => void }) {
  const { p } = props;
  const [name, setName] = useState(props.name ?? "");
  const [doc, setDoc] = useState<string | null>(props.name ? null : POLICY);
  const act = useAct(props.onDone);
  const stored = useLoad(() => (props.name ? api.inlinePolicy(p.kind, p.name, props.name) : Promise.resolve(POLICY)), [props.name]);
  const text = doc ?? (stored.value ? pretty(stored.value) : "");
  let parseNote: string | null = null;
  try {
    JSON.parse(text);
  } catch (e) {
    parseNote = e instanceof Error ? e.message : "not JSON";
  }
  const save = () => act.run(() => api.putInlinePolicy(p.kind, p.name, name, text));
  return (
    <Modal
      wide
      title={props.name ? `Inline policy ${props.name} of ${p.name}` : `New inline policy on ${p.name}`}
      onClose={props.onClose}
      testid="inline-policy-dialog"
      footer={
        <>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button className="btn primary" disabled={!name || !text || parseNote !== null || act.busy} onClick={save} data-testid="inline-policy-save">
            Save policy
          </button>
        </>
      }
    >
      <label className="field">
        <span>Policy name</span>
        <input autoFocus={!props.name} readOnly={props.name !== null} value={name} onChange={(e) => setName(e.target.value)} data-testid="inline-policy-name" />
      </label>
      {stored.error && <ErrorBox error={stored.error} />}
      <label className="field">
        <span>Document</span>
        <textarea className="mono policy-editor" rows={12} spellCheck={false} value={text} onChange={(e) => setDoc(e.target.value)} data-testid="inline-policy-document" />
        <small className={parseNote ? "danger-text" : ""}>{parseNote ? `Not valid JSON: ${parseNote}` : "Checked by the policy parser when saved."}</small>
      </label>
      {act.errorView}
    </Modal>
  );
}

function pretty(doc: string): string {
  try {
    return JSON.stringify(JSON.parse(doc), null, 2);
  } catch {
    return doc;
  }
}
