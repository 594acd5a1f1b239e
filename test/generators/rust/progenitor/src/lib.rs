//! The client progenitor generates from the description (see build.rs).
include!(concat!(env!("OUT_DIR"), "/codegen.rs"));
