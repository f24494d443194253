#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| kasm_plan_fuzz::tfvars(data));
