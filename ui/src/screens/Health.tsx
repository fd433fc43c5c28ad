// The Health screen: the core's health report (what to fix today, found without revealing a
// value), findings grouped by severity, worst first, each with its evidence, a link to the
// secret or principal it is about, and its fix, carried out by the command that already
// does that act, after a confirmation. The report is computed by the core on a blocking
// thread (the health_report command); this screen only draws it.
import { useEffect, useState } from "react";
import { api } from "../api";
import type { Evidence, Fix, HealthFinding, Severity, Subject } from "../bindings";
import { type Route, type Tab, useConsole } from "../console";
import { Empty, ErrorBox, Spinner } from "../components/Bits";
import { Modal, ScheduleDeletionDialog, useAct } from "../components/Dialogs";

export const SEVERITIES: { severity: Severity; label: string }[] = [
  { severity: "high", label: "High" },
  { severity: "medium", label: "Medium" },
  { severity: "low", label: "Low" },
];

/** How a finding's subject reads (a secret's name, a principal's ARN, a key's id). */
export function subjectLabel(s: Subject): string {
  switch (s.Type) {
    case "Secret":
    case "Operator":
      return s.Name;
    case "Principal":
      return s.ARN;
    case "AccessKey":
      return s.AccessKeyId;
  }
}

/** The principal a subject names, as the Principals screen lists it. */
export function principalOf(s: Subject): { kind: "operator" | "user" | "role"; name: string } | null {
  const fromArn = (arn: string) => {
    const path = arn.slice(arn.lastIndexOf(":") + 1);
    const [head, ...rest] = path.split("/");
    if (rest.length === 0) return null;
    if (head === "user" || head === "role") return { kind: head, name: rest[rest.length - 1] } as const;
    if (head === "assumed-role") return { kind: "role", name: rest[0] } as const;
    return null;
  };
  switch (s.Type) {
    case "Secret":
      return null;
    case "Operator":
      return { kind: "operator", name: s.Name };
    case "Principal":
      return fromArn(s.ARN);
    case "AccessKey":
      return fromArn(s.PrincipalARN) ?? { kind: "user", name: s.UserName };
  }
}

/** Where a finding opens: its secret's tab that shows the matter, or its principal. */
export function routeOf(f: HealthFinding): Route | null {
  const s = f.Subject;
  if (s.Type === "Secret") {
    const tab: Tab = f.Kind.startsWith("rotation")
      ? "rotation"
      : f.Kind.startsWith("replica")
        ? "replicas"
        : f.Kind.endsWith("resource-policy")
          ? "policy"
          : f.Kind === "never-read" || f.Kind === "not-read-recently"
            ? "activity"
            : "overview";
    return { screen: "secret", arn: s.ARN, tab };
  }
  const p = principalOf(s);
  return p && { screen: "principals", select: p };
}

/** The evidence as label/value pairs, in a fixed order (dates, people, counts; never a value). */
export function evidencePairs(e: Evidence): [string, string][] {
  const out: [string, string][] = [];
  const add = (label: string, v: string | number | null | undefined) => {
    if (v !== null && v !== undefined) out.push([label, String(v)]);
  };
  add("Created", e.CreatedDate);
  add("Last read", e.LastReadDate);
  add("Last read by", e.LastReadBy);
  add("Last used", e.LastUsedDate);
  add("Last changed", e.LastChangedDate);
  add("Due", e.DueDate);
  add("Requested", e.RequestedDate);
  add("Requested by", e.RequestedBy);
  add("Step", e.Step);
  add("Error", e.Error);
  add("Field", e.Field);
  add("Region", e.Region);
  add("Status", e.Status);
  add("Days", e.Days);
  add("Tries", e.Tries);
  if (e.Score !== null && e.Score !== undefined) add("zxcvbn score", `${e.Score} of 4`);
  if (e.Length !== null && e.Length !== undefined) add("Length", `${e.Length} characters`);
  add("Count", e.Count);
  if (e.Names && e.Names.length > 0) add("Names", e.Names.join(", "));
  if (e.UsedActions && e.UsedActions.length > 0) add("Used", e.UsedActions.join(", "));
  return out;
}

export function fixLabel(f: Fix): string {
  switch (f.Action) {
    case "RotateNow":
      return "Rotate now…";
    case "TurnRotationOn":
      return "Turn rotation on…";
    case "ScheduleDeletion":
      return "Schedule deletion…";
    case "DeactivateKey":
      return "Deactivate key…";
    case "ApplyLeastPrivilegePolicy":
      return "Proposed policy…";
  }
}


