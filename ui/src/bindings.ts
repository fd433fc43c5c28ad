// Generated from src-console/src/dto.rs by ts-rs; do not edit.
// Regenerate: COFFER_UPDATE_BINDINGS=1 cargo nextest run --workspace -E 'test(bindings)'

export type IpcError = { code: string, message: string, };

export type VaultStatus = { path: string, exists: boolean, accountId: string | null, region: string | null, operators: Array<string>, session: Session | null, 
/**
 * The console runs through the session `coffer unlock` started: the session agent
 * holds the keys and runs every command.
 */
throughSession: boolean, 
/**
 * Why the console locked when the operator did not lock it (the session ended).
 */
notice: string | null, idleLockSeconds: number, clipboardClearSeconds: number, };

export type Session = { operator: string, principalArn: string, accountId: string, region: string, };

export type RunningFrontEnd = { 
/**
 * `session`, `endpoint` or `agent`.
 */
frontEnd: string, pid: number, address: string, operator: string, startedMs: number, };

export type SortKey = "name" | "created" | "lastChanged" | "lastAccessed" | "deletion";

export type SecretQueryInput = { 
/**
 * Words that must each appear in the name, description or a tag; `!word` excludes.
 */
text: string, sort: SortKey, descending: boolean, includeDeleted: boolean, onlyDeleted: boolean, offset: number, limit: number, };

export type TagPair = { key: string, value: string, };

export type SecretRow = { arn: string, name: string, description: string | null, createdDate: number, lastChangedDate: number, lastAccessedDate: number | null, deletedDate: number | null, deletionDate: number | null, tags: Array<TagPair>, versionCount: number, 
/**
 * While rotation is on: when its next window opens.
 */
nextRotationDate: number | null, };

export type SecretPageOutput = { 
/**
 * How many secrets match in all.
 */
total: number, offset: number, rows: Array<SecretRow>, revision: number, };

export type GroupRun = { prefix: string | null, start: number, count: number, };

export type VersionRow = { versionId: string, stages: Array<string>, createdDate: number, lastAccessedDate: number | null, hasValue: boolean, };

export type SecretDetail = { arn: string, name: string, 
/**
 * The partner holding a managed external secret (AWS's `Type`).
 */
secretType: string | null, description: string | null, kmsKeyId: string | null, createdDate: number, lastChangedDate: number | null, lastAccessedDate: number | null, deletedDate: number | null, deletionDate: number | null, primaryRegion: string | null, rotationEnabled: boolean, lastRotatedDate: number | null, nextRotationDate: number | null, tags: Array<TagPair>, versions: Array<VersionRow>, };

export type RevealedValue = { versionId: string, stages: Array<string>, binary: boolean, text: string, };

export type Change = "same" | "changed" | "added" | "removed";

export type DiffRow = { key: string, change: Change, old: string | null, new: string | null, };

export type CopyReceipt = { clearsInSeconds: number, };

export type Done = { message: string, };

export type CreateSecretInput = { name: string, description: string | null, value: string | null, tags: Array<TagPair>, 
/**
 * AWS's `Type`: set only for a managed external secret.
 */
secretType: string | null, };

export type Finding = { check: string, message: string, };

export type PolicyOutput = { policy: string | null, passed: boolean, findings: Array<Finding>, };

export type ValidationOutput = { passed: boolean, findings: Array<Finding>, };

export type StatementRef = { policyId: string, policyType: string, sid: string | null, effect: string, };

export type ActionAccess = { action: string, 
/**
 * `allowed`, `explicitDeny` or `implicitDeny`.
 */
decision: string, statements: Array<StatementRef>, };

export type PrincipalAccessRow = { principalArn: string, actions: Array<ActionAccess>, };

export type AuditQueryInput = { secretId: string | null, principal: string | null, eventNames: Array<string>, frontEnd: string | null, errorsOnly: boolean, fromMs: number | null, beforeSequence: number | null, limit: number, };

export type AuditEventRow = { sequence: number, timeMs: number, eventName: string, principalArn: string, frontEnd: string, sourceIp: string, secretArn: string | null, versionIds: Array<string>, versionStages: Array<string>, errorCode: string | null, errorMessage: string | null, 
/**
 * The whole event as pretty JSON (it never holds a secret value).
 */
detail: string, };

export type AuditPageOutput = { events: Array<AuditEventRow>, nextBeforeSequence: number | null, totalEvents: number, };

