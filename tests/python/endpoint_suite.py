"""Drives a running `coffer serve` with boto3 and the AWS CLI, as a user would.

Run by tests/tests/endpoint.rs through the test venv's python. Prints one JSON line per
check ({"check": ..., "ok": ...}) and exits non-zero if any check failed. Values are never
printed: only their lengths or whether they matched.
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from unittest import mock

import boto3
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

FAILED = []


def check(name):
    def wrap(fn):
        def run(*a, **kw):
            try:
                fn(*a, **kw)
                print(json.dumps({"check": name, "ok": True}), flush=True)
            except Exception as e:  # noqa: BLE001 - every failure is reported
                FAILED.append(name)
                print(json.dumps({"check": name, "ok": False, "error": f"{type(e).__name__}: {e}"}), flush=True)

        return run

    return wrap


def client(args, region=None, key=None, secret=None):
    return boto3.session.Session().client(
        "secretsmanager",
        endpoint_url=args.endpoint,
        region_name=region or args.region,
        aws_access_key_id=key or args.access_key,
        aws_secret_access_key=secret or args.secret_key,
        config=Config(retries={"max_attempts": 1}, max_pool_connections=16),
    )


def error_code(fn):
    try:
        fn()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("the call succeeded but should have failed")


def error(fn):
    """The error code and message of a call that must fail."""
    try:
        fn()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"]
    raise AssertionError("the call succeeded but should have failed")


def raises(exc_class, fn):
    try:
        fn()
    except exc_class:
        return
    raise AssertionError(f"expected {exc_class.__name__}")


def raw(args, target, body, sign=True, timestamp=None, region=None, secret=None):
    """A hand-made JSON 1.1 request, signed with botocore's SigV4Auth (at `timestamp`)."""
    headers = {"Content-Type": "application/x-amz-json-1.1"}
    if target:
        headers["X-Amz-Target"] = target
    req = AWSRequest(method="POST", url=args.endpoint + "/", data=body, headers=headers)
    if sign:
        creds = Credentials(args.access_key, secret or args.secret_key)
        signer = botocore.auth.SigV4Auth(creds, "secretsmanager", region or args.region)
        if timestamp is None:
            signer.add_auth(req)
        else:
            with mock.patch("botocore.auth.get_current_datetime", return_value=timestamp):
                signer.add_auth(req)
    prepared = req.prepare()
    r = urllib.request.Request(prepared.url, data=prepared.body, headers=dict(prepared.headers), method="POST")
    try:
        with urllib.request.urlopen(r, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"{}"), dict(resp.headers)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}"), dict(e.headers)


