import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { App } from "../App";
import type { ApprovalsOutput, ReplicasView, SecretQuery } from "../bindings";
import { replicaStatusClass } from "../screens/Replicas";
import { detail, unlocked } from "./fixtures";
import { backend, pages } from "./backend";

const region = (r: string, vaultPath: string, reachable: boolean, failed: number): ReplicasView["Regions"][number] => ({
  Region: r,
  VaultPath: vaultPath,
  ReplicaVaultId: `vault-${r}`,
  AddedDate: 1_700_000_000,
  Reachable: reachable,
  Replaced: false,
  Secrets: failed,
  InSync: 0,
  InProgress: 0,
  Failed: failed,
  Detached: 0,
  QueuedRemovals: 0,
});

const regions: ReplicasView["Regions"] = [
  region("eu-west-1", "/media/backup/replica.db", true, 1),
  region("ap-south-1", "/mnt/second/replica.db", false, 0),
];

const primary: ReplicasView = {
  HomeRegion: "us-east-1",
  PrimaryRegion: "us-east-1",
  IsReplica: false,
  ReplicationStatus: [
    {
      Region: "eu-west-1",
      KmsKeyId: "alias/aws/secretsmanager",
      Status: "Failed",
      StatusMessage: "The replica vault for eu-west-1 can't be reached. The change is queued and retried when the replica can be reached.",
    },
  ],
  Regions: regions,
  CrossAccountPrimary: null,
  CrossAccountReplicas: [],
  Accounts: [],
};

function common(view: ReplicasView, extra: Record<string, (a: Record<string, unknown>) => unknown> = {}) {
  return backend({
    vault_status: () => unlocked,
    revision: () => 1,
    query_secrets: (a) => pages(a.query as SecretQuery),
    secret_detail: () => ({ ...detail, Secret: { ...detail.Secret, PrimaryRegion: view.PrimaryRegion ?? undefined } }),
    approvals: (): ApprovalsOutput => ({ pending: [], background: { running: true, jobs: [{ job: "Rotations", lastRunDate: 1_700_000_000, nextRunDate: 1_700_000_010, lastResult: "0 ran", lastError: null, failures: 0, line: "rotations: last 22:13:20 (0 ran) · next 22:13:30" }] } }),
    replicas: () => view,
    ...extra,
  });
}

async function openReplicasTab() {
  render(<App />);
  fireEvent.click((await screen.findAllByTestId("secret-row"))[1]);
  fireEvent.click(await screen.findByTestId("tab-replicas"));
  return screen.findByTestId("replicas");
}