export type ChainStatus = { eventsChecked: number, intact: boolean, firstBrokenSequence: number | null, problem: string | null, lastAnchorSequence: number | null, lastAnchorTime: string | null, };

export type PrincipalKind = "operator" | "user" | "role" | "group" | "policy";

export type PrincipalRow = { kind: PrincipalKind, name: string, arn: string, createdDate: number, description: string | null, tags: Array<TagPair>, 
/**
 * A role's trust policy or a managed policy's document.
 */
document: string | null, };

export type AccessKeyRow = { accessKeyId: string, active: boolean, createdDate: number, };

export type PrincipalDetail = { inlinePolicies: Array<string>, attachedPolicies: Array<string>, accessKeys: Array<AccessKeyRow>, };

export type NewAccessKey = { accessKeyId: string, secretAccessKey: string, };

export type RulesDto = { automaticallyAfterDays: number | null, scheduleExpression: string | null, duration: string | null, };

export type StepRow = { step: string, tryNumber: number, startedDate: number, durationMs: number | null, 
/**
 * `running`, `succeeded`, `failed` or `interrupted`.
 */
outcome: string, error: string | null, log: Array<string>, };

export type DecisionRow = { approved: boolean, by: string, date: number, reason: string | null, };

export type AttemptRow = { id: string, secretName: string, secretArn: string, 
/**
 * The new version's id.
 */
versionId: string, functionArn: string, 
/**
 * `RotateSecret` (someone asked) or `Schedule`.
 */
trigger: string, requestedBy: string, requestedDate: number, requireApproval: boolean, twoPersonRule: boolean, decision: DecisionRow | null, 
/**
 * `awaiting-approval`, `running`, `failed`, `succeeded`, `rejected` or `cancelled`.
 */
status: string, nextStep: string | null, tries: number, steps: Array<StepRow>, error: string | null, finishedDate: number | null, retryDate: number | null, 
/**
 * Not ended: waiting for approval, running, or failed and to be tried again.
 */
unfinished: boolean, 
/**
 * Whether the two-person rule lets the operator at the keyboard decide on it.
 */
mayDecide: boolean, };

export type RotationStatus = { enabled: boolean, functionArn: string | null, rules: RulesDto | null, lastRotatedDate: number | null, 
/**
 * The next window starts: the secret's next rotation date, then the schedule's.
 */
nextWindows: Array<number>, requireApproval: boolean, twoPersonRule: boolean, 
/**
 * Newest first.
 */
attempts: Array<AttemptRow>, };

export type ReplicaRow = { region: string, kmsKeyId: string | null, 
/**
 * `InSync`, `InProgress` or `Failed`.
 */
status: string, statusMessage: string | null, lastAccessedDate: number | null, };

export type RegionRow = { region: string, vaultPath: string, reachable: boolean, 
/**
 * The file there is not the vault registered: nothing is pushed to it.
 */
replaced: boolean, secrets: number, inSync: number, inProgress: number, failed: number, queuedRemovals: number, };

export type CrossAccountRow = { 
/**
 * The other side's secret ARN.
 */
arn: string, 
/**
 * `Pending`, `InProgress`, `InSync`, `Failed` or `Detached`.
 */
status: string, statusMessage: string | null, };

export type AccountRow = { accountId: string, vaultPath: string, reachable: boolean, replaced: boolean, inSync: number, detached: number, };

export type ReplicasView = { 
/**
 * This vault's region.
 */
homeRegion: string, primaryRegion: string | null, 
/**
 * Whether this secret is a replica of another region's secret.
 */
isReplica: boolean, replicas: Array<ReplicaRow>, regions: Array<RegionRow>, 
/**
 * On a cross-account replica: its primary in the other account.
 */
crossAccountPrimary: CrossAccountRow | null, 
/**
 * On a primary: its cross-account replicas.
 */
crossAccountReplicas: Array<CrossAccountRow>, 
/**
 * The other accounts' vaults registered for cross-account replicas.
 */
accounts: Array<AccountRow>, };

export type FunctionRow = { name: string, arn: string, 
/**
 * `password`, `postgres (single-user)`, `lambda`...
 */
kind: string, description: string | null, };

export type ApprovalsOutput = { 
/**
 * Oldest first.
 */
pending: Array<AttemptRow>, 
/**
 * The core's background runner: rotations, replication retries, purges.
 */
background: BackgroundStatus, };

export type Job = "Rotations" | "Replication" | "Purges";

