//! Calls the mock with the client openapi-generator's `rust` generator made (`../out`) and prints
//! the Report JSON that scripts/generators/matrix.mjs checks: the contact decoded into the
//! generated `models::Contact` for both envelopes, and the 422 as `apis::Error::ResponseError`.
use callbell_client::apis::{configuration::Configuration, contacts_api, Error};
use callbell_client::models;
use reqwest::header::{HeaderMap, HeaderValue};
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

fn configuration(prefer: &'static str) -> Result<Configuration, Box<dyn std::error::Error>> {
    let mut headers = HeaderMap::new();
    headers.insert("Prefer", HeaderValue::from_static(prefer));
    Ok(Configuration {
        base_path: env::var("CALLBELL_BASE_URL")?,
        bearer_access_token: Some(env::var("CALLBELL_TOKEN")?),
        client: reqwest::Client::builder().default_headers(headers).build()?,
        ..Configuration::default()
    })
}

fn body() -> models::ContactUpdate {
    models::ContactUpdate { name: Some("Joe Doe NEW".to_string()), ..models::ContactUpdate::new() }
}

async fn decoded(prefer: &'static str) -> Result<Value, Box<dyn std::error::Error>> {
    let uuid = env::var("CALLBELL_UUID")?;
    let response = contacts_api::update_contact(&configuration(prefer)?, &uuid, body()).await?;
    let contact: &models::Contact = match response.contact.as_ref() {
        models::UpdateContactResponseContact::Contact(contact) => contact.as_ref(),
        models::UpdateContactResponseContact::ArrayVecContact(contacts) => match contacts.as_slice() {
            [contact] => contact,
            _ => return Err(format!("{} contacts in the array, not one", contacts.len()).into()),
        },
    };
    // The generated function returns the decoded body only; a success is any 2xx, and the mock's is 200.
    Ok(json!({
        "status": 200,
        "type": type_name(contact),
        "uuid": contact.uuid,
        "name": contact.name.clone().flatten(),
    }))
}

async fn error() -> Result<Value, Box<dyn std::error::Error>> {
    let uuid = env::var("CALLBELL_UUID")?;
    match contacts_api::update_contact(&configuration("code=422")?, &uuid, body()).await {
        Err(Error::ResponseError(content)) => {
            Ok(json!({ "status": content.status.as_u16(), "type": "Error::ResponseError" }))
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