@check("every operation through boto3")
def every_operation(args):
    sm = client(args)
    name = f"{args.tag}/ops/db"
    made = sm.create_secret(Name=name, SecretString='{"user":"app","password":"one"}', Description="first")
    assert made["ARN"].startswith(f"arn:aws:secretsmanager:{args.region}:"), made["ARN"]
    assert made["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-requestid")
    v1 = made["VersionId"]
    got = sm.get_secret_value(SecretId=name)
    assert json.loads(got["SecretString"])["password"] == "one"
    assert got["VersionStages"] == ["AWSCURRENT"]
    assert isinstance(got["CreatedDate"], datetime.datetime)
    v2 = sm.put_secret_value(SecretId=name, SecretString='{"user":"app","password":"two"}')["VersionId"]
    assert sm.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS")["VersionId"] == v1
    sm.update_secret(SecretId=name, Description="second")
    sm.update_secret_version_stage(SecretId=name, VersionStage="AWSCURRENT", MoveToVersionId=v1, RemoveFromVersionId=v2)
    assert sm.get_secret_value(SecretId=name)["VersionId"] == v1
    d = sm.describe_secret(SecretId=name)
    assert d["Description"] == "second" and d["ARN"] == made["ARN"]
    assert d["VersionIdsToStages"][v1] == ["AWSCURRENT"]
    versions = sm.list_secret_version_ids(SecretId=name, IncludeDeprecated=True)
    assert {v["VersionId"] for v in versions["Versions"]} == {v1, v2}
    assert versions["ARN"] == made["ARN"]
    sm.tag_resource(SecretId=name, Tags=[{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "a"}])
    sm.untag_resource(SecretId=name, TagKeys=["team"])
    assert sm.describe_secret(SecretId=name)["Tags"] == [{"Key": "env", "Value": "test"}]
    pw = sm.get_random_password(PasswordLength=40, ExcludePunctuation=True)["RandomPassword"]
    assert len(pw) == 40 and pw.isalnum()
    policy = json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": made["ARN"].split(":")[4]}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}],
    })
    assert sm.validate_resource_policy(ResourcePolicy=policy)["PolicyValidationPassed"] is True
    sm.put_resource_policy(SecretId=name, ResourcePolicy=policy)
    assert json.loads(sm.get_resource_policy(SecretId=name)["ResourcePolicy"]) == json.loads(policy)
    sm.delete_resource_policy(SecretId=name)
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId=name)
    other = f"{args.tag}/ops/token"
    sm.create_secret(Name=other, SecretString="token-value")
    batch = sm.batch_get_secret_value(SecretIdList=[name, other])
    assert sorted(v["Name"] for v in batch["SecretValues"]) == sorted([name, other])
    listed = sm.list_secrets(Filters=[{"Key": "name", "Values": [f"{args.tag}/ops/"]}])
    assert sorted(s["Name"] for s in listed["SecretList"]) == sorted([name, other])
    deleted = sm.delete_secret(SecretId=other, RecoveryWindowInDays=7)
    assert isinstance(deleted["DeletionDate"], datetime.datetime)
    raises(sm.exceptions.InvalidRequestException, lambda: sm.get_secret_value(SecretId=other))
    sm.restore_secret(SecretId=other)
    assert sm.get_secret_value(SecretId=other)["SecretString"] == "token-value"
    sm.delete_secret(SecretId=other, ForceDeleteWithoutRecovery=True)
    raises(sm.exceptions.ResourceNotFoundException, lambda: sm.describe_secret(SecretId=other))


@check("Type, RotationToken and SortBy as botocore's current model sends them")
def current_model(args):
    # botocore's secretsmanager service-2.json: Type on CreateSecret/UpdateSecret/DescribeSecret/
    # SecretListEntry, RotationToken (36-256 of [a-zA-Z0-9-]) on PutSecretValue, SortBy/SortOrder
    # on ListSecrets.
    sm = client(args)
    typed, plain = f"{args.tag}/mes/a-typed", f"{args.tag}/mes/b-plain"
    sm.create_secret(Name=typed, SecretString="{}", Type="SalesforceClientSecret")
    sm.create_secret(Name=plain, SecretString="v")
    assert sm.describe_secret(SecretId=typed)["Type"] == "SalesforceClientSecret"
    assert "Type" not in sm.describe_secret(SecretId=plain)
    listed = sm.list_secrets(Filters=[{"Key": "name", "Values": [f"{args.tag}/mes/"]}], SortBy="name", SortOrder="desc")
    assert [(s["Name"], s.get("Type")) for s in listed["SecretList"]] == [(plain, None), (typed, "SalesforceClientSecret")]
    sm.update_secret(SecretId=plain, Type="DatadogApiKey")
    assert sm.describe_secret(SecretId=plain)["Type"] == "DatadogApiKey"
    sm.put_secret_value(SecretId=typed, SecretString="{}", RotationToken="a" * 36)
    status, body, _ = raw(
        args, "secretsmanager.PutSecretValue", json.dumps({"SecretId": typed, "SecretString": "{}", "RotationToken": "short"}).encode()
    )
    assert status == 400 and body["__type"] == "ValidationException", (status, body)
    assert body["message"] == (
        "1 validation error detected: Value at 'rotationToken' failed to satisfy constraint: Member must have length between 36 and 256"
    ), body
    code, message = error(lambda: sm.rotate_secret(SecretId=typed, ExternalSecretRotationRoleArn="arn:aws:iam::123456789012:role/mes"))
    assert code == "InvalidRequestException", code
    assert "managed external secret" in message, message