describe("replicas tab", () => {
  it("shows each replica's status with its message and the regions' files", async () => {
    common(primary);
    await openReplicasTab();
    const row = screen.getByTestId("replica-eu-west-1");
    expect(row.textContent).toContain("Failed");
    expect(row.textContent).toContain("queued and retried");
    expect(screen.getByTestId("replica-regions").textContent).toContain("unreachable");
    expect(replicaStatusClass("InSync")).toBe("ok");
    expect(replicaStatusClass("InProgress")).toBe("warn");
  });

  it("names a region whose file is not the vault registered as replaced", async () => {
    const replaced = { ...regions[0], Replaced: true };
    common({ ...primary, Regions: [replaced] });
    await openReplicasTab();
    expect(screen.getByTestId("region-replaced").textContent).toBe("replaced");
    expect(screen.getByTestId("replica-regions").textContent).not.toContain("reachable");
  });

  it("replicates to a free region with a KMS key there, and retries", async () => {
    const calls = common(primary, {
      replicate_secret: () => ({ message: "Replicating to ap-south-1: InProgress." }),
      perform: () => ({ message: "Replication retried." }),
    });
    await openReplicasTab();
    const select = screen.getByTestId("replica-region") as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual(["ap-south-1"]);
    fireEvent.change(screen.getByTestId("replica-kms"), { target: { value: "alias/backup" } });
    fireEvent.click(screen.getByTestId("replicate"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "replicate_secret")?.args).toEqual({ arn: detail.Secret.ARN, region: "ap-south-1", kmsKeyId: "alias/backup" }),
    );
    fireEvent.click(screen.getByTestId("sync-replicas"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "perform")?.args).toEqual({ act: "SyncReplicas" }));
  });

  it("removing and promoting a replica ask first", async () => {
    const calls = common(primary, {
      remove_replica: () => ({ message: "Removed." }),
      promote_replica: () => ({ message: "Promoted." }),
    });
    await openReplicasTab();
    fireEvent.click(screen.getByTestId("remove-replica"));
    expect(calls.some((c) => c.cmd === "remove_replica")).toBe(false);
    fireEvent.click(await screen.findByTestId("replica-confirm"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "remove_replica")?.args).toEqual({ arn: detail.Secret.ARN, region: "eu-west-1" }));
    fireEvent.click(screen.getByTestId("promote-replica"));
    fireEvent.click(await screen.findByTestId("replica-confirm"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "promote_replica")?.args).toEqual({ arn: detail.Secret.ARN, region: "eu-west-1" }));
  });

  it("Escape closes a dialog and leaves the secret's page where it was", async () => {
    common(primary);
    await openReplicasTab();
    fireEvent.click(screen.getByTestId("remove-replica"));
    await screen.findByTestId("replica-dialog");
    fireEvent.keyDown(window, { key: "Escape" });
    await waitFor(() => expect(screen.queryByTestId("replica-dialog")).toBeNull());
    expect(screen.getByTestId("replicas")).toBeTruthy();
    expect(screen.getByTestId("secret-detail")).toBeTruthy();
  });

  it("a replica shows its primary region and promotes itself", async () => {
    const calls = common(
      { HomeRegion: "eu-west-1", PrimaryRegion: "us-east-1", IsReplica: true, ReplicationStatus: [], Regions: [], CrossAccountPrimary: null, CrossAccountReplicas: [], Accounts: [] },
      { promote_replica: () => ({ message: "Promoted." }) },
    );
    await openReplicasTab();
    expect(screen.getByTestId("replica-of").textContent).toContain("us-east-1");
    fireEvent.click(screen.getByTestId("promote-here"));
    fireEvent.click(await screen.findByTestId("replica-confirm"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "promote_replica")?.args).toEqual({ arn: detail.Secret.ARN, region: null }));
  });

  it("associates a cross-account replica by its ARN and shows it with its status", async () => {
    const replicaArn = "arn:aws:secretsmanager:us-east-1:444455556666:secret:mirror-AbCdEf";
    const calls = common(
      {
        ...primary,
        CrossAccountReplicas: [{ ReplicaSecretARN: replicaArn, ReplicationStatus: "InSync" }],
        Accounts: [{ ...region("us-east-1", "/mnt/partner.db", true, 0), AccountId: "444455556666", InSync: 1 }],
      },
      {
        associate_cross_account_replica: () => ({ message: "Cross-account replica: InSync." }),
        disassociate_cross_account_replica: () => ({ message: "Disassociated." }),
      },
    );
    await openReplicasTab();
    const table = screen.getByTestId("cross-account-table");
    expect(table.textContent).toContain(replicaArn);
    expect(screen.getByTestId("cross-account-state").textContent).toBe("InSync");
    expect(screen.getByTestId("replica-accounts").textContent).toContain("444455556666 (reachable)");
    fireEvent.change(screen.getByTestId("replica-arn"), { target: { value: ` ${replicaArn} ` } });
    fireEvent.click(screen.getByTestId("associate"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "associate_cross_account_replica")?.args).toEqual({ arn: detail.Secret.ARN, replicaArn }),
    );
    fireEvent.click(screen.getByTestId("disassociate"));
    expect(calls.some((c) => c.cmd === "disassociate_cross_account_replica")).toBe(false);
    fireEvent.click(await screen.findByTestId("replica-confirm"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "disassociate_cross_account_replica")?.args).toEqual({ arn: detail.Secret.ARN, replicaArn }),
    );
  });

  it("a cross-account replica shows its primary and status and is made standalone", async () => {
    const primaryArn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf";
    const calls = common(
      { ...primary, ReplicationStatus: [], CrossAccountPrimary: { PrimarySecretARN: primaryArn, ReplicationStatus: "Detached" } },
      { promote_replica: () => ({ message: "Promoted." }) },
    );
    await openReplicasTab();
    expect(screen.getByTestId("cross-account-primary").textContent).toContain(primaryArn);
    expect(screen.getByTestId("cross-account-status").textContent).toBe("Detached");
    expect(screen.queryByTestId("associate-form")).toBeNull();
    fireEvent.click(screen.getByTestId("promote-here"));
    fireEvent.click(await screen.findByTestId("replica-confirm"));
    await waitFor(() => expect(calls.find((c) => c.cmd === "promote_replica")?.args).toEqual({ arn: detail.Secret.ARN, region: null }));
  });
});
