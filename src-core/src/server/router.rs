//! From `X-Amz-Target` and a JSON 1.1 body to a [`Vault`] method and back: the endpoint's
//! only translation. Every operation the vault has is here, named as AWS names it.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::ApiError;
use crate::api::{
    BatchGetSecretValueRequest, CreateSecretRequest, DeleteSecretRequest, GetRandomPasswordRequest,
    GetSecretValueRequest, ListSecretVersionIdsRequest, ListSecretsRequest, PutSecretValueRequest,
    RemoveRegionsFromReplicationRequest, ReplicateSecretToRegionsRequest, RotateSecretRequest,
    SecretIdRequest, TagResourceRequest, UntagResourceRequest, UpdateSecretRequest,
    UpdateSecretVersionStageRequest,
};
use crate::model::RevealSerialize;
use crate::vault::policies::{PutResourcePolicyRequest, ValidateResourcePolicyRequest};
use crate::{Caller, Reveal, Vault};

/// The `X-Amz-Target` prefix of Secrets Manager.
pub const TARGET_PREFIX: &str = "secretsmanager.";

/// Every operation the endpoint answers.
pub const OPERATIONS: [&str; 23] = [
    "CreateSecret",
    "GetSecretValue",
    "BatchGetSecretValue",
    "PutSecretValue",
    "UpdateSecret",
    "UpdateSecretVersionStage",
    "DescribeSecret",
    "ListSecrets",
    "ListSecretVersionIds",
    "DeleteSecret",
    "RestoreSecret",
    "TagResource",
    "UntagResource",
    "GetRandomPassword",
    "PutResourcePolicy",
    "GetResourcePolicy",
    "DeleteResourcePolicy",
    "ValidateResourcePolicy",
    "RotateSecret",
    "CancelRotateSecret",
    "ReplicateSecretToRegions",
    "RemoveRegionsFromReplication",
    "StopReplicationToReplica",
];

/// The operation an `X-Amz-Target` header names, if the endpoint has it.
pub fn operation(target: Option<&str>) -> Result<&'static str, ApiError> {
    let name = target.and_then(|t| t.strip_prefix(TARGET_PREFIX));
    name.and_then(|n| OPERATIONS.iter().copied().find(|o| *o == n))
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

fn plain<T: Serialize>(r: crate::Result<T>) -> Result<Vec<u8>, ApiError> {
    let v = r?;
    Ok(serde_json::to_vec(&v).expect("responses serialize"))
}

fn revealed<T: RevealSerialize>(r: crate::Result<T>) -> Result<Vec<u8>, ApiError> {
    let v = r?;
    Ok(serde_json::to_vec(&Reveal(&v)).expect("responses serialize"))
}

