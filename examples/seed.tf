# The two examples from the kasm_image resource documentation (laid out by `kasm-plan fmt`).

resource "kasm_image" "ubuntu" {
  name          = "Ubuntu Workspace"
  image_src     = "ubuntu:focal"
  friendly_name = "Ubuntu 20.04"
  description   = "Basic Ubuntu workspace"
  memory        = 2048
  cores         = 2
  enabled       = true
}

resource "kasm_image" "development" {
  name            = "Development Environment"
  image_src       = "registry.company.com/dev-workspace:latest"
  friendly_name   = "Development Workspace"
  description     = "Full development environment with tools"
  docker_registry = "registry.company.com"
  memory          = 4096
  cores           = 4
  enabled         = true
}