@check("the ListSecrets paginator returns 1,000 secrets each exactly once")
def paginator(args):
    sm = client(args)
    prefix = f"{args.tag}/page/"
    names = [f"{prefix}{i:04d}" for i in range(1000)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: sm.create_secret(Name=n, SecretString="v"), names))
    seen = []
    pages = 0
    for page in sm.get_paginator("list_secrets").paginate(
        Filters=[{"Key": "name", "Values": [prefix]}], PaginationConfig={"PageSize": 100}
    ):
        pages += 1
        seen.extend(s["Name"] for s in page["SecretList"])
    assert len(seen) == 1000, len(seen)
    assert sorted(seen) == names
    assert pages >= 10, pages


@check("a 65,536-byte value is accepted and a 65,537-byte one rejected")
def value_limits(args):
    sm = client(args)
    name = f"{args.tag}/big"
    sm.create_secret(Name=name, SecretString="x" * 65536)
    assert len(sm.get_secret_value(SecretId=name)["SecretString"]) == 65536
    code, status = error_code(lambda: sm.put_secret_value(SecretId=name, SecretString="x" * 65537))
    assert (code, status) == ("ValidationException", 400), (code, status)
    code, _ = error_code(lambda: sm.create_secret(Name=f"{args.tag}/big2", SecretBinary=b"\0" * 65537))
    assert code == "ValidationException", code


@check("binary values round-trip")
def binary(args):
    sm = client(args)
    value = bytes(range(256)) * 8 + b"\0\xff"
    name = f"{args.tag}/bin"
    sm.create_secret(Name=name, SecretBinary=value)
    got = sm.get_secret_value(SecretId=name)
    assert got["SecretBinary"] == value and "SecretString" not in got
    sm.put_secret_value(SecretId=name, SecretBinary=b"\x01")
    assert sm.get_secret_value(SecretId=name)["SecretBinary"] == b"\x01"


@check("each error class surfaces as its botocore exception")
def errors(args):
    sm = client(args)
    ex = sm.exceptions
    name = f"{args.tag}/err"
    sm.create_secret(Name=name, SecretString="v")
    raises(ex.ResourceNotFoundException, lambda: sm.get_secret_value(SecretId=f"{args.tag}/missing"))
    raises(ex.ResourceNotFoundException, lambda: sm.get_secret_value(SecretId=name, VersionStage="NOPE"))
    raises(ex.ResourceExistsException, lambda: sm.create_secret(Name=name, SecretString="v"))
    raises(ex.InvalidParameterException, lambda: sm.delete_secret(SecretId=name, RecoveryWindowInDays=3))
    raises(ex.MalformedPolicyDocumentException, lambda: sm.put_resource_policy(SecretId=name, ResourcePolicy="{not json"))
    raises(ex.InvalidNextTokenException, lambda: sm.list_secrets(NextToken="garbage"))
    sm.delete_secret(SecretId=name, RecoveryWindowInDays=7)
    raises(ex.InvalidRequestException, lambda: sm.put_secret_value(SecretId=name, SecretString="w"))
    raises(ex.InvalidRequestException, lambda: sm.create_secret(Name=name, SecretString="w"))
    code, status = error_code(lambda: sm.describe_secret(SecretId=f"{args.tag}/missing"))
    assert (code, status) == ("ResourceNotFoundException", 400)


