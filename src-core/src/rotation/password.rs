//! The built-in `password` rotation function: a new random password (GetRandomPassword's
//! options) into a JSON secret's `password` key, or as the whole value of a plain-string
//! secret. It has no target system, so setSecret has nothing to change.

use zeroize::Zeroizing;

use super::{Finished, RotationClient, Step, StepEvent, StepOutput};
use crate::api::{GetRandomPasswordRequest, GetSecretValueRequest, PutSecretValueRequest};
use crate::model::{AWSCURRENT, AWSPENDING, SecretText, SecretValue};
use crate::{Error, Result};

pub(crate) fn run_step(
    client: &RotationClient<'_>,
    event: &StepEvent,
    json_key: Option<&str>,
    options: &GetRandomPasswordRequest,
) -> Result<StepOutput> {
    let mut out = StepOutput::default();
    let key = json_key.unwrap_or("password");
    match event.step {
        Step::CreateSecret => {
            if pending(client, event).is_ok() {
                out.note("the pending version already has a value");
                return Ok(out);
            }
            let current = client.vault.get_secret_value(
                &client.caller,
                GetSecretValueRequest {
                    secret_id: event.secret_id.clone(),
                    version_id: None,
                    version_stage: Some(AWSCURRENT.into()),
                },
            )?;
            let password = client
                .vault
                .get_random_password(&client.caller, options.clone())?
                .random_password;
            let new_value = match &current.value {
                SecretValue::Binary(_) => {
                    return Err(Error::invalid_request(
                        "The password rotation function rotates string secrets; this secret's value is binary.",
                    ));
                }
                SecretValue::String(s) => {
                    match serde_json::from_str::<serde_json::Value>(s.expose()) {
                        Ok(serde_json::Value::Object(mut map)) => {
                            map.insert(key.into(), password.expose().into());
                            out.note(format!("new password in the JSON key '{key}'"));
                            let text = Zeroizing::new(
                                serde_json::to_string(&map).expect("a JSON object serializes"),
                            );
                            for v in map.values_mut() {
                                zero_json(v);
                            }
                            SecretText::new(text.to_string())
                        }
                        _ => {
                            out.note("new password as the whole value");
                            password
                        }
                    }
                }
            };
            client.vault.put_secret_value(
                &client.caller,
                PutSecretValueRequest {
                    secret_id: event.secret_id.clone(),
                    client_request_token: Some(event.client_request_token.clone()),
                    secret_string: Some(new_value),
                    secret_binary: None,
                    version_stages: Some(vec![AWSPENDING.into()]),
                    rotation_token: None,
                },
            )?;
            out.note("stored the new value as AWSPENDING");
        }
        Step::SetSecret => {
            out.note("no target system: the password lives in the vault only");
        }
        Step::TestSecret => {
            let p = pending(client, event)?;
            if let SecretValue::String(s) = &p.value
                && let Ok(serde_json::Value::Object(map)) =
                    serde_json::from_str::<serde_json::Value>(s.expose())
                && !map.get(key).is_some_and(|v| v.is_string())
            {
                return Err(Error::invalid_request(format!(
                    "The pending value has no string '{key}' key."
                )));
            }
            out.note("the pending value is in place");
        }
        Step::FinishSecret => match client.finish_secret(event)? {
            Finished::AlreadyCurrent => out.note("the new version is already AWSCURRENT"),
            Finished::Moved { .. } => out.note("moved AWSCURRENT to the new version"),
        },
    }
    Ok(out)
}

/// Overwrites the strings of a JSON value (a copy of a secret) before it is dropped.
fn zero_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => zeroize::Zeroize::zeroize(s),
        serde_json::Value::Array(a) => a.iter_mut().for_each(zero_json),
        serde_json::Value::Object(m) => m.values_mut().for_each(zero_json),
        _ => {}
    }
}

fn pending(
    client: &RotationClient<'_>,
    event: &StepEvent,
) -> Result<crate::api::GetSecretValueResponse> {
    client.vault.get_secret_value(
        &client.caller,
        GetSecretValueRequest {
            secret_id: event.secret_id.clone(),
            version_id: Some(event.client_request_token.clone()),
            version_stage: Some(AWSPENDING.into()),
        },
    )
}
