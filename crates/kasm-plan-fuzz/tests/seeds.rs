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