export function HealthScreen() {
  const c = useConsole();
  const { reloadHealth } = c;
  // Opening the screen checks the vault again (the report is an audited request: it runs
  // here, on unlock and after a fix, not on every change).
  useEffect(() => reloadHealth(), [reloadHealth]);
  const [fixing, setFixing] = useState<{ f: HealthFinding; fix: Fix } | null>(null);
  const r = c.health;
  const open = (f: HealthFinding) => {
    const to = routeOf(f);
    if (to) c.navigate(to);
  };
  const startFix = (f: HealthFinding, fix: Fix) => {
    if (fix.Action === "TurnRotationOn") c.navigate({ screen: "secret", arn: fix.SecretId, tab: "rotation" });
    else setFixing({ f, fix });
  };
  const fixed = (m: string) => {
    setFixing(null);
    c.notify(m);
    reloadHealth();
  };
  return (
    <section className="screen" data-testid="health">
      <div className="screen-head">
        <div>
          <h1>Health</h1>
          <p className="muted" data-testid="health-summary">
            {r
              ? `${r.Counts.High} high · ${r.Counts.Medium} medium · ${r.Counts.Low} low — ${r.SecretsChecked} secrets and ${r.PrincipalsChecked} principals checked, ${r.GeneratedDate.slice(0, 16).replace("T", " ")}`
              : "What to fix today, found without revealing a value."}
          </p>
        </div>
        <button className="btn" onClick={reloadHealth} data-testid="health-recheck">
          Check again
        </button>
      </div>
      {c.healthError && <ErrorBox error={c.healthError} onRetry={reloadHealth} />}
      {!r && !c.healthError && <Spinner label="Checking the vault…" />}
      {r && r.Findings.length === 0 && (
        <Empty title="Nothing to fix." testid="health-empty">
          <span>No finding at the default thresholds.</span>
        </Empty>
      )}
      {r &&
        SEVERITIES.map(({ severity, label }) => {
          const of = r.Findings.filter((f) => f.Severity === severity);
          if (of.length === 0) return null;
          return (
            <div key={severity} className="card flush health-group" data-testid={`health-${severity}`}>
              <div className="list-head">
                <span className={`badge ${severity === "high" ? "danger" : severity === "medium" ? "warn" : ""}`}>{label}</span>{" "}
                <span className="count">{of.length}</span>
              </div>
              <table className="grid-table">
                <tbody>
                  {of.map((f, i) => (
                    <tr key={`${f.Kind}-${subjectLabel(f.Subject)}-${i}`} data-testid="finding" data-kind={f.Kind} data-subject={subjectLabel(f.Subject)}>
                      <td className="finding-kind mono small">{f.Kind}</td>
                      <td>
                        <button className="link mono" onClick={() => open(f)} data-testid="finding-open" title="Open what this finding is about">
                          {subjectLabel(f.Subject)}
                        </button>
                        <div>{f.Summary}</div>
                        <div className="muted small evidence">
                          {evidencePairs(f.Evidence).map(([k, v]) => (
                            <span key={k}>
                              {k}: <span className="mono">{v}</span>
                            </span>
                          ))}
                        </div>
                      </td>
                      <td className="row-actions">
                        {f.Fix && (
                          <button className="btn small" onClick={() => startFix(f, f.Fix!)} data-testid="finding-fix">
                            {fixLabel(f.Fix)}
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        })}
      {fixing && fixing.fix.Action === "ScheduleDeletion" && (
        <ScheduleDeletionDialog arn={fixing.fix.SecretId} name={subjectLabel(fixing.f.Subject)} onClose={() => setFixing(null)} onDone={fixed} />
      )}
      {fixing && (fixing.fix.Action === "RotateNow" || fixing.fix.Action === "DeactivateKey") && (
        <ConfirmFix fix={fixing.fix} name={subjectLabel(fixing.f.Subject)} onClose={() => setFixing(null)} onDone={fixed} />
      )}
      {fixing && fixing.fix.Action === "ApplyLeastPrivilegePolicy" && (
        <PolicyProposal fix={fixing.fix} onClose={() => setFixing(null)} onDone={fixed} />
      )}
    </section>
  );
}

function ConfirmFix(props: { fix: Fix; name: string; onClose: () => void; onDone: (m: string) => void }) {
  const act = useAct(props.onDone);
  const fix = props.fix;
  const [title, text, run] =
    fix.Action === "RotateNow"
      ? [
          `Rotate ${props.name} now`,
          "A new version is made (AWSPENDING) and tested with the secret's rotation function; only then does AWSCURRENT move to it, and the old value becomes AWSPREVIOUS.",
          () => api.rotateNow(fix.SecretId, null),
        ]
      : fix.Action === "DeactivateKey"
        ? [
            `Deactivate the access key ${fix.AccessKeyId}`,
            `Requests signed with it (user ${fix.UserName}) are refused until it is activated again on the Principals screen.`,
            () => api.updateAccessKey(fix.AccessKeyId, false),
          ]
        : ["", "", null];
  return (
    <Modal
      title={title}
      onClose={props.onClose}
      testid="fix-dialog"
      footer={
        <>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button className="btn primary" disabled={act.busy || !run} onClick={() => run && act.run(run)} data-testid="fix-confirm">
            {fix.Action === "RotateNow" ? "Rotate now" : "Deactivate"}
          </button>
        </>
      }
    >
      <p>{text}</p>
      {act.errorView}
    </Modal>
  );
}

function PolicyProposal(props: { fix: Fix & { Action: "ApplyLeastPrivilegePolicy" }; onClose: () => void; onDone: (m: string) => void }) {
  const act = useAct(props.onDone);
  const { PrincipalARN, ProposedPolicy } = props.fix;
  return (
    <Modal
      title="Least-privilege policy, from what the principal did"
      onClose={props.onClose}
      testid="policy-proposal"
      wide
      footer={
        <>
          <button className="btn" onClick={props.onClose}>
            Close
          </button>
          <button className="btn primary" disabled={act.busy} onClick={() => act.run(() => api.applyLeastPrivilege(PrincipalARN, ProposedPolicy))} data-testid="proposal-apply">
            Apply
          </button>
        </>
      }
    >
      <p className="muted">
        {PrincipalARN}: its identity policies now (−) and the proposal (+), which keeps only the Secrets Manager actions it used. Applying
        replaces its inline and attached policies with this one; the vault checks it with the policy simulator first.
      </p>
      <pre className="policy-diff mono" data-testid="policy-diff">
        {props.fix.Diff.map((l, i) => (
          <div key={i} className={`diff-${l.Kind}`}>
            {l.Kind === "added" ? "+ " : l.Kind === "removed" ? "- " : "  "}
            {l.Text}
          </div>
        ))}
      </pre>
      {act.errorView}
    </Modal>
  );
}