@check("AWS's own answers (moto's aws_verified tests): word search, reused tokens, moving AWSCURRENT")
def aws_verified(args):
    """Cases from moto 5.2.5's tests marked @aws_verified (run against AWS itself):
    test_list_secrets.py's test_with_all_filter, test_with_all_filter_special_characters,
    test_with_filter_with_value_with_multiple_words, test_with_duplicate_filter_keys, and
    test_secretsmanager.py's test_{create,put,update}_different_secret_value_with_same_token
    and test_update_secret_version_stage_dont_specify_current_stage."""
    sm = client(args)
    u = str(int(time.time() * 1000) % 10**9)
    made = {}

    def make(name, **kw):
        made[name] = sm.create_secret(Name=name, SecretString="s", **kw)

    make(f"SecretOne{u}")
    make(f"SecretTwo{u}", Description="DescTwo")
    make(f"Thirdsecret{u}")
    make(f"SecretFTag{u}", Tags=[{"Key": "1", "Value": "foo"}])
    make(f"prod/AppBeta/{u}")
    make(f"prod+AppBeta+{u}")
    make(f"uat/COMPANYthings/{u}")
    make(f"one-two-{u}", Description="one and two")
    make(f"one-{u}", Description="one")

    def found(*filters):
        names = []
        for page in sm.get_paginator("list_secrets").paginate(Filters=list(filters)):
            names.extend(s["Name"] for s in page["SecretList"] if s["Name"] in made)
        return sorted(names)

    def every(*values):
        return {"Key": "all", "Values": list(values)}

    assert found(every("SecretOne")) == [f"SecretOne{u}"]
    assert found(every("sec")) == sorted([f"SecretOne{u}", f"SecretTwo{u}", f"SecretFTag{u}"])
    assert found(every("ret")) == []
    assert found(every("d t")) == [f"SecretTwo{u}"]
    assert found(every("foo")) == [f"SecretFTag{u}"]
    assert found(every("Beta")) == sorted([f"prod/AppBeta/{u}", f"prod+AppBeta+{u}"])
    assert found(every("+")) == []
    assert found(every("Ythings")) == [f"uat/COMPANYthings/{u}"]
    assert found(every("things")) == []
    assert found({"Key": "description", "Values": ["o t"]}) == [f"one-two-{u}"]
    assert found({"Key": "description", "Values": ["one"]}, {"Key": "description", "Values": ["two"]}) == [f"one-two-{u}"]

    token = str(uuid.uuid4())
    name = f"{args.tag}/verified/token"
    arn = sm.create_secret(Name=name, SecretString="Hello", ClientRequestToken=token)["ARN"]
    expected = f"You can't use ClientRequestToken {token} because that value is already in use for a version of secret {arn}."
    for call in (
        lambda: sm.create_secret(Name=name, SecretString="Hi", ClientRequestToken=token),
        lambda: sm.put_secret_value(SecretId=arn, SecretString="Hi", ClientRequestToken=token),
        lambda: sm.update_secret(SecretId=arn, SecretString="Hi", ClientRequestToken=token),
    ):
        err = error(call)
        assert err == ("ResourceExistsException", expected), err

    current = sm.put_secret_value(SecretId=arn, SecretString="previous_secret", VersionStages=["AWSCURRENT"])["VersionId"]
    pending = str(uuid.uuid4())
    sm.put_secret_value(SecretId=arn, ClientRequestToken=pending, SecretString="new_secret", VersionStages=["AWSPENDING"])
    err = error(lambda: sm.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=pending))
    assert err == (
        "InvalidParameterException",
        f"The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version {current}, so you must explicitly reference that version in RemoveFromVersionId.",
    ), err


