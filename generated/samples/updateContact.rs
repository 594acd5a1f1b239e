// Cargo.toml: reqwest = { version = "0.13", default-features = false, features = ["blocking", "native-tls"] }
use std::{env, process, time::Duration};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = env::var("CALLBELL_API_TOKEN")
        .map_err(|_| "Set CALLBELL_API_TOKEN.")?;
    let body = r#"{
  "name": "Joe Doe NEW",
  "custom_fields": {
    "orderNumber": "123",
    "zipCode": "98765430"
  }
}"#;
    let response = reqwest::blocking::Client::new()
        .patch(
            "https://api.callbell.eu/v1/contacts/414a6d692bd645ed803f2e7ce360d4c8")
        .timeout(Duration::from_secs(30))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .body(body)
        .send()?;
    let status = response.status();
    let text = response.text()?;
    if !status.is_success() {
        eprintln!("Callbell answered {status}: {text}");
        process::exit(1);
    }
    println!("{text}");
    Ok(())
}
