import type { SecretSummary, SecretView, VaultStatus } from "../bindings";

export const locked: VaultStatus = {
  path: "/home/op/.local/share/coffer/vault.db",
  exists: true,
  accountId: "123456789012",
  region: "us-east-1",
  operators: ["admin"],
  session: null,
  throughSession: false,
  notice: null,
  idleLockSeconds: 300,
  clipboardClearSeconds: 30,
};

export const unlocked: VaultStatus = {
  ...locked,
  session: { operator: "admin", principalArn: "arn:aws:iam::123456789012:user/admin", accountId: "123456789012", region: "us-east-1" },
};

export function row(i: number): SecretSummary {
  return {
    ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:app/s${i}-AbCdEf`,
    Name: `app/s${i}`,
    Description: `secret ${i}`,
    CreatedDate: 1_700_000_000,
    LastChangedDate: 1_700_000_000,
    LastAccessedDate: null,
    DeletedDate: null,
    DeletionDate: null,
    Tags: [{ Key: "env", Value: "prod" }],
    VersionCount: 2,
    KmsKeyId: null,
    NextRotationDate: null,
  };
}

export const detail: SecretView = {
  Secret: {
    ARN: row(1).ARN,
    Name: "app/s1",
    Description: "secret 1",
    CreatedDate: 1_700_000_000,
    LastChangedDate: 1_700_000_100,
    PrimaryRegion: "us-east-1",
    RotationEnabled: false,
  },
  Versions: [
    { VersionId: "v2-0000000000000000000000000000000", VersionStages: ["AWSCURRENT"], CreatedDate: 1_700_000_100, LastAccessedDate: null, KmsKeyId: "aws/secretsmanager", HasValue: true },
    { VersionId: "v1-0000000000000000000000000000000", VersionStages: ["AWSPREVIOUS"], CreatedDate: 1_700_000_000, LastAccessedDate: null, KmsKeyId: "aws/secretsmanager", HasValue: true },
  ],
  DeletionDate: null,
};