@check("moto 5.2.5's answers: force-deleting a missing name, Tags after the last is removed, LastAccessedDate, GetRandomPassword's limits, BatchGetSecretValue")
def moto_answers(args):
    """Cases from moto 5.2.5's tests/test_secretsmanager/test_secretsmanager.py, each named."""
    sm = client(args)
    missing = f"{args.tag}/moto/never-created"
    # test_delete_secret_force_no_such_secret: succeeds and names the SecretId.
    assert sm.delete_secret(SecretId=missing, ForceDeleteWithoutRecovery=True)["Name"] == missing
    # test_delete_secret_force_no_such_secret_with_invalid_recovery_window: the window first.
    code, msg = error(lambda: sm.delete_secret(SecretId=missing, RecoveryWindowInDays=6, ForceDeleteWithoutRecovery=True))
    assert code == "InvalidParameterException" and "RecoveryWindowInDays value must be between 7 and 30 days (inclusive)" in msg, (code, msg)
    # test_delete_secret_that_does_not_exist: without the flag it is still an error.
    raises(sm.exceptions.ResourceNotFoundException, lambda: sm.delete_secret(SecretId=missing))
    # test_tag_resource: no Tags before any tag; test_untag_resource: [] after the last is removed.
    tagged = f"{args.tag}/moto/tagged"
    arn = sm.create_secret(Name=tagged, SecretString="v")["ARN"]
    assert "Tags" not in sm.describe_secret(SecretId=arn)
    sm.tag_resource(SecretId=arn, Tags=[{"Key": "FirstTag", "Value": "SomeValue"}])
    sm.untag_resource(SecretId=arn, TagKeys=["FirstTag"])
    assert sm.describe_secret(SecretId=arn)["Tags"] == []
    listed = [s for s in sm.list_secrets(Filters=[{"Key": "name", "Values": [tagged]}])["SecretList"] if s["Name"] == tagged]
    assert listed[0]["Tags"] == [], listed
    # AWS API Reference, DescribeSecret/SecretListEntry LastAccessedDate: "This field is omitted
    # if the secret has never been retrieved in the Region." After a read it is there: moto's
    # test_update_secret_without_value says "AWS also includes 'LastAccessedDate'" (its own
    # assertion, which leaves it out, contradicts AWS).
    assert "LastAccessedDate" not in sm.describe_secret(SecretId=arn)
    sm.get_secret_value(SecretId=arn)
    assert "LastAccessedDate" in sm.describe_secret(SecretId=arn)
    # test_get_random_too_long_password (Code) and models.py get_random_password (message).
    assert error(lambda: sm.get_random_password(PasswordLength=5555)) == (
        "InvalidParameterValue",
        "1 validation error detected: Value '5555' at 'passwordLength' failed to satisfy constraint: Member must have value less than or equal to 4096",
    )
    # test_get_random_too_short_password and models.py get_random_password.
    assert error(lambda: sm.get_random_password(PasswordLength=3)) == (
        "InvalidParameterException",
        "Password length is too short based on the required types.",
    )
    assert len(sm.get_random_password(PasswordLength=4096)["RandomPassword"]) == 4096
    # test_batch_get_secret_value_with_both_secret_id_list_and_filters.
    assert error(lambda: sm.batch_get_secret_value(Filters=[{"Key": "name", "Values": [tagged]}], SecretIdList=["foo", "bar"])) == (
        "InvalidParameterException",
        "Either 'SecretIdList' or 'Filters' must be provided, but not both.",
    )
    # test_batch_get_secret_value_with_max_results_and_no_filters.
    assert error(lambda: sm.batch_get_secret_value(MaxResults=10, SecretIdList=["foo", "bar"])) == (
        "InvalidParameterException",
        "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.",
    )
    # test_batch_get_secret_value_for_secret_id_list_without_matches.
    batch = sm.batch_get_secret_value(SecretIdList=[missing])
    assert batch["SecretValues"] == [] and batch["Errors"] == [
        {"SecretId": missing, "ErrorCode": "ResourceNotFoundException", "Message": "Secrets Manager can't find the specified secret."}
    ], batch
    # test_batch_get_secret_value_missing_value: a secret with no value fails the call.
    empty = f"{args.tag}/moto/no-value"
    sm.create_secret(Name=empty)
    code, _ = error(lambda: sm.batch_get_secret_value(Filters=[{"Key": "name", "Values": [empty]}]))
    assert code == "ResourceNotFoundException", code