/// Runs `operation` (one of [`OPERATIONS`]) on `vault` as `caller`; returns the response
/// body. Synchronous: the server calls it on a blocking thread.
pub fn dispatch(
    vault: &Vault,
    caller: &Caller,
    operation: &str,
    body: &[u8],
) -> Result<Vec<u8>, ApiError> {
    let v = vault;
    let c = caller;
    match operation {
        "CreateSecret" => plain(v.create_secret(c, request::<CreateSecretRequest>(body)?)),
        "GetSecretValue" => {
            revealed(v.get_secret_value(c, request::<GetSecretValueRequest>(body)?))
        }
        "BatchGetSecretValue" => {
            revealed(v.batch_get_secret_value(c, request::<BatchGetSecretValueRequest>(body)?))
        }
        "PutSecretValue" => plain(v.put_secret_value(c, request::<PutSecretValueRequest>(body)?)),
        "UpdateSecret" => plain(v.update_secret(c, request::<UpdateSecretRequest>(body)?)),
        "UpdateSecretVersionStage" => plain(
            v.update_secret_version_stage(c, request::<UpdateSecretVersionStageRequest>(body)?),
        ),
        "DescribeSecret" => plain(v.describe_secret(c, request::<SecretIdRequest>(body)?)),
        "ListSecrets" => plain(v.list_secrets(c, request::<ListSecretsRequest>(body)?)),
        "ListSecretVersionIds" => {
            plain(v.list_secret_version_ids(c, request::<ListSecretVersionIdsRequest>(body)?))
        }
        "DeleteSecret" => plain(v.delete_secret(c, request::<DeleteSecretRequest>(body)?)),
        "RestoreSecret" => plain(v.restore_secret(c, request::<SecretIdRequest>(body)?)),
        "TagResource" => plain(v.tag_resource(c, request::<TagResourceRequest>(body)?)),
        "UntagResource" => plain(v.untag_resource(c, request::<UntagResourceRequest>(body)?)),
        "GetRandomPassword" => {
            revealed(v.get_random_password(c, request::<GetRandomPasswordRequest>(body)?))
        }
        "PutResourcePolicy" => {
            plain(v.put_resource_policy(c, request::<PutResourcePolicyRequest>(body)?))
        }
        "GetResourcePolicy" => plain(v.get_resource_policy(c, request::<SecretIdRequest>(body)?)),
        "DeleteResourcePolicy" => {
            plain(v.delete_resource_policy(c, request::<SecretIdRequest>(body)?))
        }
        "ValidateResourcePolicy" => {
            plain(v.validate_resource_policy(c, request::<ValidateResourcePolicyRequest>(body)?))
        }
        "RotateSecret" => plain(v.rotate_secret(c, request::<RotateSecretRequest>(body)?)),
        "CancelRotateSecret" => plain(v.cancel_rotate_secret(c, request::<SecretIdRequest>(body)?)),
        "ReplicateSecretToRegions" => plain(
            v.replicate_secret_to_regions(c, request::<ReplicateSecretToRegionsRequest>(body)?),
        ),
        "RemoveRegionsFromReplication" => plain(v.remove_regions_from_replication(
            c,
            request::<RemoveRegionsFromReplicationRequest>(body)?,
        )),
        "StopReplicationToReplica" => {
            plain(v.stop_replication_to_replica(c, request::<SecretIdRequest>(body)?))
        }
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

    fn call(v: &Vault, c: &Caller, op: &str, body: serde_json::Value) -> serde_json::Value {
        let out = dispatch(v, c, op, body.to_string().as_bytes())
            .unwrap_or_else(|e| panic!("{op}: {} {}", e.code, e.message));
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn targets_name_known_operations_only() {
        assert_eq!(
            operation(Some("secretsmanager.GetSecretValue")).unwrap(),
            "GetSecretValue"
        );
        for bad in [
            None,
            Some("GetSecretValue"),
            Some("secretsmanager.NoSuchThing"),
            Some("kms.GetSecretValue"),
        ] {
            let e = operation(bad).unwrap_err();
            assert_eq!(e.code, "UnknownOperationException");
            assert_eq!(e.status.as_u16(), 400);
        }
    }

    #[test]
    fn operations_round_trip_with_aws_shapes() {
        let (v, c) = vault();
        let made = call(
            &v,
            &c,
            "CreateSecret",
            serde_json::json!({"Name": "app/db", "SecretString": "hunter2"}),
        );
        assert!(made["ARN"].as_str().unwrap().contains(":secret:app/db-"));
        let got = call(
            &v,
            &c,
            "GetSecretValue",
            serde_json::json!({"SecretId": "app/db"}),
        );
        assert_eq!(got["SecretString"], "hunter2");
        assert!(got["CreatedDate"].is_f64());
        call(
            &v,
            &c,
            "CreateSecret",
            serde_json::json!({"Name": "bin", "SecretBinary": "AAEC/w=="}),
        );
        let got = call(
            &v,
            &c,
            "GetSecretValue",
            serde_json::json!({"SecretId": "bin"}),
        );
        assert_eq!(got["SecretBinary"], "AAEC/w==");
        let listed = call(&v, &c, "ListSecrets", serde_json::json!({}));
        assert_eq!(listed["SecretList"].as_array().unwrap().len(), 2);
        let pw = call(
            &v,
            &c,
            "GetRandomPassword",
            serde_json::json!({"PasswordLength": 12}),
        );
        assert_eq!(pw["RandomPassword"].as_str().unwrap().len(), 12);
    }

    #[test]
    fn errors_carry_aws_codes_and_statuses() {
        let (v, c) = vault();
        let e = dispatch(&v, &c, "DescribeSecret", br#"{"SecretId":"nope"}"#).unwrap_err();
        assert_eq!(
            (e.status.as_u16(), e.code),
            (400, "ResourceNotFoundException")
        );
        let e = dispatch(&v, &c, "DescribeSecret", b"{not json").unwrap_err();
        assert_eq!(e.code, "SerializationException");
        let e = dispatch(&v, &c, "DescribeSecret", br#"{"SecretId": 5}"#).unwrap_err();
        assert_eq!(e.code, "SerializationException");
        let e = dispatch(&v, &c, "DescribeSecret", b"{}").unwrap_err();
        assert_eq!(e.code, "ValidationException");
        assert!(e.message.contains("'secretId'"));
        let e = dispatch(&v, &c, "NoSuchOperation", b"{}").unwrap_err();
        assert_eq!(e.code, "UnknownOperationException");
        let e = dispatch(
            &v,
            &c,
            "ReplicateSecretToRegions",
            br#"{"SecretId":"nope","AddReplicaRegions":[{"Region":"eu-west-1"}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.code, "ResourceNotFoundException");
        let denied = Caller::principal("arn:aws:iam::123456789012:user/nobody", FrontEnd::Endpoint);
        let e = dispatch(&v, &denied, "ListSecrets", b"{}").unwrap_err();
        assert_eq!(e.code, "AccessDeniedException");
        assert_eq!(e.status.as_u16(), 400);
    }
}
