# The example policy set: built-in rules, and the levels of the Rego queries in
# images.rego (as in an HCP Terraform policies.hcl).

rule "memory-cap" {
  check   = "max_memory"
  max_mb  = 8192
  level   = "soft-mandatory"
  message = "ask the platform team for more than 8 GB"
}

rule "kasm-images-only" {
  check    = "allowed_repositories"
  patterns = ["kasmweb/*"]
}

rule "pinned-tags" {
  check = "forbidden_tags"
  tags  = ["latest", "untagged"]
}

rule "described" {
  check = "require_description"
  level = "advisory"
}

policy "no-deletes" {
  query             = "data.kasm.images.deny"
  enforcement_level = "soft-mandatory"
}

policy "core-count" {
  query             = "data.kasm.images.warn"
  enforcement_level = "advisory"
}
