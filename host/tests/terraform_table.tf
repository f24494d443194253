# The configuration of docs/cli.md's "Coming from Terraform" session.

terraform {
  required_providers {
    kasm = {
      source = "sim22/kasm"
    }
  }
}

variable "memory" {
  type    = number
  default = 2768
}

resource "kasm_image" "terminal" {
  name          = "kasmweb/terminal:1.18.0"
  image_src     = "img/thumbnails/terminal.png"
  friendly_name = "Terminal"
  memory        = var.memory
}

resource "kasm_image" "ubuntu" {
  name          = "kasmweb/ubuntu:1.18.0"
  image_src     = "img/thumbnails/ubuntu.png"
  friendly_name = "Ubuntu"
}

resource "kasm_group" "devs" {
  name     = "Developers"
  priority = 10
}

resource "kasm_group_image" "terminal" {
  group_id = kasm_group.devs.id
  image_id = kasm_image.terminal.id
}

output "terminal_id" {
  value = kasm_image.terminal.id
}
