// Generates the client from the OpenAPI 3.0 description at build time (progenitor's build.rs route).
// The description is `openapi-3.0.json` beside this file, or the file named by CALLBELL_OPENAPI.
use std::{env, fs, path::Path};

fn main() {
    let spec_path = env::var("CALLBELL_OPENAPI").unwrap_or_else(|_| "openapi-3.0.json".to_string());
    println!("cargo:rerun-if-env-changed=CALLBELL_OPENAPI");
    println!("cargo:rerun-if-changed={spec_path}");
    let text = fs::read_to_string(&spec_path).unwrap_or_else(|error| panic!("cannot read {spec_path}: {error}"));
    let spec: openapiv3::OpenAPI = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{spec_path} is not an OpenAPI 3.0 description: {error}"));
    let mut generator = progenitor::Generator::default();
    let tokens = generator
        .generate_tokens(&spec)
        .unwrap_or_else(|error| panic!("progenitor cannot generate a client from {spec_path}: {error}"));
    let ast = syn::parse2(tokens).expect("progenitor's output parses as Rust");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("codegen.rs");
    fs::write(out, prettyplease::unparse(&ast)).expect("OUT_DIR is writable");
}
