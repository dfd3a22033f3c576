# tflint with its bundled terraform ruleset only: plugins (e.g. the aws ruleset) are downloaded
# from GitHub releases, which CI here cannot reach. The aws ruleset would add checks of
# instance types, runtimes and other provider values; see docs/DEPLOY.md.
config {
  # Registry modules are not installed (no `terraform init` offline), so only local module
  # calls are followed.
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}

# The thin wrappers of community modules declare the aws provider range they were written
# against even when they call no aws resource themselves: it documents the requirement and
# makes `terraform init` fail early on an incompatible root pin.
rule "terraform_unused_required_providers" {
  enabled = false
}
