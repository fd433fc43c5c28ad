import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { App } from "../App";
import type { HealthFinding, HealthReport, SecretQuery } from "../bindings";
import { principalOf, routeOf } from "../screens/Health";
import { detail, row, unlocked } from "./fixtures";
import { backend, pages } from "./backend";

const ACCOUNT = "123456789012";

function finding(over: Partial<HealthFinding>): HealthFinding {
  return {
    Kind: "weak-value",
    Severity: "high",
    Subject: { Type: "Secret", Name: row(1).Name, ARN: row(1).ARN },
    Summary: "Its value is weak: zxcvbn scores it 0 of 4, 9 characters.",
    Evidence: { Score: 0, Length: 9 },
    Fix: { Action: "RotateNow", SecretId: row(1).ARN },
    ...over,
  };
}

const report: HealthReport = {
  GeneratedDate: "2026-12-07T13:00:00Z",
  Thresholds: { UnusedDays: 90, UnchangedDays: 90, ApprovalDays: 3, KeyAgeDays: 90, DeletionDays: 7 },
  SecretsChecked: 3,
  PrincipalsChecked: 2,
  Counts: { High: 1, Medium: 2, Low: 1 },
  Findings: [
    finding({}),
    finding({
      Kind: "access-key-old",
      Severity: "medium",
      Subject: { Type: "AccessKey", AccessKeyId: "AKIAOLDKEY0000000001", UserName: "ci", PrincipalARN: `arn:aws:iam::${ACCOUNT}:user/ci` },
      Summary: "Active and 120 days old (made on 2026-08-09).",
      Evidence: { CreatedDate: "2026-08-09", Days: 120 },
      Fix: { Action: "DeactivateKey", UserName: "ci", AccessKeyId: "AKIAOLDKEY0000000001" },
    }),
    finding({
      Kind: "unused-access",
      Severity: "medium",
      Subject: { Type: "Principal", ARN: `arn:aws:iam::${ACCOUNT}:user/app` },
      Summary: "Granted 1 Secrets Manager action(s) it has not used in 90 days.",
      Evidence: { Count: 1, Names: ["secretsmanager:DeleteSecret"], UsedActions: ["secretsmanager:GetSecretValue"], Days: 90 },
      Fix: {
        Action: "ApplyLeastPrivilegePolicy",
        PrincipalARN: `arn:aws:iam::${ACCOUNT}:user/app`,
        CurrentPolicy: '{\n  "Action": [\n    "secretsmanager:GetSecretValue",\n    "secretsmanager:DeleteSecret"\n  ]\n}',
        ProposedPolicy: '{\n  "Action": [\n    "secretsmanager:GetSecretValue"\n  ]\n}',
        // As the core's line_diff gives it.
        Diff: [
          { Kind: "same", Text: "{" },
          { Kind: "same", Text: '  "Action": [' },
          { Kind: "removed", Text: '    "secretsmanager:GetSecretValue",' },
          { Kind: "removed", Text: '    "secretsmanager:DeleteSecret"' },
          { Kind: "added", Text: '    "secretsmanager:GetSecretValue"' },
          { Kind: "same", Text: "  ]" },
          { Kind: "same", Text: "}" },
        ],
      },
    }),
    finding({
      Kind: "never-read",
      Severity: "low",
      Subject: { Type: "Secret", Name: row(2).Name, ARN: row(2).ARN },
      Summary: "Never read since it was made on 2026-01-01.",
      Evidence: { CreatedDate: "2026-01-01", Days: 340 },
      Fix: { Action: "ScheduleDeletion", SecretId: row(2).ARN },
    }),
  ],
};

function common(extra: Record<string, (a: Record<string, unknown>) => unknown> = {}) {
  return backend({
    vault_status: () => unlocked,
    revision: () => 1,
    query_secrets: (a) => pages(a.query as SecretQuery),
    approvals: () => ({ pending: [], background: { running: true, jobs: [] } }),
    health_report: () => report,
    secret_detail: () => detail,
    principals: () => [],
    ...extra,
  });
}