@check("protocol errors carry AWS's codes")
def protocol_errors(args):
    status, body, headers = raw(args, "secretsmanager.ListSecrets", b"{}", sign=False)
    assert (status, body["__type"]) == (403, "MissingAuthenticationTokenException"), (status, body)
    status, body, headers = raw(args, "secretsmanager.NoSuchOperation", b"{}")
    assert (status, body["__type"]) == (400, "UnknownOperationException"), (status, body)
    status, body, headers = raw(args, "secretsmanager.ListSecrets", b"{nope")
    assert (status, body["__type"]) == (400, "SerializationException"), (status, body)
    status, body, headers = raw(args, "secretsmanager.ListSecrets", b"{}")
    assert status == 200 and "SecretList" in body
    assert headers.get("x-amzn-RequestId") or headers.get("x-amzn-requestid")
    status, body, _ = raw(args, "secretsmanager.ListSecrets", b" " * (1024 * 1024 + 1))
    assert (status, body["__type"]) == (413, "SerializationException"), (status, body)


@check("the AWS CLI prints a value with --query SecretString --output text")
def aws_cli(args):
    sm = client(args)
    name = f"{args.tag}/cli"
    sm.create_secret(Name=name, SecretString="cli-value-42")
    env = dict(os.environ)
    env.update({
        "AWS_ACCESS_KEY_ID": args.access_key,
        "AWS_SECRET_ACCESS_KEY": args.secret_key,
        "AWS_DEFAULT_REGION": args.region,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_PAGER": "",
    })
    out = subprocess.run(
        [args.aws, "secretsmanager", "get-secret-value", "--endpoint-url", args.endpoint,
         "--secret-id", name, "--query", "SecretString", "--output", "text"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "cli-value-42", "the CLI printed something else"


@check("a wrong secret key, an unknown key and a stale date are rejected")
def authentication(args):
    sm = client(args, secret="wrong" + args.secret_key[5:])
    code, status = error_code(lambda: sm.list_secrets())
    assert (code, status) == ("InvalidSignatureException", 403), (code, status)
    sm = client(args, key="AKIAUNKNOWNKEY000000")
    code, status = error_code(lambda: sm.list_secrets())
    assert (code, status) == ("UnrecognizedClientException", 403), (code, status)
    stale = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=20)
    status, body, _ = raw(args, "secretsmanager.ListSecrets", b"{}", timestamp=stale)
    assert (status, body["__type"]) == (403, "InvalidSignatureException"), (status, body)
    assert body["message"].startswith("Signature expired"), body["message"]
    recent = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=5)
    status, body, _ = raw(args, "secretsmanager.ListSecrets", b"{}", timestamp=recent)
    assert status == 200, (status, body)


@check("a principal without a policy gets AccessDeniedException")
def denied(args):
    sm = client(args, key=args.denied_access_key, secret=args.denied_secret_key)
    raises(sm.exceptions.ClientError, lambda: sm.list_secrets())
    code, status = error_code(lambda: sm.get_secret_value(SecretId=f"{args.tag}/err"))
    assert (code, status) == ("AccessDeniedException", 400), (code, status)


@check("a region other than the vault's home region is refused")
def other_region(args):
    sm = client(args, region="eu-west-1")
    code, status = error_code(lambda: sm.list_secrets())
    assert code == "InvalidRequestException" and status == 400, (code, status)


@check("every region is its own namespace, and ARNs carry the request's region")
def multi_region(args):
    east, west = client(args, region="us-east-1"), client(args, region="eu-west-1")
    name = f"{args.tag}/regional"
    a = east.create_secret(Name=name, SecretString="east")["ARN"]
    b = west.create_secret(Name=name, SecretString="west")["ARN"]
    assert a.startswith("arn:aws:secretsmanager:us-east-1:"), a
    assert b.startswith("arn:aws:secretsmanager:eu-west-1:"), b
    assert a.split(":")[4] == b.split(":")[4] == args.account
    assert east.get_secret_value(SecretId=name)["SecretString"] == "east"
    assert west.get_secret_value(SecretId=name)["SecretString"] == "west"
    assert west.get_secret_value(SecretId=b)["ARN"] == b
    raises(west.exceptions.ResourceNotFoundException, lambda: west.describe_secret(SecretId=f"{args.tag}/cli"))


