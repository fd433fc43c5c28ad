//! From `X-Amz-Target` and a JSON 1.1 body to a [`Vault`] method and back: the endpoint's
//! only translation. Every operation the vault has is here, named as AWS names it.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::ApiError;
use crate::api::{
    AssociateCrossAccountReplicaRequest, BatchGetSecretValueRequest, CreateSecretRequest,
    DeleteSecretRequest, DisassociateCrossAccountReplicaRequest, GetRandomPasswordRequest,
    GetSecretValueRequest, ListSecretVersionIdsRequest, ListSecretsRequest, PutSecretValueRequest,
    RemoveRegionsFromReplicationRequest, ReplicateSecretToRegionsRequest, RotateSecretRequest,
    SecretIdRequest, TagResourceRequest, UntagResourceRequest, UpdateSecretRequest,
    UpdateSecretVersionStageRequest,
};
use crate::model::RevealSerialize;
use crate::vault::policies::{
    ListResourcePoliciesRequest, PutResourcePolicyRequest, ResourcePolicyRequest,
    ValidateResourcePolicyRequest,
};
use crate::{Caller, Operation, Reveal, Vault};

/// The `X-Amz-Target` prefix of Secrets Manager.
pub const TARGET_PREFIX: &str = "secretsmanager.";

/// The operation an `X-Amz-Target` header names, if the endpoint answers it.
pub fn operation(target: Option<&str>) -> Result<Operation, ApiError> {
    target
        .and_then(|t| t.strip_prefix(TARGET_PREFIX))
        .and_then(|n| n.parse::<Operation>().ok())
        .filter(|o| o.endpoint())
        .ok_or_else(|| ApiError::unknown_operation(target.unwrap_or("")))
}

/// A request body as the operation's request type. Malformed JSON is a
/// `SerializationException`; a required member left out is a `ValidationException`.
fn request<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        let text = e.to_string();
        match text.strip_prefix("missing field `") {
            Some(rest) => {
                let field = rest.split('`').next().unwrap_or_default();
                let mut member = field.to_string();
                if let Some(first) = member.get(0..1) {
                    member.replace_range(0..1, &first.to_lowercase());
                }
                ApiError::validation(format!(
                    "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
                ))
            }
            // serde's message names the position and expected type, never the value.
            None if e.is_data() => ApiError::serialization(format!(
                "The request body does not match the {}: {}",
                "operation's input shape",
                text.split(" at line").next().unwrap_or_default()
            )),
            None => ApiError::serialization("The request body is not valid JSON."),
        }
    })
}

/// AWS's answer to a raw request that leaves out `ClientRequestToken` (the SDKs and the CLI
/// fill it in): recorded from AWS on CreateSecret (async-aws/aws#1069,
/// paperclipai/paperclip#9970) and PutSecretValue (aws/aws-sdk-js-v3#4640); LocalStack's
/// AWS-validated provider (localstack/localstack#8308) answers UpdateSecret and RotateSecret
/// alike. Only a vault's endpoint answers so: the emulator makes the version id itself, as
/// moto does, because test suites written for moto (its own `test_server.py`) send none.
pub const MISSING_TOKEN: &str =
    "You must provide a ClientRequestToken value. We recommend a UUID-type value.";

/// Refuses a request to a vault that makes a version without a `ClientRequestToken`.
fn require_token(vault: &Vault, token: Option<&str>, makes_version: bool) -> Result<(), ApiError> {
    if makes_version && token.is_none() && !vault.is_emulator() {
        return Err(crate::Error::invalid_request(MISSING_TOKEN).into());
    }
    Ok(())
}

fn plain<T: Serialize>(r: crate::Result<T>) -> Result<Vec<u8>, ApiError> {
    let v = r?;
    Ok(serde_json::to_vec(&v).expect("responses serialize"))
}

fn revealed<T: RevealSerialize>(r: crate::Result<T>) -> Result<Vec<u8>, ApiError> {
    let v = r?;
    Ok(serde_json::to_vec(&Reveal(&v)).expect("responses serialize"))
}