export type JobStatus = { job: Job, 
/**
 * Epoch seconds of the last run's end; none before the first.
 */
lastRunDate: number | null, 
/**
 * Epoch seconds of the next run (sooner if a console asks).
 */
nextRunDate: number, 
/**
 * What the last run did, in one sentence.
 */
lastResult: string | null, 
/**
 * Why the last run failed; cleared by a run that succeeds.
 */
lastError: string | null, 
/**
 * Failures in a row: each doubles the wait before the next run.
 */
failures: number, 
/**
 * All of the above in one line, as both consoles show it:
 * `rotations: last 12:00:05 (2 ran) · next 12:00:15` (UTC).
 */
line: string, };

export type BackgroundStatus = { running: boolean, jobs: Array<JobStatus>, };

export type RekeyProgress = { phase: string, done: number, total: number, percent: number, line: string, };

export type Act = "SyncReplicas" | "AnchorAuditTrail";

export type ActInfo = { act: Act, command: string, title: string, question: string, };

export type LabelStep = { label: string, from: string | null, to: string, };

export type VersionLabels = { versionId: string, stages: Array<string>, };

export type LabelMove = { steps: Array<LabelStep>, after: Array<VersionLabels>, };

export type Severity = "low" | "medium" | "high";

export type FindingKind = "never-read" | "not-read-recently" | "rotation-off" | "rotation-overdue" | "rotation-failing" | "rotation-awaiting-approval" | "weak-value" | "reused-value" | "unchanged-value" | "unused-access" | "public-resource-policy" | "cross-account-resource-policy" | "access-key-unused" | "access-key-old" | "operator-never-unlocked" | "deletion-due" | "replica-failed" | "replica-out-of-sync";

export type Subject = { "Type": "Secret", Name: string, ARN: string, } | { "Type": "Principal", ARN: string, } | { "Type": "AccessKey", AccessKeyId: string, UserName: string, PrincipalARN: string, } | { "Type": "Operator", Name: string, ARN: string, };

export type DiffKind = "same" | "removed" | "added";

export type DiffLine = { Kind: DiffKind, Text: string, };

export type Fix = { "Action": "RotateNow", SecretId: string, } | { "Action": "TurnRotationOn", SecretId: string, } | { "Action": "ScheduleDeletion", SecretId: string, } | { "Action": "DeactivateKey", UserName: string, AccessKeyId: string, } | { "Action": "ApplyLeastPrivilegePolicy", PrincipalARN: string, 
/**
 * The principal's identity policies now, as one document.
 */
CurrentPolicy: string, ProposedPolicy: string, 
/**
 * The proposal against the policies now, line by line, as both consoles show it.
 */
Diff: Array<DiffLine>, };

export type Evidence = { CreatedDate?: string, LastReadDate?: string, LastReadBy?: string, LastUsedDate?: string, LastChangedDate?: string, DueDate?: string, RequestedDate?: string, RequestedBy?: string, Days?: number, Step?: string, Error?: string, Tries?: number, 
/**
 * The JSON field a weak value sits in (its name, never its content).
 */
Field?: string, 
/**
 * zxcvbn's score, 0 (guessable) to 4.
 */
Score?: number, Length?: number, Count?: number, 
/**
 * Other secrets (names) that hold the same value (the first ten by name: `count` says
 * how many there are); principals or accounts a policy grants; actions granted and not
 * used.
 */
Names?: Array<string>, UsedActions?: Array<string>, Region?: string, Status?: string, };

export type HealthFinding = { Kind: FindingKind, Severity: Severity, Subject: Subject, 
/**
 * One sentence for a table or a list (built from the evidence only).
 */
Summary: string, Evidence: Evidence, Fix?: Fix, };

export type Thresholds = { 
/**
 * A secret not read, a grant not used, an access key not used for this many days.
 */
UnusedDays: number, 
/**
 * A value not changed for this many days.
 */
UnchangedDays: number, 
/**
 * A rotation waiting for approval for this many days.
 */
ApprovalDays: number, 
/**
 * An active access key older than this many days.
 */
KeyAgeDays: number, 
/**
 * A secret whose deletion is due within this many days.
 */
DeletionDays: number, };

export type SeverityCounts = { High: number, Medium: number, Low: number, };

export type HealthReport = { GeneratedDate: string, Thresholds: Thresholds, SecretsChecked: number, PrincipalsChecked: number, Counts: SeverityCounts, 
/**
 * Shared with the findings the vault keeps between reports ([`Assessor`]): a report of
 * 100,000 findings hands out that many pointers rather than copies.
 */
Findings: Array<HealthFinding>, };