@check("replication between regions: a replica's ARN differs from its primary's only in the region")
def replication(args):
    east, west = client(args, region="us-east-1"), client(args, region="eu-west-1")
    south = client(args, region="ap-southeast-2")
    name = f"{args.tag}/replicated"
    created = east.create_secret(Name=name, SecretString="one",
                                 AddReplicaRegions=[{"Region": "eu-west-1"}])
    assert [s["Region"] for s in created["ReplicationStatus"]] == ["eu-west-1"], created
    # moto 5.2.5, test_secrets_duplication.py::test_create_secret_that_duplicates.
    assert created["ReplicationStatus"][0]["Status"] == "InSync", created
    arn = created["ARN"]
    replica = west.describe_secret(SecretId=name)
    assert replica["ARN"] == arn.replace(":us-east-1:", ":eu-west-1:"), (arn, replica["ARN"])
    assert replica["PrimaryRegion"] == "us-east-1"
    assert west.get_secret_value(SecretId=name)["SecretString"] == "one"
    east.put_secret_value(SecretId=name, SecretString="two")
    assert west.get_secret_value(SecretId=name)["SecretString"] == "two"
    status = {s["Region"]: s["Status"] for s in east.describe_secret(SecretId=name)["ReplicationStatus"]}
    assert status == {"eu-west-1": "InSync"}, status
    added = east.replicate_secret_to_regions(SecretId=name, AddReplicaRegions=[{"Region": "ap-southeast-2"}])
    assert {s["Region"] for s in added["ReplicationStatus"]} == {"eu-west-1", "ap-southeast-2"}
    south_arn = arn.replace(":us-east-1:", ":ap-southeast-2:")
    assert south.get_secret_value(SecretId=south_arn)["SecretString"] == "two"
    # The answer is built after the synchronous push: "InSync" (moto 5.2.5,
    # test_secrets_duplication.py::test_replicate_secret).
    assert {s["Region"]: s["Status"] for s in added["ReplicationStatus"]} == \
        {"eu-west-1": "InSync", "ap-southeast-2": "InSync"}, added
    # moto 5.2.5, test_secrets_duplication.py::test_update_replica and
    # exceptions.py::OperationNotPermittedOnReplica; AWS's own text in cloud-nuke#435.
    try:
        west.put_secret_value(SecretId=name, SecretString="not here")
        raise AssertionError("a replica took a write")
    except west.exceptions.InvalidParameterException as e:
        assert e.response["Error"]["Message"] == ("Operation not permitted on a replica secret. "
                                                  "Call must be made in primary secret's region."), e.response
    # moto 5.2.5, test_secrets_duplication.py::test_delete_while_duplication_exist.
    try:
        east.delete_secret(SecretId=name)
        raise AssertionError("a secret with replicas was deleted")
    except east.exceptions.InvalidParameterException as e:
        assert e.response["Error"]["Message"] == \
            f"You can't delete secret {arn} that still has replica regions [eu-west-1, ap-southeast-2]", e.response
    raises(east.exceptions.InvalidParameterException,
           lambda: east.replicate_secret_to_regions(SecretId=name, AddReplicaRegions=[{"Region": "us-east-1"}]))
    listed = west.list_secrets(Filters=[{"Key": "primary-region", "Values": ["us-east-1"]}])["SecretList"]
    assert [e["Name"] for e in listed if e["Name"] == name] == [name], listed
    removed = east.remove_regions_from_replication(SecretId=name, RemoveReplicaRegions=["ap-southeast-2"])
    assert [s["Region"] for s in removed["ReplicationStatus"]] == ["eu-west-1"]
    # Removing a region again is no error (moto 5.2.5,
    # test_secrets_duplication.py::test_remove_regions_from_replication).
    again = east.remove_regions_from_replication(SecretId=name, RemoveReplicaRegions=["ap-southeast-2"])
    assert [s["Region"] for s in again["ReplicationStatus"]] == ["eu-west-1"], again
    raises(south.exceptions.ResourceNotFoundException, lambda: south.describe_secret(SecretId=name))
    stopped = west.stop_replication_to_replica(SecretId=name)
    assert stopped["ARN"] == replica["ARN"]
    west.put_secret_value(SecretId=name, SecretString="west's own")
    assert not east.describe_secret(SecretId=name).get("ReplicationStatus"), "the primary let the replica go"
    east.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    assert west.get_secret_value(SecretId=name)["SecretString"] == "west's own"