/// Runs `operation` (one [`Operation::endpoint`] answers) on `vault` as `caller`; returns the response
/// body. Synchronous: the server calls it on a blocking thread.
pub fn dispatch(
    vault: &Vault,
    caller: &Caller,
    operation: Operation,
    body: &[u8],
) -> Result<Vec<u8>, ApiError> {
    let v = vault;
    let c = caller;
    match operation {
        Operation::CreateSecret => {
            let r = request::<CreateSecretRequest>(body)?;
            // The token names the first version: a request without a value makes none (the
            // sources above all sent one; a request without one is answered as before).
            let value = r.secret_string.is_some() || r.secret_binary.is_some();
            require_token(v, r.client_request_token.as_deref(), value)?;
            plain(v.create_secret(c, r))
        }
        Operation::GetSecretValue => {
            revealed(v.get_secret_value(c, request::<GetSecretValueRequest>(body)?))
        }
        Operation::BatchGetSecretValue => {
            revealed(v.batch_get_secret_value(c, request::<BatchGetSecretValueRequest>(body)?))
        }
        Operation::PutSecretValue => {
            let r = request::<PutSecretValueRequest>(body)?;
            // The request's members are validated first (the name, as LocalStack's
            // AWS-validated provider does, and the model's RotationTokenType), then the token.
            crate::model::validate_secret_id(&r.secret_id)?;
            if let Some(t) = &r.rotation_token {
                crate::model::validate_rotation_token(t)?;
            }
            require_token(v, r.client_request_token.as_deref(), true)?;
            plain(v.put_secret_value(c, r))
        }
        Operation::UpdateSecret => {
            let r = request::<UpdateSecretRequest>(body)?;
            crate::model::validate_secret_id(&r.secret_id)?;
            let value = r.secret_string.is_some() || r.secret_binary.is_some();
            require_token(v, r.client_request_token.as_deref(), value)?;
            plain(v.update_secret(c, r))
        }
        Operation::UpdateSecretVersionStage => plain(
            v.update_secret_version_stage(c, request::<UpdateSecretVersionStageRequest>(body)?),
        ),
        Operation::DescribeSecret => plain(v.describe_secret(c, request::<SecretIdRequest>(body)?)),
        Operation::ListSecrets => plain(v.list_secrets(c, request::<ListSecretsRequest>(body)?)),
        Operation::ListSecretVersionIds => {
            plain(v.list_secret_version_ids(c, request::<ListSecretVersionIdsRequest>(body)?))
        }
        Operation::DeleteSecret => plain(v.delete_secret(c, request::<DeleteSecretRequest>(body)?)),
        Operation::RestoreSecret => plain(v.restore_secret(c, request::<SecretIdRequest>(body)?)),
        Operation::TagResource => plain(v.tag_resource(c, request::<TagResourceRequest>(body)?)),
        Operation::UntagResource => {
            plain(v.untag_resource(c, request::<UntagResourceRequest>(body)?))
        }
        Operation::GetRandomPassword => {
            revealed(v.get_random_password(c, request::<GetRandomPasswordRequest>(body)?))
        }
        Operation::PutResourcePolicy => {
            plain(v.put_resource_policy(c, request::<PutResourcePolicyRequest>(body)?))
        }
        Operation::GetResourcePolicy => {
            plain(v.get_resource_policy(c, request::<ResourcePolicyRequest>(body)?))
        }
        Operation::DeleteResourcePolicy => {
            plain(v.delete_resource_policy(c, request::<ResourcePolicyRequest>(body)?))
        }
        Operation::ListResourcePolicies => {
            plain(v.list_resource_policies(c, request::<ListResourcePoliciesRequest>(body)?))
        }
        Operation::ValidateResourcePolicy => {
            plain(v.validate_resource_policy(c, request::<ValidateResourcePolicyRequest>(body)?))
        }
        Operation::RotateSecret => {
            let r = request::<RotateSecretRequest>(body)?;
            require_token(v, r.client_request_token.as_deref(), true)?;
            plain(v.rotate_secret(c, r))
        }
        Operation::CancelRotateSecret => {
            plain(v.cancel_rotate_secret(c, request::<SecretIdRequest>(body)?))
        }
        Operation::ReplicateSecretToRegions => plain(
            v.replicate_secret_to_regions(c, request::<ReplicateSecretToRegionsRequest>(body)?),
        ),
        Operation::RemoveRegionsFromReplication => plain(v.remove_regions_from_replication(
            c,
            request::<RemoveRegionsFromReplicationRequest>(body)?,
        )),
        Operation::StopReplicationToReplica => {
            plain(v.stop_replication_to_replica(c, request::<SecretIdRequest>(body)?))
        }
        Operation::AssociateCrossAccountReplica => plain(v.associate_cross_account_replica(
            c,
            request::<AssociateCrossAccountReplicaRequest>(body)?,
        )),
        Operation::DisassociateCrossAccountReplica => plain(v.disassociate_cross_account_replica(
            c,
            request::<DisassociateCrossAccountReplicaRequest>(body)?,
        )),
        other => Err(ApiError::unknown_operation(&format!(
            "{TARGET_PREFIX}{other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FrontEnd;

    fn vault() -> (Vault, Caller) {
        let v = Vault::ephemeral("123456789012", "us-east-1").unwrap();
        let c = Caller::principal(v.administrator_arn(), FrontEnd::Endpoint);
        (v, c)
    }

    fn call(v: &Vault, c: &Caller, op: Operation, body: serde_json::Value) -> serde_json::Value {
        let out = dispatch(v, c, op, body.to_string().as_bytes())
            .unwrap_or_else(|e| panic!("{op}: {} {}", e.code, e.message));
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn targets_name_known_operations_only() {
        assert_eq!(
            operation(Some("secretsmanager.GetSecretValue")).unwrap(),
            Operation::GetSecretValue
        );
        for bad in [
            None,
            Some("GetSecretValue"),
            Some("secretsmanager.NoSuchThing"),
            Some("kms.GetSecretValue"),
            Some("secretsmanager.CreateKey"),
            Some("secretsmanager.EndSecretDeletion"),
        ] {
            let e = operation(bad).unwrap_err();
            assert_eq!(e.code, "UnknownOperationException");
            assert_eq!(e.status.as_u16(), 400);
        }
    }

    #[test]
    fn every_endpoint_operation_routes_and_no_other_does() {
        let (v, c) = vault();
        for op in Operation::ALL {
            let target = format!("{TARGET_PREFIX}{op}");
            assert_eq!(operation(Some(&target)).is_ok(), op.endpoint(), "{op}");
            if !op.endpoint() {
                continue;
            }
            // An empty request reaches the operation: whatever it answers, it is not
            // "unknown operation".
            if let Err(e) = dispatch(&v, &c, *op, b"{}") {
                assert_ne!(e.code, "UnknownOperationException", "{op}");
            }
        }
    }

    #[test]
    fn operations_round_trip_with_aws_shapes() {
        let (v, c) = vault();
        let made = call(
            &v,
            &c,
            Operation::CreateSecret,
            serde_json::json!({"Name": "app/db", "SecretString": "hunter2",
                "ClientRequestToken": "00000000-0000-4000-8000-000000000001"}),
        );
        assert!(made["ARN"].as_str().unwrap().contains(":secret:app/db-"));
        let got = call(
            &v,
            &c,
            Operation::GetSecretValue,
            serde_json::json!({"SecretId": "app/db"}),
        );
        assert_eq!(got["SecretString"], "hunter2");
        assert!(got["CreatedDate"].is_f64());
        call(
            &v,
            &c,
            Operation::CreateSecret,
            serde_json::json!({"Name": "bin", "SecretBinary": "AAEC/w==",
                "ClientRequestToken": "00000000-0000-4000-8000-000000000002"}),
        );
        let got = call(
            &v,
            &c,
            Operation::GetSecretValue,
            serde_json::json!({"SecretId": "bin"}),
        );
        assert_eq!(got["SecretBinary"], "AAEC/w==");
        let listed = call(&v, &c, Operation::ListSecrets, serde_json::json!({}));
        assert_eq!(listed["SecretList"].as_array().unwrap().len(), 2);
        let pw = call(
            &v,
            &c,
            Operation::GetRandomPassword,
            serde_json::json!({"PasswordLength": 12}),
        );
        assert_eq!(pw["RandomPassword"].as_str().unwrap().len(), 12);
    }

    #[test]
    fn errors_carry_aws_codes_and_statuses() {
        let (v, c) = vault();
        let e = dispatch(&v, &c, Operation::DescribeSecret, br#"{"SecretId":"nope"}"#).unwrap_err();
        assert_eq!(
            (e.status.as_u16(), e.code),
            (400, "ResourceNotFoundException")
        );
        let e = dispatch(&v, &c, Operation::DescribeSecret, b"{not json").unwrap_err();
        assert_eq!(e.code, "SerializationException");
        let e = dispatch(&v, &c, Operation::DescribeSecret, br#"{"SecretId": 5}"#).unwrap_err();
        assert_eq!(e.code, "SerializationException");
        let e = dispatch(&v, &c, Operation::DescribeSecret, b"{}").unwrap_err();
        assert_eq!(e.code, "ValidationException");
        assert!(e.message.contains("'secretId'"));
        let e = dispatch(&v, &c, Operation::CreateKey, b"{}").unwrap_err();
        assert_eq!(e.code, "UnknownOperationException");
        let e = dispatch(
            &v,
            &c,
            Operation::ReplicateSecretToRegions,
            br#"{"SecretId":"nope","AddReplicaRegions":[{"Region":"eu-west-1"}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.code, "ResourceNotFoundException");
        let denied = Caller::principal("arn:aws:iam::123456789012:user/nobody", FrontEnd::Endpoint);
        let e = dispatch(&v, &denied, Operation::ListSecrets, b"{}").unwrap_err();
        assert_eq!(e.code, "AccessDeniedException");
        assert_eq!(e.status.as_u16(), 400);
    }
}
