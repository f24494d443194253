terraform {
  required_providers {
    kasm = { source = "sim22/kasm" }
  }
}

locals {
  tag    = "1.18.0"
  labels = { team = "dev", managed_by = "kasm-plan" }
}

resource "kasm_image" "browser" {
  for_each      = var.browsers
  name          = "kasmweb/${each.key}:${local.tag}"
  friendly_name = title(each.key)
  image_src     = "img/thumbnails/${each.key}.png"
  description   = format("%s, %d MB", title(each.key), each.value.memory)
  memory        = each.value.memory
  cores         = each.value.cores
  run_config    = jsonencode({ hostname = each.key, labels = local.labels })
}

resource "kasm_image" "dev" {
  name            = "${var.registry}/dev-workspace:1.2.0"
  friendly_name   = "Dev Workspace"
  image_src       = "img/thumbnails/dev.png"
  memory          = var.default_memory
  cores           = 2
  docker_registry = "https://${split("/", var.registry)[0]}"
  docker_user     = var.registry_token == null ? null : "robot"
  docker_token    = var.registry_token
  exec_config = {
    first_launch = {
      cmd = "bash -c '/usr/bin/desktop_ready && code'"
    }
  }
}
