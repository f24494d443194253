# Workspace images managed by kasm-plan. `name` is the Docker image Kasm pulls;
# `friendly_name` is what users see; memory is in MB.

resource "kasm_image" "terminal" {
  name                 = "kasmweb/terminal:1.18.0"
  friendly_name        = "Terminal"
  description          = "A terminal with common command-line tools"
  image_src            = "img/thumbnails/terminal.png"
  memory               = 2768
  cores                = 2
  uncompressed_size_mb = 1200
  run_config = {
    hostname = "kasm"
  }

  lifecycle {
    prevent_destroy = true
  }
}

resource "kasm_image" "chrome" {
  name          = "kasmweb/chrome:1.18.0"
  friendly_name = "Chrome"
  description   = "Google Chrome browser"
  image_src     = "img/thumbnails/chrome.png"
  memory        = 4096
  cores         = 2
  image_type    = "Container"
}

resource "kasm_image" "vscode" {
  name          = "kasmweb/vs-code:1.18.0"
  friendly_name = "Visual Studio Code"
  description   = "Code editor with a shared projects volume"
  image_src     = "img/thumbnails/vs-code.png"
  memory        = 4096
  cores         = 2.5
  volume_mapping = {
    "/mnt/projects" = { bind = "/home/kasm-user/projects", mode = "rw", uid = 1000, gid = 1000 }
  }

  lifecycle {
    ignore_changes = [description]
  }
}
