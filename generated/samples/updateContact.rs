// Cargo.toml: reqwest = { version = "0.12", features = ["blocking"] }
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let body = r#"{
    "name": "Joe Doe NEW",
    "custom_fields": {
        "orderNumber": "123",
        "zipCode": "98765430"
    }
}"#;
    let response = reqwest::blocking::Client::new()
        .patch("https://api.callbell.eu/v1/contacts/414a6d692bd645ed803f2e7ce360d4c8")
        .header("Authorization", "Bearer test_gshuPaZoeEG6ovbc8M79w0QyM")
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .body(body)
        .send()?
        .error_for_status()?;
    println!("{}", response.text()?);
    Ok(())
}