describe("health screen", () => {
  it("groups the findings by severity, worst first, with their evidence and a count badge", async () => {
    common();
    render(<App />);
    const badge = await screen.findByTestId("health-badge");
    expect(badge.textContent).toBe("4");
    fireEvent.click(screen.getByTestId("nav-health"));
    const groups = await screen.findAllByTestId(/^health-(high|medium|low)$/);
    expect(groups.map((g) => g.getAttribute("data-testid"))).toEqual(["health-high", "health-medium", "health-low"]);
    const medium = within(screen.getByTestId("health-medium")).getAllByTestId("finding");
    expect(medium.map((f) => f.getAttribute("data-kind"))).toEqual(["access-key-old", "unused-access"]);
    expect(medium[0].textContent).toContain("Created: 2026-08-09");
    expect(screen.getByTestId("health-summary").textContent).toContain("1 high · 2 medium · 1 low");
  });

  it("marks the secrets list with each secret's worst finding", async () => {
    common();
    render(<App />);
    await waitFor(() => expect(screen.getAllByTestId("health-cell").length).toBeGreaterThanOrEqual(2));
    const rows = screen.getAllByTestId("secret-row");
    const cell = (name: string) => rows.find((r) => r.getAttribute("data-name") === name)!.querySelector(".health")!.textContent;
    expect(cell(row(1).Name)).toBe("high");
    expect(cell(row(2).Name)).toBe("low");
    expect(cell(row(3).Name)).toBe("—");
  });

  it("rotates now and deactivates a key only after confirmation, then checks again", async () => {
    const calls = common({ rotate_now: () => ({ message: "Rotation requested." }), update_access_key: () => ({ message: "Deactivated." }) });
    render(<App />);
    fireEvent.click(await screen.findByTestId("nav-health"));
    const high = await screen.findByTestId("health-high");
    fireEvent.click(within(high).getByTestId("finding-fix"));
    await screen.findByTestId("fix-dialog");
    expect(calls.some((c) => c.cmd === "rotate_now")).toBe(false);
    const before = calls.filter((c) => c.cmd === "health_report").length;
    fireEvent.click(screen.getByTestId("fix-confirm"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "rotate_now")?.args).toEqual({ arn: row(1).ARN, functionArn: null }));
    await waitFor(() => expect(calls.filter((c) => c.cmd === "health_report").length).toBeGreaterThan(before));
    const key = within(screen.getByTestId("health-medium")).getAllByTestId("finding")[0];
    fireEvent.click(within(key).getByTestId("finding-fix"));
    fireEvent.click(await screen.findByTestId("fix-confirm"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "update_access_key")?.args).toEqual({ id: "AKIAOLDKEY0000000001", active: false }));
  });

  it("schedules a deletion through the deletion dialog", async () => {
    const calls = common({ schedule_deletion: () => ({ message: "Scheduled." }) });
    render(<App />);
    fireEvent.click(await screen.findByTestId("nav-health"));
    fireEvent.click(within(await screen.findByTestId("health-low")).getByTestId("finding-fix"));
    fireEvent.click(await screen.findByTestId("schedule-deletion-submit"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "schedule_deletion")?.args).toEqual({ arn: row(2).ARN, days: 30 }));
  });

  it("shows the least-privilege proposal as a diff against the current policy and applies it from there", async () => {
    const calls = common({ apply_least_privilege: () => ({ message: "Applied." }) });
    render(<App />);
    fireEvent.click(await screen.findByTestId("nav-health"));
    const unused = within(await screen.findByTestId("health-medium")).getAllByTestId("finding")[1];
    fireEvent.click(within(unused).getByTestId("finding-fix"));
    const diff = await screen.findByTestId("policy-diff");
    const lines = (cls: string) => Array.from(diff.querySelectorAll(cls)).map((l) => l.textContent ?? "");
    expect(lines(".diff-removed").some((l) => l.includes("secretsmanager:DeleteSecret"))).toBe(true);
    expect(lines(".diff-added").some((l) => l.includes("DeleteSecret"))).toBe(false);
    expect(lines(".diff-same").some((l) => l.includes("secretsmanager:GetSecretValue"))).toBe(false);
    expect(calls.some((c) => c.cmd === "apply_least_privilege")).toBe(false);
    fireEvent.click(screen.getByTestId("proposal-apply"));
    const fix = report.Findings[2].Fix as { PrincipalARN: string; ProposedPolicy: string };
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "apply_least_privilege")?.args).toEqual({ principalArn: fix.PrincipalARN, proposed: fix.ProposedPolicy }),
    );
  });

  it("opens the secret or the principal a finding is about", async () => {
    const calls = common();
    render(<App />);
    fireEvent.click(await screen.findByTestId("nav-health"));
    fireEvent.click(within(await screen.findByTestId("health-high")).getByTestId("finding-open"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "secret_detail")?.args).toEqual({ arn: row(1).ARN }));
  });
});

describe("health logic", () => {
  it("finds the principal of a user, a role's session and an access key", () => {
    expect(principalOf({ Type: "Principal", ARN: `arn:aws:iam::${ACCOUNT}:user/team/app` })).toEqual({ kind: "user", name: "app" });
    expect(principalOf({ Type: "Principal", ARN: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci-run` })).toEqual({ kind: "role", name: "deployer" });
    expect(principalOf({ Type: "Operator", Name: "admin", ARN: `arn:aws:iam::${ACCOUNT}:user/admin` })).toEqual({ kind: "operator", name: "admin" });
  });

  it("opens a rotation finding on the secret's Rotation tab", () => {
    expect(routeOf(finding({ Kind: "rotation-failing" }))).toEqual({ screen: "secret", arn: row(1).ARN, tab: "rotation" });
  });
});