@check("any well-formed credentials are accepted")
def any_credentials(args):
    sm = client(args, key="AKIAANYTHING", secret="anything-at-all")
    sm.list_secrets()


@check("rotation")
def rotation(args):
    """RotateSecret through the endpoint; the server's scheduler runs the rotation."""
    sm = client(args)
    name = f"{args.tag}/rotate/key"
    sm.create_secret(Name=name, SecretString='{"user":"app","password":"before"}')
    r = sm.rotate_secret(SecretId=name, RotationLambdaARN=args.rotation_function_arn,
                         RotationRules={"ScheduleExpression": "rate(10 days)"})
    token = r["VersionId"]
    deadline = time.time() + 60
    # Finished, not only past the label move: finishSecret's function moves AWSCURRENT, and
    # the rotation is recorded (LastRotatedDate, AWSPENDING taken off) when the function returns.
    while True:
        d = sm.describe_secret(SecretId=name)
        if "AWSCURRENT" in d["VersionIdsToStages"].get(token, []) and "LastRotatedDate" in d:
            break
        assert time.time() < deadline, d
        time.sleep(0.5)
    assert d["RotationEnabled"] is True
    assert d["RotationLambdaARN"] == args.rotation_function_arn
    assert d["RotationRules"]["ScheduleExpression"] == "rate(10 days)"
    assert isinstance(d["LastRotatedDate"], datetime.datetime)
    assert d["NextRotationDate"] > d["LastRotatedDate"]
    new = json.loads(sm.get_secret_value(SecretId=name)["SecretString"])
    assert new["user"] == "app" and new["password"] != "before"
    prev = json.loads(sm.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS")["SecretString"])
    assert prev["password"] == "before"
    listed = [e for e in sm.list_secrets(Filters=[{"Key": "name", "Values": [name]}])["SecretList"]]
    assert listed[0]["RotationEnabled"] is True and "NextRotationDate" in listed[0]
    c = sm.cancel_rotate_secret(SecretId=name)
    assert c["Name"] == name
    assert sm.describe_secret(SecretId=name)["RotationEnabled"] is False
    sm.create_secret(Name=f"{args.tag}/rotate/none", SecretString="x")
    raises(sm.exceptions.InvalidRequestException,
           lambda: sm.rotate_secret(SecretId=f"{args.tag}/rotate/none"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--mode", choices=["vault", "ephemeral"], required=True)
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--account", required=True)
    p.add_argument("--access-key", required=True)
    p.add_argument("--secret-key", required=True)
    p.add_argument("--denied-access-key")
    p.add_argument("--denied-secret-key")
    p.add_argument("--aws", required=True)
    p.add_argument("--tag", default="e2e")
    p.add_argument("--rotation-function-arn")
    args = p.parse_args()
    every_operation(args)
    current_model(args)
    paginator(args)
    value_limits(args)
    binary(args)
    errors(args)
    aws_verified(args)
    moto_answers(args)
    protocol_errors(args)
    aws_cli(args)
    if args.mode == "vault":
        authentication(args)
        denied(args)
        other_region(args)
        rotation(args)
    else:
        multi_region(args)
        replication(args)
        any_credentials(args)
    print(json.dumps({"failed": FAILED}), flush=True)
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
