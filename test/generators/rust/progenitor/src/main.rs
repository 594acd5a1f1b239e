//! Calls the mock with the client progenitor generated (src/lib.rs) and prints the Report JSON
//! that scripts/generators/matrix.mjs checks: the contact decoded into the generated `Contact`
//! for both envelopes, and the 422 as progenitor's `Error::ErrorResponse` with its status.
use callbell_progenitor::{types, Client, Error};
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use serde_json::{json, Value};

/// The Report's keys in the order matrix.mjs compares them (serde_json's `json!` sorts keys).
fn ordered(keys: &[&str], value: &Value) -> String {
    let fields: Vec<String> = keys.iter().map(|key| format!("{}:{}", json!(key), value[*key])).collect();
    format!("{{{}}}", fields.join(","))
}
use std::env;

/// The last segment of a value's Rust type, e.g. `Contact`.
fn type_name<T>(value: &T) -> &'static str {
    let full = std::any::type_name_of_val(value);
    full.rsplit("::").next().unwrap_or(full)
}

fn client(prefer: &'static str) -> Result<Client, Box<dyn std::error::Error>> {
    let token = env::var("CALLBELL_TOKEN")?;
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {token}"))?);
    headers.insert("Prefer", HeaderValue::from_static(prefer));
    let http = reqwest::Client::builder().default_headers(headers).build()?;
    Ok(Client::new_with_client(&env::var("CALLBELL_BASE_URL")?, http))
}

fn body() -> Result<types::ContactUpdate, Box<dyn std::error::Error>> {
    Ok(types::ContactUpdate { name: Some("Joe Doe NEW".try_into()?), ..Default::default() })
}

async fn decoded(prefer: &'static str) -> Result<Value, Box<dyn std::error::Error>> {
    let uuid: types::UpdateContactUuid = env::var("CALLBELL_UUID")?.parse()?;
    let response = client(prefer)?.update_contact(&uuid, &body()?).await?;
    let status = response.status().as_u16();
    let contact: &types::Contact = match &response.contact {
        types::UpdateContactResponseContact::Contact(contact) => contact,
        types::UpdateContactResponseContact::Array([contact]) => contact,
    };
    Ok(json!({
        "status": status,
        "type": type_name(contact),
        "uuid": contact.uuid.as_str(),
        "name": contact.name.as_deref(),
    }))
}

async fn error() -> Result<Value, Box<dyn std::error::Error>> {
    let uuid: types::UpdateContactUuid = env::var("CALLBELL_UUID")?.parse()?;
    match client("code=422")?.update_contact(&uuid, &body()?).await {
        Err(Error::ErrorResponse(response)) => {
            Ok(json!({ "status": response.status().as_u16(), "type": "Error::ErrorResponse" }))
        }
        Err(Error::UnexpectedResponse(response)) => {
            Ok(json!({ "status": response.status().as_u16(), "type": "Error::UnexpectedResponse" }))
        }
        Err(other) => Err(format!("the 422 came back as another error: {other}").into()),
        Ok(_) => Err("the 422 came back as a success".into()),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let decoded_keys = ["status", "type", "uuid", "name"];
    let object = ordered(&decoded_keys, &decoded("example=objectEnvelope").await?);
    let array = ordered(&decoded_keys, &decoded("example=seedArrayEnvelope").await?);
    let error = ordered(&["status", "type"], &error().await?);
    println!(r#"{{"object":{object},"array":{array},"error":{error}}}"#);
    Ok(())
}
