//! Every fuzz target runs every seed of its corpus, here on stable: the seeds
//! are the shared vectors and examples, so a target that panics on a known
//! input fails the ordinary tests before any fuzzing.

#[test]
fn every_target_survives_its_seeds() {
    for (name, target) in kasm_plan_fuzz::TARGETS {
        let seeds = kasm_plan_fuzz::seeds::of(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(seeds.len() >= 3, "{name} has only {} seeds", seeds.len());
        for seed in &seeds {
            target(seed);
        }
    }
}

#[test]
fn every_target_survives_junk() {
    let junk: [&[u8]; 6] = [
        b"",
        b"\0",
        b"{",
        b"\xff\xfe",
        b"[[[[[[[[",
        b"resource \"kasm_image\" {",
    ];
    for (_, target) in kasm_plan_fuzz::TARGETS {
        for bytes in junk {
            target(bytes);
        }
    }
}

/// The texts hcl-edit's parser was slow on are refused before it reads them:
/// replaying them above shows they do not crash, this shows they stay cheap.
#[test]
fn slow_parse_findings_are_refused_before_parsing() {
    let dir = kasm_plan_vectors::repository().join("crates/kasm-plan-fuzz/regressions/spec_hcl");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.map(|e| e.path()).unwrap_or_default();
        if !path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("slow-parse-"))
        {
            continue;
        }
        let text = std::fs::read(&path).unwrap_or_default();
        let refusal = kasm_plan_core::lang::hcl::parse_body(&String::from_utf8_lossy(&text))
            .err()
            .map(|d| d.message)
            .unwrap_or_default();
        assert!(
            refusal.contains("never closed") || refusal.contains("closes no bracket"),
            "{}: {refusal:?}",
            path.display()
        );
        seen += 1;
    }
    assert!(seen >= 2, "only {seen} slow-parse findings");
}
